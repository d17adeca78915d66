package rest_test

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"shortener/internal/app"
	"shortener/internal/app/apptest"
)

func TestURLAddAnswersShortBesideShortURL(t *testing.T) {
	s := apptest.New(t, app.Config{})
	key := s.Signup(t, "alice")
	got := api(t, s, key, "POST", "/api/url/add", `{"url":"https://example.com","custom":"both"}`, 200)
	if got["short"] != s.URL+"/both" || got["shorturl"] != got["short"] || num(t, got, "id") < 1 {
		t.Errorf("url/add answer: %v", got)
	}
}

func TestShortLookupWithoutScheme(t *testing.T) {
	s := apptest.New(t, app.Config{})
	key := s.Signup(t, "alice")
	id := num(t, api(t, s, key, "POST", "/api/url/add", `{"url":"https://example.com/a","custom":"plain"}`, 200), "id")
	api(t, s, key, "POST", "/api/domain/add", `{"domain":"https://go.example.org"}`, 200)
	branded := num(t, api(t, s, key, "POST", "/api/url/add", `{"url":"https://example.com/b","custom":"plain","domain":"go.example.org"}`, 200), "id")
	host := strings.TrimPrefix(s.URL, "http://")
	for short, want := range map[string]int{
		host + "/plain":                id,
		s.URL + "/plain":               id,
		"plain":                        id,
		"/plain":                       id,
		"go.example.org/plain":         branded,
		"GO.example.org/plain/":        branded,
		"https://go.example.org/plain": branded,
	} {
		got := api(t, s, key, "GET", "/api/urls?short="+url.QueryEscape(short), nil, 200)
		if num(t, got, "id") != want {
			t.Errorf("short=%s found %v, want link %d", short, got["id"], want)
		}
	}
	api(t, s, key, "GET", "/api/urls?short="+url.QueryEscape("other.example.net/plain"), nil, 404)
}

func TestLimitAboveMaximumIsClamped(t *testing.T) {
	s := apptest.New(t, app.Config{})
	key := s.Signup(t, "alice")
	for i := range 3 {
		api(t, s, key, "POST", "/api/url/add", fmt.Sprintf(`{"url":"https://example.com/%d"}`, i), 200)
	}
	for _, c := range []struct {
		limit string
		want  int
	}{{"101", 101}, {"500", 500}, {"1000", 1000}, {"1001", 1000}, {"100000", 1000}, {"99999999999999999999999", 1000}} {
		for _, route := range []string{"/api/urls", "/api/qr", "/api/domains", "/api/channels", "/api/campaigns", "/api/pixels", "/api/splash", "/api/overlay"} {
			got := api(t, s, key, "GET", route+"?limit="+c.limit, nil, 200)
			if num(t, got, "data.perpage") != c.want || num(t, got, "data.maxpage") != 1 {
				t.Errorf("%s?limit=%s: paging %v, want perpage %d", route, c.limit, got["data"], c.want)
			}
		}
	}
	got := api(t, s, key, "GET", "/api/urls?limit=5000", nil, 200)
	if len(items(t, got, "urls")) != 3 || num(t, got, "data.result") != 3 {
		t.Errorf("limit=5000 lists %v", got["data"])
	}
}

// TestLargePageChargedOnce: a 1,000-row page is one request of the rate
// limit budget, and costs the same number of queries as a page of one.
func TestLargePageChargedOnce(t *testing.T) {
	limit := 50
	s := apptest.New(t, app.Config{RateLimit: &limit})
	key := s.Signup(t, "alice")
	for i := range 3 {
		api(t, s, key, "POST", "/api/url/add", fmt.Sprintf(`{"url":"https://example.com/%d"}`, i), 200)
	}
	remaining := func(path string) int {
		t.Helper()
		resp, body := s.Do(t, "GET", path, key, nil)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d %s", path, resp.StatusCode, body)
		}
		n, err := strconv.Atoi(resp.Header.Get("X-RateLimit-Remaining"))
		if err != nil {
			t.Fatalf("%s: X-RateLimit-Remaining %q", path, resp.Header.Get("X-RateLimit-Remaining"))
		}
		return n
	}
	a := remaining("/api/urls?limit=1")
	b := remaining("/api/urls?limit=1000")
	c := remaining("/api/urls?limit=5000")
	if a-b != 1 || b-c != 1 {
		t.Errorf("remaining after limit=1, 1000, 5000: %d, %d, %d; want one each", a, b, c)
	}
}
