// Command ferretdb-launcher runs an embedded FerretDB v1 with the SQLite backend
// on a loopback address, for development, demos and tests.
//
// We embed the FerretDB package instead of running `cmd/ferretdb` because the
// v1.24.2 binary built with `go install` panics on its build-version check.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:27017", "TCP address to listen on (loopback only)")
	dataDir := flag.String("data", "./data", "directory for the SQLite database files")
	watchStdin := flag.Bool("exit-on-stdin-close", false, "stop when standard input closes (the parent process died)")
	lockWait := flag.Duration("lock-wait", 30*time.Second, "longest wait of a write for its collection's lock before the client gets an error")
	stuckAfter := flag.Duration("stuck-after", 10*time.Second, "report a write holding its lock this long as stuck (WRITE-STUCK on stdout)")
	flag.Parse()

	abs, err := filepath.Abs(*dataDir)
	if err != nil {
		fail("cannot resolve data directory: %v", err)
	}
	if err := os.MkdirAll(abs, 0o750); err != nil {
		fail("cannot create data directory %s: %v", abs, err)
	}
	// Fail early, with a clear line, when the directory cannot be written
	// (read-only mount, disk full) instead of letting SQLite fail later.
	probe := filepath.Join(abs, ".write-probe")
	if err := os.WriteFile(probe, []byte("ok"), 0o600); err != nil {
		// On a full disk the file is created but stays empty: leave the directory as it was found.
		_ = os.Remove(probe)
		fail("data directory %s is not writable: %v", abs, err)
	}
	_ = os.Remove(probe)

	dirLock, err := lockDataDir(abs)
	if err != nil {
		var inUse *errInUse
		if errors.As(err, &inUse) {
			fmt.Fprintf(os.Stderr, "ferretdb-launcher: %v\n", err)
			os.Exit(exitInUse)
		}
		fail("cannot lock data directory %s: %v", abs, err)
	}
	defer dirLock.Close()
	// Only the launcher holding the lock repairs: no other process has these files open.
	repairOrphanTables(abs)

	// FerretDB itself listens on a private Unix socket; clients reach it through the write-serialising
	// front on the requested TCP address (see writelock.go).
	socket := filepath.Join(os.TempDir(), fmt.Sprintf("fellesskap-ferretdb-%d.sock", os.Getpid()))
	_ = os.Remove(socket)
	defer os.Remove(socket)

	front, err := net.Listen("tcp", *listen)
	if err != nil {
		fail("cannot listen on %s: %v", *listen, err)
	}

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{Unix: socket},
		Logger:    slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})),
		Handler:   "sqlite",
		// WAL with synchronous=NORMAL: a commit no longer waits for fsync, and a crash of this
		// process (or of the app) still loses nothing, since the WAL is written before a write is
		// acknowledged; only a power cut of the machine can undo the last commits. Fine for the
		// development, demo and test database; production data lives in MongoDB.
		SQLiteURL: "file:" + abs + "/?_pragma=busy_timeout(10000)&_pragma=journal_mode(wal)&_pragma=synchronous(normal)",
	})
	if err != nil {
		fail("cannot configure FerretDB: %v", err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	if *watchStdin {
		// A parent that dies without signalling us (SIGKILL, crash) closes our
		// stdin pipe; stopping then means no orphaned database process is left.
		var cancel context.CancelFunc
		ctx, cancel = context.WithCancel(ctx)
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			cancel()
		}()
	}

	done := make(chan struct{})
	go func() {
		defer close(done)
		f.Run(ctx)
	}()

	// Accept on the front only once FerretDB answers on its socket.
	for i := 0; ; i++ {
		conn, err := net.Dial("unix", socket)
		if err == nil {
			conn.Close()
			break
		}
		if i > 600 {
			fail("FerretDB did not open its socket: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	locks := newFront(func() (net.Conn, error) { return net.Dial("unix", socket) }, frontOptions{
		lockWait:   *lockWait,
		drainLimit: 2 * time.Minute,
		log:        os.Stderr,
	})
	go locks.serve(front)
	go locks.locks.watchStuck(ctx, time.Second, *stuckAfter, os.Stdout)

	uri := fmt.Sprintf("mongodb://%s/", front.Addr().String())
	if err := recordOwner(abs, owner{PID: os.Getpid(), URI: uri}); err != nil {
		fail("cannot write to data directory %s: %v", abs, err)
	}
	defer forgetOwner(abs)
	// The parent process waits for this exact line before connecting.
	fmt.Printf("READY %s\n", uri)

	select {
	case <-done:
	case <-ctx.Done():
		front.Close()
		<-done
	}
}

// exitInUse is the exit code when another launcher serves the data directory.
const exitInUse = 3

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "ferretdb-launcher: "+format+"\n", args...)
	os.Exit(1)
}
