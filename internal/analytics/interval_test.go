package analytics_test

import (
	"testing"
	"time"

	"shortener/internal/analytics"
)

func TestBucketsIn(t *testing.T) {
	at := func(v string) time.Time { tm, _ := time.Parse(time.RFC3339, v); return tm }
	seoul, _ := time.LoadLocation("Asia/Seoul")
	paris, _ := time.LoadLocation("Europe/Paris")
	for _, c := range []struct {
		iv       analytics.Interval
		from, to string
		loc      *time.Location
		want     int64
	}{
		{analytics.Day, "2025-03-01T00:00:00Z", "2025-03-03T00:00:00Z", nil, 2},
		{analytics.Day, "2025-03-01T00:00:00Z", "2025-03-03T00:00:00Z", seoul, 3},
		{analytics.Day, "2025-03-29T23:00:00Z", "2025-03-31T22:00:00Z", paris, 2}, // across the 23-hour day
		{analytics.Month, "2025-01-01T00:00:00Z", "2025-06-01T00:00:00Z", nil, 5},
		{analytics.Month, "2025-01-15T00:00:00Z", "2026-01-15T00:00:00Z", nil, 13},
		{analytics.Month, "2025-01-31T20:00:00Z", "2025-02-01T00:00:00Z", seoul, 1}, // all Feb 1 in Seoul
		{analytics.Hour, "2025-03-01T00:30:00Z", "2025-03-01T02:00:00Z", seoul, 2},
	} {
		if got := c.iv.BucketsIn(at(c.from), at(c.to), c.loc); got != c.want {
			t.Errorf("%s buckets over [%s, %s) in %v = %d, want %d", c.iv, c.from, c.to, c.loc, got, c.want)
		}
	}
	if analytics.Month.MaxBuckets() != 120 {
		t.Errorf("MONTH max buckets %d, want 120", analytics.Month.MaxBuckets())
	}
}
