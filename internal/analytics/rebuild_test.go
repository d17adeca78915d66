package analytics_test

import (
	"context"
	"testing"
	"time"

	"shortener/ent/click"
	"shortener/internal/analytics"
	"shortener/internal/auth"
)

// A rebuild recomputes the rollups from the click rows, flagging the rows
// written before first_visit existed as the writer would have.
func TestRebuildFromClickRows(t *testing.T) {
	f := newWriterFixture(t, analytics.WriterOptions{Interval: time.Hour})
	ctx := auth.SystemContext(context.Background())
	now := time.Now().UTC()
	f.hitAt(f.links[0], "192.0.2.1", now, false)
	f.hitAt(f.links[0], "192.0.2.2", now, false)
	f.flush(t)
	// Rows from before the flag: yesterday, one visitor twice and a bot.
	y := now.AddDate(0, 0, -1)
	for _, r := range []struct {
		hash string
		bot  bool
	}{{"aa", false}, {"aa", false}, {"bb", true}, {"cc", false}} {
		f.client.Click.Create().SetOwnerID(f.links[0].OwnerID).SetLinkID(f.links[0].ID).SetCreatedAt(y).
			SetVisitorHash(r.hash).SetBot(r.bot).SetCountry("CA").ExecX(ctx)
	}
	// And the rollups lost.
	f.client.ClickRollup.Delete().ExecX(ctx)
	var out, errOut = 0, error(nil)
	if out, errOut = analytics.Rebuild(context.Background(), f.client, f.dialect, nil); errOut != nil {
		t.Fatal(errOut)
	}
	if out != 5 {
		t.Errorf("rebuild read %d rows, want 5 (non-bot)", out)
	}
	if n := f.client.Click.Query().Where(click.FirstVisitIsNil()).CountX(ctx); n != 0 {
		t.Errorf("%d rows still without a flag", n)
	}
	if n := f.client.Click.Query().Where(click.FirstVisit(true)).CountX(ctx); n != 4 {
		t.Errorf("%d rows flagged first, want 4", n)
	}
	st, err := analytics.NewStore(f.client, f.dialect).Totals(ctx, analytics.Scope{LinkID: f.links[0].ID})
	if err != nil || st.Clicks != 5 || st.UniqueClicks != 4 {
		t.Fatalf("after rebuild %+v (%v), want 5 clicks 4 unique", st, err)
	}
	// Twice is the same.
	if _, err := analytics.Rebuild(context.Background(), f.client, f.dialect, nil); err != nil {
		t.Fatal(err)
	}
	if st2, _ := analytics.NewStore(f.client, f.dialect).Totals(ctx, analytics.Scope{LinkID: f.links[0].ID}); *st2 != *st {
		t.Fatalf("second rebuild %+v, want %+v", st2, st)
	}
}

// --click-retention deletes raw rows older than the retention, whole
// hours; the rollups, and so the statistics, keep them.
func TestClickRetentionKeepsRollups(t *testing.T) {
	f := newWriterFixture(t, analytics.WriterOptions{Interval: time.Hour, ClickRetention: 48 * time.Hour})
	ctx := auth.SystemContext(context.Background())
	now := time.Now()
	f.hitAt(f.links[0], "192.0.2.1", now.Add(-72*time.Hour), false)
	f.hitAt(f.links[0], "192.0.2.1", now.Add(-47*time.Hour), false)
	f.hitAt(f.links[0], "192.0.2.1", now, false)
	f.flush(t)
	if n := f.rows(t); n != 2 {
		t.Fatalf("%d click rows, want 2 (the one older than 48 h deleted)", n)
	}
	st, err := analytics.NewStore(f.client, f.dialect).Totals(ctx, analytics.Scope{LinkID: f.links[0].ID})
	if err != nil || st.Clicks != 3 || st.UniqueClicks != 3 {
		t.Fatalf("stats %+v (%v), want 3 clicks 3 unique", st, err)
	}
	// A rebuild keeps the rollups of the deleted hours.
	if _, err := analytics.Rebuild(context.Background(), f.client, f.dialect, nil); err != nil {
		t.Fatal(err)
	}
	if st, _ := analytics.NewStore(f.client, f.dialect).Totals(ctx, analytics.Scope{LinkID: f.links[0].ID}); st.Clicks != 3 {
		t.Fatalf("after rebuild %d clicks, want 3", st.Clicks)
	}
}
