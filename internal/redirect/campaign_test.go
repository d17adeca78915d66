package redirect_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"shortener/ent"
	entcampaign "shortener/ent/campaign"
	"shortener/internal/app"
	"shortener/internal/auth"
	"shortener/internal/redirect"
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

// linkRows counts the link rows the client's queries return, through an ent
// interceptor on every Link query.
type linkRows struct{ n atomic.Int64 }

func (c *linkRows) intercept(client *ent.Client) {
	client.Link.Intercept(ent.InterceptFunc(func(next ent.Querier) ent.Querier {
		return ent.QuerierFunc(func(ctx context.Context, q ent.Query) (ent.Value, error) {
			v, err := next.Query(ctx, q)
			if ls, ok := v.([]*ent.Link); ok {
				c.n.Add(int64(len(ls)))
			}
			return v, err
		})
	}))
}

// A campaign of 5,000 links: its list page shows 50 links a page with
// Previous/Next links that walk every link once in id order (both ways),
// and a rotator visit reads one or two link rows, not the campaign.
func TestCampaignAtScale(t *testing.T) {
	e := newEnv(t, app.Config{})
	pub := e.createCampaign(t, map[string]any{"name": "Big", "slug": "big", "public": true})
	client := e.App.Client
	const n = 5000
	want := fillCampaign(t, e, "big", n)
	item := regexp.MustCompile(`<li><a href="([^"]+)" rel="noopener">`)
	pager := regexp.MustCompile(`<a href="([^"]+)" rel="(prev|next)">`)
	visit := func(path string) (items []string, prev, next string) {
		t.Helper()
		resp, body := e.get(t, path, nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", path, resp.StatusCode)
		}
		if len(body) > 16<<10 {
			t.Fatalf("%s: %d bytes, want a page of at most 16 KiB", path, len(body))
		}
		for _, m := range item.FindAllStringSubmatch(body, -1) {
			items = append(items, m[1])
		}
		for _, m := range pager.FindAllStringSubmatch(body, -1) {
			u := html.UnescapeString(m[1])
			if m[2] == "prev" {
				prev = u
			} else {
				next = u
			}
		}
		if len(items) == 0 || len(items) > redirect.CampaignPageSize {
			t.Fatalf("%s: %d links on a page", path, len(items))
		}
		return items, prev, next
	}
	listPath := strings.TrimPrefix(pub.ListURL, e.URL)
	var forward []string
	path, pages := listPath, 0
	for {
		items, prev, next := visit(path)
		if (pages == 0) != (prev == "") {
			t.Fatalf("page %d (%s): prev %q", pages+1, path, prev)
		}
		forward = append(forward, items...)
		pages++
		if next == "" {
			break
		}
		path = listPath + next
	}
	if !slices.Equal(forward, want) || pages != n/redirect.CampaignPageSize {
		t.Fatalf("walking Next: %d links on %d pages, want the %d links in order on %d", len(forward), pages, n, n/redirect.CampaignPageSize)
	}
	var backward []string
	for {
		items, prev, _ := visit(path)
		backward = append(items, backward...)
		if prev == "" {
			break
		}
		path = listPath + prev
	}
	if !slices.Equal(backward, want) {
		t.Fatalf("walking Previous back: %d links, want the %d in order", len(backward), n)
	}
	if items, _, _ := visit(listPath + "?after=junk"); items[0] != want[0] {
		t.Fatalf("a malformed cursor starts at %s, want the first page", items[0])
	}

	var rows linkRows
	rows.intercept(client)
	for i := range 120 {
		before := rows.n.Load()
		resp, _ := e.get(t, "/r/big", nil)
		if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != want[i] {
			t.Fatalf("visit %d: %d %q, want 302 %q", i+1, resp.StatusCode, resp.Header.Get("Location"), want[i])
		}
		if read := rows.n.Load() - before; read > 2 {
			t.Fatalf("visit %d read %d link rows, want at most 2", i+1, read)
		}
	}
}

// fillCampaign gives the campaign with slug n links (aliases slug0, slug1,
// ...) straight through the store, and returns their short URLs in id order.
func fillCampaign(tb testing.TB, e *env, slug string, n int) []string {
	tb.Helper()
	sys := auth.SystemContext(context.Background())
	client := e.App.Client
	c, err := client.Campaign.Query().Where(entcampaign.SlugEQ(slug)).Only(sys)
	if err != nil {
		tb.Fatal(err)
	}
	var urls []string
	for start := 0; start < n; start += 500 {
		var creates []*ent.LinkCreate
		for i := start; i < min(start+500, n); i++ {
			alias := fmt.Sprintf("%s%d", slug, i)
			urls = append(urls, e.URL+"/"+alias)
			creates = append(creates, client.Link.Create().SetOwnerID(c.OwnerID).SetCampaignID(c.ID).
				SetAlias(alias).SetLongURL("https://example.com/"+alias))
		}
		if err := client.Link.CreateBulk(creates...).Exec(sys); err != nil {
			tb.Fatal(err)
		}
	}
	return urls
}

// BenchmarkRotator visits the rotator of a 5,000-link campaign and its
// middle list page.
func BenchmarkRotator(b *testing.B) {
	e := newEnv(b, app.Config{})
	pub := e.createCampaign(b, map[string]any{"name": "Big", "slug": "big", "public": true})
	fillCampaign(b, e, "big", 5000)
	b.Run("rotator", func(b *testing.B) {
		for b.Loop() {
			if resp, _ := e.get(b, "/r/big", nil); resp.StatusCode != http.StatusFound {
				b.Fatal(resp.Status)
			}
		}
	})
	b.Run("list page", func(b *testing.B) {
		path := strings.TrimPrefix(pub.ListURL, e.URL) + "?after=2500"
		for b.Loop() {
			if resp, _ := e.get(b, path, nil); resp.StatusCode != http.StatusOK {
				b.Fatal(resp.Status)
			}
		}
	})
}
