package main

// FerretDB v1 applies an update as query → modify in Go → write back, without holding a lock or
// a transaction across the three steps (internal/handler/common/update.go). Two updates of the
// same document at once can therefore lose one of them; measured here: 3 of 200 parallel $inc
// survived. MongoDB guarantees that a single-document write is atomic, and the app relies on it.
//
// This file puts a small MongoDB wire-protocol front in front of the embedded FerretDB: it
// forwards every message unchanged, but lets only one write command per collection be in flight
// at a time (held from the request until its reply passes back). Reads are never held.

import (
	"encoding/binary"
	"errors"
	"io"
	"net"
	"sync"
)

const (
	opMsg        = 2013
	maxMessage   = 48 * 1024 * 1024
	moreToCome   = 1 << 1
	headerLength = 16
)

var writeCommands = map[string]bool{"insert": true, "update": true, "delete": true, "findAndModify": true, "findandmodify": true}

// collectionLocks hands out one mutex per "db.collection".
type collectionLocks struct {
	mu    sync.Mutex
	locks map[string]*sync.Mutex
}

func (c *collectionLocks) get(name string) *sync.Mutex {
	c.mu.Lock()
	defer c.mu.Unlock()
	l, ok := c.locks[name]
	if !ok {
		l = new(sync.Mutex)
		c.locks[name] = l
	}
	return l
}

func readMessage(r io.Reader) ([]byte, error) {
	var header [headerLength]byte
	if _, err := io.ReadFull(r, header[:]); err != nil {
		return nil, err
	}
	length := int(int32(binary.LittleEndian.Uint32(header[0:4])))
	if length < headerLength || length > maxMessage {
		return nil, errors.New("invalid message length")
	}
	msg := make([]byte, length)
	copy(msg, header[:])
	if _, err := io.ReadFull(r, msg[headerLength:]); err != nil {
		return nil, err
	}
	return msg, nil
}

// writeTarget returns "db.collection" when msg is an OP_MSG write command that expects a reply.
func writeTarget(msg []byte) (string, bool) {
	if len(msg) < headerLength+5 || binary.LittleEndian.Uint32(msg[12:16]) != opMsg {
		return "", false
	}
	flags := binary.LittleEndian.Uint32(msg[16:20])
	if flags&moreToCome != 0 {
		return "", false // unacknowledged write: no reply to wait for
	}
	// Sections follow the flags; the body (kind 0) is the command document.
	pos := 20
	for pos < len(msg) {
		kind := msg[pos]
		pos++
		if pos+4 > len(msg) {
			return "", false
		}
		size := int(int32(binary.LittleEndian.Uint32(msg[pos : pos+4])))
		if size < 5 || pos+size > len(msg) {
			return "", false
		}
		if kind == 0 {
			return commandTarget(msg[pos : pos+size])
		}
		pos += size
	}
	return "", false
}

// commandTarget reads the first element (the command name and its collection) and `$db`.
func commandTarget(doc []byte) (string, bool) {
	var command, collection, db string
	pos := 4
	first := true
	for pos < len(doc)-1 {
		typ := doc[pos]
		pos++
		end := pos
		for end < len(doc) && doc[end] != 0 {
			end++
		}
		if end >= len(doc) {
			return "", false
		}
		key := string(doc[pos:end])
		pos = end + 1
		value, next, ok := skipValue(doc, pos, typ)
		if !ok {
			return "", false
		}
		if first {
			command, collection = key, value
			first = false
			if !writeCommands[command] {
				return "", false
			}
		} else if key == "$db" {
			db = value
		}
		pos = next
	}
	return db + "." + collection, command != ""
}

// skipValue returns the string value (for strings) and the position after the value.
func skipValue(doc []byte, pos int, typ byte) (string, int, bool) {
	need := func(n int) bool { return pos+n <= len(doc) }
	switch typ {
	case 0x02, 0x0D, 0x0E: // string, JS code, symbol
		if !need(4) {
			return "", 0, false
		}
		n := int(int32(binary.LittleEndian.Uint32(doc[pos:])))
		if n < 1 || !need(4+n) {
			return "", 0, false
		}
		return string(doc[pos+4 : pos+4+n-1]), pos + 4 + n, true
	case 0x03, 0x04: // document, array
		if !need(4) {
			return "", 0, false
		}
		n := int(int32(binary.LittleEndian.Uint32(doc[pos:])))
		return "", pos + n, n >= 5 && need(n)
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
			for pos < len(doc) && doc[pos] != 0 {
				pos++
			}
			pos++
		}
		return "", pos, pos <= len(doc)
	default:
		return "", 0, false
	}
}

// serveFront accepts clients on front and relays each to a new connection to backend.
func serveFront(front net.Listener, dialBackend func() (net.Conn, error)) {
	locks := &collectionLocks{locks: map[string]*sync.Mutex{}}
	for {
		client, err := front.Accept()
		if err != nil {
			return
		}
		go relay(client, dialBackend, locks)
	}
}

func relay(client net.Conn, dialBackend func() (net.Conn, error), locks *collectionLocks) {
	defer client.Close()
	backend, err := dialBackend()
	if err != nil {
		return
	}
	defer backend.Close()

	var pendingMu sync.Mutex
	pending := map[uint32]*sync.Mutex{} // requestID of a held write → its collection lock
	release := func(id uint32) {
		pendingMu.Lock()
		l, ok := pending[id]
		delete(pending, id)
		pendingMu.Unlock()
		if ok {
			l.Unlock()
		}
	}
	defer func() {
		pendingMu.Lock()
		for id, l := range pending {
			delete(pending, id)
			l.Unlock()
		}
		pendingMu.Unlock()
	}()

	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			reply, err := readMessage(backend)
			if err != nil {
				client.Close()
				return
			}
			if _, err := client.Write(reply); err != nil {
				return
			}
			release(binary.LittleEndian.Uint32(reply[8:12])) // responseTo
		}
	}()

	for {
		msg, err := readMessage(client)
		if err != nil {
			break
		}
		if target, ok := writeTarget(msg); ok {
			l := locks.get(target)
			l.Lock()
			pendingMu.Lock()
			pending[binary.LittleEndian.Uint32(msg[4:8])] = l // requestID
			pendingMu.Unlock()
		}
		if _, err := backend.Write(msg); err != nil {
			break
		}
	}
	backend.Close()
	<-done
}
