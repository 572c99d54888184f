package main

import (
	"bytes"
	"encoding/binary"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// ---- messages ----

type field struct {
	key string
	val any // string or int32
}

func bsonDoc(fields ...field) []byte {
	var body []byte
	for _, f := range fields {
		switch v := f.val.(type) {
		case string:
			body = appendString(body, f.key, v)
		case int32:
			body = appendInt32(body, f.key, v)
		case []byte: // raw element: type byte already included by the caller
			body = append(body, v...)
		}
	}
	doc := make([]byte, 4, 5+len(body))
	doc = append(doc, body...)
	doc = append(doc, 0)
	binary.LittleEndian.PutUint32(doc, uint32(len(doc)))
	return doc
}

func opMsgWith(requestID, flags uint32, sections ...[]byte) []byte {
	msg := make([]byte, headerLength+4)
	for _, s := range sections {
		msg = append(msg, s...)
	}
	binary.LittleEndian.PutUint32(msg[0:4], uint32(len(msg)))
	binary.LittleEndian.PutUint32(msg[4:8], requestID)
	binary.LittleEndian.PutUint32(msg[12:16], opMsg)
	binary.LittleEndian.PutUint32(msg[16:20], flags)
	return msg
}

func body(doc []byte) []byte { return append([]byte{0}, doc...) }

func command(requestID, flags uint32, name, coll string) []byte {
	return opMsgWith(requestID, flags, body(bsonDoc(field{name, coll}, field{"$db", "app"})))
}

func opQuery(requestID uint32) []byte {
	msg := make([]byte, headerLength+20)
	binary.LittleEndian.PutUint32(msg[0:4], uint32(len(msg)))
	binary.LittleEndian.PutUint32(msg[4:8], requestID)
	binary.LittleEndian.PutUint32(msg[12:16], 2004)
	return msg
}

// ---- a stand-in for FerretDB's connection loop: one message at a time, one reply to each ----

type event struct {
	requestID  uint32
	start, end time.Time
}

type fakeBackend struct {
	t        *testing.T
	listener net.Listener
	// delay and size of the reply for a request, by its classification
	handle func(req request) (delay time.Duration, replySize int, responseTo func(uint32) uint32)

	mu     sync.Mutex
	events []event
}

func startBackend(t *testing.T, handle func(req request) (time.Duration, int, func(uint32) uint32)) *fakeBackend {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b := &fakeBackend{t: t, listener: l, handle: handle}
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			go b.serveConn(conn)
		}
	}()
	t.Cleanup(func() { l.Close() })
	return b
}

func (b *fakeBackend) serveConn(conn net.Conn) {
	defer conn.Close()
	for {
		msg, err := readMessage(conn)
		if err != nil {
			return
		}
		req := classify(msg)
		start := time.Now()
		delay, size, respond := b.handle(req)
		time.Sleep(delay)
		responseTo := req.requestID
		if respond != nil {
			responseTo = respond(responseTo)
		}
		reply := opMsgWith(0, 0, body(bsonDoc(field{"ok", int32(1)}, field{"pad", strings.Repeat("x", size)})))
		binary.LittleEndian.PutUint32(reply[8:12], responseTo)
		b.mu.Lock()
		b.events = append(b.events, event{requestID: req.requestID, start: start, end: time.Now()})
		b.mu.Unlock()
		if _, err := conn.Write(reply); err != nil {
			return
		}
	}
}

func (b *fakeBackend) event(id uint32) (event, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, e := range b.events {
		if e.requestID == id {
			return e, true
		}
	}
	return event{}, false
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func startFront(t *testing.T, b *fakeBackend, opts frontOptions) (*front, string) {
	t.Helper()
	if opts.lockWait == 0 {
		opts.lockWait = 5 * time.Second
	}
	if opts.drainLimit == 0 {
		opts.drainLimit = 5 * time.Second
	}
	if opts.log == nil {
		opts.log = io.Discard
	}
	f := newFront(func() (net.Conn, error) { return net.Dial("tcp", b.listener.Addr().String()) }, opts)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go f.serve(l)
	t.Cleanup(func() { l.Close() })
	return f, l.Addr().String()
}

func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func send(t *testing.T, c net.Conn, msg []byte) {
	t.Helper()
	if _, err := c.Write(msg); err != nil {
		t.Fatal(err)
	}
}

func reply(t *testing.T, c net.Conn, within time.Duration) header {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(within))
	msg, err := readMessage(c)
	if err != nil {
		t.Fatalf("no reply: %v", err)
	}
	return parseHeader(msg)
}

func instant(request) (time.Duration, int, func(uint32) uint32) { return 0, 0, nil }

// ---- the front ----

// The cross-talk of issue 14: FerretDB answers an unacknowledged write; that reply must not reach
// the client, or every later request on the connection receives the previous request's reply.
func TestFrontSwallowsTheReplyToAnUnacknowledgedWrite(t *testing.T) {
	b := startBackend(t, instant)
	_, addr := startFront(t, b, frontOptions{})
	c := dial(t, addr)
	send(t, c, command(1, flagMoreToCome, "delete", "a"))
	for id := uint32(2); id < 6; id++ {
		send(t, c, command(id, 0, "find", "b"))
		if h := reply(t, c, 2*time.Second); h.responseTo != id {
			t.Fatalf("request %d received the reply to %d", id, h.responseTo)
		}
	}
}

func TestFrontHoldsTheLockUntilFerretDBAnswersAClientThatLeft(t *testing.T) {
	b := startBackend(t, func(req request) (time.Duration, int, func(uint32) uint32) {
		if req.requestID == 10 {
			return 300 * time.Millisecond, 0, nil
		}
		return 0, 0, nil
	})
	_, addr := startFront(t, b, frontOptions{})
	a := dial(t, addr)
	send(t, a, command(10, 0, "update", "x"))
	time.Sleep(50 * time.Millisecond)
	a.Close() // gone while its update runs

	c := dial(t, addr)
	send(t, c, command(11, 0, "update", "x"))
	reply(t, c, 3*time.Second)
	first, ok1 := b.event(10)
	second, ok2 := b.event(11)
	if !ok1 || !ok2 {
		t.Fatal("both updates should have reached the backend")
	}
	if second.start.Before(first.end) {
		t.Fatalf("the second update started %s before the first finished", first.end.Sub(second.start))
	}
}

func TestFrontReleasesTheLockBeforeASlowClientReadsItsReply(t *testing.T) {
	b := startBackend(t, func(req request) (time.Duration, int, func(uint32) uint32) {
		if req.requestID == 20 {
			return 0, 40 << 20, nil // a reply far larger than the socket buffers
		}
		return 0, 0, nil
	})
	_, addr := startFront(t, b, frontOptions{})
	slow := dial(t, addr)
	send(t, slow, command(20, 0, "update", "x")) // and never read
	time.Sleep(200 * time.Millisecond)
	c := dial(t, addr)
	send(t, c, command(21, 0, "update", "x"))
	if h := reply(t, c, 3*time.Second); h.responseTo != 21 {
		t.Fatalf("wrong reply %d", h.responseTo)
	}
}

func TestFrontBoundsTheWaitForALockAndReportsAStuckWrite(t *testing.T) {
	b := startBackend(t, func(req request) (time.Duration, int, func(uint32) uint32) {
		if req.requestID == 30 {
			return 1500 * time.Millisecond, 0, nil
		}
		return 0, 0, nil
	})
	logs := &syncBuffer{}
	f, addr := startFront(t, b, frontOptions{lockWait: 200 * time.Millisecond, log: logs})
	status := &syncBuffer{}
	stop := make(chan struct{})
	defer close(stop)
	go f.locks.watchStuck(contextUntil(stop), 20*time.Millisecond, 300*time.Millisecond, status)

	a := dial(t, addr)
	send(t, a, command(30, 0, "update", "x"))
	time.Sleep(50 * time.Millisecond)
	c := dial(t, addr)
	started := time.Now()
	send(t, c, command(31, 0, "update", "x"))
	_ = c.SetReadDeadline(time.Now().Add(2 * time.Second))
	msg, err := readMessage(c)
	if err != nil {
		t.Fatal(err)
	}
	if waited := time.Since(started); waited > time.Second {
		t.Fatalf("the waiting write was answered after %s", waited)
	}
	if h := parseHeader(msg); h.responseTo != 31 || !bytes.Contains(msg, []byte("write lock on app.x")) {
		t.Fatalf("expected an error reply to 31 naming the lock, got %d: %q", h.responseTo, msg)
	}
	if _, ok := b.event(31); ok {
		t.Fatal("the write that gave up must not reach FerretDB")
	}
	// the first write is still running: stuck, then ok once it finishes
	reply(t, a, 3*time.Second)
	deadline := time.Now().Add(2 * time.Second)
	for !strings.Contains(status.String(), "WRITE-OK") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(status.String(), "WRITE-STUCK app.x") || !strings.Contains(status.String(), "WRITE-OK") {
		t.Fatalf("status lines: %q", status.String())
	}
	if !strings.Contains(logs.String(), "gave up") {
		t.Fatalf("the failed wait is not logged: %q", logs.String())
	}
}

func TestFrontLetsAnUnreadableRequestExcludeEveryWrite(t *testing.T) {
	b := startBackend(t, func(req request) (time.Duration, int, func(uint32) uint32) {
		if req.requestID == 40 {
			return 300 * time.Millisecond, 0, nil
		}
		return 0, 0, nil
	})
	_, addr := startFront(t, b, frontOptions{})
	a := dial(t, addr)
	send(t, a, opQuery(40))
	time.Sleep(50 * time.Millisecond)
	c := dial(t, addr)
	send(t, c, command(41, 0, "insert", "y"))
	reply(t, c, 3*time.Second)
	first, _ := b.event(40)
	second, _ := b.event(41)
	if second.start.Before(first.end) {
		t.Fatal("a write ran while an unreadable request held the global lock")
	}
}

func TestFrontClosesTheConnectionRatherThanPassOnAMismatchedReply(t *testing.T) {
	b := startBackend(t, func(req request) (time.Duration, int, func(uint32) uint32) {
		return 0, 0, func(id uint32) uint32 { return id + 1000 }
	})
	_, addr := startFront(t, b, frontOptions{})
	c := dial(t, addr)
	send(t, c, command(50, 0, "find", "z"))
	_ = c.SetReadDeadline(time.Now().Add(2 * time.Second))
	if msg, err := readMessage(c); err == nil {
		t.Fatalf("a reply to another request was passed on: responseTo %d", parseHeader(msg).responseTo)
	}
}

// ---- classification ----

func TestClassify(t *testing.T) {
	sequence := append([]byte{1}, func() []byte {
		id := append([]byte("documents"), 0)
		doc := bsonDoc(field{"_id", "a"})
		s := make([]byte, 4)
		s = append(s, id...)
		s = append(s, doc...)
		binary.LittleEndian.PutUint32(s, uint32(len(s)))
		return s
	}()...)
	unknownType := bsonDoc(field{"update", "x"}, field{"weird", []byte{0x99, 'w', 0, 1}}, field{"$db", "app"})
	truncated := bsonDoc(field{"update", "x"}, field{"$db", "app"})
	truncated = truncated[:len(truncated)-3]
	withChecksum := append(command(7, flagChecksumPresent, "insert", "x"), 1, 2, 3, 4)
	binary.LittleEndian.PutUint32(withChecksum, uint32(len(withChecksum)))

	cases := []struct {
		name       string
		msg        []byte
		lock       lockKind
		target     string
		moreToCome bool
	}{
		{"find is a read", command(1, 0, "find", "x"), lockNone, "", false},
		{"listCollections is a read", command(1, 0, "listCollections", "1"), lockNone, "", false},
		{"insert locks its collection", command(1, 0, "insert", "x"), lockCollection, "app.x", false},
		{"findAndModify locks its collection", command(1, 0, "findAndModify", "x"), lockCollection, "app.x", false},
		{"an unacknowledged delete still locks", command(1, flagMoreToCome, "delete", "x"), lockCollection, "app.x", true},
		{"a document sequence before the body", opMsgWith(1, 0, sequence, body(bsonDoc(field{"insert", "x"}, field{"$db", "app"}))), lockCollection, "app.x", false},
		{"a checksum is not read as a section", withChecksum, lockCollection, "app.x", false},
		{"OP_QUERY fails closed", opQuery(1), lockGlobal, "", false},
		{"an unknown BSON type fails closed", opMsgWith(1, 0, body(unknownType)), lockGlobal, "", false},
		{"a truncated body fails closed", opMsgWith(1, 0, body(truncated)), lockGlobal, "", false},
		{"an unknown section kind fails closed", opMsgWith(1, 0, []byte{7, 5, 0, 0, 0, 0}), lockGlobal, "", false},
		{"a write without $db fails closed", opMsgWith(1, 0, body(bsonDoc(field{"update", "x"}))), lockGlobal, "", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := classify(tc.msg)
			if got.lock != tc.lock || got.target != tc.target || got.moreToCome != tc.moreToCome {
				t.Fatalf("got %+v", got)
			}
		})
	}
}

// Random bytes never crash the parser, and anything it does not fully read is held globally.
func FuzzClassify(f *testing.F) {
	f.Add(command(1, 0, "update", "x"))
	f.Add(opQuery(1))
	f.Fuzz(func(t *testing.T, msg []byte) {
		if len(msg) < headerLength {
			return
		}
		_ = classify(msg)
	})
}
