// Package storetest gives tests a real, empty, migrated database: a SQLite
// file in the test's temp dir, or, when TEST_POSTGRES_DSN is set, a fresh
// schema on that PostgreSQL server (dropped when the test ends).
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"

	"shortener/ent"
	"shortener/internal/store"
)

// PostgresEnv names the variable holding a PostgreSQL DSN for the store
// tests; .ci/run sets it, a plain `go test ./...` runs on SQLite only.
const PostgresEnv = "TEST_POSTGRES_DSN"

// DSN returns the DSN of a fresh database for tb.
func DSN(tb testing.TB) string {
	tb.Helper()
	pg := os.Getenv(PostgresEnv)
	if pg == "" {
		return "sqlite://" + filepath.Join(tb.TempDir(), "test.db")
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	db, err := sql.Open("pgx", pg)
	if err != nil {
		tb.Fatalf("open postgres: %v", err)
	}
	if _, err := db.Exec("CREATE SCHEMA " + schema); err != nil {
		db.Close()
		tb.Fatalf("create schema: %v", err)
	}
	tb.Cleanup(func() {
		_, _ = db.Exec("DROP SCHEMA " + schema + " CASCADE")
		db.Close()
	})
	u, err := url.Parse(pg)
	if err != nil {
		tb.Fatalf("parse %s: %v", PostgresEnv, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Open returns a migrated client on a fresh database, closed when tb ends.
func Open(tb testing.TB) *ent.Client {
	tb.Helper()
	client, err := store.Open(context.Background(), DSN(tb))
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	tb.Cleanup(func() { client.Close() })
	return client
}

// Postgres reports whether the tests run against PostgreSQL.
func Postgres() bool { return os.Getenv(PostgresEnv) != "" }
