package main

import (
	"context"
	"encoding/json"
	"flag"
	"io"

	"shortener/internal/store"
)

// backup is `shortener backup --to FILE [--db DSN]`: a consistent copy of a
// SQLite database, safe while the server runs (store.Backup). It prints
// {"backup": FILE, "bytes": N}.
func backup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", env("DATABASE_URL", store.DefaultDSN), "database: sqlite://PATH [DATABASE_URL]")
	to := fs.String("to", "", "the backup file to write (must not exist)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	n, err := store.Backup(ctx, *db, *to)
	if err != nil {
		return err
	}
	return json.NewEncoder(stdout).Encode(map[string]any{"backup": *to, "bytes": n})
}
