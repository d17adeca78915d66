// Package store opens the database named by a DSN (sqlite://PATH or
// postgres://...), migrates the schema and returns the ent client.
package store

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	"github.com/mattn/go-sqlite3"

	"shortener/ent"
	_ "shortener/ent/runtime" // registers the schema's hooks and privacy policies
)

// DefaultDSN is where the server keeps its data when no --db is given.
const DefaultDSN = "sqlite://data/shortener.db"

// migrateMu serialises migrations: ent's migration writes to the
// package-level table descriptions (migrate.Tables), so two Opens at once in
// one process (parallel tests) would race on them and crash.
var migrateMu sync.Mutex

// Open opens dsn, migrates the schema and returns the client. opts are extra
// client options (tests pass ent.Debug and ent.Log to count statements).
func Open(ctx context.Context, dsn string, opts ...ent.Option) (*ent.Client, error) {
	drv, err := openDriver(dsn)
	if err != nil {
		return nil, err
	}
	client := ent.NewClient(append([]ent.Option{ent.Driver(drv)}, opts...)...)
	migrateMu.Lock()
	err = client.Schema.Create(ctx)
	if err == nil {
		err = dropStaleIndexes(ctx, drv)
	}
	if err == nil {
		err = setupLists(ctx, drv)
	}
	migrateMu.Unlock()
	if err != nil {
		client.Close()
		return nil, fmt.Errorf("migrate schema: %w", err)
	}
	return client, nil
}

// staleIndexes are indexes an earlier version created and this one does
// not: ent's auto-migration adds indexes but never drops them, and an index
// left behind still costs every write.
var staleIndexes = []string{
	"click_link_id_created_at",    // now click_link_id (see schema.Click.Indexes)
	"click_qr_code_id_created_at", // now click_qr_code_id
	"domain_host",                 // now domain_host_verified (unverified claims don't block)
}

func dropStaleIndexes(ctx context.Context, drv dialect.Driver) error {
	for _, name := range staleIndexes {
		if err := drv.Exec(ctx, "DROP INDEX IF EXISTS "+name, []any{}, nil); err != nil {
			return fmt.Errorf("drop index %s: %w", name, err)
		}
	}
	return nil
}

func openDriver(dsn string) (dialect.Driver, error) {
	switch {
	case strings.HasPrefix(dsn, "sqlite://"):
		path := strings.TrimPrefix(dsn, "sqlite://")
		if path == "" {
			return nil, fmt.Errorf("sqlite DSN %q has no path", dsn)
		}
		if dir := filepath.Dir(path); dir != "." {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return nil, fmt.Errorf("create database directory: %w", err)
			}
		}
		writeDB, err := sql.Open(sqliteDriverName, SQLiteDSN(path))
		if err != nil {
			return nil, err
		}
		writeDB.SetMaxOpenConns(1) // see sqliteDriver
		writeDB.SetMaxIdleConns(1)
		writeDB.SetConnMaxIdleTime(0)
		if err := writeDB.Ping(); err != nil {
			writeDB.Close()
			return nil, fmt.Errorf("open sqlite %s: %w", path, err)
		}
		readDB, err := sql.Open(sqliteDriverName, SQLiteDSN(path)+"&_cache_size="+readerCacheKiB)
		if err != nil {
			writeDB.Close()
			return nil, err
		}
		readDB.SetMaxOpenConns(sqliteReaders)
		readDB.SetMaxIdleConns(sqliteReaders)
		return newSQLiteDriver(readDB, writeDB), nil
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			return nil, err
		}
		db.SetMaxOpenConns(32)
		db.SetMaxIdleConns(32)
		if err := db.Ping(); err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		return entsql.OpenDB(dialect.Postgres, db), nil
	}
	return nil, fmt.Errorf("unsupported database %q: expected sqlite://PATH or postgres://URL", redact(dsn))
}

// sqliteReaders is the size of the SQLite read pool. Each connection keeps
// its own page cache and statement cache, so connections cost memory; the
// redirect path reads only on cache misses and a small machine runs no more
// than a few readers at once anyway, so a bigger pool buys no throughput
// (bench/README.md, "SQLite connections").
const sqliteReaders = 4

// readerCacheKiB is the page cache of each read connection, in KiB as
// SQLite's negative cache_size (its default is 2,000 KiB): readers serve
// the redirect cache's misses and API queries, and the OS page cache holds
// the file anyway. The write connection keeps the default.
const readerCacheKiB = "-512"

// sqliteDriverName is go-sqlite3 with the pragmas its DSN cannot carry.
const sqliteDriverName = "sqlite3_shortener"

// walAutoCheckpoint is how many WAL pages a commit may leave before it
// copies them back into the database file (SQLite's default is 1000). Each
// checkpoint rewrites every page changed since the last one and syncs both
// files; under a stream of inserts (link creation, the click writer's
// batches) the same pages (the tails of the tables and indexes, the link
// rows) change again and again, so checkpointing less often writes far
// less (bench/README.md, "SQLite connections"). The price is a bigger WAL
// file (up to 40,000 pages), reused; durability is the same at any
// interval (WAL, synchronous=NORMAL).
const walAutoCheckpoint = 40000

func init() {
	sql.Register(sqliteDriverName, &sqlite3.SQLiteDriver{
		ConnectHook: func(c *sqlite3.SQLiteConn) error {
			_, err := c.Exec(fmt.Sprintf("PRAGMA wal_autocheckpoint = %d", walAutoCheckpoint), nil)
			return err
		},
	})
}

// SQLiteDSN returns the go-sqlite3 DSN of a database file with the pragmas
// the server relies on.
func SQLiteDSN(path string) string {
	q := url.Values{}
	q.Set("_fk", "1")
	q.Set("_journal_mode", "WAL")
	q.Set("_synchronous", "NORMAL")
	q.Set("_busy_timeout", "10000")
	q.Set("_txlock", "immediate")
	// Keep the last statements each connection compiled, inside
	// transactions too: the click writer sends the same few statements
	// every batch, and compiling them afresh was a large share of its work.
	q.Set("_stmt_cache_size", "16")
	return "file:" + path + "?" + q.Encode()
}

func redact(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		u.User = url.User(u.User.Username())
		return u.String()
	}
	return dsn
}

// DialectOf is the SQL dialect (entgo.io/ent/dialect) of a DSN as Open
// reads it: postgres:// or postgresql:// is PostgreSQL, anything else SQLite.
func DialectOf(dsn string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return dialect.Postgres
	}
	return dialect.SQLite
}
