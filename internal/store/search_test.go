package store_test

import (
	"context"

	"entgo.io/ent/dialect"
	"fmt"
	"slices"
	"strings"
	"testing"

	"shortener/ent"
	"shortener/ent/link"
	"shortener/internal/auth"
	"shortener/internal/store"
	"shortener/internal/store/storetest"
)

func dialectOf() string {
	if storetest.Postgres() {
		return dialect.Postgres
	}
	return dialect.SQLite
}

func mkUser(t *testing.T, ctx context.Context, c *ent.Client, name string) *ent.User {
	t.Helper()
	u, err := c.User.Create().SetEmail(name + "@example.com").SetUsername(name).SetPasswordHash("x").Save(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestLinkCounts: link_counts follows single and bulk creates, deletes one
// by one and in bulk, per owner, and a reopened database keeps it.
func TestLinkCounts(t *testing.T) {
	ctx := auth.SystemContext(context.Background())
	dsn := storetest.DSN(t)
	c, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { c.Close() }()
	a, b := mkUser(t, ctx, c, "a"), mkUser(t, ctx, c, "b")
	want := func(u *ent.User, n int) {
		t.Helper()
		got, err := store.LinkCount(ctx, c, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		real := c.Link.Query().Where(link.OwnerID(u.ID)).CountX(ctx)
		if got != n || real != n {
			t.Errorf("user %s: link_counts %d, links %d, want %d", u.Username, got, real, n)
		}
	}
	want(a, 0)
	l := c.Link.Create().SetOwnerID(a.ID).SetAlias("one").SetLongURL("https://example.com/").SaveX(ctx)
	var bulk []*ent.LinkCreate
	for i := range 25 {
		owner := a.ID
		if i%5 == 0 {
			owner = b.ID
		}
		bulk = append(bulk, c.Link.Create().SetOwnerID(owner).SetAlias(fmt.Sprintf("b%d", i)).SetLongURL("https://example.com/"))
	}
	c.Link.CreateBulk(bulk...).ExecX(ctx)
	want(a, 21)
	want(b, 5)
	c.Link.DeleteOneID(l.ID).ExecX(ctx)
	want(a, 20)
	c.Link.Delete().Where(link.OwnerID(a.ID), link.AliasHasPrefix("b1")).ExecX(ctx) // b1, b11..b14, b16..b19 minus b's
	n := c.Link.Query().Where(link.OwnerID(a.ID)).CountX(ctx)
	want(a, n)
	c.Close()
	if c, err = store.Open(context.Background(), dsn); err != nil {
		t.Fatal(err)
	}
	want(a, n)
	want(b, 5)
	c.Link.Delete().Where(link.OwnerID(b.ID)).ExecX(ctx)
	want(b, 0)
	want(a, n)
}

// TestSearchCandidatesSameSet: the FTS5 candidates narrowed by the LIKE
// predicates give exactly the LIKE predicates' rows, for case, % and _,
// quotes and non-ASCII, on every column and on one.
func TestSearchCandidatesSameSet(t *testing.T) {
	ctx := auth.SystemContext(context.Background())
	c := storetest.Open(t)
	u := mkUser(t, ctx, c, "s")
	texts := []string{
		"Hello World", "hello_world", "hello%world", "100% sure", `say "hi" there`, "ÉCOLE école",
		"abc", "ABCdef", "xyzabc", "a_b_c", "straße", "日本語のテキスト", "it's", "back\\slash",
	}
	for i, s := range texts {
		c.Link.Create().SetOwnerID(u.ID).SetAlias(fmt.Sprintf("al%d-%s", i, []string{"x", "abc", "q%_"}[i%3])).
			SetLongURL("https://example.com/" + fmt.Sprint(i)).SetTitle(s).SetDescription(texts[(i+3)%len(texts)]).ExecX(ctx)
	}
	terms := []string{"hello", "HELLO", "o_w", "o%w", "0% ", `"hi"`, `"`, "éco", "ÉCO", "abc", "ABC", "a_b", "ße",
		"本語の", "it'", "k\\s", "zzz", "ab", "%", "_", "example.com/1", "al1-"}
	ids := func(q *ent.LinkQuery) []int {
		v := q.IDsX(ctx)
		slices.Sort(v)
		return v
	}
	store.SearchScanBelow = 0
	defer func() { store.SearchScanBelow = 5000 }()
	indexed := func(q *ent.LinkQuery, column, term string) *ent.LinkQuery {
		t.Helper()
		m, err := store.SearchFrom(ctx, c, dialectOf(), u.ID, []store.SearchTerm{{Column: column, Term: term, Fold: column == ""}})
		if err != nil {
			t.Fatal(err)
		}
		if wantIndex := (storetest.Postgres() || store.SQLiteSearch()) && len([]rune(term)) >= 3; (m != nil) != wantIndex {
			t.Errorf("term %q: index used %v, want %v", term, m != nil, wantIndex)
		}
		if m != nil {
			q.Modify(m)
		}
		return q
	}
	for _, term := range terms {
		fold := link.Or(link.AliasContainsFold(term), link.LongURLContainsFold(term), link.TitleContainsFold(term), link.DescriptionContainsFold(term))
		want := ids(c.Link.Query().Where(link.OwnerID(u.ID), fold))
		if got := ids(indexed(c.Link.Query().Where(link.OwnerID(u.ID), fold), "", strings.ToLower(term))); !slices.Equal(got, want) {
			t.Errorf("q=%q: %v, want %v", term, got, want)
		}
		want = ids(c.Link.Query().Where(link.OwnerID(u.ID), link.AliasContains(term)))
		if got := ids(indexed(c.Link.Query().Where(link.OwnerID(u.ID), link.AliasContains(term)), "alias", term)); !slices.Equal(got, want) {
			t.Errorf("aliasContains %q: %v, want %v", term, got, want)
		}
	}
	// Updates and deletes keep the index current.
	l := c.Link.Query().Where(link.TitleEQ("abc")).OnlyX(ctx)
	l.Update().SetTitle("renamed qqq").ExecX(ctx)
	if got := indexed(c.Link.Query().Where(link.TitleContainsFold("qqq")), "", "qqq").IDsX(ctx); !slices.Equal(got, []int{l.ID}) {
		t.Errorf("after update: %v", got)
	}
	c.Link.DeleteOneID(l.ID).ExecX(ctx)
	if got := indexed(c.Link.Query().Where(link.TitleContainsFold("qqq")), "", "qqq").IDsX(ctx); len(got) != 0 {
		t.Errorf("after delete: %v", got)
	}
}
