package graph_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"entgo.io/ent/dialect/sql"

	"shortener/ent"
	entlink "shortener/ent/link"
	entuser "shortener/ent/user"
	"shortener/internal/app/apptest"
	"shortener/internal/auth"
	"shortener/internal/store"
)

// listFixture gives alice and bob links whose texts the searches below
// match in every way: case, %, _, quotes, backslash, non-ASCII, short terms.
func listFixture(t *testing.T) (*apptest.Server, user, user, *ent.Client, context.Context) {
	t.Helper()
	s := newServer(t)
	alice, bob := signup(t, s, "alice"), signup(t, s, "bob")
	c, sys := sysClient(s)
	texts := []string{
		"Hello World", "hello_world", "hello%world", "100% sure", `say "hi" there`, "ÉCOLE école",
		"abc", "ABCdef", "xyzabc", "a_b_c", "straße", "日本語のテキスト", "it's", `back\slash`, "",
	}
	for _, u := range []user{alice, bob} {
		id := c.User.Query().Where(entuser.Username(u.Username)).OnlyIDX(sys)
		for i, txt := range texts {
			c.Link.Create().SetOwnerID(id).
				SetAlias(fmt.Sprintf("%s%d-%s", u.Username, i, []string{"x", "ABC", "q%_", "HeLLo"}[i%4])).
				SetLongURL(fmt.Sprintf("https://example.com/%d/%s", i, url.PathEscape(texts[(i+5)%len(texts)]))).
				SetTitle(txt).SetDescription(texts[(i+3)%len(texts)]).SetClicks((i * 7) % 5).ExecX(sys)
		}
	}
	return s, alice, bob, c, sys
}

var listTerms = []string{"hello", "HELLO", "o_w", "o%w", "0% ", `"hi"`, `"`, "éco", "ÉCO", "abc", "ABC", "a_b", "ße",
	"本語の", "it'", `k\s`, "zzz", "ab", "%", "_", "h", "example.com/1", "alice1", "bob", "q%_", "Hello World"}

// TestLinkSearchSameSet: REST q= and GraphQL aliasContains / titleContainsFold
// give the rows the LIKE scan gives (through the FTS5 index on SQLite when
// built with it, pg_trgm on PostgreSQL), their count as result / totalCount,
// and never another account's link.
func TestLinkSearchSameSet(t *testing.T) {
	store.SearchScanBelow = 0 // the index even for these few links
	defer func() { store.SearchScanBelow = 5000 }()
	s, alice, bob, c, _ := listFixture(t)
	ctx := viewerCtx(t, c, alice)
	aliases := func(ls []*ent.Link) []string {
		out := make([]string, 0, len(ls))
		for _, l := range ls {
			out = append(out, l.Alias)
		}
		slices.Sort(out)
		return out
	}
	for _, term := range listTerms {
		q := strings.TrimSpace(term) // as REST does
		want := aliases(c.Link.Query().Where(entlink.Or(entlink.AliasContainsFold(q), entlink.LongURLContainsFold(q),
			entlink.TitleContainsFold(q), entlink.DescriptionContainsFold(q))).AllX(ctx))
		resp, body := s.Do(t, "GET", "/api/urls?limit=100&q="+url.QueryEscape(term), alice.Key, nil)
		if resp.StatusCode != 200 {
			t.Fatalf("q=%q: %d %s", term, resp.StatusCode, body)
		}
		var out struct {
			Data struct {
				Result int
				URLs   []struct{ Alias string }
			}
		}
		if err := json.Unmarshal(body, &out); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, u := range out.Data.URLs {
			got = append(got, u.Alias)
		}
		slices.Sort(got)
		if !slices.Equal(got, want) || out.Data.Result != len(want) {
			t.Errorf("q=%q: %v (result %d), want %v", term, got, out.Data.Result, want)
		}
		for _, a := range got {
			if len(a) >= len(bob.Username) && a[:len(bob.Username)] == bob.Username {
				t.Errorf("q=%q: bob's link %s in alice's list", term, a)
			}
		}

		for _, f := range []struct {
			field string
			pred  func(string) func(*ent.LinkQuery) *ent.LinkQuery
		}{
			{"aliasContains", func(v string) func(*ent.LinkQuery) *ent.LinkQuery {
				return func(q *ent.LinkQuery) *ent.LinkQuery { return q.Where(entlink.AliasContains(v)) }
			}},
			{"titleContainsFold", func(v string) func(*ent.LinkQuery) *ent.LinkQuery {
				return func(q *ent.LinkQuery) *ent.LinkQuery { return q.Where(entlink.TitleContainsFold(v)) }
			}},
		} {
			want := aliases(f.pred(term)(c.Link.Query()).AllX(ctx))
			list := gql[struct {
				Links struct {
					TotalCount int
					Edges      []struct{ Node struct{ Alias string } }
				}
			}](t, s, alice.Key, `query($v:String!){ links(first: 100, where: {`+f.field+`: $v}) { totalCount edges { node { alias } } } }`,
				map[string]any{"v": term}).Links
			var got []string
			for _, e := range list.Edges {
				got = append(got, e.Node.Alias)
			}
			slices.Sort(got)
			if !slices.Equal(got, want) || list.TotalCount != len(want) {
				t.Errorf("%s %q: %v (totalCount %d), want %v", f.field, term, got, list.TotalCount, want)
			}
		}
	}
}

func viewerCtx(t *testing.T, c *ent.Client, u user) context.Context {
	t.Helper()
	id := c.User.Query().Where(entuser.Username(u.Username)).OnlyIDX(auth.SystemContext(context.Background()))
	return auth.WithViewer(context.Background(), &auth.Viewer{UserID: id, Username: u.Username})
}

// TestLinkTotalsFollowWrites: the unfiltered REST result and GraphQL
// totalCount (from link_counts) follow creates and deletes, per account.
func TestLinkTotalsFollowWrites(t *testing.T) {
	s := newServer(t)
	alice, bob := signup(t, s, "alice"), signup(t, s, "bob")
	totals := func(u user) (int, int) {
		_, body := s.Do(t, "GET", "/api/urls", u.Key, nil)
		var out struct{ Data struct{ Result int } }
		if err := json.Unmarshal(body, &out); err != nil {
			t.Fatal(err)
		}
		g := gql[struct{ Links struct{ TotalCount int } }](t, s, u.Key, `{ links(first: 1) { totalCount edges { node { id } } } }`, nil)
		return out.Data.Result, g.Links.TotalCount
	}
	want := func(u user, n int) {
		t.Helper()
		if r, g := totals(u); r != n || g != n {
			t.Errorf("%s: result %d, totalCount %d, want %d", u.Username, r, g, n)
		}
	}
	var ids []string
	for i := range 7 {
		var out struct{ CreateLink struct{ ID string } }
		s.MustGraphQL(t, alice.Key, `mutation($u:String!){ createLink(input:{url:$u}) { id } }`,
			map[string]any{"u": fmt.Sprintf("https://example.com/%d", i)}, &out)
		ids = append(ids, out.CreateLink.ID)
	}
	if resp, body := s.Do(t, "POST", "/api/url/add", bob.Key, `{"url":"https://example.com/b"}`); resp.StatusCode != 200 {
		t.Fatalf("add: %s", body)
	}
	want(alice, 7)
	want(bob, 1)
	for _, id := range ids[:3] {
		s.MustGraphQL(t, alice.Key, `mutation($id:ID!){ deleteLink(id:$id) { deletedId } }`, map[string]any{"id": id}, nil)
	}
	want(alice, 4)
	want(bob, 1)
	// A filtered count still counts.
	g := gql[struct{ Links struct{ TotalCount int } }](t, s, alice.Key, `{ links(where: {longUrlContains: "example.com/6"}) { totalCount } }`, nil)
	if g.Links.TotalCount != 1 {
		t.Errorf("filtered totalCount %d, want 1", g.Links.TotalCount)
	}
}

// TestLinkOrderAndCursors: orderBy CLICKS and CREATED_AT page through every
// link once, in order, with hasNextPage right, with or without totalCount.
func TestLinkOrderAndCursors(t *testing.T) {
	s, alice, _, c, _ := listFixture(t)
	ctx := viewerCtx(t, c, alice)
	for _, order := range []struct {
		gql  string
		want []*ent.Link
	}{
		{"{field: CLICKS, direction: DESC}", c.Link.Query().Order(entlink.ByClicks(sql.OrderDesc()), entlink.ByID(sql.OrderDesc())).AllX(ctx)},
		{"{field: CLICKS, direction: ASC}", c.Link.Query().Order(entlink.ByClicks(), entlink.ByID()).AllX(ctx)},
		{"{field: CREATED_AT, direction: DESC}", c.Link.Query().Order(entlink.ByCreatedAt(sql.OrderDesc()), entlink.ByID(sql.OrderDesc())).AllX(ctx)},
	} {
		for _, sel := range []string{"totalCount pageInfo { hasNextPage endCursor }", "pageInfo { hasNextPage endCursor }"} {
			var got []int
			var cursor any
			for page := 0; ; page++ {
				out := gql[struct {
					Links struct {
						Edges    []struct{ Node struct{ RowID int } }
						PageInfo struct {
							HasNextPage bool
							EndCursor   string
						}
					}
				}](t, s, alice.Key, `query($c:Cursor){ links(first: 4, after: $c, orderBy: `+order.gql+`) { `+sel+` edges { node { rowId } } } }`,
					map[string]any{"c": cursor}).Links
				for _, e := range out.Edges {
					got = append(got, e.Node.RowID)
				}
				if !out.PageInfo.HasNextPage {
					break
				}
				cursor = out.PageInfo.EndCursor
				if page > 20 {
					t.Fatal("no end")
				}
			}
			var want []int
			for _, l := range order.want {
				want = append(want, l.ID)
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s (%s): %v, want %v", order.gql, sel, got, want)
			}
		}
	}
	// REST order=click agrees.
	_, body := s.Do(t, "GET", "/api/urls?order=click&limit=100", alice.Key, nil)
	var out struct {
		Data struct{ URLs []struct{ ID int } }
	}
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatal(err)
	}
	want := c.Link.Query().Order(entlink.ByClicks(sql.OrderDesc()), entlink.ByID(sql.OrderDesc())).IDsX(ctx)
	var got []int
	for _, u := range out.Data.URLs {
		got = append(got, u.ID)
	}
	if !slices.Equal(got, want) {
		t.Errorf("REST order=click %v, want %v", got, want)
	}
}
