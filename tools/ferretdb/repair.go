package main

import (
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	_ "modernc.org/sqlite" // the SQLite driver FerretDB itself uses
)

// repairOrphanTables drops the empty tables FerretDB v1 left behind without metadata.
//
// FerretDB creates a collection as two statements: CREATE TABLE, then a row in _ferretdb_collections.
// When the second fails (a full disk), its DROP TABLE clean-up fails too, and the table stays; every
// later create of that collection then fails with "table ... already exists", so the app never starts
// again on that directory (the fault drill's nearly-full first start). A table no metadata row names
// is invisible to FerretDB; an empty one holds nothing and is dropped. One that holds rows is left
// alone and named on stderr. It runs before FerretDB opens the files, and only one launcher may serve
// a data directory at a time (the app and the command-line tools never share one).
func repairOrphanTables(dir string) {
	files, err := filepath.Glob(filepath.Join(dir, "*.sqlite"))
	if err != nil {
		return
	}
	for _, file := range files {
		if err := repairFile(file); err != nil {
			fmt.Fprintf(os.Stderr, "ferretdb-launcher: could not check %s for tables left by an interrupted create: %v\n", file, err)
		}
	}
}

func repairFile(file string) error {
	db, err := sql.Open("sqlite", "file:"+file+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return err
	}
	defer db.Close()

	var hasMetadata int
	if err := db.QueryRow(`SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '_ferretdb_collections'`).Scan(&hasMetadata); err != nil {
		return err
	}
	if hasMetadata == 0 {
		return nil
	}

	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'table'
		AND name NOT LIKE 'sqlite\_%' ESCAPE '\' AND name NOT LIKE '\_ferretdb\_%' ESCAPE '\'
		AND name NOT IN (SELECT table_name FROM _ferretdb_collections)`)
	if err != nil {
		return err
	}
	var orphans []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return err
		}
		orphans = append(orphans, name)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}

	for _, table := range orphans {
		var one int
		err := db.QueryRow(fmt.Sprintf(`SELECT 1 FROM %q LIMIT 1`, table)).Scan(&one)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			if _, err := db.Exec(fmt.Sprintf(`DROP TABLE %q`, table)); err != nil {
				return err
			}
			fmt.Fprintf(os.Stderr, "ferretdb-launcher: dropped the empty table %s in %s, left by an interrupted collection create\n", table, filepath.Base(file))
		case err != nil:
			return err
		default:
			fmt.Fprintf(os.Stderr, "ferretdb-launcher: table %s in %s holds data but belongs to no collection; left as it is\n", table, filepath.Base(file))
		}
	}
	return nil
}
