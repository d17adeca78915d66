package analytics_test

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"shortener/ent/click"
	"shortener/internal/analytics"
	"shortener/internal/store/storetest"
)

// logHook is a slog handler that keeps the messages and calls on for each
// (in the logging goroutine: the writer's).
type logHook struct {
	mu   sync.Mutex
	msgs []string
	on   func(msg string)
}

func (h *logHook) Enabled(context.Context, slog.Level) bool { return true }
func (h *logHook) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *logHook) WithGroup(string) slog.Handler            { return h }
func (h *logHook) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Message)
	r.Attrs(func(a slog.Attr) bool { b.WriteString(" " + a.String()); return true })
	h.mu.Lock()
	h.msgs = append(h.msgs, b.String())
	on := h.on
	h.mu.Unlock()
	if on != nil {
		on(r.Message)
	}
	return nil
}

func (h *logHook) String() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return strings.Join(h.msgs, "\n")
}

// failInserts makes every insert of a click row fail, as a full disk does
// (SQLITE_FULL), until the returned function is called.
func failInserts(t *testing.T, f *writerFixture) (heal func()) {
	t.Helper()
	if storetest.Postgres() {
		t.Skip("the injected failure is a SQLite trigger")
	}
	ctx := context.Background()
	if _, err := f.client.ExecContext(ctx, `CREATE TRIGGER fail_clicks BEFORE INSERT ON `+click.Table+
		` BEGIN SELECT RAISE(ABORT, 'database or disk is full (injected)'); END`); err != nil {
		t.Fatal(err)
	}
	return func() {
		if _, err := f.client.ExecContext(ctx, `DROP TRIGGER fail_clicks`); err != nil {
			t.Error(err)
		}
	}
}

// Row 10 of issue 11: clicks the database refuses are retried, and what is
// finally given up is counted (Dropped, and the shutdown line's
// clicks_dropped) and logged, never lost silently.
func TestWriterCountsClicksTheDatabaseRefuses(t *testing.T) {
	logs := &logHook{}
	f := newWriterFixture(t, analytics.WriterOptions{Interval: time.Hour, Backoff: time.Millisecond, Log: slog.New(logs)})
	failInserts(t, f)
	for range 5 {
		f.hit(f.links[0], "192.0.2.1")
	}
	if err := f.w.Flush(context.Background()); err == nil {
		t.Fatal("Flush = nil with every insert failing")
	}
	if f.w.Dropped() != 5 || f.w.Written() != 0 {
		t.Errorf("written %d dropped %d, want 0 and 5", f.w.Written(), f.w.Dropped())
	}
	if n := strings.Count(logs.String(), "write clicks failed, retrying"); n != 2 {
		t.Errorf("%d retries logged, want 2 (3 tries)\n%s", n, logs)
	}
	if !strings.Contains(logs.String(), "clicks dropped: the database refused them") ||
		!strings.Contains(logs.String(), "dropped=5") {
		t.Errorf("no dropped log line:\n%s", logs)
	}
}

func TestWriterRetriesATransientFailure(t *testing.T) {
	logs := &logHook{}
	f := newWriterFixture(t, analytics.WriterOptions{Interval: time.Hour, Backoff: time.Millisecond, Log: slog.New(logs)})
	heal := failInserts(t, f)
	var once sync.Once
	logs.mu.Lock()
	logs.on = func(msg string) { // the disk is freed after the first failure
		if msg == "write clicks failed, retrying" {
			once.Do(heal)
		}
	}
	logs.mu.Unlock()
	for range 5 {
		f.hit(f.links[0], "192.0.2.1")
	}
	if err := f.w.Flush(context.Background()); err != nil {
		t.Fatalf("Flush: %v\n%s", err, logs)
	}
	if f.w.Dropped() != 0 || f.w.Written() != 5 || f.rows(t) != 5 {
		t.Errorf("written %d dropped %d rows %d, want 5, 0, 5\n%s", f.w.Written(), f.w.Dropped(), f.rows(t), logs)
	}
	if c, _ := f.counts(t, f.links[0]); c != 5 {
		t.Errorf("link counted %d, want 5", c)
	}
}
