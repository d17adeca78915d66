package app_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"testing"
	"time"

	"shortener/ent/user"
	"shortener/internal/account"
	"shortener/internal/app"
	"shortener/internal/app/apptest"
)

// start is mid-minute, so a test's requests all fall in one window.
var start = time.Date(2030, 6, 1, 12, 30, 15, 0, time.UTC)

// createUser makes an account directly (as `shortener user create` does) and
// returns its key.
func createUser(tb testing.TB, s *apptest.Server, name string, plan user.Plan) string {
	tb.Helper()
	_, key, err := account.CreateUser(context.Background(), s.App.Client, account.NewUser{
		Email: name + "@example.com", Username: name, Password: "password123", Plan: plan,
	})
	if err != nil {
		tb.Fatalf("create user: %v", err)
	}
	return key
}

// limitHeaders returns the X-RateLimit-* headers as numbers; ok is false when
// any is missing.
func limitHeaders(h http.Header) (limit, remaining int, reset int64, ok bool) {
	l, err1 := strconv.Atoi(h.Get("X-RateLimit-Limit"))
	r, err2 := strconv.Atoi(h.Get("X-RateLimit-Remaining"))
	z, err3 := strconv.ParseInt(h.Get("X-RateLimit-Reset"), 10, 64)
	return l, r, z, err1 == nil && err2 == nil && err3 == nil
}

const meQuery = `{"query":"{ me { id } }"}`

func TestRateLimitPerKey(t *testing.T) {
	c := apptest.NewClock(start)
	s := apptest.New(t, app.Config{Now: c.Now, PlanLimits: app.DefaultPlanLimits})
	key := createUser(t, s, "alice", user.PlanFREE)
	other := createUser(t, s, "bob", user.PlanFREE)
	// Reset: when the bucket is full again; it refills at 30 a minute, a
	// token every 2 s, and the clock stands still.
	wantReset := func(i int) int64 { return start.Unix() + int64(2*i) }

	// 30 requests a minute, shared by /graphql and /api.
	for i := 1; i <= 30; i++ {
		path, body := "/graphql", any(meQuery)
		if i%2 == 0 {
			path, body = "/api/account", nil
		}
		method := http.MethodPost
		if body == nil {
			method = http.MethodGet
		}
		resp, b := s.Do(t, method, path, key, body)
		limit, remaining, reset, ok := limitHeaders(resp.Header)
		if !ok || limit != 30 || remaining != 30-i || reset != wantReset(i) {
			t.Fatalf("request %d to %s: X-RateLimit %v/%v/%v (ok %v), want 30/%d/%d", i, path, limit, remaining, reset, ok, 30-i, wantReset(i))
		}
		if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500 {
			t.Fatalf("request %d to %s: status %d %s", i, path, resp.StatusCode, b)
		}
	}

	t.Run("the 31st request on /api gets 429 and the envelope", func(t *testing.T) {
		resp, b := s.Do(t, http.MethodGet, "/api/account", key, nil)
		if resp.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("status %d %s", resp.StatusCode, b)
		}
		var env map[string]any
		if err := json.Unmarshal(b, &env); err != nil {
			t.Fatalf("body %s: %v", b, err)
		}
		msg, _ := env["message"].(string)
		if len(env) != 2 || env["error"] != float64(1) || msg == "" {
			t.Errorf("body %s, want {\"error\":1,\"message\":...}", b)
		}
		if _, remaining, _, ok := limitHeaders(resp.Header); !ok || remaining != 0 {
			t.Errorf("429 headers: remaining %d ok %v", remaining, ok)
		}
		if ra, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || ra < 1 || ra > 60 {
			t.Errorf("Retry-After %q", resp.Header.Get("Retry-After"))
		}
	})
	t.Run("and on /graphql a GraphQL error", func(t *testing.T) {
		res := s.GraphQL(t, key, `{ me { id } }`, nil)
		if res.Status != http.StatusTooManyRequests || len(res.Errors) != 1 || res.Errors[0].Code() != "RATE_LIMITED" || res.Errors[0].Message == "" || string(res.Data) != "null" {
			t.Errorf("status %d errors %+v data %s", res.Status, res.Errors, res.Data)
		}
		if _, remaining, _, ok := limitHeaders(res.Header); !ok || remaining != 0 {
			t.Errorf("429 headers: remaining %d ok %v", remaining, ok)
		}
	})
	t.Run("another key has its own budget", func(t *testing.T) {
		res := s.GraphQL(t, other, `{ me { id } }`, nil)
		if len(res.Errors) != 0 || res.Header.Get("X-RateLimit-Remaining") != "29" {
			t.Errorf("other key: errors %+v remaining %q", res.Errors, res.Header.Get("X-RateLimit-Remaining"))
		}
	})
	t.Run("the next minute starts afresh", func(t *testing.T) {
		c.Advance(time.Minute)
		res := s.GraphQL(t, key, `{ me { id } }`, nil)
		if len(res.Errors) != 0 || res.Header.Get("X-RateLimit-Remaining") != "29" {
			t.Errorf("next window: errors %+v remaining %q", res.Errors, res.Header.Get("X-RateLimit-Remaining"))
		}
		if got := res.Header.Get("X-RateLimit-Reset"); got != strconv.FormatInt(c.Now().Unix()+2, 10) {
			t.Errorf("reset %s, want %d", got, c.Now().Unix()+2)
		}
	})
}

func TestRateLimitPerPlan(t *testing.T) {
	c := apptest.NewClock(start)
	s := apptest.New(t, app.Config{Now: c.Now, PlanLimits: map[string]int{"FREE": 3, "PRO": 5}})
	free := createUser(t, s, "free", user.PlanFREE)
	pro := createUser(t, s, "pro", user.PlanPRO)
	for _, tc := range []struct {
		key   string
		limit int
	}{{free, 3}, {pro, 5}} {
		for i := 1; i <= tc.limit+1; i++ {
			res := s.GraphQL(t, tc.key, `{ me { id } }`, nil)
			if limit, _, _, _ := limitHeaders(res.Header); limit != tc.limit {
				t.Fatalf("X-RateLimit-Limit %d, want %d", limit, tc.limit)
			}
			if limited := res.Status == http.StatusTooManyRequests; limited != (i > tc.limit) {
				t.Fatalf("plan limit %d, request %d: status %d", tc.limit, i, res.Status)
			}
		}
	}
}

func TestRateLimitDefaultsPerPlan(t *testing.T) {
	s := apptest.New(t, app.Config{PlanLimits: app.DefaultPlanLimits})
	for plan, want := range map[user.Plan]string{user.PlanFREE: "30", user.PlanPRO: "120"} {
		key := createUser(t, s, "u"+string(plan), plan)
		if res := s.GraphQL(t, key, `{ me { id } }`, nil); res.Header.Get("X-RateLimit-Limit") != want {
			t.Errorf("%s plan: X-RateLimit-Limit %q, want %s", plan, res.Header.Get("X-RateLimit-Limit"), want)
		}
	}
}

func TestRateLimitFlag(t *testing.T) {
	c := apptest.NewClock(start)
	two := 2
	s := apptest.New(t, app.Config{Now: c.Now, RateLimit: &two, PlanLimits: app.DefaultPlanLimits})
	pro := createUser(t, s, "pro", user.PlanPRO)
	for i := 1; i <= 3; i++ {
		resp, _ := s.Do(t, http.MethodGet, "/api/account", pro, nil)
		if got := resp.Header.Get("X-RateLimit-Limit"); got != "2" {
			t.Fatalf("--rate-limit 2 overrides the PRO plan: limit %q", got)
		}
		if limited := resp.StatusCode == http.StatusTooManyRequests; limited != (i == 3) {
			t.Fatalf("request %d: status %d", i, resp.StatusCode)
		}
	}
}

func TestRateLimitOff(t *testing.T) {
	zero := 0
	s := apptest.New(t, app.Config{RateLimit: &zero})
	key := createUser(t, s, "alice", user.PlanFREE)
	for i := range 40 {
		res := s.GraphQL(t, key, `{ me { id } }`, nil)
		if len(res.Errors) != 0 || res.Status != http.StatusOK {
			t.Fatalf("request %d with --rate-limit 0: %d %+v", i, res.Status, res.Errors)
		}
		if h := res.Header.Get("X-RateLimit-Limit"); h != "" {
			t.Fatalf("--rate-limit 0 still sends X-RateLimit-Limit %q", h)
		}
	}
}

// Requests without a key (sign-up, introspection) and refused keys count
// against the client's address, so a bad key still gets the headers and
// guessing keys is throttled.
func TestRateLimitWithoutKey(t *testing.T) {
	c := apptest.NewClock(start)
	s := apptest.New(t, app.Config{Now: c.Now, PlanLimits: map[string]int{"FREE": 4, "PRO": 100}})
	for i := 1; i <= 2; i++ {
		res := s.GraphQL(t, "", `{ __typename }`, nil)
		if res.Header.Get("X-RateLimit-Remaining") != strconv.Itoa(4-i) {
			t.Fatalf("anonymous request %d: remaining %q", i, res.Header.Get("X-RateLimit-Remaining"))
		}
	}
	resp, b := s.Do(t, http.MethodGet, "/api/account", "sk_not-a-real-key", nil)
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("bad key on /api: %d %s", resp.StatusCode, b)
	}
	var env map[string]any
	if err := json.Unmarshal(b, &env); err != nil || env["error"] != float64(1) || env["message"] == "" {
		t.Errorf("401 body %s", b)
	}
	if _, remaining, _, ok := limitHeaders(resp.Header); !ok || remaining != 1 {
		t.Errorf("401 on /api: X-RateLimit headers %v remaining %d", resp.Header, remaining)
	}
	resp, _ = s.Do(t, http.MethodGet, "/api/account", "", nil)
	if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("X-RateLimit-Remaining") != "0" {
		t.Errorf("missing key on /api: %d remaining %q", resp.StatusCode, resp.Header.Get("X-RateLimit-Remaining"))
	}
	res := s.GraphQL(t, "sk_guess", `{ me { id } }`, nil)
	if res.Status != http.StatusTooManyRequests || len(res.Errors) != 1 || res.Errors[0].Code() != "RATE_LIMITED" {
		t.Errorf("fifth anonymous request: %d %+v", res.Status, res.Errors)
	}
}
