package main

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	"golang.org/x/sync/semaphore"
)

// globalWeight is the whole of the global semaphore: a write of one collection takes 1 of it, a
// request the front cannot read takes all of it (and so waits for every write and excludes them).
const globalWeight = 1 << 30

// writeLocks serialises writes: one write per collection in flight, and requests the front cannot
// classify alone. Waits are bounded (a client gets an error reply instead of hanging for ever),
// long waits are logged, and a write held for too long is reported as stuck.
type writeLocks struct {
	global      *semaphore.Weighted
	maxWait     time.Duration
	logSlowWait time.Duration
	log         io.Writer

	mu    sync.Mutex
	colls map[string]*semaphore.Weighted
	held  map[*heldLock]struct{}
}

// heldLock is one granted lock; release is idempotent.
type heldLock struct {
	locks  *writeLocks
	target string // "db.collection", or "*" for the global lock
	since  time.Time
	once   sync.Once
}

func newWriteLocks(maxWait time.Duration, log io.Writer) *writeLocks {
	return &writeLocks{
		global:      semaphore.NewWeighted(globalWeight),
		maxWait:     maxWait,
		logSlowWait: time.Second,
		log:         log,
		colls:       map[string]*semaphore.Weighted{},
		held:        map[*heldLock]struct{}{},
	}
}

func (w *writeLocks) collection(target string) *semaphore.Weighted {
	w.mu.Lock()
	defer w.mu.Unlock()
	s, ok := w.colls[target]
	if !ok {
		s = semaphore.NewWeighted(1)
		w.colls[target] = s
	}
	return s
}

// acquire takes the lock req needs; nil, nil for a read. It fails when the wait exceeds maxWait.
func (w *writeLocks) acquire(req request) (*heldLock, error) {
	if req.lock == lockNone {
		return nil, nil
	}
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), w.maxWait)
	defer cancel()
	target := "*"
	if req.lock == lockGlobal {
		if err := w.global.Acquire(ctx, globalWeight); err != nil {
			return nil, w.waitFailed(req, target, start)
		}
	} else {
		target = req.target
		if err := w.global.Acquire(ctx, 1); err != nil {
			return nil, w.waitFailed(req, target, start)
		}
		if err := w.collection(target).Acquire(ctx, 1); err != nil {
			w.global.Release(1)
			return nil, w.waitFailed(req, target, start)
		}
	}
	if waited := time.Since(start); waited >= w.logSlowWait {
		fmt.Fprintf(w.log, "ferretdb-launcher: waited %s for the write lock on %s (%s)\n", waited.Round(time.Millisecond), target, describe(req))
	}
	h := &heldLock{locks: w, target: target, since: time.Now()}
	w.mu.Lock()
	w.held[h] = struct{}{}
	w.mu.Unlock()
	return h, nil
}

func (w *writeLocks) waitFailed(req request, target string, start time.Time) error {
	err := fmt.Errorf("waited %s for the write lock on %s; another write has not finished", time.Since(start).Round(time.Millisecond), target)
	fmt.Fprintf(w.log, "ferretdb-launcher: gave up: %v (%s)\n", err, describe(req))
	return err
}

func (h *heldLock) release() {
	if h == nil {
		return
	}
	h.once.Do(func() {
		w := h.locks
		w.mu.Lock()
		delete(w.held, h)
		w.mu.Unlock()
		if h.target == "*" {
			w.global.Release(globalWeight)
		} else {
			w.collection(h.target).Release(1)
			w.global.Release(1)
		}
	})
}

// oldest returns the longest-held lock's target and age, or "" when nothing is held.
func (w *writeLocks) oldest(now time.Time) (string, time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	var target string
	var age time.Duration
	for h := range w.held {
		if a := now.Sub(h.since); a > age {
			target, age = h.target, a
		}
	}
	return target, age
}

// watchStuck reports on out when some write has held its lock longer than after (WRITE-STUCK) and
// when that is over (WRITE-OK); the app marks itself not ready in between.
func (w *writeLocks) watchStuck(ctx context.Context, every, after time.Duration, out io.Writer) {
	ticker := time.NewTicker(every)
	defer ticker.Stop()
	stuck := false
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-ticker.C:
			target, age := w.oldest(now)
			switch {
			case age >= after && !stuck:
				stuck = true
				fmt.Fprintf(out, "WRITE-STUCK %s %d\n", target, int(age.Seconds()))
				fmt.Fprintf(w.log, "ferretdb-launcher: a write on %s has held its lock for %s\n", target, age.Round(time.Second))
			case age < after && stuck:
				stuck = false
				fmt.Fprintln(out, "WRITE-OK")
			}
		}
	}
}

func describe(req request) string {
	if req.command == "" {
		return "an unreadable request"
	}
	return "command " + req.command
}
