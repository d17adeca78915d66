package apptest

import (
	"context"
	"net/http"
	"sync"
	"time"

	"shortener/internal/auth"
)

// Clock is a settable clock for app.Config.Now (and anything else that
// takes a func() time.Time); safe for concurrent use. Now returns exactly
// the time last set (plus what Advance added), location included.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a Clock standing at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// Advance moves the clock d forward.
func (c *Clock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// Format returns the clock's time plus d in RFC 3339, as the API takes
// times (an expiry an hour from now: Format(time.Hour)).
func (c *Clock) Format(d time.Duration) string { return c.Now().Add(d).Format(time.RFC3339) }

// NoRedirectClient returns an HTTP client that does not follow redirects,
// so a test sees the 30x answer itself (status and Location).
func NoRedirectClient() *http.Client {
	return &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// SystemContext returns a background context that bypasses the ownership
// privacy rules, for tests that read or write rows directly.
func SystemContext() context.Context { return auth.SystemContext(context.Background()) }
