package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/mattn/go-sqlite3"
)

// maxBatch caps the statements of one group commit: a bigger batch holds the
// write connection (and every ent transaction waiting for it) longer.
const maxBatch = 256

// errClosed answers writes that arrive after Close.
var errClosed = errors.New("store: database is closed")

// committer is SQLite group commit. Autocommit writes (INSERT, UPDATE,
// DELETE outside a transaction) from concurrent callers queue here; one
// goroutine takes the write connection, runs everything queued (up to
// maxBatch) in one BEGIN IMMEDIATE ... COMMIT, returns the connection to the
// pool (so ent transactions, which use the same one-connection pool, run
// between batches) and only then answers each caller. A commit writes each
// page it changed to the WAL once per batch instead of once per statement,
// which is most of what an insert costs.
//
// A statement that fails fails only its own caller: on a constraint (or any
// other statement) error SQLite's default ABORT undoes that statement and
// keeps the transaction with the earlier ones. If SQLite rolled the whole
// transaction back (I/O error, disk full, out of memory), the statements run
// before it in the batch are lost: their callers get that error too, and the
// rest of the batch goes on in a new transaction. If COMMIT fails, every
// caller of the batch gets the error. Nothing is answered before its COMMIT
// has returned, so an acknowledged write is as durable as an autocommit
// statement (WAL, synchronous=NORMAL).
type committer struct {
	db    *sql.DB
	stmts *stmtCache // prepared on db, reused in batches through Tx.StmtContext
	// written is called after each commit with the statements it held
	// (the background checkpointer counts them).
	written func(n int)

	mu     sync.Mutex
	queue  []*writeReq
	closed bool
	wake   chan struct{} // capacity 1: "the queue may hold work"
	done   chan struct{} // closed when run returns
	batch  []*writeReq   // run's buffer, reused

	// Counters for tests and benchmarks: requests queued, transactions run
	// and the statements in them (a lone statement autocommits and counts
	// in neither).
	submitted, txs, txStmts atomic.Int64
}

func newCommitter(db *sql.DB, stmts *stmtCache, written func(n int)) *committer {
	c := &committer{db: db, stmts: stmts, written: written, wake: make(chan struct{}, 1), done: make(chan struct{})}
	go c.run()
	return c
}

// Request states: a caller whose context ends while its request is still
// queued takes it back (abandoned); once the committer has taken it, the
// caller waits for the answer, so an error always means "not written"
// (except for a failed COMMIT, which SQLite rolls back).
const (
	reqQueued int32 = iota
	reqTaken
	reqAbandoned
)

// writeReq is one caller's statement and, once ready is closed, its answer.
type writeReq struct {
	ctx     context.Context
	query   string
	args    []any
	returns bool // sent through Query: keep the rows it returns (RETURNING)

	state atomic.Int32
	ready chan struct{}
	err   error
	res   execResult
	rows  *memRows
}

// do queues r and waits for its answer.
func (c *committer) do(ctx context.Context, r *writeReq) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r.ready = make(chan struct{})
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return errClosed
	}
	c.queue = append(c.queue, r)
	c.mu.Unlock()
	c.submitted.Add(1)
	select {
	case c.wake <- struct{}{}:
	default:
	}
	select {
	case <-r.ready:
	case <-ctx.Done():
		if r.state.CompareAndSwap(reqQueued, reqAbandoned) {
			return ctx.Err()
		}
		<-r.ready // the committer has it: its answer is the truth
	}
	return r.err
}

// close stops new writes, lets the committer finish what is queued and waits
// for it.
func (c *committer) close() {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	select {
	case c.wake <- struct{}{}:
	default:
	}
	<-c.done
}

func (c *committer) run() {
	defer close(c.done)
	for range c.wake {
		// Let the handlers that are about to write queue first: under load
		// this makes batches; when idle nothing else is runnable and it
		// returns at once.
		runtime.Gosched()
		for {
			batch, closed := c.take()
			if len(batch) > 0 {
				c.commit(batch)
				continue
			}
			if closed {
				return
			}
			break
		}
	}
}

// take removes up to maxBatch queued requests and reports whether the
// committer is closed.
func (c *committer) take() ([]*writeReq, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := min(len(c.queue), maxBatch)
	c.batch = append(c.batch[:0], c.queue[:n]...)
	rest := copy(c.queue, c.queue[n:])
	clear(c.queue[rest:])
	c.queue = c.queue[:rest]
	return c.batch, c.closed
}

// claim takes r for running unless its caller has taken it back or its
// context has ended (then r is answered here).
func (r *writeReq) claim() bool {
	if !r.state.CompareAndSwap(reqQueued, reqTaken) {
		return false // abandoned: its caller has answered itself
	}
	if err := r.ctx.Err(); err != nil {
		r.finish(err)
		return false
	}
	return true
}

func (r *writeReq) finish(err error) {
	r.err = err
	close(r.ready)
}

// commit runs a batch and answers every request in it. Requests are claimed
// once the committer holds the write connection, so a caller that gives up
// while an ent transaction holds it is not written. Statements run with a
// context that is never cancelled: go-sqlite3 interrupts a statement whose
// context ends, and an interrupted write rolls back the whole transaction.
func (c *committer) commit(batch []*writeReq) {
	ctx := context.Background()
	// Prepare (once per distinct statement) before taking the connection:
	// the pool has one, and preparing on the DB needs it.
	stmts := make([]*sql.Stmt, len(batch))
	for i, r := range batch {
		stmts[i] = c.stmts.stmt(ctx, r.query)
	}
	conn, err := c.db.Conn(ctx) // waits while an ent transaction holds it
	if err != nil {
		for _, r := range batch {
			if r.claim() {
				r.finish(err)
			}
		}
		return
	}
	live, liveStmts := batch[:0], stmts[:0]
	for i, r := range batch {
		if r.claim() {
			live, liveStmts = append(live, r), append(liveStmts, stmts[i])
		}
	}
	switch len(live) {
	case 0:
		conn.Close()
	case 1:
		// Alone: autocommit, without the BEGIN and COMMIT round trips.
		// The statement is prepared on the DB, so give the connection
		// back first; the pool hands it straight back.
		conn.Close()
		live[0].finish(live[0].run(ctx, c.stmts, nil))
		c.written(1)
	default:
		errs := make([]error, len(live))
		for start := 0; start < len(live); {
			start = c.commitTx(ctx, conn, live, liveStmts, errs, start)
		}
		conn.Close() // back to the pool, before anyone is answered
		for i, r := range live {
			r.finish(errs[i])
		}
		c.written(len(live))
	}
}

// commitTx runs batch[start:] in one transaction on conn, filling errs, and
// returns where to go on: len(batch) when done, or the index after a
// statement whose failure made SQLite roll the transaction back.
func (c *committer) commitTx(ctx context.Context, conn *sql.Conn, batch []*writeReq, stmts []*sql.Stmt, errs []error, start int) int {
	fail := func(from, to int, err error) {
		for i := from; i < to; i++ {
			if errs[i] == nil {
				errs[i] = err
			}
		}
	}
	tx, err := conn.BeginTx(ctx, nil) // BEGIN IMMEDIATE (_txlock)
	if err != nil {
		fail(start, len(batch), err)
		return len(batch)
	}
	for i := start; i < len(batch); i++ {
		var st *sql.Stmt
		if stmts[i] != nil {
			st = tx.StmtContext(ctx, stmts[i])
		}
		errs[i] = batch[i].run(ctx, tx, st)
		if errs[i] == nil || isConstraint(errs[i]) || inTx(conn) {
			continue
		}
		// SQLite rolled back the transaction: what ran before is gone.
		fail(start, i, fmt.Errorf("store: batch rolled back by another statement's error: %w", errs[i]))
		_ = tx.Rollback() // database/sql's bookkeeping; SQLite has none left
		return i + 1
	}
	c.txs.Add(1)
	c.txStmts.Add(int64(len(batch) - start))
	if err := tx.Commit(); err != nil {
		fail(start, len(batch), fmt.Errorf("store: commit: %w", err))
	}
	return len(batch)
}

// execQuerier is a *sql.Tx or the statement cache.
type execQuerier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// run executes r through st when it is prepared, else through q, and keeps
// what it returned.
func (r *writeReq) run(ctx context.Context, q execQuerier, st *sql.Stmt) error {
	if r.returns {
		var rows *sql.Rows
		var err error
		if st != nil {
			rows, err = st.QueryContext(ctx, r.args...)
		} else {
			rows, err = q.QueryContext(ctx, r.query, r.args...)
		}
		if err != nil {
			return err
		}
		r.rows, err = materialize(rows)
		return err
	}
	var res sql.Result
	var err error
	if st != nil {
		res, err = st.ExecContext(ctx, r.args...)
	} else {
		res, err = q.ExecContext(ctx, r.query, r.args...)
	}
	if err != nil {
		return err
	}
	r.res.id, r.res.idErr = res.LastInsertId()
	r.res.n, r.res.nErr = res.RowsAffected()
	return nil
}

// isConstraint reports a constraint violation: SQLite's ABORT undid only
// that statement.
func isConstraint(err error) bool {
	var e sqlite3.Error
	return errors.As(err, &e) && e.Code == sqlite3.ErrConstraint
}

// inTx reports whether conn is still inside a transaction.
func inTx(conn *sql.Conn) bool {
	active := false
	_ = conn.Raw(func(dc any) error {
		if sc, ok := dc.(*sqlite3.SQLiteConn); ok {
			active = !sc.AutoCommit()
		}
		return nil
	})
	return active
}

// execResult is a sql.Result read before the connection went back to the
// pool.
type execResult struct {
	id, n       int64
	idErr, nErr error
}

func (r execResult) LastInsertId() (int64, error) { return r.id, r.idErr }
func (r execResult) RowsAffected() (int64, error) { return r.n, r.nErr }
