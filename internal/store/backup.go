package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strings"
)

// Backup writes a consistent copy of the SQLite database of dsn to the new
// file to, while servers keep using it: SQLite's VACUUM INTO reads one
// snapshot (a read transaction, so writers go on; in WAL mode the copy
// holds what the WAL holds too) and writes a compact database file. Copying
// the .db file alone misses whatever the WAL still holds. PostgreSQL is
// backed up with its own tools (pg_dump), so Backup refuses it.
func Backup(ctx context.Context, dsn, to string) (int64, error) {
	path, ok := strings.CutPrefix(dsn, "sqlite://")
	switch {
	case !ok:
		return 0, errors.New("backup copies SQLite databases; back PostgreSQL up with pg_dump (README, Backups)")
	case path == "":
		return 0, fmt.Errorf("sqlite DSN %q has no path", dsn)
	case to == "":
		return 0, errors.New("backup needs a target file")
	}
	if _, err := os.Stat(path); err != nil {
		return 0, fmt.Errorf("database: %w", err)
	}
	if _, err := os.Stat(to); err == nil {
		return 0, fmt.Errorf("%s exists: a backup never overwrites a file", to)
	}
	db, err := sql.Open(sqliteDriverName, SQLiteDSN(path))
	if err != nil {
		return 0, err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "VACUUM INTO ?", to); err != nil {
		_ = os.Remove(to)
		return 0, fmt.Errorf("backup: %w", err)
	}
	fi, err := os.Stat(to)
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}
