package rest_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"shortener/ent"
	"shortener/internal/app"
	"shortener/internal/app/apptest"
)

// TestListQueriesDoNotGrowWithPageSize guards against N+1 queries: a list
// page of many items costs the same number of ent queries as a page of one.
func TestListQueriesDoNotGrowWithPageSize(t *testing.T) {
	s := apptest.New(t, app.Config{})
	key := s.Signup(t, "alice")
	var n atomic.Int64
	s.App.Client.Intercept(ent.InterceptFunc(func(next ent.Querier) ent.Querier {
		return ent.QuerierFunc(func(ctx context.Context, q ent.Query) (ent.Value, error) {
			n.Add(1)
			return next.Query(ctx, q)
		})
	}))
	count := func(path string) int64 {
		t.Helper()
		before := n.Load()
		api(t, s, key, "GET", path, nil, 200)
		return n.Load() - before
	}
	api(t, s, key, "POST", "/api/domain/add", `{"domain":"https://go.example.org"}`, 200)
	ch := num(t, api(t, s, key, "POST", "/api/channel/add", `{"name":"c"}`, 200), "id")
	add := func(i int) {
		l := num(t, api(t, s, key, "POST", "/api/url/add", fmt.Sprintf(`{"url":"https://example.com/%d","domain":"go.example.org"}`, i), 200), "id")
		q := num(t, api(t, s, key, "POST", "/api/qr/add", `{"type":"text","data":"x"}`, 200), "id")
		api(t, s, key, "POST", fmt.Sprintf("/api/channel/%d/assign/links/%d", ch, l), nil, 200)
		api(t, s, key, "POST", fmt.Sprintf("/api/channel/%d/assign/qr/%d", ch, q), nil, 200)
		api(t, s, key, "POST", "/api/campaign/add", fmt.Sprintf(`{"name":"c%d"}`, i), 200)
	}
	paths := []string{"/api/urls?limit=100", fmt.Sprintf("/api/channel/%d?limit=100", ch), "/api/campaigns?limit=100", "/api/qr?limit=100"}
	add(0)
	one := map[string]int64{}
	for _, p := range paths {
		one[p] = count(p)
	}
	for i := 1; i < 20; i++ {
		add(i)
	}
	for _, p := range paths {
		many := count(p)
		t.Logf("%s: %d queries", p, many)
		if many != one[p] {
			t.Errorf("%s: %d queries for 20 items, %d for one", p, many, one[p])
		}
	}
}
