package main

import (
	"database/sql"
	"errors"
	"path/filepath"
	"testing"
)

func sqliteFile(t *testing.T, statements ...string) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "app.sqlite")
	db, err := sql.Open("sqlite", "file:"+file)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range statements {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	return file
}

func tableNames(t *testing.T, file, kind string) map[string]bool {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+file)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type = ?`, kind)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	names := map[string]bool{}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names[n] = true
	}
	return names
}

func TestRepairHandlesBothKindsOfOrphanTable(t *testing.T) {
	file := sqliteFile(t,
		`CREATE TABLE _ferretdb_collections (name TEXT, table_name TEXT)`,
		`INSERT INTO _ferretdb_collections VALUES ('live', 'live_1')`,
		`CREATE TABLE live_1 (_ferretdb_sjson TEXT)`,
		`INSERT INTO live_1 VALUES ('{"_id":"kept"}')`,
		// an interrupted create: the table, but no metadata row and no rows
		`CREATE TABLE created_2 (_ferretdb_sjson TEXT)`,
		// an interrupted drop: the metadata row is gone, the rows and an index are not
		`CREATE TABLE dropped_3 (_ferretdb_sjson TEXT)`,
		`CREATE INDEX dropped_3_email_idx ON dropped_3 (_ferretdb_sjson)`,
		`INSERT INTO dropped_3 VALUES ('{"_id":"data"}')`,
	)

	if err := repairFile(file); err != nil {
		t.Fatal(err)
	}
	tables := tableNames(t, file, "table")
	if !tables["live_1"] || !tables["_ferretdb_collections"] {
		t.Fatalf("a live table was touched: %v", tables)
	}
	if tables["created_2"] {
		t.Fatal("the empty orphan is still there")
	}
	if tables["dropped_3"] || !tables["_orphan_dropped_3"] {
		t.Fatalf("the orphan with rows should be set aside: %v", tables)
	}
	if tableNames(t, file, "index")["dropped_3_email_idx"] {
		t.Fatal("the set-aside table's index still holds its name")
	}
	db, _ := sql.Open("sqlite", "file:"+file)
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM _orphan_dropped_3`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("the rows were not kept: %d %v", n, err)
	}
	// The names are free again: the collection can be created anew.
	if _, err := db.Exec(`CREATE TABLE dropped_3 (_ferretdb_sjson TEXT)`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE INDEX dropped_3_email_idx ON dropped_3 (_ferretdb_sjson)`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO _ferretdb_collections VALUES ('dropped', 'dropped_3')`); err != nil {
		t.Fatal(err)
	}
	// A second repair leaves everything as it is.
	if err := repairFile(file); err != nil {
		t.Fatal(err)
	}
	if again := tableNames(t, file, "table"); !again["_orphan_dropped_3"] || !again["dropped_3"] || len(again) != len(tables)+1 {
		t.Fatalf("second repair changed tables: %v", again)
	}
}

func TestRepairLeavesAFileWithoutMetadataAlone(t *testing.T) {
	file := sqliteFile(t, `CREATE TABLE something (x TEXT)`)
	if err := repairFile(file); err != nil {
		t.Fatal(err)
	}
	if !tableNames(t, file, "table")["something"] {
		t.Fatal("a file FerretDB did not make was changed")
	}
}

func TestOneLauncherPerDataDirectory(t *testing.T) {
	dir := t.TempDir()
	first, err := lockDataDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := recordOwner(dir, owner{PID: 4242, URI: "mongodb://127.0.0.1:1/"}); err != nil {
		t.Fatal(err)
	}
	_, err = lockDataDir(dir)
	var inUse *errInUse
	if !errors.As(err, &inUse) || inUse.owner.PID != 4242 || inUse.owner.URI != "mongodb://127.0.0.1:1/" {
		t.Fatalf("second lock: %v", err)
	}
	first.Close()
	second, err := lockDataDir(dir)
	if err != nil {
		t.Fatalf("the lock was not released with its holder: %v", err)
	}
	second.Close()
}
