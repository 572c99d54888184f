// Command ferretdb-launcher runs an embedded FerretDB v1 with the SQLite backend
// on a loopback address, for development, demos and tests.
//
// We embed the FerretDB package instead of running `cmd/ferretdb` because the
// v1.24.2 binary built with `go install` panics on its build-version check.
package main

import (
	"context"
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
	go serveFront(front, func() (net.Conn, error) { return net.Dial("unix", socket) })

	// The parent process waits for this exact line before connecting.
	fmt.Printf("READY mongodb://%s/\n", front.Addr().String())

	select {
	case <-done:
	case <-ctx.Done():
		front.Close()
		<-done
	}
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "ferretdb-launcher: "+format+"\n", args...)
	os.Exit(1)
}
