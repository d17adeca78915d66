// Package ratelimit is the per-API-key request budget shared by /api and
// /graphql: a fixed one-minute window per key, reported in X-RateLimit-*
// headers on every response.
package ratelimit

import (
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Limiter counts requests per key in fixed one-minute windows.
type Limiter struct {
	mu      sync.Mutex
	windows map[string]*window
	now     func() time.Time
}

type window struct {
	start time.Time
	count int
}

// New returns an empty limiter. now may be nil (time.Now).
func New(now func() time.Time) *Limiter {
	if now == nil {
		now = time.Now
	}
	return &Limiter{windows: map[string]*window{}, now: now}
}

// Result is the state of a key's budget after a request.
type Result struct {
	Limit, Remaining int
	Reset            time.Time // when the window ends
	Allowed          bool
}

// Allow counts one request of key against limit per minute.
func (l *Limiter) Allow(key string, limit int) Result {
	now := l.now()
	start := now.Truncate(time.Minute)
	l.mu.Lock()
	defer l.mu.Unlock()
	w := l.windows[key]
	if w == nil || !w.start.Equal(start) {
		if len(l.windows) > 100_000 {
			l.sweep(start)
		}
		w = &window{start: start}
		l.windows[key] = w
	}
	res := Result{Limit: limit, Reset: start.Add(time.Minute)}
	if w.count >= limit {
		return res
	}
	w.count++
	res.Remaining = limit - w.count
	res.Allowed = true
	return res
}

// sweep drops windows that ended; callers hold mu.
func (l *Limiter) sweep(current time.Time) {
	for k, w := range l.windows {
		if w.start.Before(current) {
			delete(l.windows, k)
		}
	}
}

// Budget says which key a request counts against and its limit per minute;
// a limit of 0 or less means unlimited.
type Budget func(r *http.Request) (key string, limit int)

// Failure answers a refused request (429) in the caller's error shape.
type Failure func(w http.ResponseWriter, r *http.Request, status int, msg string)

// Check counts one request of key against limit, sets the X-RateLimit-Limit,
// -Remaining and -Reset (unix seconds) headers, and reports whether the
// request may go on. A request past the limit has been answered through fail
// with 429 and a Retry-After header. A limit of 0 or less means unlimited:
// no headers, always true.
func (l *Limiter) Check(w http.ResponseWriter, r *http.Request, key string, limit int, fail Failure) bool {
	if limit <= 0 {
		return true
	}
	res := l.Allow(key, limit)
	h := w.Header()
	h.Set("X-RateLimit-Limit", strconv.Itoa(res.Limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(res.Remaining))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(res.Reset.Unix(), 10))
	if !res.Allowed {
		h.Set("Retry-After", strconv.Itoa(int(res.Reset.Sub(l.now()).Seconds())+1))
		fail(w, r, http.StatusTooManyRequests, "rate limit exceeded: try again after X-RateLimit-Reset")
		return false
	}
	return true
}

// Middleware enforces the budget on every request (see Check).
func Middleware(l *Limiter, budget Budget, fail Failure) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			key, limit := budget(r)
			if l.Check(w, r, key, limit, fail) {
				next.ServeHTTP(w, r)
			}
		})
	}
}
