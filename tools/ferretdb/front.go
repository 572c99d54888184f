package main

// FerretDB v1 applies an update as query → modify in Go → write back, without holding a lock or a
// transaction across the three steps (internal/handler/common/update.go). Two updates of the same
// document at once can therefore lose one of them (measured: 3 of 200 parallel $inc survived).
// MongoDB guarantees that a single-document write is atomic, and the app relies on it.
//
// So the launcher puts a small wire-protocol front before the embedded FerretDB. Each client
// connection gets its own connection to FerretDB, and every message is forwarded unchanged, but:
//
//   - FerretDB answers every message, one after another, in order (internal/clientconn/conn.go),
//     even an OP_MSG with moreToCome, to which MongoDB sends nothing and the driver reads nothing.
//     Forwarding that reply put the driver's connection one reply behind for ever: every later
//     request received the previous request's result (another collection's documents, another
//     person's session). The front keeps a queue of what it forwarded, matches each reply to its
//     request by responseTo, and passes on only the replies a client asked for. A reply that does
//     not match closes both connections: a dropped connection is recoverable, cross-talk is not.
//   - A write command holds its collection's lock from before it is forwarded until FerretDB has
//     answered it, and no longer: the lock is released before the reply goes to a possibly slow
//     client. A client that disconnects mid-write leaves its FerretDB connection half-closed until
//     FerretDB has answered everything it was sent, so a lock is never released under a write that
//     is still running.
//   - A request the front cannot read takes the global lock (fail closed).

import (
	"fmt"
	"io"
	"net"
	"sync"
	"time"
)

// frontOptions are the front's limits; tests shorten them.
type frontOptions struct {
	lockWait   time.Duration // the longest a write waits for its lock before the client gets an error
	drainLimit time.Duration // the longest a disconnected client's writes are waited for
	log        io.Writer
}

// pending is a forwarded request whose reply FerretDB still owes.
type pending struct {
	requestID uint32
	wantReply bool
	lock      *heldLock
}

type front struct {
	locks *writeLocks
	opts  frontOptions
	dial  func() (net.Conn, error)
}

func newFront(dial func() (net.Conn, error), opts frontOptions) *front {
	return &front{locks: newWriteLocks(opts.lockWait, opts.log), opts: opts, dial: dial}
}

// serve accepts clients until the listener closes.
func (f *front) serve(l net.Listener) {
	for {
		client, err := l.Accept()
		if err != nil {
			return
		}
		go f.relay(client)
	}
}

// relayConn is the state of one client connection and its FerretDB connection.
type relayConn struct {
	f       *front
	client  net.Conn
	backend net.Conn

	mu       sync.Mutex
	queue    []pending
	clientMu sync.Mutex // replies to the client are written by both goroutines (error replies)
	broken   bool
}

func (f *front) relay(client net.Conn) {
	defer client.Close()
	backend, err := f.dial()
	if err != nil {
		fmt.Fprintf(f.opts.log, "ferretdb-launcher: cannot reach FerretDB for a new connection: %v\n", err)
		return
	}
	defer backend.Close()
	c := &relayConn{f: f, client: client, backend: backend}
	defer c.releaseAll()

	replies := make(chan struct{})
	go func() {
		defer close(replies)
		c.forwardReplies()
	}()
	c.forwardRequests()

	// The client is gone (or broke the protocol). Let FerretDB finish what it was sent: half-close
	// our side, so it answers the queued requests and then sees the end; only then release.
	if uc, ok := backend.(interface{ CloseWrite() error }); ok {
		_ = uc.CloseWrite()
	} else {
		_ = backend.SetReadDeadline(time.Now())
	}
	select {
	case <-replies:
	case <-time.After(f.opts.drainLimit):
		fmt.Fprintf(f.opts.log, "ferretdb-launcher: FerretDB did not answer a closed client's requests within %s; dropping its connection\n", f.opts.drainLimit)
		_ = backend.Close()
		<-replies
	}
}

// forwardRequests reads the client's messages and forwards them, taking the lock each needs first.
func (c *relayConn) forwardRequests() {
	for {
		msg, err := readMessage(c.client)
		if err != nil {
			return
		}
		req := classify(msg)
		lock, err := c.f.locks.acquire(req)
		if err != nil {
			if !req.moreToCome {
				c.writeClient(errorReply(req.requestID, 50, "MaxTimeMSExpired", "embedded database: "+err.Error()))
			}
			continue
		}
		c.mu.Lock()
		if c.broken {
			c.mu.Unlock()
			lock.release()
			return
		}
		c.queue = append(c.queue, pending{requestID: req.requestID, wantReply: !req.moreToCome, lock: lock})
		c.mu.Unlock()
		if _, err := c.backend.Write(msg); err != nil {
			return
		}
	}
}

// forwardReplies passes FerretDB's replies on to the client, each only to the request that asked.
func (c *relayConn) forwardReplies() {
	for {
		reply, err := readMessage(c.backend)
		if err != nil {
			c.fail("")
			return
		}
		h := parseHeader(reply)
		c.mu.Lock()
		var next pending
		ok := len(c.queue) > 0
		if ok {
			next = c.queue[0]
			c.queue = c.queue[1:]
		}
		c.mu.Unlock()
		if !ok || next.requestID != h.responseTo {
			// Should never happen with FerretDB's one-reply-per-request loop; refuse to guess.
			if ok {
				next.lock.release()
			}
			c.fail(fmt.Sprintf("a reply to request %d arrived while request %d was expected (queue %v)", h.responseTo, next.requestID, ok))
			return
		}
		next.lock.release()
		if next.wantReply {
			c.writeClient(reply)
		}
	}
}

func (c *relayConn) writeClient(msg []byte) {
	c.clientMu.Lock()
	defer c.clientMu.Unlock()
	if _, err := c.client.Write(msg); err != nil {
		// The client is gone; its requests are still drained from FerretDB by forwardReplies.
		_ = c.client.Close()
	}
}

// fail ends both sides after the backend broke or misbehaved; the locks are released by releaseAll.
func (c *relayConn) fail(reason string) {
	if reason != "" {
		fmt.Fprintf(c.f.opts.log, "ferretdb-launcher: closing a connection: %s\n", reason)
	}
	c.mu.Lock()
	c.broken = true
	c.mu.Unlock()
	_ = c.client.Close()
	_ = c.backend.Close()
}

// releaseAll releases the locks of requests FerretDB will no longer answer (its connection is gone).
func (c *relayConn) releaseAll() {
	c.mu.Lock()
	queue := c.queue
	c.queue = nil
	c.broken = true
	c.mu.Unlock()
	for _, p := range queue {
		p.lock.release()
	}
}
