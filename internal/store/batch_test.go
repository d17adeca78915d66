package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"

	"shortener/ent"
	"shortener/ent/link"
	"shortener/internal/auth"
)

// openSQLite opens a migrated SQLite database in a temp dir and returns its
// client, its driver (to reach the committer) and its DSN.
func openSQLite(t testing.TB) (*ent.Client, *sqliteDriver, string) {
	t.Helper()
	dsn := "sqlite://" + filepath.Join(t.TempDir(), "batch.db")
	drv, err := openDriver(dsn)
	if err != nil {
		t.Fatal(err)
	}
	d := drv.(*sqliteDriver)
	client := ent.NewClient(ent.Driver(d))
	migrateMu.Lock()
	err = client.Schema.Create(context.Background())
	migrateMu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	return client, d, dsn
}

// waitSubmitted waits until n writes in all have been queued.
func waitSubmitted(t *testing.T, c *committer, n int64) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for c.submitted.Load() < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d writes queued", c.submitted.Load(), n)
		}
		time.Sleep(time.Millisecond)
	}
}

func newUser(t testing.TB, client *ent.Client, name string) context.Context {
	t.Helper()
	u, err := client.User.Create().SetEmail(name + "@example.com").SetUsername(name).
		SetPasswordHash("x").Save(auth.SystemContext(context.Background()))
	if err != nil {
		t.Fatal(err)
	}
	return auth.WithViewer(context.Background(), &auth.Viewer{UserID: u.ID, Username: name, Plan: "FREE"})
}

// TestGroupCommit queues link inserts while a transaction holds the write
// connection, some with aliases taken by others, so they run as batches
// with failures inside: only the duplicates fail, every other insert is
// stored and visible when its call returns.
func TestGroupCommit(t *testing.T) {
	client, d, _ := openSQLite(t)
	ctx := newUser(t, client, "ann")
	if _, err := client.Link.Create().SetAlias("taken").SetLongURL("https://example.com").Save(ctx); err != nil {
		t.Fatal(err)
	}
	before := d.batch.submitted.Load()

	tx, err := client.Tx(ctx) // holds the one write connection
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Link.Create().SetAlias("in-tx").SetLongURL("https://example.com/tx").Save(ctx); err != nil {
		t.Fatal(err)
	}
	const unique, dups = 40, 12
	aliases := make([]string, 0, unique+dups+2)
	for i := range unique {
		aliases = append(aliases, fmt.Sprintf("a%d", i))
	}
	for i := range dups {
		aliases = append(aliases, fmt.Sprintf("a%d", i)) // one of each pair fails
	}
	aliases = append(aliases, "taken", "in-tx") // taken before; by the transaction
	type result struct {
		alias string
		id    int
		err   error
	}
	results := make(chan result, len(aliases))
	var wg sync.WaitGroup
	for _, a := range aliases {
		wg.Go(func() {
			l, err := client.Link.Create().SetAlias(a).SetLongURL("https://example.com/" + a).Save(ctx)
			if err != nil {
				results <- result{a, 0, err}
				return
			}
			// Acknowledged means committed: another connection sees it.
			got, err := client.Link.Get(ctx, l.ID)
			if err != nil || got.Alias != a {
				t.Errorf("link %d (%s) right after its create: %v %v", l.ID, a, got, err)
			}
			results <- result{a, l.ID, nil}
		})
	}
	waitSubmitted(t, d.batch, before+int64(len(aliases)))
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	close(results)

	won := map[string]int{}
	failed := 0
	for r := range results {
		if r.err != nil {
			if !ent.IsConstraintError(r.err) {
				t.Errorf("%s: %v, want a constraint error", r.alias, r.err)
			}
			failed++
			continue
		}
		won[r.alias]++
	}
	if failed != dups+2 {
		t.Errorf("%d creates failed, want %d", failed, dups+2)
	}
	for i := range unique {
		if a := fmt.Sprintf("a%d", i); won[a] != 1 {
			t.Errorf("alias %s created %d times, want 1", a, won[a])
		}
	}
	sys := auth.SystemContext(context.Background())
	if n := client.Link.Query().CountX(sys); n != unique+2 {
		t.Errorf("%d links stored, want %d", n, unique+2)
	}
	if n := client.Link.Query().Where(link.AliasEQ("in-tx")).CountX(sys); n != 1 {
		t.Errorf("the transaction's link stored %d times", n)
	}
	// All were queued before the connection came free: at most one ran
	// alone, the rest shared transactions.
	if got := d.batch.txStmts.Load(); got < int64(len(aliases)-1) {
		t.Errorf("%d statements ran in group commits (%d transactions), want >= %d", got, d.batch.txs.Load(), len(aliases)-1)
	}
}

// TestGroupCommitWithTransactions runs autocommit inserts beside ent
// transactions that commit or roll back: each sees exactly its own fate.
func TestGroupCommitWithTransactions(t *testing.T) {
	client, d, _ := openSQLite(t)
	ctx := newUser(t, client, "bob")
	var wg sync.WaitGroup
	var mu sync.Mutex
	want := map[string]bool{} // alias -> must be stored
	record := func(alias string, stored bool) {
		mu.Lock()
		want[alias] = stored
		mu.Unlock()
	}
	for g := range 8 {
		wg.Go(func() {
			for i := range 60 {
				a := fmt.Sprintf("auto-%d-%d", g, i)
				_, err := client.Link.Create().SetAlias(a).SetLongURL("https://example.com").Save(ctx)
				if err != nil {
					t.Errorf("%s: %v", a, err)
				}
				record(a, err == nil)
			}
		})
	}
	for g := range 4 {
		wg.Go(func() {
			for i := range 15 {
				tx, err := client.Tx(ctx)
				if err != nil {
					t.Error(err)
					return
				}
				a, b := fmt.Sprintf("tx-%d-%d-a", g, i), fmt.Sprintf("tx-%d-%d-b", g, i)
				for _, alias := range []string{a, b} {
					if _, err := tx.Link.Create().SetAlias(alias).SetLongURL("https://example.com").Save(ctx); err != nil {
						t.Error(err)
					}
				}
				keep := i%2 == 0
				if keep {
					err = tx.Commit()
				} else {
					err = tx.Rollback()
				}
				if err != nil {
					t.Error(err)
				}
				record(a, keep)
				record(b, keep)
			}
		})
	}
	wg.Wait()
	stored := map[string]bool{}
	for _, l := range client.Link.Query().AllX(auth.SystemContext(context.Background())) {
		stored[l.Alias] = true
	}
	for a, w := range want {
		if stored[a] != w {
			t.Errorf("%s stored %v, want %v", a, stored[a], w)
		}
	}
	n := 0
	for _, w := range want {
		if w {
			n++
		}
	}
	if n != 8*60+4*8*2 { // every autocommit create; 8 of 15 transactions commit their pair
		t.Errorf("%d creates should be stored, want %d", n, 8*60+4*8*2)
	}
	if len(stored) != n {
		t.Errorf("%d links stored, want %d", len(stored), n)
	}
	t.Logf("%d group commits, %d statements in them", d.batch.txs.Load(), d.batch.txStmts.Load())
}

// TestGroupCommitCancel: a caller that gives up while its write waits for
// the connection gets its context's error and nothing is written.
func TestGroupCommitCancel(t *testing.T) {
	client, d, _ := openSQLite(t)
	ctx := newUser(t, client, "cy")
	tx, err := client.Tx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	before := d.batch.submitted.Load()
	cctx, cancel := context.WithCancel(ctx)
	errc := make(chan error, 1)
	go func() {
		_, err := client.Link.Create().SetAlias("gave-up").SetLongURL("https://example.com").Save(cctx)
		errc <- err
	}()
	waitSubmitted(t, d.batch, before+1)
	cancel()
	select {
	case err := <-errc:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled create: %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a cancelled create waited for the transaction")
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if _, err := client.Link.Create().SetAlias("after").SetLongURL("https://example.com").Save(ctx); err != nil {
		t.Fatal(err)
	}
	sys := auth.SystemContext(context.Background())
	if n := client.Link.Query().Where(link.AliasEQ("gave-up")).CountX(sys); n != 0 {
		t.Errorf("the cancelled create was stored")
	}
	if n := client.Link.Query().CountX(sys); n != 1 {
		t.Errorf("%d links, want 1", n)
	}
}

// TestGroupCommitClose closes the store under a stream of writes: every
// acknowledged write is in the file afterwards, every later one fails, and
// nothing hangs.
func TestGroupCommitClose(t *testing.T) {
	client, _, dsn := openSQLite(t)
	ctx := newUser(t, client, "dee")
	var mu sync.Mutex
	var acked []string
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := 0; ; i++ {
				a := fmt.Sprintf("c-%d-%d", g, i)
				if _, err := client.Link.Create().SetAlias(a).SetLongURL("https://example.com").Save(ctx); err != nil {
					return
				}
				mu.Lock()
				acked = append(acked, a)
				mu.Unlock()
			}
		})
	}
	time.Sleep(100 * time.Millisecond)
	if err := client.Close(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("writers still running 10s after Close")
	}
	if len(acked) == 0 {
		t.Fatal("no write before Close")
	}
	reopened, err := Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer reopened.Close()
	stored := map[string]bool{}
	for _, l := range reopened.Link.Query().AllX(auth.SystemContext(context.Background())) {
		stored[l.Alias] = true
	}
	for _, a := range acked {
		if !stored[a] {
			t.Errorf("acknowledged %s is not stored", a)
		}
	}
	if len(stored) != len(acked) {
		t.Errorf("%d links stored, %d acknowledged", len(stored), len(acked))
	}
}

// TestGroupCommitStatementErrors mixes writes that fail for other reasons
// than constraints into batches: a type mismatch (SQLite keeps the
// transaction) and a full database (SQLite may roll the whole transaction
// back). Whatever SQLite does, a write that returned nil is stored and one
// that returned an error is not.
func TestGroupCommitStatementErrors(t *testing.T) {
	_, d, _ := openSQLite(t)
	ctx := context.Background()
	if err := d.Exec(ctx, "CREATE TABLE t (id INTEGER PRIMARY KEY, tag TEXT NOT NULL UNIQUE, v BLOB)", []any{}, nil); err != nil {
		t.Fatal(err)
	}
	rows := &entsql.Rows{}
	if err := d.Query(ctx, "PRAGMA page_count", []any{}, rows); err != nil {
		t.Fatal(err)
	}
	pages, err := entsql.ScanInt64(rows)
	rows.Close()
	if err != nil {
		t.Fatal(err)
	}
	// The write connection's database may grow by 8 pages (32 KiB): the
	// 64 KiB blobs below never fit, the small rows do.
	if err := d.Exec(ctx, fmt.Sprintf("PRAGMA max_page_count = %d", pages+8), []any{}, nil); err != nil {
		t.Fatal(err)
	}
	for round := range 5 {
		tx, err := d.Tx(ctx) // hold the connection so the writes queue up
		if err != nil {
			t.Fatal(err)
		}
		before := d.batch.submitted.Load()
		type outcome struct {
			tag string
			err error
		}
		const n = 30
		out := make(chan outcome, n)
		for i := range n {
			go func() {
				tag := fmt.Sprintf("r%d-%d", round, i)
				var err error
				switch i % 5 {
				case 1: // type mismatch on the rowid: not a constraint error
					err = d.Exec(ctx, "INSERT INTO t (id, tag) VALUES ('not a number', ?)", []any{tag}, nil)
				case 2: // too big for the database
					err = d.Exec(ctx, "INSERT INTO t (tag, v) VALUES (?, zeroblob(65536))", []any{tag}, nil)
				case 3: // RETURNING through Query
					rows := &entsql.Rows{}
					if err = d.Query(ctx, "INSERT INTO t (tag) VALUES (?) RETURNING id", []any{tag}, rows); err == nil {
						var id int64
						id, err = entsql.ScanInt64(rows)
						if err == nil && id <= 0 {
							err = fmt.Errorf("RETURNING id %d", id)
						}
						rows.Close()
					}
				default:
					err = d.Exec(ctx, "INSERT INTO t (tag) VALUES (?)", []any{tag}, nil)
				}
				out <- outcome{tag, err}
			}()
		}
		waitSubmitted(t, d.batch, before+n)
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		for range n {
			o := <-out
			rows := &entsql.Rows{}
			if err := d.Query(ctx, "SELECT count(*) FROM t WHERE tag = ?", []any{o.tag}, rows); err != nil {
				t.Fatal(err)
			}
			count, err := entsql.ScanInt64(rows)
			rows.Close()
			if err != nil {
				t.Fatal(err)
			}
			if (o.err == nil) != (count == 1) {
				t.Errorf("%s: err %v, stored %d", o.tag, o.err, count)
			}
			wantErr := map[int]string{1: "mismatch", 2: "full"}
			var i int
			fmt.Sscanf(o.tag[strings.Index(o.tag, "-")+1:], "%d", &i)
			if w, ok := wantErr[i%5]; ok && (o.err == nil || !strings.Contains(o.err.Error(), w)) {
				t.Errorf("%s: err %v, want one about %q", o.tag, o.err, w)
			}
		}
	}
	if d.batch.txs.Load() == 0 {
		t.Error("no group commit ran")
	}
}

// postgresDSN is TEST_POSTGRES_DSN (storetest imports this package, so it
// cannot be used here); without it the test is skipped.
func postgresDSN(t *testing.T) string {
	dsn := os.Getenv("TEST_POSTGRES_DSN")
	if dsn == "" {
		t.Skip("TEST_POSTGRES_DSN is not set")
	}
	return dsn
}

// TestPostgresDriverUntouched: group commit is SQLite's; PostgreSQL gets
// ent's plain driver.
func TestPostgresDriverUntouched(t *testing.T) {
	dsn := postgresDSN(t)
	drv, err := openDriver(dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer drv.Close()
	if _, ok := drv.(*entsql.Driver); !ok || drv.Dialect() != dialect.Postgres {
		t.Errorf("postgres driver is %T (%s), want *sql.Driver", drv, drv.Dialect())
	}
}

// TestWALAutoCheckpoint: every connection of the pools gets the pragma the
// DSN cannot carry.
func TestWALAutoCheckpoint(t *testing.T) {
	_, d, _ := openSQLite(t)
	for _, db := range []*sql.DB{d.writeDB, d.readDB} {
		var n int
		if err := db.QueryRow("PRAGMA wal_autocheckpoint").Scan(&n); err != nil || n != walAutoCheckpoint {
			t.Errorf("wal_autocheckpoint = %d, %v; want %d", n, err, walAutoCheckpoint)
		}
	}
}

// TestBackgroundCheckpoint: well before the write connection's automatic
// checkpoint, group-committed writes are copied into the database file by
// the background checkpointer.
func TestBackgroundCheckpoint(t *testing.T) {
	_, d, dsn := openSQLite(t)
	path := strings.TrimPrefix(dsn, "sqlite://")
	ctx := context.Background()
	if err := d.Exec(ctx, "CREATE TABLE c (id INTEGER PRIMARY KEY, v TEXT)", []any{}, nil); err != nil {
		t.Fatal(err)
	}
	size := func() int64 {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	before := size()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range checkpointEvery / 4 {
				if err := d.Exec(ctx, "INSERT INTO c (v) VALUES (?)", []any{fmt.Sprintf("%d-%d %s", g, i, strings.Repeat("x", 200))}, nil); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	// 2 * checkpointEvery rows of ~200 bytes: ~100 pages in the WAL, far
	// below walAutoCheckpoint.
	deadline := time.Now().Add(10 * time.Second)
	for size() < before+50*4096 {
		if time.Now().After(deadline) {
			t.Fatalf("database file %d bytes, %d before the writes: no checkpoint", size(), before)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
