package main

import (
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	_ "modernc.org/sqlite" // the SQLite driver FerretDB itself uses
)

// repairOrphanTables removes the tables FerretDB v1 left behind without metadata, of both kinds.
//
// A table no row of _ferretdb_collections names is invisible to FerretDB, but its name (and its
// indexes' names) block a later create of the same collection with "table ... already exists".
//   - Empty orphans come from an interrupted create: CREATE TABLE, then the metadata row; when the
//     second fails (a full disk), FerretDB's DROP TABLE clean-up fails too (the fault drill's
//     nearly-full first start). They hold nothing and are dropped.
//   - Orphans holding rows come from an interrupted drop: the metadata row is deleted first, then the
//     table. The collection was being dropped, but its rows are data, so they are kept: the table is
//     renamed aside (orphanPrefix) and its indexes dropped, which frees the names; stderr says which
//     table holds them and how to remove it.
//
// It runs before FerretDB opens the files, and only by the launcher that holds the data directory's
// lock (datadir.go), so no other process has the files open.
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
		AND name NOT LIKE '\_orphan\_%' ESCAPE '\'
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
			kept, err := setAside(db, table)
			if err != nil {
				return err
			}
			fmt.Fprintf(os.Stderr, "ferretdb-launcher: table %s in %s holds rows of a collection whose drop was interrupted; "+
				"kept as %s (remove it with: sqlite3 %s 'DROP TABLE \"%s\"')\n", table, filepath.Base(file), kept, file, kept)
		}
	}
	return nil
}

// orphanPrefix names the tables set aside by the repair; FerretDB never creates a table so named.
const orphanPrefix = "_orphan_"

// setAside renames an orphan table that holds rows out of FerretDB's way and drops its indexes,
// in one transaction, and returns the new name.
func setAside(db *sql.DB, table string) (string, error) {
	kept := orphanPrefix + table
	for i := 2; ; i++ {
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM sqlite_master WHERE name = ?`, kept).Scan(&n); err != nil {
			return "", err
		}
		if n == 0 {
			break
		}
		kept = fmt.Sprintf("%s%s_%d", orphanPrefix, table, i)
	}
	tx, err := db.Begin()
	if err != nil {
		return "", err
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	rows, err := tx.Query(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL`, table)
	if err != nil {
		return "", err
	}
	var indexes []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return "", err
		}
		indexes = append(indexes, name)
	}
	rows.Close()
	for _, index := range indexes {
		if _, err := tx.Exec(fmt.Sprintf(`DROP INDEX %q`, index)); err != nil {
			return "", err
		}
	}
	if _, err := tx.Exec(fmt.Sprintf(`ALTER TABLE %q RENAME TO %q`, table, kept)); err != nil {
		return "", err
	}
	return kept, tx.Commit()
}
