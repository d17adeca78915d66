package ratelimit

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"
)

func TestAllowCountsWithinAWindowAndResetsAfter(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 10, 0, time.UTC)
	l := New(func() time.Time { return now })
	for i := 1; i <= 3; i++ {
		res := l.Allow("k", 3)
		if !res.Allowed || res.Remaining != 3-i {
			t.Fatalf("request %d: %+v", i, res)
		}
	}
	if res := l.Allow("k", 3); res.Allowed || res.Remaining != 0 {
		t.Fatalf("4th request in the window was allowed: %+v", res)
	}
	if res := l.Allow("other", 3); !res.Allowed {
		t.Fatal("another key shares the budget")
	}
	if want := now.Add(time.Minute); !l.Allow("k", 3).Reset.Equal(want) {
		t.Errorf("reset is not when the bucket is full again")
	}
	now = now.Add(time.Minute)
	if res := l.Allow("k", 3); !res.Allowed || res.Remaining != 2 {
		t.Fatalf("next window: %+v", res)
	}
}

func TestMiddlewareSetsHeadersAndRefuses(t *testing.T) {
	l := New(nil)
	var refused int
	h := Middleware(l, func(*http.Request) (string, int) { return "k", 2 },
		func(w http.ResponseWriter, _ *http.Request, status int, _ string) {
			refused = status
			w.WriteHeader(status)
		},
	)(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	for i := range 3 {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
		if rec.Header().Get("X-RateLimit-Limit") != "2" {
			t.Fatalf("request %d: X-RateLimit-Limit = %q", i, rec.Header().Get("X-RateLimit-Limit"))
		}
		if got, _ := strconv.Atoi(rec.Header().Get("X-RateLimit-Remaining")); got != max(0, 1-i) {
			t.Errorf("request %d: remaining %d", i, got)
		}
		if reset, _ := strconv.ParseInt(rec.Header().Get("X-RateLimit-Reset"), 10, 64); reset < time.Now().Unix() {
			t.Errorf("reset %d is in the past", reset)
		}
	}
	if refused != http.StatusTooManyRequests {
		t.Errorf("third request: status %d, want 429", refused)
	}
}

func TestZeroLimitTurnsLimitingOff(t *testing.T) {
	h := Middleware(New(nil), func(*http.Request) (string, int) { return "k", 0 },
		func(http.ResponseWriter, *http.Request, int, string) { t.Fatal("refused with limit 0") },
	)(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	for range 100 {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
		if rec.Header().Get("X-RateLimit-Limit") != "" {
			t.Fatal("headers set while limiting is off")
		}
	}
}

// The repro of issue 11 row 9: at a limit of 10, 20 requests in 0.9 s across
// a minute boundary; a fixed calendar-minute window let all 20 through.
func TestNoDoubleBurstAtTheMinuteBoundary(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 59, 500_000_000, time.UTC)
	l := New(func() time.Time { return now })
	passed := 0
	for range 20 {
		if l.Allow("k", 10).Allowed {
			passed++
		}
		now = now.Add(45 * time.Millisecond)
	}
	if passed > 10 {
		t.Fatalf("%d of 20 requests passed across the boundary at a limit of 10", passed)
	}
	// Steady use afterwards: one request per 6 s, the refill rate.
	if l.Allow("k", 10).Allowed {
		t.Error("allowed right after the burst")
	}
	now = now.Add(6 * time.Second)
	if !l.Allow("k", 10).Allowed {
		t.Error("not refilled after 6 s")
	}
}
