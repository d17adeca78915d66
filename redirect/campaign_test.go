package redirect_test

import (
	"net/http"
	"strings"
	"testing"

	"shortener/app"
)

type campaign struct {
	ID         string
	RotatorURL string
	ListURL    string
}

func (e *env) createCampaign(tb testing.TB, input map[string]any) campaign {
	tb.Helper()
	var out struct{ CreateCampaign campaign }
	e.MustGraphQL(tb, e.key, `mutation($in: CreateCampaignInput!){ createCampaign(input: $in) { id rotatorUrl listUrl } }`,
		map[string]any{"in": input}, &out)
	return out.CreateCampaign
}

func TestRotatorGoesRoundRobin(t *testing.T) {
	e := newEnv(t, app.Config{})
	c := e.createCampaign(t, map[string]any{"name": "Spring", "slug": "spring"})
	if c.RotatorURL != e.URL+"/r/spring" {
		t.Fatalf("rotatorUrl = %q", c.RotatorURL)
	}
	dom := e.create(t, "createDomain", "CreateDomainInput", map[string]any{"domain": "https://go.example.com"})
	for _, alias := range []string{"one", "two"} {
		e.createLink(t, map[string]any{"url": "https://example.com/" + alias, "custom": alias, "campaignId": c.ID})
	}
	e.createLink(t, map[string]any{"url": "https://example.com/three", "custom": "three", "campaignId": c.ID, "domainId": dom})
	e.createLink(t, map[string]any{"url": "https://example.com/other", "custom": "other"})
	want := []string{e.URL + "/one", e.URL + "/two", "https://go.example.com/three", e.URL + "/one", e.URL + "/two"}
	for i, w := range want {
		resp, _ := e.get(t, "/r/spring", nil)
		if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != w {
			t.Fatalf("visit %d: %d %q, want 302 %q", i+1, resp.StatusCode, resp.Header.Get("Location"), w)
		}
	}
	e.createCampaign(t, map[string]any{"name": "Empty", "slug": "empty"})
	for _, path := range []string{"/r/empty", "/r/nosuch"} {
		if resp, _ := e.get(t, path, nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", path, resp.StatusCode)
		}
	}
}

func TestCampaignListPage(t *testing.T) {
	e := newEnv(t, app.Config{})
	pub := e.createCampaign(t, map[string]any{"name": hostileTitle, "slug": "launch", "public": true})
	priv := e.createCampaign(t, map[string]any{"name": "Secret plans", "slug": "secret"})
	noSlug := e.createCampaign(t, map[string]any{"name": "No slug", "public": true})
	e.createLink(t, map[string]any{"url": "https://example.com/a", "custom": "la", "title": "First link", "campaignId": pub.ID})
	e.createLink(t, map[string]any{"url": "https://example.com/b", "custom": "lb", "campaignId": pub.ID})
	e.createLink(t, map[string]any{"url": "https://example.com/c", "custom": "lc", "title": "Hidden", "campaignId": priv.ID})

	path := strings.TrimPrefix(pub.ListURL, e.URL)
	resp, body := e.get(t, path, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: status %d", path, resp.StatusCode)
	}
	checkEscaped(t, body, `href="`+e.URL+`/la" rel="noopener">First link</a>`, `href="`+e.URL+`/lb" rel="noopener">`+e.URL+`/lb</a>`,
		`&#34;&gt;&lt;script&gt;`)
	if strings.Contains(body, "Hidden") {
		t.Fatal("the list shows another campaign's link")
	}
	if resp, _ := e.get(t, strings.TrimPrefix(noSlug.ListURL, e.URL), nil); resp.StatusCode != http.StatusOK || !strings.HasSuffix(noSlug.ListURL, "/list-"+lastID(noSlug.ListURL)) {
		t.Fatalf("campaign without slug at %s: %d", noSlug.ListURL, resp.StatusCode)
	}

	notFound := []string{
		strings.TrimPrefix(priv.ListURL, e.URL),              // not public
		strings.Replace(path, "/launch-", "/other-", 1),      // wrong slug
		"/u/nobody/" + path[strings.LastIndex(path, "/")+1:], // wrong user
		path + "x", // not an id
	}
	for _, p := range notFound {
		if resp, _ := e.get(t, p, nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", p, resp.StatusCode)
		}
	}
}

func lastID(u string) string { return u[strings.LastIndex(u, "-")+1:] }
