package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
)

// sqliteDriver is ent's driver for SQLite with two pools over one file.
// Writes (Exec, INSERT ... RETURNING, transactions) go to a pool of ONE
// connection, so concurrent writers queue in Go instead of spinning on
// SQLite's busy handler (which sleeps in growing steps, so an unlucky
// writer waits long under load); reads go to a pool of connections, which
// WAL lets run beside the writer. Statements outside transactions are prepared once per
// connection and reused (go-sqlite3 would compile each one every time).
// INSERT, UPDATE and DELETE outside transactions are group-committed (see
// committer).
type sqliteDriver struct {
	read, write entsql.Conn
	writeDrv    *entsql.Driver // transactions
	readDB      *sql.DB
	writeDB     *sql.DB
	stmts       []*stmtCache
	batch       *committer
	ckpt        *checkpointer
	sinceCkpt   int // writes since the last checkpoint nudge; the committer's goroutine only
}

func newSQLiteDriver(readDB, writeDB *sql.DB) *sqliteDriver {
	r, w := newStmtCache(readDB), newStmtCache(writeDB)
	d := &sqliteDriver{
		read:     entsql.Conn{ExecQuerier: r},
		write:    entsql.Conn{ExecQuerier: w},
		writeDrv: entsql.OpenDB(dialect.SQLite, writeDB),
		readDB:   readDB,
		writeDB:  writeDB,
		stmts:    []*stmtCache{r, w},
		ckpt:     newCheckpointer(readDB),
	}
	d.batch = newCommitter(writeDB, w, d.written)
	return d
}

// written counts group-committed writes and asks for a background
// checkpoint every checkpointEvery of them.
func (d *sqliteDriver) written(n int) {
	if d.sinceCkpt += n; d.sinceCkpt >= checkpointEvery {
		d.sinceCkpt = 0
		d.ckpt.nudge()
	}
}

// isWrite reports whether a statement sent through Query writes (ent's
// inserts use RETURNING).
func isWrite(query string) bool {
	return isDML(query) || strings.HasPrefix(strings.ToUpper(strings.TrimLeft(query, " \t\n(")), "WITH") // a CTE may write; be safe
}

// isDML reports an INSERT, UPDATE, DELETE or REPLACE: the statements that
// may share a group commit. Anything else (DDL, PRAGMA, a CTE) runs alone,
// as written.
func isDML(query string) bool {
	q := strings.TrimLeft(query, " \t\n")
	if len(q) < 6 {
		return false
	}
	switch strings.ToUpper(q[:6]) {
	case "INSERT", "UPDATE", "DELETE", "REPLAC":
		return true
	}
	return false
}

func (d *sqliteDriver) Exec(ctx context.Context, query string, args, v any) error {
	if !isDML(query) {
		return d.write.Exec(ctx, query, args, v)
	}
	argv, ok := args.([]any)
	if !ok {
		return fmt.Errorf("dialect/sql: invalid type %T. expect []any for args", args)
	}
	res, ok := v.(*sql.Result)
	if v != nil && !ok {
		return fmt.Errorf("dialect/sql: invalid type %T. expect *sql.Result", v)
	}
	r := &writeReq{ctx: ctx, query: query, args: argv}
	if err := d.batch.do(ctx, r); err != nil {
		return err
	}
	if res != nil {
		*res = r.res
	}
	return nil
}

func (d *sqliteDriver) Query(ctx context.Context, query string, args, v any) error {
	if !isWrite(query) {
		return d.read.Query(ctx, query, args, v)
	}
	if !isDML(query) {
		return d.write.Query(ctx, query, args, v)
	}
	rows, ok := v.(*entsql.Rows)
	if !ok {
		return fmt.Errorf("dialect/sql: invalid type %T. expect *sql.Rows", v)
	}
	argv, ok := args.([]any)
	if !ok {
		return fmt.Errorf("dialect/sql: invalid type %T. expect []any for args", args)
	}
	r := &writeReq{ctx: ctx, query: query, args: argv, returns: true}
	if err := d.batch.do(ctx, r); err != nil {
		return err
	}
	*rows = entsql.Rows{ColumnScanner: r.rows}
	return nil
}

// ExecContext lets ent's client.ExecContext reach the database.
func (d *sqliteDriver) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return d.writeDB.ExecContext(ctx, query, args...)
}

// QueryContext lets ent's client.QueryContext reach the database.
func (d *sqliteDriver) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if isWrite(query) {
		return d.writeDB.QueryContext(ctx, query, args...)
	}
	return d.readDB.QueryContext(ctx, query, args...)
}

func (d *sqliteDriver) Tx(ctx context.Context) (dialect.Tx, error) { return d.writeDrv.Tx(ctx) }

// BeginTx starts a transaction on the write connection.
func (d *sqliteDriver) BeginTx(ctx context.Context, opts *sql.TxOptions) (dialect.Tx, error) {
	return d.writeDrv.BeginTx(ctx, opts)
}

// Close finishes the queued writes, then closes the pools.
func (d *sqliteDriver) Close() error {
	d.batch.close()
	d.ckpt.close()
	for _, c := range d.stmts {
		c.close()
	}
	return errors.Join(d.readDB.Close(), d.writeDB.Close())
}

func (d *sqliteDriver) Dialect() string { return dialect.SQLite }

// stmtCache prepares each distinct statement once. ent builds IN lists with
// one placeholder per value, so the number of distinct statements is not
// bounded: past maxStmts, statements run unprepared.
type stmtCache struct {
	db    *sql.DB
	mu    sync.RWMutex
	stmts map[string]*sql.Stmt
}

const maxStmts = 512

func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{db: db, stmts: map[string]*sql.Stmt{}}
}

func (c *stmtCache) stmt(ctx context.Context, query string) *sql.Stmt {
	c.mu.RLock()
	s, ok := c.stmts[query]
	c.mu.RUnlock()
	if ok {
		return s
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.stmts[query]; ok {
		return s
	}
	if len(c.stmts) >= maxStmts {
		return nil
	}
	s, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil // let the plain call report the error
	}
	c.stmts[query] = s
	return s
}

func (c *stmtCache) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if s := c.stmt(ctx, query); s != nil {
		return s.ExecContext(ctx, args...)
	}
	return c.db.ExecContext(ctx, query, args...)
}

func (c *stmtCache) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if s := c.stmt(ctx, query); s != nil {
		return s.QueryContext(ctx, args...)
	}
	return c.db.QueryContext(ctx, query, args...)
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for q, s := range c.stmts {
		s.Close()
		delete(c.stmts, q)
	}
}
