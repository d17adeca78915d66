package redirect_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"shortener/internal/app"
	"shortener/internal/app/apptest"
)

// chromeUA is a real desktop browser.
const chromeUA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"

// env is a running server with one signed-up user.
type env struct {
	*apptest.Server
	key string
}

func newEnv(tb testing.TB, cfg app.Config) *env {
	tb.Helper()
	s := apptest.New(tb, cfg)
	return &env{Server: s, key: s.Signup(tb, "owner")}
}

// link is a created link as the tests need it.
type link struct {
	ID       string
	RowID    int
	Alias    string
	ShortURL string
}

// createLink runs createLink with input (a CreateLinkInput as a map).
func (e *env) createLink(tb testing.TB, input map[string]any) link {
	tb.Helper()
	var out struct{ CreateLink link }
	e.MustGraphQL(tb, e.key, `mutation($in: CreateLinkInput!){ createLink(input: $in) { id rowId alias shortUrl } }`,
		map[string]any{"in": input}, &out)
	return out.CreateLink
}

// create runs a createX mutation and returns the new object's id.
func (e *env) create(tb testing.TB, mutation, inputType string, input map[string]any) string {
	tb.Helper()
	var out map[string]struct{ ID string }
	e.MustGraphQL(tb, e.key, `mutation($in: `+inputType+`!){ `+mutation+`(input: $in) { id } }`,
		map[string]any{"in": input}, &out)
	return out[mutation].ID
}

// visit sends a request to the public routes without following redirects.
func (e *env) visit(tb testing.TB, method, path string, hdr map[string]string, body url.Values) (*http.Response, string) {
	tb.Helper()
	var rd io.Reader
	if body != nil {
		rd = strings.NewReader(body.Encode())
	}
	req, err := http.NewRequest(method, e.URL+path, rd)
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("User-Agent", chromeUA)
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range hdr {
		if k == "Host" {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	client := apptest.NoRedirectClient()
	resp, err := client.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return resp, string(b)
}

// get is a GET with optional headers.
func (e *env) get(tb testing.TB, path string, hdr map[string]string) (*http.Response, string) {
	tb.Helper()
	return e.visit(tb, http.MethodGet, path, hdr, nil)
}

// expectRedirect asserts a redirect of status to location.
func expectRedirect(tb testing.TB, resp *http.Response, status int, location string) {
	tb.Helper()
	if resp.StatusCode != status {
		tb.Fatalf("status = %d, want %d", resp.StatusCode, status)
	}
	if got := resp.Header.Get("Location"); got != location {
		tb.Fatalf("Location = %q, want %q", got, location)
	}
}

// flush writes every recorded click.
func (e *env) flush(tb testing.TB) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := e.App.Writer.Flush(ctx); err != nil {
		tb.Fatalf("flush clicks: %v", err)
	}
}

// linkClicks reads a link's counters and stats through GraphQL.
type linkStats struct {
	Clicks       int
	UniqueClicks int
	Stats        struct {
		Clicks       int
		UniqueClicks int
		Country      []bucket
		Referrer     []bucket
		Browser      []bucket
		OS           []bucket
		Device       []bucket
		Language     []bucket
		Social       []bucket
	}
}

type bucket struct {
	Key          string
	Clicks       int
	UniqueClicks int
}

func (e *env) stats(tb testing.TB, id string) linkStats {
	tb.Helper()
	var out struct {
		Node linkStats
	}
	e.MustGraphQL(tb, e.key, `query($id: ID!){ node(id: $id) { ... on Link { clicks uniqueClicks stats {
		clicks uniqueClicks
		country: breakdown(dimension: COUNTRY) { key clicks uniqueClicks }
		referrer: breakdown(dimension: REFERRER) { key clicks uniqueClicks }
		browser: breakdown(dimension: BROWSER) { key clicks uniqueClicks }
		os: breakdown(dimension: OS) { key clicks uniqueClicks }
		device: breakdown(dimension: DEVICE) { key clicks uniqueClicks }
		language: breakdown(dimension: LANGUAGE) { key clicks uniqueClicks }
		social: breakdown(dimension: SOCIAL) { key clicks uniqueClicks }
	} } } }`, map[string]any{"id": id}, &out)
	return out.Node
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
