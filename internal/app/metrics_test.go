package app_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"shortener/ent/user"
	"shortener/internal/app"
	"shortener/internal/app/apptest"
)

// scrape fetches /metrics and returns each sample's value by its line's
// name and labels as written ("shortener_redirects_total",
// `shortener_http_requests_total{route="api",status="2xx"}`).
func scrape(t *testing.T, s *apptest.Server) map[string]float64 {
	t.Helper()
	resp, body := s.Do(t, http.MethodGet, "/metrics", "", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/metrics: status %d: %s", resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("/metrics Content-Type %q", ct)
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(bytes.NewReader(body))
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("bad sample line %q", line)
		}
		out[line[:i]] = v
	}
	return out
}

// delta is after-before of each named sample.
func checkDelta(t *testing.T, before, after map[string]float64, want map[string]float64) {
	t.Helper()
	for name, w := range want {
		if _, ok := after[name]; !ok {
			t.Errorf("%s: not in the scrape", name)
			continue
		}
		if got := after[name] - before[name]; got != w {
			t.Errorf("%s: moved by %v, want %v", name, got, w)
		}
	}
}

func TestMetricsCountRequestsClicksAndGraphQL(t *testing.T) {
	c := apptest.NewClock(start)
	s := apptest.New(t, app.Config{Now: c.Now, PlanLimits: map[string]int{"FREE": 6, "PRO": 6}})
	key := createUser(t, s, "metrics", user.PlanFREE)
	ctx := context.Background()

	// One link through the REST API (one api request, 2xx).
	resp, body := s.Do(t, http.MethodPost, "/api/url/add", key, map[string]any{"url": "https://example.com/m", "custom": "mlink"})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("shorten: %d %s", resp.StatusCode, body)
	}
	before := scrape(t, s)

	// 3 redirects (the first loads the link: a miss, then 2 hits), a
	// missing alias (the 404 page), 2 API calls, a GraphQL operation that
	// fails validation, a named query, then the rest of the budget spent
	// until a refusal.
	for range 3 {
		if resp, _ := s.Do(t, http.MethodGet, "/mlink", "", nil); resp.StatusCode != http.StatusFound {
			t.Fatalf("redirect: %d", resp.StatusCode)
		}
	}
	if resp, _ := s.Do(t, http.MethodGet, "/nolink", "", nil); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("missing alias: %d", resp.StatusCode)
	}
	// A budget of 6: shorten, 2 api, 3 graphql, then a refusal.
	for range 2 {
		if resp, body := s.Do(t, http.MethodGet, "/api/account", key, nil); resp.StatusCode != http.StatusOK {
			t.Fatalf("/api/account: %d %s", resp.StatusCode, body)
		}
	}
	if res := s.GraphQL(t, key, `query Broken { nosuchfield }`, nil); len(res.Errors) == 0 || res.Errors[0].Code() != "GRAPHQL_VALIDATION_FAILED" {
		t.Fatalf("invalid query: %+v", res.Errors)
	}
	s.MustGraphQL(t, key, `query Me { me { id } }`, nil, nil)
	s.MustGraphQL(t, key, `{ me { id } }`, nil, nil)
	if res := s.GraphQL(t, key, `query Me { me { id } }`, nil); res.Status != http.StatusTooManyRequests {
		t.Fatalf("past the budget: status %d %+v", res.Status, res.Errors)
	}
	if err := s.App.Writer.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	after := scrape(t, s)

	checkDelta(t, before, after, map[string]float64{
		"shortener_redirects_total":                                         3,
		`shortener_http_requests_total{route="redirect",status="3xx"}`:      3,
		`shortener_http_requests_total{route="page",status="4xx"}`:          1,
		`shortener_http_requests_total{route="api",status="2xx"}`:           2,
		`shortener_http_requests_total{route="graphql",status="2xx"}`:       3, // a failed validation is 200 to an application/json client
		`shortener_http_requests_total{route="graphql",status="4xx"}`:       1,
		`shortener_http_request_duration_seconds_count{route="redirect"}`:   3,
		`shortener_http_request_duration_seconds_count{route="api"}`:        2,
		`shortener_http_requests_total{route="other",status="2xx"}`:         1, // the first scrape
		`shortener_rate_limited_total{route="graphql"}`:                     1,
		`shortener_rate_limited_total{route="api"}`:                         0,
		`shortener_graphql_operations_total{name="Me",type="query"}`:        1,
		`shortener_graphql_operations_total{name="anonymous",type="query"}`: 1,
		`shortener_graphql_errors_total{code="GRAPHQL_VALIDATION_FAILED"}`:  1,
		`shortener_graphql_errors_total{code="RATE_LIMITED"}`:               1,
		"shortener_clicks_queued_total":                                     3,
		"shortener_clicks_written_total":                                    3,
		`shortener_clicks_dropped_total{reason="queue_full"}`:               0,
		`shortener_clicks_dropped_total{reason="database"}`:                 0,
		`shortener_click_batch_duration_seconds_count{result="error"}`:      0,
		"shortener_click_queue_depth":                                       0,
	})
	// 4 lookups: mlink loaded once (unless the start-up warm-up, which
	// runs concurrently, got to it first), then hits; nolink missing.
	hits := after["shortener_redirect_cache_hits_total"] - before["shortener_redirect_cache_hits_total"]
	misses := after["shortener_redirect_cache_misses_total"] - before["shortener_redirect_cache_misses_total"]
	if hits+misses != 4 || hits < 2 || misses < 1 {
		t.Errorf("cache hits %v misses %v, want 4 lookups, at least 2 hits and 1 miss", hits, misses)
	}
	if after[`shortener_click_batch_duration_seconds_count{result="ok"}`] < 1 {
		t.Errorf("no click batch observed")
	}
	if after["shortener_redirect_cache_entries"] < 2 || after["shortener_redirect_cache_bytes"] <= 0 {
		t.Errorf("cache entries %v bytes %v", after["shortener_redirect_cache_entries"], after["shortener_redirect_cache_bytes"])
	}
	if after["shortener_click_queue_capacity"] <= 0 || after["go_goroutines"] <= 0 {
		t.Errorf("queue capacity %v, goroutines %v", after["shortener_click_queue_capacity"], after["go_goroutines"])
	}
	for name := range after {
		if strings.Contains(name, "mlink") || strings.Contains(name, "nolink") {
			t.Errorf("a path in a label: %s", name)
		}
	}
}

// TestMetricsAccess: by default only loopback clients not behind a proxy
// are served; --metrics public serves everyone; off is a 404 and /metrics
// stays no alias's.
func TestMetricsAccess(t *testing.T) {
	get := func(s *apptest.Server, hdr http.Header) int {
		req, _ := http.NewRequest(http.MethodGet, s.URL+"/metrics", nil)
		for k, v := range hdr {
			req.Header[k] = v
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	proxied := http.Header{"X-Forwarded-For": {"203.0.113.9"}}
	for _, tc := range []struct {
		mode       string
		trustProxy bool
		hdr        http.Header
		want       int
	}{
		{"", false, nil, http.StatusOK},
		{app.MetricsLocal, false, nil, http.StatusOK},
		{app.MetricsLocal, false, proxied, http.StatusForbidden},
		{app.MetricsLocal, false, http.Header{"Forwarded": {"for=203.0.113.9"}}, http.StatusForbidden},
		{app.MetricsLocal, true, proxied, http.StatusForbidden},                                // the client is 203.0.113.9
		{app.MetricsLocal, true, http.Header{"X-Forwarded-For": {"127.0.0.1"}}, http.StatusOK}, // a local client through the proxy
		{app.MetricsPublic, false, proxied, http.StatusOK},
		{app.MetricsOff, false, nil, http.StatusNotFound},
	} {
		t.Run(fmt.Sprintf("%s/trust=%v/%v", tc.mode, tc.trustProxy, tc.hdr), func(t *testing.T) {
			s := apptest.New(t, app.Config{Metrics: tc.mode, TrustProxy: tc.trustProxy})
			if got := get(s, tc.hdr); got != tc.want {
				t.Errorf("status %d, want %d", got, tc.want)
			}
		})
	}
	if _, err := app.New(context.Background(), app.Config{DB: "sqlite://unused", Metrics: "yes"}); err == nil || !strings.Contains(err.Error(), "--metrics") {
		t.Errorf("--metrics yes: %v", err)
	}
}

// TestMetricsOperationNamesBounded: past the first 100 names, operations
// count as "other".
func TestMetricsOperationNamesBounded(t *testing.T) {
	s := apptest.New(t, app.Config{})
	key := createUser(t, s, "names", user.PlanFREE)
	for i := range 105 {
		s.MustGraphQL(t, key, fmt.Sprintf(`query Op%d { me { id } }`, i), nil, nil)
	}
	m := scrape(t, s)
	names := 0
	for name := range m {
		if strings.HasPrefix(name, "shortener_graphql_operations_total{") {
			names++
		}
	}
	if names != 101 || m[`shortener_graphql_operations_total{name="other",type="query"}`] != 5 {
		t.Errorf("%d series, other=%v; want 101 and 5", names, m[`shortener_graphql_operations_total{name="other",type="query"}`])
	}
}
