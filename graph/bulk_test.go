package graph_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"shortener/ent/link"
	"shortener/internal/app"
	"shortener/internal/app/apptest"
)

const createLinksQuery = `mutation($in: [CreateLinkInput!]!) {
	createLinks(inputs: $in) { link { id alias longUrl shortUrl } error { code message field } }
}`

type createLinksResult struct {
	Link *struct {
		ID, Alias, LongURL, ShortURL string
	}
	Error *struct {
		Code, Message string
		Field         *string
	}
}

func linkInputs(n int, prefix string) []map[string]any {
	in := make([]map[string]any, n)
	for i := range in {
		in[i] = map[string]any{"url": fmt.Sprintf("https://example.com/%s/%d", prefix, i), "custom": fmt.Sprintf("%s%d", prefix, i)}
	}
	return in
}

// Issue 16: createLinks makes the good items, reports each bad one in its
// result (a bad URL, an alias taken before the call or by an earlier item).
func TestCreateLinksPerItemErrors(t *testing.T) {
	s := newServer(t)
	alice := signup(t, s, "alice")
	gql[struct{ CreateLink idOnly }](t, s, alice.Key, `mutation { createLink(input:{url:"https://example.com/x", custom:"taken"}) { id } }`, nil)

	in := linkInputs(100, "bulk")
	in[3]["url"] = "not a url"
	in[10]["custom"] = "taken"
	in[20]["custom"] = "bulk19" // taken by item 19 of this call
	in[30]["url"] = "ftp://example.com/file"
	out := gql[struct{ CreateLinks []createLinksResult }](t, s, alice.Key, createLinksQuery, map[string]any{"in": in})
	res := out.CreateLinks
	if len(res) != 100 {
		t.Fatalf("%d results, want 100", len(res))
	}
	bad := map[int]string{3: "BAD_USER_INPUT", 10: "CONFLICT", 20: "CONFLICT", 30: "BAD_USER_INPUT"}
	for i, r := range res {
		if code, ok := bad[i]; ok {
			if r.Link != nil || r.Error == nil || r.Error.Code != code || r.Error.Message == "" {
				t.Errorf("item %d: %s, want error %s", i, jsonString(r), code)
			}
			continue
		}
		if r.Error != nil || r.Link == nil || r.Link.Alias != fmt.Sprintf("bulk%d", i) || r.Link.LongURL != in[i]["url"] ||
			!strings.HasSuffix(r.Link.ShortURL, "/"+r.Link.Alias) {
			t.Errorf("item %d: %s, want link bulk%d", i, jsonString(r), i)
		}
	}
	if f := res[10].Error.Field; f == nil || *f != "custom" {
		t.Errorf("taken alias: field %v, want custom", f)
	}
	if f := res[3].Error.Field; f == nil || *f != "url" {
		t.Errorf("bad url: field %v, want url", f)
	}
	client, ctx := sysClient(s)
	n, err := client.Link.Query().Where(link.AliasHasPrefix("bulk")).Count(ctx)
	if err != nil || n != 96 {
		t.Fatalf("stored bulk links: %d, %v; want 96", n, err)
	}
}

// Issue 16: more than 100 inputs is refused before any work.
func TestCreateLinksAtMost100(t *testing.T) {
	s := newServer(t)
	alice := signup(t, s, "alice")
	before := countRows(t, s)
	res := s.GraphQL(t, alice.Key, createLinksQuery, map[string]any{"in": linkInputs(101, "over")})
	wantError(t, res, "BAD_USER_INPUT", "inputs")
	sameRows(t, s, before)
}

// Issue 16: each input costs one request of the account's budget; a call
// the budget cannot cover is refused whole.
func TestCreateLinksChargedPerLink(t *testing.T) {
	clock := apptest.NewClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	ten := 10
	s := apptest.New(t, app.Config{Now: clock.Now, RateLimit: &ten})
	alice := signup(t, s, "alice")

	remaining := func(res apptest.GQLResponse) string { return res.Header.Get("X-RateLimit-Remaining") }
	res := s.GraphQL(t, alice.Key, createLinksQuery, map[string]any{"in": linkInputs(4, "a")})
	if len(res.Errors) > 0 || remaining(res) != "6" {
		t.Fatalf("4 links at a budget of 10: errors %+v, remaining %q, want 6", res.Errors, remaining(res))
	}
	// The request takes 1 (5 left), 6 more are needed: refused, nothing made.
	before := countRows(t, s)
	res = s.GraphQL(t, alice.Key, createLinksQuery, map[string]any{"in": linkInputs(7, "b")})
	wantError(t, res, "RATE_LIMITED", "")
	sameRows(t, s, before)
	if remaining(res) != "5" {
		t.Errorf("after a refused call: remaining %q, want 5 (only the request is charged)", remaining(res))
	}
	res = s.GraphQL(t, alice.Key, createLinksQuery, map[string]any{"in": linkInputs(5, "c")})
	if len(res.Errors) > 0 || remaining(res) != "0" {
		t.Fatalf("5 links with 5 left: errors %+v, remaining %q, want 0", res.Errors, remaining(res))
	}
	if res = s.GraphQL(t, alice.Key, `{ me { id } }`, nil); res.Status != http.StatusTooManyRequests {
		t.Fatalf("budget spent: status %d, want 429", res.Status)
	}
	client, ctx := sysClient(s)
	if n, err := client.Link.Query().Count(ctx); err != nil || n != 9 {
		t.Fatalf("stored links: %d, %v; want 9", n, err)
	}
}

// Issue 16: the cost of createLinks is its selection times its inputs,
// bounded by the complexity limit.
func TestCreateLinksComplexity(t *testing.T) {
	s := newServer(t)
	alice := signup(t, s, "alice")
	q := `mutation($in: [CreateLinkInput!]!) { createLinks(inputs: $in) { link { id campaign { links(first: 100) { edges { node { id } } } } } } }`
	res := s.GraphQL(t, alice.Key, q, map[string]any{"in": linkInputs(100, "cx")})
	if len(res.Errors) == 0 || !strings.Contains(strings.ToLower(res.Errors[0].Message), "complexity") {
		t.Fatalf("100 links x 100 nested: %+v, want a complexity error", res.Errors)
	}
}
