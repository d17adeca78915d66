package graph_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"shortener/ent"
	"shortener/internal/app"
	"shortener/internal/app/apptest"
	"shortener/internal/auth"
)

// user is a signed-up account: its API key and global id.
type user = apptest.User

// newServer starts the whole server on a fresh test database (SQLite file,
// or a PostgreSQL schema when TEST_POSTGRES_DSN is set).
func newServer(tb testing.TB) *apptest.Server {
	tb.Helper()
	return apptest.New(tb, app.Config{})
}

// signup creates an account through the public signup mutation.
func signup(tb testing.TB, s *apptest.Server, name string) user {
	tb.Helper()
	return s.SignupUser(tb, name)
}

// gql runs a query that must succeed and decodes its data into a T.
func gql[T any](tb testing.TB, s *apptest.Server, key, query string, vars map[string]any) T {
	tb.Helper()
	var out T
	s.MustGraphQL(tb, key, query, vars, &out)
	return out
}

// wantError checks that a response failed with one error of code (and, when
// field is not empty, extensions.field), that it is not a server error, and
// that the data holds no result.
func wantError(tb testing.TB, res apptest.GQLResponse, code, field string) apptest.GQLError {
	tb.Helper()
	if res.Status >= 500 {
		tb.Fatalf("status %d, want < 500; errors %+v", res.Status, res.Errors)
	}
	if len(res.Errors) == 0 {
		tb.Fatalf("no error, want %s; data %s", code, res.Data)
	}
	e := res.Errors[0]
	if e.Code() != code {
		tb.Fatalf("error code %q (%q), want %s", e.Code(), e.Message, code)
	}
	if e.Message == "" {
		tb.Fatalf("error %s has no message", code)
	}
	if field != "" {
		if got, _ := e.Extensions["field"].(string); got != field {
			tb.Fatalf("error field %q (%q), want %q", got, e.Message, field)
		}
	}
	if m := strings.ToLower(e.Message); strings.Contains(m, "internal") || strings.Contains(m, "ent:") || strings.Contains(m, "sql") {
		tb.Fatalf("error message %q leaks internals", e.Message)
	}
	return e
}

// tables counts the rows of every table, bypassing ownership.
type tables map[string]int

// countRows returns the row count of every table.
func countRows(tb testing.TB, s *apptest.Server) tables {
	tb.Helper()
	ctx := auth.SystemContext(context.Background())
	c := s.App.Client
	out := tables{}
	add := func(name string, n int, err error) {
		if err != nil {
			tb.Fatalf("count %s: %v", name, err)
		}
		out[name] = n
	}
	n, err := c.User.Query().Count(ctx)
	add("user", n, err)
	n, err = c.APIKey.Query().Count(ctx)
	add("api_key", n, err)
	n, err = c.Link.Query().Count(ctx)
	add("link", n, err)
	n, err = c.QRCode.Query().Count(ctx)
	add("qr_code", n, err)
	n, err = c.Domain.Query().Count(ctx)
	add("domain", n, err)
	n, err = c.Channel.Query().Count(ctx)
	add("channel", n, err)
	n, err = c.ChannelItem.Query().Count(ctx)
	add("channel_item", n, err)
	n, err = c.Campaign.Query().Count(ctx)
	add("campaign", n, err)
	n, err = c.Pixel.Query().Count(ctx)
	add("pixel", n, err)
	n, err = c.SplashPage.Query().Count(ctx)
	add("splash_page", n, err)
	n, err = c.CTAOverlay.Query().Count(ctx)
	add("cta_overlay", n, err)
	n, err = c.BioPage.Query().Count(ctx)
	add("bio_page", n, err)
	rows, err := c.QueryContext(ctx, "SELECT COUNT(*) FROM link_pixels")
	if err != nil {
		tb.Fatalf("count link_pixels: %v", err)
	}
	defer rows.Close()
	n = 0
	if rows.Next() {
		err = rows.Scan(&n)
	}
	add("link_pixels", n, err)
	return out
}

// sameRows fails when any table's row count differs from before.
func sameRows(tb testing.TB, s *apptest.Server, before tables) {
	tb.Helper()
	after := countRows(tb, s)
	for k, v := range before {
		if after[k] != v {
			tb.Errorf("table %s has %d rows, had %d", k, after[k], v)
		}
	}
}

// sysClient returns the server's ent client and a context that bypasses
// ownership, to look at stored rows directly.
func sysClient(s *apptest.Server) (*ent.Client, context.Context) {
	return s.App.Client, auth.SystemContext(context.Background())
}

// jsonString renders v for failure messages.
func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// wantNoNode checks that node(id:) gives key's user nothing for id: a null
// node and, if any, a NOT_FOUND error (a missing and a foreign id look the
// same).
func wantNoNode(tb testing.TB, s *apptest.Server, key, id string) {
	tb.Helper()
	res := s.GraphQL(tb, key, `query($id: ID!) { node(id:$id) { id } }`, map[string]any{"id": id})
	var data struct{ Node *struct{ ID string } }
	if err := json.Unmarshal(res.Data, &data); err != nil {
		tb.Fatalf("decode %s: %v", res.Data, err)
	}
	if data.Node != nil {
		tb.Fatalf("node(%s) = %+v, want null", id, data.Node)
	}
	for _, e := range res.Errors {
		if e.Code() != "NOT_FOUND" {
			tb.Fatalf("node(%s) error %q (%s), want NOT_FOUND", id, e.Message, e.Code())
		}
	}
}
