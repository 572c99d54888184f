package main

// Just enough of the MongoDB wire protocol for the front (front.go): message framing, and which
// write lock a request needs. Anything this file cannot read with certainty is treated as a write
// to everything (fail closed): a parser gap may cost a little concurrency, never atomicity.

import (
	"encoding/binary"
	"errors"
	"io"
	"math"
)

const (
	opMsg        = 2013
	maxMessage   = 48 * 1024 * 1024
	headerLength = 16

	flagChecksumPresent = 1 << 0
	flagMoreToCome      = 1 << 1
)

// writeCommands are the commands that read, modify and write documents back, which FerretDB v1
// does without a lock: one of them per collection may be in flight.
var writeCommands = map[string]bool{
	"insert": true, "update": true, "delete": true, "findAndModify": true, "findandmodify": true,
}

// header is the fixed part of every wire message.
type header struct {
	length     int32
	requestID  uint32
	responseTo uint32
	opCode     uint32
}

func parseHeader(msg []byte) header {
	return header{
		length:     int32(binary.LittleEndian.Uint32(msg[0:4])),
		requestID:  binary.LittleEndian.Uint32(msg[4:8]),
		responseTo: binary.LittleEndian.Uint32(msg[8:12]),
		opCode:     binary.LittleEndian.Uint32(msg[12:16]),
	}
}

var errMessageLength = errors.New("invalid message length")

// readMessage reads one whole wire message (header included).
func readMessage(r io.Reader) ([]byte, error) {
	var head [headerLength]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return nil, err
	}
	length := int(int32(binary.LittleEndian.Uint32(head[0:4])))
	if length < headerLength || length > maxMessage {
		return nil, errMessageLength
	}
	msg := make([]byte, length)
	copy(msg, head[:])
	if _, err := io.ReadFull(r, msg[headerLength:]); err != nil {
		return nil, err
	}
	return msg, nil
}

// lockKind says what a request must hold while FerretDB works on it.
type lockKind int

const (
	lockNone       lockKind = iota // a read: never held
	lockCollection                 // a write command on one collection
	lockGlobal                     // anything not understood: excludes every write
)

// request describes one client message as far as the front needs to know it.
type request struct {
	requestID  uint32
	moreToCome bool // the client expects no reply (an unacknowledged write)
	lock       lockKind
	target     string // "db.collection" for lockCollection
	command    string // the command's name when known (for logs)
}

// classify reads a client message. It never fails: what it cannot read takes the global lock.
func classify(msg []byte) request {
	h := parseHeader(msg)
	req := request{requestID: h.requestID, lock: lockGlobal}
	if h.opCode != opMsg || len(msg) < headerLength+4 {
		return req // OP_QUERY handshakes, OP_COMPRESSED, anything else: held globally, briefly
	}
	flags := binary.LittleEndian.Uint32(msg[16:20])
	req.moreToCome = flags&flagMoreToCome != 0
	end := len(msg)
	if flags&flagChecksumPresent != 0 {
		end -= 4
	}
	pos := 20
	for pos < end {
		kind := msg[pos]
		pos++
		if pos+4 > end {
			return req
		}
		size := int(int32(binary.LittleEndian.Uint32(msg[pos : pos+4])))
		if size < 5 || pos+size > end {
			return req
		}
		switch kind {
		case 0:
			command, collection, db, ok := commandTarget(msg[pos : pos+size])
			if !ok {
				return req
			}
			req.command = command
			if !writeCommands[command] {
				req.lock = lockNone
				return req
			}
			if collection == "" || db == "" {
				return req
			}
			req.lock, req.target = lockCollection, db+"."+collection
			return req
		case 1: // a document sequence (e.g. the documents of an insert); the command is in kind 0
		default:
			return req
		}
		pos += size
	}
	return req
}

// commandTarget reads the command document's first element (the command and, for a write, its
// collection) and `$db`. ok is false when any part of the document cannot be read.
func commandTarget(doc []byte) (command, collection, db string, ok bool) {
	if len(doc) < 5 || int(int32(binary.LittleEndian.Uint32(doc[0:4]))) != len(doc) || doc[len(doc)-1] != 0 {
		return "", "", "", false
	}
	pos := 4
	first := true
	for pos < len(doc)-1 {
		typ := doc[pos]
		pos++
		end := pos
		for end < len(doc) && doc[end] != 0 {
			end++
		}
		if end >= len(doc)-1 {
			return "", "", "", false
		}
		key := string(doc[pos:end])
		pos = end + 1
		value, next, valid := skipValue(doc, pos, typ)
		if !valid {
			return "", "", "", false
		}
		if first {
			command, collection, first = key, value, false
		} else if key == "$db" {
			db = value
		}
		pos = next
	}
	return command, collection, db, !first && pos == len(doc)-1
}

// skipValue returns the value when it is a string, and the position just after the value.
func skipValue(doc []byte, pos int, typ byte) (string, int, bool) {
	need := func(n int) bool { return n >= 0 && pos+n <= len(doc)-1 }
	switch typ {
	case 0x02, 0x0D, 0x0E: // string, JS code, symbol
		if !need(4) {
			return "", 0, false
		}
		n := int(int32(binary.LittleEndian.Uint32(doc[pos:])))
		if n < 1 || !need(4+n) || doc[pos+4+n-1] != 0 {
			return "", 0, false
		}
		return string(doc[pos+4 : pos+4+n-1]), pos + 4 + n, true
	case 0x03, 0x04: // document, array
		if !need(4) {
			return "", 0, false
		}
		n := int(int32(binary.LittleEndian.Uint32(doc[pos:])))
		return "", pos + n, n >= 5 && need(n)
	case 0x0F: // JS code with scope
		if !need(4) {
			return "", 0, false
		}
		n := int(int32(binary.LittleEndian.Uint32(doc[pos:])))
		return "", pos + n, n >= 14 && need(n)
	case 0x01, 0x09, 0x11, 0x12: // double, datetime, timestamp, int64
		return "", pos + 8, need(8)
	case 0x10: // int32
		return "", pos + 4, need(4)
	case 0x08: // bool
		return "", pos + 1, need(1)
	case 0x0A, 0x06, 0xFF, 0x7F: // null, undefined, min/max key
		return "", pos, true
	case 0x07: // ObjectId
		return "", pos + 12, need(12)
	case 0x13: // decimal128
		return "", pos + 16, need(16)
	case 0x05: // binary
		if !need(4) {
			return "", 0, false
		}
		n := int(int32(binary.LittleEndian.Uint32(doc[pos:])))
		return "", pos + 5 + n, n >= 0 && need(5+n)
	case 0x0B: // regex: two cstrings
		for i := 0; i < 2; i++ {
			for pos < len(doc)-1 && doc[pos] != 0 {
				pos++
			}
			if pos >= len(doc)-1 {
				return "", 0, false
			}
			pos++
		}
		return "", pos, true
	case 0x0C: // DBPointer: string + ObjectId
		if !need(4) {
			return "", 0, false
		}
		n := int(int32(binary.LittleEndian.Uint32(doc[pos:])))
		return "", pos + 4 + n + 12, n >= 1 && need(4+n+12)
	default:
		return "", 0, false
	}
}

// errorReply builds an OP_MSG reply {ok: 0, errmsg, code, codeName} to the request with the given id.
func errorReply(responseTo uint32, code int32, codeName, errmsg string) []byte {
	var body []byte
	body = appendDouble(body, "ok", 0)
	body = appendString(body, "errmsg", errmsg)
	body = appendInt32(body, "code", code)
	body = appendString(body, "codeName", codeName)
	doc := make([]byte, 4, 4+len(body)+1)
	doc = append(doc, body...)
	doc = append(doc, 0)
	binary.LittleEndian.PutUint32(doc[0:4], uint32(len(doc)))

	msg := make([]byte, headerLength+4+1, headerLength+4+1+len(doc))
	msg = append(msg, doc...)
	binary.LittleEndian.PutUint32(msg[0:4], uint32(len(msg)))
	binary.LittleEndian.PutUint32(msg[4:8], 0)
	binary.LittleEndian.PutUint32(msg[8:12], responseTo)
	binary.LittleEndian.PutUint32(msg[12:16], opMsg)
	// flags 0, then section kind 0 (already zero)
	return msg
}

func appendKey(b []byte, typ byte, key string) []byte {
	b = append(b, typ)
	b = append(b, key...)
	return append(b, 0)
}

func appendDouble(b []byte, key string, v float64) []byte {
	b = appendKey(b, 0x01, key)
	return binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
}

func appendInt32(b []byte, key string, v int32) []byte {
	b = appendKey(b, 0x10, key)
	return binary.LittleEndian.AppendUint32(b, uint32(v))
}

func appendString(b []byte, key, v string) []byte {
	b = appendKey(b, 0x02, key)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(v)+1))
	b = append(b, v...)
	return append(b, 0)
}
