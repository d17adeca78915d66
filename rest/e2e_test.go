package rest_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	entlink "shortener/ent/link"
	"shortener/ent/predicate"
	"shortener/internal/app"
	"shortener/internal/app/apptest"
	"shortener/internal/gid"
)

// api sends a REST request and decodes the JSON answer; it fails the test
// when the status is not want.
func api(t *testing.T, s *apptest.Server, key, method, path string, body any, want int) map[string]any {
	t.Helper()
	resp, raw := s.Do(t, method, path, key, body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d: %s", method, path, resp.StatusCode, want, raw)
	}
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("%s %s: answer is not a JSON object: %s", method, path, raw)
	}
	if want >= 400 {
		if out["error"] != float64(1) || out["message"] == "" {
			t.Fatalf("%s %s: error answer is not the envelope: %s", method, path, raw)
		}
	}
	return out
}

// num reads a JSON number at a dotted path as an int.
func num(t *testing.T, m map[string]any, path string) int {
	t.Helper()
	v, ok := at(m, path).(float64)
	if !ok {
		t.Fatalf("%s is not a number in %v", path, m)
	}
	return int(v)
}

func str(t *testing.T, m map[string]any, path string) string {
	t.Helper()
	v, ok := at(m, path).(string)
	if !ok {
		t.Fatalf("%s is not a string in %v", path, m)
	}
	return v
}

func at(m map[string]any, path string) any {
	var v any = m
	for _, k := range strings.Split(path, ".") {
		obj, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = obj[k]
	}
	return v
}

func items(t *testing.T, m map[string]any, key string) []map[string]any {
	t.Helper()
	raw, ok := at(m, "data."+key).([]any)
	if !ok {
		t.Fatalf("data.%s is not a list in %v", key, m)
	}
	out := make([]map[string]any, len(raw))
	for i, x := range raw {
		out[i] = x.(map[string]any)
	}
	return out
}

func TestLinkCreatedThroughRESTIsReadThroughGraphQL(t *testing.T) {
	s := apptest.New(t, app.Config{})
	key := s.Signup(t, "alice")

	add := api(t, s, key, "POST", "/api/url/add", `{"url":"https://example.com/a","custom":"restmade","status":"public",
		"geotarget":[{"location":"Canada","link":"https://example.ca"}],"parameters":[{"name":"aff","value":"3"},{"device":"utm_source","link":"api"}]}`, 200)
	id := num(t, add, "id")
	var out struct {
		Link struct {
			RowID      int
			Alias      string
			LongURL    string `json:"longUrl"`
			ShortURL   string `json:"shortUrl"`
			Visibility string
			GeoTargets []struct{ Country, URL string }
			Parameters []struct{ Name, Value string }
		}
	}
	s.MustGraphQL(t, key, `query($id:ID!){ link(id:$id){ rowId alias longUrl shortUrl visibility geoTargets{country url} parameters{name value} } }`,
		map[string]any{"id": gid.Encode("Link", id)}, &out)
	l := out.Link
	if l.RowID != id || l.Alias != "restmade" || l.LongURL != "https://example.com/a" || l.ShortURL != str(t, add, "shorturl") {
		t.Errorf("GraphQL sees %+v, REST created %v", l, add)
	}
	if l.Visibility != "PUBLIC" || len(l.GeoTargets) != 1 || l.GeoTargets[0].Country != "Canada" {
		t.Errorf("visibility/geo not carried: %+v", l)
	}
	if len(l.Parameters) != 2 || l.Parameters[1].Name != "utm_source" || l.Parameters[1].Value != "api" {
		t.Errorf("the device/link parameter spelling was not read as name/value: %+v", l.Parameters)
	}
}

func TestLinkCreatedThroughGraphQLIsReadThroughREST(t *testing.T) {
	s := apptest.New(t, app.Config{})
	key := s.Signup(t, "alice")
	var out struct {
		CreateLink struct {
			ID, Alias, ShortURL string
		}
	}
	s.MustGraphQL(t, key, `mutation { createLink(input:{url:"https://example.com/g", custom:"gqlmade", title:"From GraphQL",
		deviceTargets:[{device:"iPhone", url:"https://apple.example"}]}) { id alias shortUrl } }`, nil, &out)
	row, err := gid.DecodeAs("Link", out.CreateLink.ID)
	if err != nil {
		t.Fatal(err)
	}
	got := api(t, s, key, "GET", fmt.Sprintf("/api/url/%d", row), nil, 200)
	if num(t, got, "id") != row || str(t, got, "details.shorturl") != out.CreateLink.ShortURL ||
		str(t, got, "details.longurl") != "https://example.com/g" || str(t, got, "details.title") != "From GraphQL" {
		t.Errorf("REST details %v do not match the GraphQL link %+v", got, out.CreateLink)
	}
	if str(t, got, "details.device.iphone") != "https://apple.example" {
		t.Errorf("device targets keyed by lower-case device: %v", at(got, "details.device"))
	}
	list := api(t, s, key, "GET", "/api/urls", nil, 200)
	if us := items(t, list, "urls"); len(us) != 1 || us[0]["alias"] != "gqlmade" {
		t.Errorf("urls = %v", us)
	}
	short := api(t, s, key, "GET", "/api/urls?short=gqlmade", nil, 200)
	if num(t, short, "id") != row {
		t.Errorf("short=alias found %v", short)
	}
	api(t, s, key, "GET", "/api/urls?short="+out.CreateLink.ShortURL, nil, 200)
	api(t, s, key, "GET", "/api/urls?short=nosuchalias", nil, 404)
}

func TestChannelAssignThenItems(t *testing.T) {
	s := apptest.New(t, app.Config{})
	key := s.Signup(t, "alice")
	ch := num(t, api(t, s, key, "POST", "/api/channel/add", `{"name":"Mine"}`, 200), "id")
	link := num(t, api(t, s, key, "POST", "/api/url/add", `{"url":"https://example.com","custom":"chlink","title":"Example"}`, 200), "id")
	qr := num(t, api(t, s, key, "POST", "/api/qr/add", `{"type":"text","data":"hello","name":"My QR"}`, 200), "id")
	var bio struct{ CreateBioPage struct{ RowID int } }
	s.MustGraphQL(t, key, `mutation { createBioPage(input:{alias:"mybio", name:"My Bio"}) { rowId } }`, nil, &bio)

	for _, p := range []string{
		fmt.Sprintf("/api/channel/%d/assign/links/%d", ch, link),
		fmt.Sprintf("/api/channel/%d/assign/bio/%d", ch, bio.CreateBioPage.RowID),
		fmt.Sprintf("/api/channel/%d/assign/qr/%d", ch, qr),
		fmt.Sprintf("/api/channel/%d/assign/qr/%d", ch, qr), // twice: still one item
	} {
		got := api(t, s, key, "POST", p, nil, 200)
		if got["message"] != "Item successfully added to the channel." {
			t.Errorf("%s: %v", p, got)
		}
	}
	got := api(t, s, key, "GET", fmt.Sprintf("/api/channel/%d", ch), nil, 200)
	if got["error"] != "0" || num(t, got, "data.result") != 3 {
		t.Fatalf("channel items: %v", got)
	}
	its := items(t, got, "items")
	want := []struct {
		typ   string
		id    int
		title string
	}{{"links", link, "Example"}, {"bio", bio.CreateBioPage.RowID, "My Bio"}, {"qr", qr, "My QR"}}
	for i, w := range want {
		it := its[i]
		if it["type"] != w.typ || int(it["id"].(float64)) != w.id || it["title"] != w.title {
			t.Errorf("item %d = %v, want %+v", i, it, w)
		}
		if d, _ := it["date"].(string); len(d) != len("2006-01-02") {
			t.Errorf("item date %q is not YYYY-MM-DD", d)
		}
	}
	if its[0]["link"] != s.URL+"/chlink" || its[0]["preview"] != "https://example.com" {
		t.Errorf("link item: %v", its[0])
	}
	api(t, s, key, "POST", fmt.Sprintf("/api/channel/%d/assign/files/%d", ch, qr), nil, 400)

	// Deleting the channel unassigns, it does not delete the items.
	api(t, s, key, "DELETE", fmt.Sprintf("/api/channel/%d/delete", ch), nil, 200)
	api(t, s, key, "GET", fmt.Sprintf("/api/channel/%d", ch), nil, 404)
	api(t, s, key, "GET", fmt.Sprintf("/api/url/%d", link), nil, 200)
}

func TestCampaignAssign(t *testing.T) {
	s := apptest.New(t, app.Config{})
	key := s.Signup(t, "alice")
	camp := num(t, api(t, s, key, "POST", "/api/campaign/add", `{"name":"Spring","slug":"spring","public":true}`, 200), "id")
	link := num(t, api(t, s, key, "POST", "/api/url/add", `{"url":"https://example.com"}`, 200), "id")
	got := api(t, s, key, "POST", fmt.Sprintf("/api/campaign/%d/assign/%d", camp, link), nil, 200)
	if got["message"] != "Link successfully added to the campaign." {
		t.Errorf("assign: %v", got)
	}
	var out struct {
		Node struct{ Links struct{ TotalCount int } }
	}
	s.MustGraphQL(t, key, `query($id:ID!){ node(id:$id){ ... on Campaign { links { totalCount } } } }`,
		map[string]any{"id": gid.Encode("Campaign", camp)}, &out)
	if out.Node.Links.TotalCount != 1 {
		t.Errorf("campaign has %d links after assign, want 1", out.Node.Links.TotalCount)
	}
	api(t, s, key, "POST", fmt.Sprintf("/api/campaign/%d/assign/%d", camp, link+100), nil, 404)
	api(t, s, key, "POST", fmt.Sprintf("/api/campaign/%d/assign/%d", camp+100, link), nil, 404)

	list := api(t, s, key, "GET", "/api/campaigns", nil, 200)
	c := items(t, list, "campaigns")[0]
	if c["rotator"] != s.URL+"/r/spring" || c["list"] != fmt.Sprintf("%s/u/%s/spring-%d", s.URL, username(t, s, key), camp) {
		t.Errorf("campaign item %v", c)
	}
	upd := api(t, s, key, "PUT", fmt.Sprintf("/api/campaign/%d/update", camp), `{"name":"Spring","slug":""}`, 200)
	if upd["rotator"] != false || !strings.HasSuffix(upd["list"].(string), fmt.Sprintf("/list-%d", camp)) {
		t.Errorf("campaign without slug: %v", upd)
	}
}

func username(t *testing.T, s *apptest.Server, key string) string {
	return str(t, api(t, s, key, "GET", "/api/account", nil, 200), "data.username")
}

func TestDeleteThenNotFound(t *testing.T) {
	s := apptest.New(t, app.Config{})
	key := s.Signup(t, "alice")
	ids := map[string]int{
		"url":      num(t, api(t, s, key, "POST", "/api/url/add", `{"url":"https://example.com"}`, 200), "id"),
		"qr":       num(t, api(t, s, key, "POST", "/api/qr/add", `{"type":"link","data":"https://example.com"}`, 200), "id"),
		"domain":   num(t, api(t, s, key, "POST", "/api/domain/add", `{"domain":"https://go.example.org"}`, 200), "id"),
		"channel":  num(t, api(t, s, key, "POST", "/api/channel/add", `{"name":"c"}`, 200), "id"),
		"campaign": num(t, api(t, s, key, "POST", "/api/campaign/add", `{"name":"c"}`, 200), "id"),
		"pixel":    num(t, api(t, s, key, "POST", "/api/pixel/add", `{"type":"fbpixel","name":"p","tag":"123"}`, 200), "id"),
	}
	for res, id := range ids {
		api(t, s, key, "DELETE", fmt.Sprintf("/api/%s/%d/delete", res, id), nil, 200)
		api(t, s, key, "DELETE", fmt.Sprintf("/api/%s/%d/delete", res, id), nil, 404)
		api(t, s, key, "PUT", fmt.Sprintf("/api/%s/%d/update", res, id), `{"name":"x","url":"https://example.com","data":"x","tag":"x"}`, 404)
	}
	for _, p := range []string{"url", "qr", "channel"} {
		api(t, s, key, "GET", fmt.Sprintf("/api/%s/%d", p, ids[p]), nil, 404)
	}
	for _, p := range []string{"/api/url/0", "/api/url/abc", "/api/url/99999999999999999999", "/api/qr/-1"} {
		api(t, s, key, "GET", p, nil, 404)
	}
}

func TestURLPagination(t *testing.T) {
	s := apptest.New(t, app.Config{})
	key := s.Signup(t, "alice")
	const n = 23
	for i := range n {
		api(t, s, key, "POST", "/api/url/add", fmt.Sprintf(`{"url":"https://example.com/%d"}`, i), 200)
	}
	seen := map[int]bool{}
	last := n + 1
	for page, want := range []int{10, 10, 3} {
		got := api(t, s, key, "GET", fmt.Sprintf("/api/urls?limit=10&page=%d", page+1), nil, 200)
		if got["error"] != "0" {
			t.Errorf(`list error = %#v, want the string "0"`, got["error"])
		}
		us := items(t, got, "urls")
		if len(us) != want {
			t.Fatalf("page %d has %d links, want %d", page+1, len(us), want)
		}
		next := min(page+2, 3)
		if num(t, got, "data.result") != n || num(t, got, "data.perpage") != 10 || num(t, got, "data.currentpage") != page+1 ||
			num(t, got, "data.nextpage") != next || num(t, got, "data.maxpage") != 3 {
			t.Errorf("page %d paging: %v", page+1, got["data"])
		}
		for _, u := range us {
			id := int(u["id"].(float64))
			if seen[id] || id >= last {
				t.Errorf("id %d repeated or out of order (newest first)", id)
			}
			seen[id], last = true, id
		}
	}
	if len(seen) != n {
		t.Errorf("saw %d distinct links over the pages, want %d", len(seen), n)
	}
	beyond := api(t, s, key, "GET", "/api/urls?limit=10&page=9", nil, 200)
	if len(items(t, beyond, "urls")) != 0 || num(t, beyond, "data.nextpage") != 9 {
		t.Errorf("page past the end: %v", beyond)
	}
	def := api(t, s, key, "GET", "/api/urls", nil, 200)
	if len(items(t, def, "urls")) != 15 || num(t, def, "data.perpage") != 15 {
		t.Errorf("default limit is 15: %v", def["data"])
	}
	// A limit above the maximum is clamped, not refused (issue 14):
	// TestLimitAboveMaximumIsClamped.
	for _, q := range []string{"limit=0", "limit=abc", "limit=-5", "page=0", "page=x", "order=name"} {
		for _, route := range []string{"/api/urls", "/api/qr", "/api/domains", "/api/channels", "/api/campaigns", "/api/pixels", "/api/splash", "/api/overlay"} {
			if q == "order=name" && route != "/api/urls" {
				continue
			}
			api(t, s, key, "GET", route+"?"+q, nil, 400)
		}
	}
	api(t, s, key, "GET", "/api/urls?limit=100", nil, 200)
}

func TestURLSearchAndOrder(t *testing.T) {
	s := apptest.New(t, app.Config{})
	key := s.Signup(t, "alice")
	api(t, s, key, "POST", "/api/url/add", `{"url":"https://example.com/one","custom":"alpha"}`, 200)
	api(t, s, key, "POST", "/api/url/add", `{"url":"https://other.org/Needle","custom":"beta"}`, 200)
	api(t, s, key, "POST", "/api/url/add", `{"url":"https://example.com/three","custom":"gamma","title":"The NEEDLE title"}`, 200)
	api(t, s, key, "POST", "/api/url/add", `{"url":"https://example.com/four","custom":"delta","description":"a needle here"}`, 200)
	api(t, s, key, "POST", "/api/url/add", `{"url":"https://example.com/five","custom":"needlealias"}`, 200)

	got := api(t, s, key, "GET", "/api/urls?q=needle", nil, 200)
	var aliases []string
	for _, u := range items(t, got, "urls") {
		aliases = append(aliases, u["alias"].(string))
	}
	if strings.Join(aliases, ",") != "needlealias,delta,gamma,beta" || num(t, got, "data.result") != 4 {
		t.Errorf("q=needle matched %v", aliases)
	}
	// Clicks are counted by the redirect path; set them directly here.
	for alias, clicks := range map[string]int{"beta": 7, "gamma": 2} {
		if _, err := s.App.Client.Link.Update().Where(linkAlias(alias)).SetClicks(clicks).Save(apptest.SystemContext()); err != nil {
			t.Fatal(err)
		}
	}
	byClick := items(t, api(t, s, key, "GET", "/api/urls?order=click&limit=3", nil, 200), "urls")
	if byClick[0]["alias"] != "beta" || byClick[1]["alias"] != "gamma" || byClick[0]["clicks"] != float64(7) {
		t.Errorf("order=click: %v", byClick)
	}
}

func linkAlias(a string) predicate.Link { return entlink.AliasEQ(a) }

// systemCtx is for test setup that plays the server's own part (counting
// clicks), which bypasses ownership.
func encode(typ string, id int) string { return gid.Encode(typ, id) }

func TestLinkOnBrandedDomain(t *testing.T) {
	s := apptest.New(t, app.Config{})
	key := s.Signup(t, "alice")
	dom := num(t, api(t, s, key, "POST", "/api/domain/add", `{"domain":"https://go.example.org"}`, 200), "id")
	add := api(t, s, key, "POST", "/api/url/add", `{"url":"https://example.com","custom":"promo","domain":"https://go.example.org"}`, 200)
	if add["shorturl"] != "https://go.example.org/promo" {
		t.Fatalf("shorturl on a branded domain: %v", add)
	}
	id := num(t, add, "id")
	// The same alias is free on the base host.
	api(t, s, key, "POST", "/api/url/add", `{"url":"https://example.com","custom":"promo"}`, 200)
	got := api(t, s, key, "GET", "/api/urls?short=https://go.example.org/promo", nil, 200)
	if num(t, got, "id") != id {
		t.Errorf("short= on the branded domain found %v", got)
	}
	// A bare host names the domain too; the base URL moves the link home.
	upd := api(t, s, key, "PUT", fmt.Sprintf("/api/url/%d/update", id), `{"custom":"promo2","domain":"go.example.org"}`, 200)
	if upd["short"] != "https://go.example.org/promo2" {
		t.Errorf("update on the domain: %v", upd)
	}
	upd = api(t, s, key, "PUT", fmt.Sprintf("/api/url/%d/update", id), fmt.Sprintf(`{"domain":%q}`, s.URL), 200)
	if upd["short"] != s.URL+"/promo2" {
		t.Errorf("update to the base host: %v", upd)
	}

	// GraphQL createLink with a domain answers its shortUrl.
	var out struct{ CreateLink struct{ ShortURL string } }
	s.MustGraphQL(t, key, `mutation($d:ID!){ createLink(input:{url:"https://example.com", custom:"gql", domainId:$d}) { shortUrl } }`,
		map[string]any{"d": encode("Domain", dom)}, &out)
	if out.CreateLink.ShortURL != "https://go.example.org/gql" {
		t.Errorf("GraphQL shortUrl = %q", out.CreateLink.ShortURL)
	}
	// Deleting the domain deletes its links.
	api(t, s, key, "DELETE", fmt.Sprintf("/api/domain/%d/delete", dom), nil, 200)
	if n := num(t, api(t, s, key, "GET", "/api/urls", nil, 200), "data.result"); n != 2 {
		t.Errorf("%d links after the domain went, want the 2 on the base host", n)
	}
}

func TestLegacyTypeSelectsSplashPageAndOverlay(t *testing.T) {
	s := apptest.New(t, app.Config{})
	key := s.Signup(t, "alice")
	var made struct {
		S struct{ RowID int }
		O struct{ RowID int }
	}
	s.MustGraphQL(t, key, `mutation { s: createSplashPage(input:{name:"Promo"}) { rowId } o: createCtaOverlay(input:{type: MESSAGE, name:"Hi"}) { rowId } }`, nil, &made)
	for _, c := range []struct {
		typ, want string
	}{
		{"frame", "FRAME"},
		{"splash", "SPLASH"},
		{fmt.Sprint(made.S.RowID), "CUSTOM_SPLASH"},
		{fmt.Sprintf("overlay-%d", made.O.RowID), "OVERLAY"},
	} {
		add := api(t, s, key, "POST", "/api/url/add", fmt.Sprintf(`{"url":"https://example.com","type":%q}`, c.typ), 200)
		var out struct {
			Link struct {
				RedirectType string
				SplashPage   *struct{ RowID int }
				CtaOverlay   *struct{ RowID int }
			}
		}
		s.MustGraphQL(t, key, `query($id:ID!){ link(id:$id){ redirectType splashPage{rowId} ctaOverlay{rowId} } }`,
			map[string]any{"id": gid.Encode("Link", num(t, add, "id"))}, &out)
		if out.Link.RedirectType != c.want {
			t.Errorf("type %q: redirectType %s, want %s", c.typ, out.Link.RedirectType, c.want)
		}
		if c.want == "OVERLAY" && (out.Link.CtaOverlay == nil || out.Link.CtaOverlay.RowID != made.O.RowID) {
			t.Errorf("type %q: overlay not linked: %+v", c.typ, out.Link)
		}
		if c.want == "CUSTOM_SPLASH" && (out.Link.SplashPage == nil || out.Link.SplashPage.RowID != made.S.RowID) {
			t.Errorf("type %q: splash page not linked: %+v", c.typ, out.Link)
		}
	}
}
