package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// One launcher serves a data directory at a time. Two FerretDB processes on the same SQLite files
// would each run the start-up repair (which could drop a table the other just created), and the
// two fronts' write locks would not see each other. The lock is an flock on a file in the
// directory: the kernel releases it when the process ends, however it ends.

const (
	lockFileName  = ".launcher.lock"
	ownerFileName = ".launcher.json"
)

// owner is what a running launcher records about itself, so that a command-line tool started
// beside a running app can use that app's database instead of starting a second launcher.
type owner struct {
	PID int    `json:"pid"`
	URI string `json:"uri"`
}

// errInUse carries the owner of a directory another launcher holds.
type errInUse struct {
	dir   string
	owner owner
}

func (e *errInUse) Error() string {
	who := "another launcher"
	if e.owner.PID > 0 {
		who = fmt.Sprintf("another launcher (pid %d, %s)", e.owner.PID, e.owner.URI)
	}
	return fmt.Sprintf("data directory %s is in use by %s", e.dir, who)
}

// lockDataDir takes the directory's lock, or says who holds it. The returned file must stay open
// for as long as the launcher runs.
func lockDataDir(dir string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(dir, lockFileName), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, &errInUse{dir: dir, owner: readOwner(dir)}
		}
		return nil, err
	}
	return f, nil
}

// recordOwner writes the owner file (written to a temporary name and renamed, so readers never
// see half of it).
func recordOwner(dir string, o owner) error {
	data, err := json.Marshal(o)
	if err != nil {
		return err
	}
	tmp := filepath.Join(dir, ownerFileName+".tmp")
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(dir, ownerFileName))
}

func readOwner(dir string) owner {
	var o owner
	data, err := os.ReadFile(filepath.Join(dir, ownerFileName))
	if err == nil {
		_ = json.Unmarshal(data, &o)
	}
	return o
}

// forgetOwner removes the owner file at a clean stop (the lock goes with the process).
func forgetOwner(dir string) {
	_ = os.Remove(filepath.Join(dir, ownerFileName))
}
