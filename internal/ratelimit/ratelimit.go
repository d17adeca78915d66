// Package ratelimit is the per-account request budget shared by /api and
// /graphql: a token bucket per account (or client address) holding at most
// the limit and refilled at the limit per period (a minute for the APIs), so
// there is no window edge at which two budgets can be spent back to back.
// The state is reported in X-RateLimit-* headers on every response.
package ratelimit

import (
	"context"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Limiter keeps one token bucket per key.
type Limiter struct {
	mu      sync.Mutex
	buckets map[string]*bucket
	now     func() time.Time
	period  time.Duration
}

type bucket struct {
	tokens float64
	at     time.Time // when tokens was computed
	limit  int
}

// New returns an empty limiter refilling each budget once a minute. now may
// be nil (time.Now).
func New(now func() time.Time) *Limiter { return NewPeriod(now, time.Minute) }

// NewPeriod returns a limiter whose budgets refill once per period.
func NewPeriod(now func() time.Time, period time.Duration) *Limiter {
	if now == nil {
		now = time.Now
	}
	return &Limiter{buckets: map[string]*bucket{}, now: now, period: period}
}

// Result is the state of a key's budget after a request.
type Result struct {
	Limit, Remaining int
	// Reset is when the budget is full again; Retry is when the next
	// request is allowed (now while Remaining > 0).
	Reset, Retry time.Time
	Allowed      bool
	// Taken is how many of the requested units were granted (TakeUpTo).
	Taken int
}

// Allow counts one request of key against limit per period.
func (l *Limiter) Allow(key string, limit int) Result { return l.take(key, limit, 1, false) }

// TakeUpTo takes at most n units of key's budget, as many as are left;
// Allowed reports whether all n were granted.
func (l *Limiter) TakeUpTo(key string, limit, n int) Result { return l.take(key, limit, n, true) }

// Refund gives n units back to key's budget (not above the limit).
func (l *Limiter) Refund(key string, n int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if b := l.buckets[key]; b != nil {
		b.tokens = math.Min(float64(b.limit), b.tokens+float64(n))
	}
}

func (l *Limiter) take(key string, limit, n int, partial bool) Result {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[key]
	if b == nil {
		if len(l.buckets) > 100_000 {
			l.sweep(now)
		}
		b = &bucket{tokens: float64(limit), at: now, limit: limit}
		l.buckets[key] = b
	}
	rate := float64(limit) / float64(l.period) // tokens per nanosecond
	if el := now.Sub(b.at); el > 0 {
		b.tokens = math.Min(float64(limit), b.tokens+float64(el)*rate)
	}
	b.tokens = math.Min(b.tokens, float64(limit)) // the limit went down
	b.at, b.limit = now, limit
	got := n
	if avail := int(math.Floor(b.tokens + 1e-9)); avail < n {
		got = 0
		if partial {
			got = max(avail, 0)
		}
	}
	b.tokens -= float64(got)
	res := Result{Limit: limit, Remaining: max(int(math.Floor(b.tokens+1e-9)), 0), Allowed: got == n, Taken: got}
	res.Reset = now.Add(time.Duration(math.Ceil((float64(limit) - b.tokens) / rate)))
	res.Retry = now
	if res.Remaining == 0 {
		res.Retry = now.Add(time.Duration(math.Ceil((1 - b.tokens) / rate)))
	}
	return res
}

// sweep drops buckets that are full again (the same as no bucket); callers
// hold mu.
func (l *Limiter) sweep(now time.Time) {
	for k, b := range l.buckets {
		if now.Sub(b.at) >= l.period {
			delete(l.buckets, k)
		}
	}
}

// Budget says which key a request counts against and its limit per minute;
// a limit of 0 or less means unlimited.
type Budget func(r *http.Request) (key string, limit int)

// Failure answers a refused request (429) in the caller's error shape.
type Failure func(w http.ResponseWriter, r *http.Request, status int, msg string)

// Check counts one request of key against limit, sets the X-RateLimit-Limit,
// -Remaining and -Reset (unix seconds when the budget is full again) headers,
// and reports whether the request may go on. A request past the limit has
// been answered through fail with 429 and a Retry-After header (seconds until
// the next request is allowed). A limit of 0 or less means unlimited: no
// headers, always true.
func (l *Limiter) Check(w http.ResponseWriter, r *http.Request, key string, limit int, fail Failure) bool {
	if limit <= 0 {
		return true
	}
	res := l.Allow(key, limit)
	l.setHeaders(w, res)
	if !res.Allowed {
		w.Header().Set("Retry-After", strconv.Itoa(retryAfter(res.Retry.Sub(l.now()))))
		fail(w, r, http.StatusTooManyRequests, "rate limit exceeded: try again after Retry-After seconds")
		return false
	}
	return true
}

func retryAfter(d time.Duration) int { return max(int(math.Ceil(d.Seconds())), 1) }

func (l *Limiter) setHeaders(w http.ResponseWriter, res Result) {
	h := w.Header()
	h.Set("X-RateLimit-Limit", strconv.Itoa(res.Limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(res.Remaining))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(int64(math.Ceil(float64(res.Reset.UnixNano())/1e9)), 10))
}

// ChargeFunc takes n more units of the request's budget for work the request
// does beyond itself (each further mutation field of a GraphQL document). It
// reports false when the budget is spent; nothing is taken then.
type ChargeFunc func(n int) bool

type chargeKey struct{}

// Charge takes n more units from the budget of ctx's request; true when
// there is no budget in ctx (limiting off).
func Charge(ctx context.Context, n int) bool {
	if f, ok := ctx.Value(chargeKey{}).(ChargeFunc); ok {
		return f(n)
	}
	return true
}

// WithCharge returns ctx carrying f (see Charge).
func WithCharge(ctx context.Context, f ChargeFunc) context.Context {
	return context.WithValue(ctx, chargeKey{}, f)
}

// Middleware enforces the budget on every request (see Check) and puts a
// ChargeFunc for the same budget in the request's context. Charges update
// the X-RateLimit-* headers while the response is not yet written.
func Middleware(l *Limiter, budget Budget, fail Failure) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			key, limit := budget(r)
			if !l.Check(w, r, key, limit, fail) {
				return
			}
			if limit > 0 {
				var mu sync.Mutex
				r = r.WithContext(WithCharge(r.Context(), func(n int) bool {
					res := l.take(key, limit, n, false)
					mu.Lock()
					l.setHeaders(w, res)
					mu.Unlock()
					return res.Allowed
				}))
			}
			next.ServeHTTP(w, r)
		})
	}
}
