package graph_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

func gqlBody(query string, vars map[string]any) []byte {
	b, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	return b
}

// post sends a raw body to /graphql and checks the answer is a refusal
// (BAD_USER_INPUT, not a 5xx), within limit, and small.
func refused(t *testing.T, s interface {
	Do(testing.TB, string, string, string, any) (*http.Response, []byte)
}, key string, body []byte, within time.Duration, codes ...string) (*http.Response, []byte) {
	t.Helper()
	start := time.Now()
	resp, out := s.Do(t, http.MethodPost, "/graphql", key, body)
	if d := time.Since(start); d > within {
		t.Errorf("answered in %v, want under %v", d, within)
	}
	if resp.StatusCode >= 500 {
		t.Fatalf("status %d: %.300s", resp.StatusCode, out)
	}
	var res struct {
		Data   json.RawMessage
		Errors []struct {
			Message    string
			Extensions map[string]any
		}
	}
	if err := json.Unmarshal(out, &res); err != nil || len(res.Errors) == 0 {
		t.Fatalf("status %d, not a GraphQL error: %.300s", resp.StatusCode, out)
	}
	if c, _ := res.Errors[0].Extensions["code"].(string); c != "BAD_USER_INPUT" && !slices.Contains(codes, c) {
		t.Fatalf("code %v (%q), want BAD_USER_INPUT", c, res.Errors[0].Message)
	}
	if len(out) > 2000 {
		t.Fatalf("answer is %d bytes", len(out))
	}
	return resp, out
}

// Issue 11 row 1: a cursor of ~2 million nested msgpack arrays overflowed the
// decoder's stack (fatal, the whole process). The 2.7 MB body is past the body
// limit; one just under it (700k levels) reaches the cursor decoder.
func TestNestedCursorIsRefused(t *testing.T) {
	s := newServer(t)
	u := signup(t, s, "nest")
	q := `query($c:Cursor){links(after:$c){totalCount}}`
	for _, levels := range []int{2_000_000, 700_000} {
		raw := append([]byte("\x82\xa1i\x02\xa1v"), []byte(strings.Repeat("\x91", levels))...)
		c := strings.TrimRight(base64.StdEncoding.EncodeToString(append(raw, 0)), "=")
		// Without a key the cursor is not even decoded.
		refused(t, s, "", gqlBody(q, map[string]any{"c": c}), 5*time.Second, "UNAUTHENTICATED")
		refused(t, s, u.Key, gqlBody(q, map[string]any{"c": c}), 5*time.Second)
	}
}

// Issue 11 row 11: a cursor whose value is an array or a map was INTERNAL.
func TestTamperedCursorIsBadInput(t *testing.T) {
	s := newServer(t)
	u := signup(t, s, "tamper")
	q := `query($c:Cursor){links(after:$c, orderBy:{field:CREATED_AT}){totalCount}}`
	for _, raw := range []string{"\x82\xa1i\x02\xa1v\x92\x01\x02", "\x82\xa1i\x02\xa1v\x81\xa1a\x01", "\x81\xa1i\xa1x"} {
		c := base64.RawStdEncoding.EncodeToString([]byte(raw))
		wantError(t, s.GraphQL(t, u.Key, q, map[string]any{"c": c}), "BAD_USER_INPUT", "")
	}
}

// Issue 11 row 6: 12,000 chained fragments cost 38 s of CPU.
func TestChainedFragmentsAreRefused(t *testing.T) {
	s := newServer(t)
	var b strings.Builder
	b.WriteString("query{...F0}")
	const n = 12_000
	for i := range n {
		fmt.Fprintf(&b, " fragment F%d on Query{...F%d}", i, i+1)
	}
	fmt.Fprintf(&b, " fragment F%d on Query{__typename}", n)
	refused(t, s, "", gqlBody(b.String(), nil), 2*time.Second)

	// 150 fragments: under the token limit, past the fragment limit.
	b.Reset()
	b.WriteString("query{...F0}")
	for i := range 150 {
		fmt.Fprintf(&b, " fragment F%d on Query{...F%d}", i, i+1)
	}
	b.WriteString(" fragment F150 on Query{__typename}")
	_, out := refused(t, s, "", gqlBody(b.String(), nil), 2*time.Second)
	if !strings.Contains(string(out), "fragments") {
		t.Fatalf("answer %s does not name the fragment limit", out)
	}
}

func TestDeepQueryIsRefused(t *testing.T) {
	s := newServer(t)
	u := signup(t, s, "deep")
	q := "query{__schema{types{fields{type" + strings.Repeat("{ofType", 14) + "{name}" + strings.Repeat("}", 14) + "}}}}"
	refused(t, s, u.Key, gqlBody(q, nil), 2*time.Second)
	// GraphiQL's introspection depth (TypeRef with 8 ofType levels) passes.
	ok := "query{__schema{types{fields{type" + strings.Repeat("{kind name ofType", 8) + "{kind name}" + strings.Repeat("}", 8) + "}}}}"
	if res := s.GraphQL(t, u.Key, ok, nil); len(res.Errors) > 0 {
		t.Fatalf("introspection-depth query refused: %+v", res.Errors)
	}
}

// Issue 11 row 6: a 20 MB body was executed; a 10 MiB malformed body came
// back inside the error.
func TestLargeAndMalformedBodies(t *testing.T) {
	s := newServer(t)
	big := gqlBody("query{__typename}", map[string]any{"pad": strings.Repeat("x", 20<<20)})
	resp, _ := refused(t, s, "", big, 5*time.Second)
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("20 MB body: status %d, want 413", resp.StatusCode)
	}
	bad := []byte(`{"query": "` + strings.Repeat("y", 10<<20))
	refused(t, s, "", bad, 5*time.Second)
	bad = []byte(`{"query": ` + strings.Repeat("z", 900<<10)) // under the body limit
	refused(t, s, "", bad, 5*time.Second)
}

// Issue 11 row 5: 250 aliased hourly series over 1970..2999 made a 152 MB
// answer.
func TestStatsAreBounded(t *testing.T) {
	s := newServer(t)
	u := signup(t, s, "stats")
	l := gql[struct{ CreateLink struct{ ID string } }](t, s, u.Key, `mutation{createLink(input:{url:"https://example.com/s"}){id}}`, nil).CreateLink
	var b strings.Builder
	b.WriteString(`query($id:ID!){node(id:$id){... on Link{`)
	for i := range 250 {
		fmt.Fprintf(&b, ` a%d: stats(from:"1970-01-01T00:00:00Z", to:"2999-01-01T00:00:00Z"){timeSeries(interval:HOUR){start clicks}}`, i)
	}
	b.WriteString("}}}")
	_, out := refused(t, s, u.Key, gqlBody(b.String(), map[string]any{"id": l.ID}), 3*time.Second)
	if !strings.Contains(string(out), "744") {
		t.Fatalf("answer %s does not give the cap", out)
	}
	// Within the cap per series, but 250 of them are past the operation's budget.
	b.Reset()
	b.WriteString(`query($id:ID!){node(id:$id){... on Link{`)
	for i := range 250 {
		fmt.Fprintf(&b, ` a%d: stats(from:"2025-01-01T00:00:00Z", to:"2025-01-31T00:00:00Z"){timeSeries(interval:HOUR){start clicks}}`, i)
	}
	b.WriteString("}}}")
	refused(t, s, u.Key, gqlBody(b.String(), map[string]any{"id": l.ID}), 3*time.Second)

	// Normal use: a month by hour and a year by day.
	var res struct {
		Node struct {
			Stats struct{ Hours, Days []struct{ Clicks int } }
		}
	}
	s.MustGraphQL(t, u.Key, `query($id:ID!){node(id:$id){... on Link{stats(from:"2025-01-01T00:00:00Z", to:"2025-02-01T00:00:00Z"){
		hours: timeSeries(interval:HOUR){clicks}} y: stats(from:"2025-01-01T00:00:00Z", to:"2026-01-01T00:00:00Z"){days: timeSeries(interval:DAY){clicks}}}}}`,
		map[string]any{"id": l.ID}, nil)
	_ = res
}
