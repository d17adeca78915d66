package graph_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"shortener/ent"
	"shortener/internal/app"
	"shortener/internal/app/apptest"
)

// stmtCounter counts the SQL statements the ent client runs (through
// ent.Debug, whose log lines name each query and exec).
type stmtCounter struct {
	mu    sync.Mutex
	n     int
	stmts []string
}

func (c *stmtCounter) log(args ...any) {
	s := fmt.Sprint(args...)
	if !strings.Contains(s, ": query=") {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	c.stmts = append(c.stmts, s)
}

// count runs f and returns the statements it ran.
func (c *stmtCounter) count(f func()) (int, []string) {
	c.mu.Lock()
	c.n, c.stmts = 0, nil
	c.mu.Unlock()
	f()
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n, append([]string(nil), c.stmts...)
}

// seedMany gives u n links, half on a branded domain, each with two pixels,
// all in one channel and one campaign.
func seedMany(tb testing.TB, s *apptest.Server, u user, tag string, n int) {
	tb.Helper()
	r := makeRefs(tb, s, u.Key, tag)
	for i := range n {
		in := map[string]any{"url": fmt.Sprintf("https://example.com/%d", i), "pixelIds": []string{r.Pixel, r.Pixel2},
			"channelId": r.Channel, "campaignId": r.Campaign}
		if i%2 == 0 {
			in["domainId"] = r.Domain
		}
		gql[map[string]any](tb, s, u.Key, `mutation($in: CreateLinkInput!) { createLink(input:$in) { id } }`, map[string]any{"in": in})
	}
}

// The number of statements a list query runs does not grow with the number
// of rows it returns (no N+1).
func TestNoNPlusOne(t *testing.T) {
	// Not parallel: the loaders batch by time, and a busy CPU splits batches.
	var c stmtCounter
	s := apptest.New(t, app.Config{EntOptions: []ent.Option{ent.Debug(), ent.Log(c.log)}})
	small, large := signup(t, s, "small"), signup(t, s, "large")
	seedMany(t, s, small, "small", 3)
	seedMany(t, s, large, "large", 30)

	for _, tc := range []struct{ name, query string }{
		{"links with shortUrl and pixels", `{ links(first: 50) { edges { node { id alias shortUrl pixels { id } } } } }`},
		{"links with shortUrl and the domain's id", `{ links(first: 50) { totalCount edges { node { id shortUrl domain { id } campaign { id } } } } }`},
		{"links with their channels", `{ links(first: 50) { edges { node { id channels { id name } } } } }`},
		{"channel items", `{ channels(first: 2) { edges { node { id items(first: 40) { totalCount edges { node { id type title url previewUrl } } } } } } }`},
		{"campaigns and their links", `{ campaigns(first: 5) { edges { node { id listUrl rotatorUrl links(first: 50) { totalCount edges { node { id shortUrl } } } } } } }`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out map[string]any
			nSmall, _ := c.count(func() { s.MustGraphQL(t, small.Key, tc.query, nil, &out) })
			nLarge, stmts := c.count(func() { s.MustGraphQL(t, large.Key, tc.query, nil, &out) })
			t.Logf("%d statements for 4 links, %d for 31", nSmall, nLarge)
			// Loaders batch what arrives within a millisecond; a slow machine
			// may split a batch in two, hence the slack. N+1 would add ~27.
			if nLarge > nSmall+2 {
				t.Errorf("statements grow with rows: %d for 4 links, %d for 31:\n%s", nSmall, nLarge, strings.Join(stmts, "\n"))
			}
			if nLarge > 10 {
				t.Errorf("%d statements for one list query:\n%s", nLarge, strings.Join(stmts, "\n"))
			}
		})
	}
}
