package graph_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"shortener/internal/app/apptest"
	"shortener/internal/gid"
)

type page struct {
	Links struct {
		TotalCount int
		PageInfo   struct {
			HasNextPage, HasPreviousPage bool
			StartCursor, EndCursor       *string
		}
		Edges []struct {
			Cursor string
			Node   struct {
				ID, Alias, LongURL string
				Clicks             int
				CreatedAt          time.Time
			}
		}
	}
}

func (p page) aliases() []string {
	var out []string
	for _, e := range p.Links.Edges {
		out = append(out, e.Node.Alias)
	}
	return out
}

const pageQuery = `query($first: Int, $after: Cursor, $last: Int, $before: Cursor, $order: LinkOrder, $where: LinkWhereInput) {
	links(first:$first, after:$after, last:$last, before:$before, orderBy:$order, where:$where) {
		totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
		edges { cursor node { id alias longUrl clicks createdAt } }
	}
}`

// seedLinks creates links p1..pN through GraphQL, then fixes their creation
// times (an hour apart, p1 oldest) and click counts in the database, so
// order and filters have known answers.
func seedLinks(tb testing.TB, s *apptest.Server, u user, n int, base time.Time) {
	tb.Helper()
	client, ctx := sysClient(s)
	for i := 1; i <= n; i++ {
		l := gql[struct{ CreateLink struct{ ID string } }](tb, s, u.Key, `mutation($a: String!, $u: String!) { createLink(input:{url:$u, custom:$a}) { id } }`,
			map[string]any{"a": fmt.Sprintf("p%d", i), "u": fmt.Sprintf("https://site%d.example.com/x", i%3)}).CreateLink
		row, err := gid.DecodeAs("Link", l.ID)
		if err != nil {
			tb.Fatal(err)
		}
		// created_at is immutable in ent, so set it with SQL.
		if _, err := client.ExecContext(ctx, "UPDATE links SET created_at = $1 WHERE id = $2", base.Add(time.Duration(i)*time.Hour), row); err != nil {
			tb.Fatalf("set created_at: %v", err)
		}
		// Clicks: 7 -> 0, 1, 2, 0, 1, 2, 0 ... times 10 plus i, all distinct.
		if err := client.Link.UpdateOneID(row).SetClicks((i%3)*10 + i).Exec(ctx); err != nil {
			tb.Fatal(err)
		}
	}
}

func TestLinksPagination(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	alice := signup(t, s, "alice")
	base := time.Date(2030, 3, 1, 0, 0, 0, 0, time.UTC)
	seedLinks(t, s, alice, 7, base)
	newestFirst := []string{"p7", "p6", "p5", "p4", "p3", "p2", "p1"}

	all := gql[page](t, s, alice.Key, pageQuery, nil)
	if got := all.aliases(); !slices.Equal(got, newestFirst) || all.Links.TotalCount != 7 {
		t.Fatalf("default order is newest first: %v (total %d)", got, all.Links.TotalCount)
	}

	t.Run("forward with first and after", func(t *testing.T) {
		var got []string
		var after any
		for i, want := range []struct {
			n    int
			next bool
		}{{3, true}, {3, true}, {1, false}} {
			p := gql[page](t, s, alice.Key, pageQuery, map[string]any{"first": 3, "after": after})
			if len(p.Links.Edges) != want.n || p.Links.PageInfo.HasNextPage != want.next || p.Links.TotalCount != 7 {
				t.Fatalf("page %d: %v next=%v total=%d", i, p.aliases(), p.Links.PageInfo.HasNextPage, p.Links.TotalCount)
			}
			if *p.Links.PageInfo.EndCursor != p.Links.Edges[len(p.Links.Edges)-1].Cursor || *p.Links.PageInfo.StartCursor != p.Links.Edges[0].Cursor {
				t.Errorf("page %d cursors do not match its edges", i)
			}
			got = append(got, p.aliases()...)
			after = *p.Links.PageInfo.EndCursor
		}
		if !slices.Equal(got, newestFirst) {
			t.Errorf("pages = %v, want %v", got, newestFirst)
		}
	})

	t.Run("backward with last and before", func(t *testing.T) {
		p := gql[page](t, s, alice.Key, pageQuery, map[string]any{"last": 3})
		if got := p.aliases(); !slices.Equal(got, []string{"p3", "p2", "p1"}) || !p.Links.PageInfo.HasPreviousPage || p.Links.PageInfo.HasNextPage {
			t.Fatalf("last 3 = %v prev=%v next=%v", got, p.Links.PageInfo.HasPreviousPage, p.Links.PageInfo.HasNextPage)
		}
		p = gql[page](t, s, alice.Key, pageQuery, map[string]any{"last": 3, "before": *p.Links.PageInfo.StartCursor})
		if got := p.aliases(); !slices.Equal(got, []string{"p6", "p5", "p4"}) || !p.Links.PageInfo.HasPreviousPage {
			t.Fatalf("last 3 before p3 = %v prev=%v", got, p.Links.PageInfo.HasPreviousPage)
		}
		p = gql[page](t, s, alice.Key, pageQuery, map[string]any{"last": 3, "before": *p.Links.PageInfo.StartCursor})
		if got := p.aliases(); !slices.Equal(got, []string{"p7"}) || p.Links.PageInfo.HasPreviousPage {
			t.Fatalf("last 3 before p6 = %v prev=%v", got, p.Links.PageInfo.HasPreviousPage)
		}
	})

	t.Run("page size limits", func(t *testing.T) {
		for _, tc := range []struct {
			vars  map[string]any
			field string
		}{
			{map[string]any{"first": 101}, "first"},
			{map[string]any{"last": 101}, "last"},
			{map[string]any{"first": -1}, "first"},
		} {
			wantError(t, s.GraphQL(t, alice.Key, pageQuery, tc.vars), "BAD_USER_INPUT", tc.field)
		}
		wantError(t, s.GraphQL(t, alice.Key, pageQuery, map[string]any{"first": 1000000}), "BAD_USER_INPUT", "first")
		if p := gql[page](t, s, alice.Key, pageQuery, map[string]any{"first": 100}); len(p.Links.Edges) != 7 {
			t.Errorf("first: 100 returned %d", len(p.Links.Edges))
		}
		if p := gql[page](t, s, alice.Key, pageQuery, map[string]any{"first": 0}); len(p.Links.Edges) != 0 || p.Links.TotalCount != 7 {
			t.Errorf("first: 0 returned %d edges, total %d", len(p.Links.Edges), p.Links.TotalCount)
		}
		res := s.GraphQL(t, alice.Key, pageQuery, map[string]any{"first": "ten"})
		wantError(t, res, "GRAPHQL_VALIDATION_FAILED", "")
		res = s.GraphQL(t, alice.Key, pageQuery, map[string]any{"first": 1, "after": "not a cursor"})
		if len(res.Errors) == 0 || res.Status >= 500 {
			t.Errorf("a bad cursor: status %d errors %+v", res.Status, res.Errors)
		}
	})

	t.Run("filters", func(t *testing.T) {
		for _, tc := range []struct {
			name  string
			where map[string]any
			want  []string
		}{
			{"aliasContains", map[string]any{"aliasContains": "3"}, []string{"p3"}},
			{"aliasIn", map[string]any{"aliasIn": []string{"p1", "p5", "nope"}}, []string{"p5", "p1"}},
			{"longUrlContains", map[string]any{"longUrlContains": "site1."}, []string{"p7", "p4", "p1"}},
			{"createdAtGTE", map[string]any{"createdAtGTE": base.Add(5 * time.Hour).Format(time.RFC3339)}, []string{"p7", "p6", "p5"}},
			{"createdAtLT", map[string]any{"createdAtLT": base.Add(3 * time.Hour).Format(time.RFC3339)}, []string{"p2", "p1"}},
			{"clicksGT", map[string]any{"clicksGT": 20}, []string{"p5", "p2"}},
			{"or", map[string]any{"or": []map[string]any{{"alias": "p1"}, {"alias": "p7"}}}, []string{"p7", "p1"}},
			{"not", map[string]any{"not": map[string]any{"longUrlContains": "site0"}}, []string{"p7", "p5", "p4", "p2", "p1"}},
			{"and", map[string]any{"and": []map[string]any{{"aliasHasPrefix": "p"}, {"clicksLT": 10}}}, []string{"p6", "p3"}},
			{"no match", map[string]any{"aliasContains": "zzz"}, nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				p := gql[page](t, s, alice.Key, pageQuery, map[string]any{"where": tc.where})
				if got := p.aliases(); !slices.Equal(got, tc.want) || p.Links.TotalCount != len(tc.want) {
					t.Errorf("where %v = %v (total %d), want %v", tc.where, got, p.Links.TotalCount, tc.want)
				}
			})
		}
		// A filter with paging: totalCount counts the filtered set.
		p := gql[page](t, s, alice.Key, pageQuery, map[string]any{"first": 1, "where": map[string]any{"longUrlContains": "site1."}})
		if got := p.aliases(); !slices.Equal(got, []string{"p7"}) || p.Links.TotalCount != 3 || !p.Links.PageInfo.HasNextPage {
			t.Errorf("filtered page = %v total %d", got, p.Links.TotalCount)
		}
		wantError(t, s.GraphQL(t, alice.Key, pageQuery, map[string]any{"where": map[string]any{"clicksGT": "many"}}), "GRAPHQL_VALIDATION_FAILED", "")
		wantError(t, s.GraphQL(t, alice.Key, pageQuery, map[string]any{"where": map[string]any{"noSuchField": 1}}), "GRAPHQL_VALIDATION_FAILED", "")
	})

	t.Run("ordering", func(t *testing.T) {
		for _, tc := range []struct {
			order map[string]any
			want  []string
		}{
			// clicks: p1 11, p2 22, p3 3, p4 14, p5 25, p6 6, p7 17
			{map[string]any{"field": "CLICKS", "direction": "DESC"}, []string{"p5", "p2", "p7", "p4", "p1", "p6", "p3"}},
			{map[string]any{"field": "CLICKS", "direction": "ASC"}, []string{"p3", "p6", "p1", "p4", "p7", "p2", "p5"}},
			{map[string]any{"field": "ALIAS"}, []string{"p1", "p2", "p3", "p4", "p5", "p6", "p7"}},
			{map[string]any{"field": "ALIAS", "direction": "DESC"}, newestFirst},
			{map[string]any{"field": "CREATED_AT", "direction": "ASC"}, []string{"p1", "p2", "p3", "p4", "p5", "p6", "p7"}},
			{map[string]any{"field": "CREATED_AT", "direction": "DESC"}, newestFirst},
		} {
			p := gql[page](t, s, alice.Key, pageQuery, map[string]any{"order": tc.order})
			if got := p.aliases(); !slices.Equal(got, tc.want) {
				t.Errorf("orderBy %v = %v, want %v", tc.order, got, tc.want)
			}
			// The same order, paged by twos, gives the same sequence.
			var paged []string
			var after any
			for range 4 {
				p := gql[page](t, s, alice.Key, pageQuery, map[string]any{"order": tc.order, "first": 2, "after": after})
				paged = append(paged, p.aliases()...)
				if !p.Links.PageInfo.HasNextPage {
					break
				}
				after = *p.Links.PageInfo.EndCursor
			}
			if !slices.Equal(paged, tc.want) {
				t.Errorf("orderBy %v paged by 2 = %v, want %v", tc.order, paged, tc.want)
			}
		}
		wantError(t, s.GraphQL(t, alice.Key, pageQuery, map[string]any{"order": map[string]any{"field": "PASSWORD"}}), "GRAPHQL_VALIDATION_FAILED", "")
	})
}

// Without first or last a connection returns a default page, not every row.
func TestDefaultPageSize(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	alice := signup(t, s, "alice")
	client, ctx := sysClient(s)
	owner, err := gid.DecodeAs("User", alice.ID)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 60 {
		if err := client.Pixel.Create().SetOwnerID(owner).SetType("BING").SetName(fmt.Sprintf("px%02d", i)).SetTag("t").Exec(ctx); err != nil {
			t.Fatal(err)
		}
	}
	var out struct {
		Pixels struct {
			TotalCount int
			PageInfo   struct{ HasNextPage bool }
			Edges      []struct{ Node struct{ Name string } }
		}
	}
	s.MustGraphQL(t, alice.Key, `{ pixels { totalCount pageInfo { hasNextPage } edges { node { name } } } }`, nil, &out)
	if len(out.Pixels.Edges) != 50 || out.Pixels.TotalCount != 60 || !out.Pixels.PageInfo.HasNextPage {
		t.Errorf("default page: %d edges, total %d, next %v", len(out.Pixels.Edges), out.Pixels.TotalCount, out.Pixels.PageInfo.HasNextPage)
	}
	s.MustGraphQL(t, alice.Key, `{ pixels(orderBy:{field:NAME, direction:DESC}, first: 2) { totalCount pageInfo { hasNextPage } edges { node { name } } } }`, nil, &out)
	if len(out.Pixels.Edges) != 2 || out.Pixels.Edges[0].Node.Name != "px59" || out.Pixels.Edges[1].Node.Name != "px58" {
		t.Errorf("pixels by name desc = %+v", out.Pixels.Edges)
	}
}

// Nested connections are loaded with their parent list, so their page size
// is checked before anything runs; without first or last they would load
// every row.
func TestNestedConnectionPageSize(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	alice := signup(t, s, "alice")
	makeRefs(t, s, alice.Key, "nested")
	for _, tc := range []struct {
		name, query string
		vars        map[string]any
		field       string
	}{
		{"edges without first or last", `{ campaigns(first: 5) { edges { node { links { edges { node { id } } } } } } }`, nil, "first"},
		{"first over 100", `{ campaigns(first: 5) { edges { node { links(first: 101) { edges { node { id } } } } } } }`, nil, "first"},
		{"last over 100 from a variable", `query($n: Int) { channels(first: 5) { edges { node { items(last: $n) { edges { node { id } } } } } } }`, map[string]any{"n": 500}, "last"},
		{"a negative first", `{ campaigns(first: 5) { edges { node { links(first: -1) { edges { node { id } } } } } } }`, nil, "first"},
		{"in a fragment", `query { campaigns(first: 2) { edges { node { ...L } } } } fragment L on Campaign { links(first: 1000) { edges { node { id } } } }`, nil, "first"},
		{"under node", `query($id: ID!) { node(id:$id) { ... on Channel { items { edges { node { id } } } } } }`, map[string]any{"id": gid.Encode("Channel", 1)}, "first"},
	} {
		t.Run("refuses "+tc.name, func(t *testing.T) {
			wantError(t, s.GraphQL(t, alice.Key, tc.query, tc.vars), "BAD_USER_INPUT", tc.field)
		})
	}
	var out struct {
		Campaigns struct {
			Edges []struct {
				Node struct {
					Links struct {
						TotalCount int
						Edges      []struct{ Node struct{ ID string } }
					}
				}
			}
		}
	}
	s.MustGraphQL(t, alice.Key, `{ campaigns(first: 5) { edges { node { links { totalCount } } } } }`, nil, &out)
	if len(out.Campaigns.Edges) != 1 || out.Campaigns.Edges[0].Node.Links.TotalCount != 1 {
		t.Errorf("a count needs no page size: %+v", out)
	}
	s.MustGraphQL(t, alice.Key, `{ campaigns(first: 2) { edges { node { links(first: 100) { totalCount edges { node { id } } } } } } }`, nil, &out)
	if len(out.Campaigns.Edges[0].Node.Links.Edges) != 1 {
		t.Errorf("nested page: %+v", out)
	}
}
