package store

import (
	"context"
	"database/sql"
	"sync"
)

// checkpointEvery is how many group-committed writes pass between two
// background checkpoints (a few thousand WAL pages).
const checkpointEvery = 1024

// checkpointer copies the WAL back into the database file off the write
// path. With SQLite's automatic checkpoints, the commit that crosses the
// threshold does the copy and syncs both files while every writer waits
// behind it, a spike in tail latency under a stream of inserts. Here a
// goroutine runs PRAGMA wal_checkpoint(PASSIVE) on a connection of its own,
// beside the writer (WAL lets a checkpoint and a writer run at once), when
// the committer says enough has been written. The write connection keeps an
// automatic checkpoint at walAutoCheckpoint pages as a backstop, so the WAL
// stays bounded even if these fall behind.
type checkpointer struct {
	db   *sql.DB
	kick chan struct{}
	stop chan struct{}
	once sync.Once
	wg   sync.WaitGroup
}

func newCheckpointer(db *sql.DB) *checkpointer {
	c := &checkpointer{db: db, kick: make(chan struct{}, 1), stop: make(chan struct{})}
	c.wg.Go(c.run)
	return c
}

// nudge asks for a checkpoint without waiting for it.
func (c *checkpointer) nudge() {
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

func (c *checkpointer) run() {
	for {
		select {
		case <-c.stop:
			return
		case <-c.kick:
			// An error (a busy database) only means the next nudge
			// or the backstop does the work.
			_, _ = c.db.ExecContext(context.Background(), "PRAGMA wal_checkpoint(PASSIVE)")
		}
	}
}

// close stops the goroutine; a second call (ent's Close twice) is a no-op.
func (c *checkpointer) close() {
	c.once.Do(func() { close(c.stop) })
	c.wg.Wait()
}
