package rest_test

import (
	"fmt"
	"testing"

	"shortener/internal/app"
	"shortener/internal/app/apptest"
)

// resources of one user, by legacy row id.
type resources struct {
	url, qr, domain, channel, campaign, pixel, bio, splash, overlay int
	alias                                                           string
}

func createAll(t *testing.T, s *apptest.Server, key, name string) resources {
	t.Helper()
	var r resources
	r.alias = name + "link"
	r.pixel = num(t, api(t, s, key, "POST", "/api/pixel/add", `{"type":"gtmpixel","name":"p","tag":"GTM-1"}`, 200), "id")
	r.channel = num(t, api(t, s, key, "POST", "/api/channel/add", `{"name":"c"}`, 200), "id")
	r.campaign = num(t, api(t, s, key, "POST", "/api/campaign/add", fmt.Sprintf(`{"name":"c","slug":"%s-slug"}`, name), 200), "id")
	r.domain = num(t, api(t, s, key, "POST", "/api/domain/add", fmt.Sprintf(`{"domain":"https://%s.example.org"}`, name), 200), "id")
	r.url = num(t, api(t, s, key, "POST", "/api/url/add", fmt.Sprintf(`{"url":"https://example.com/%s","custom":"%s"}`, name, r.alias), 200), "id")
	r.qr = num(t, api(t, s, key, "POST", "/api/qr/add", `{"type":"text","data":"hi"}`, 200), "id")
	var out struct {
		B struct{ RowID int }
		S struct{ RowID int }
		O struct{ RowID int }
	}
	s.MustGraphQL(t, key, fmt.Sprintf(`mutation { b: createBioPage(input:{alias:"%sbio", name:"b"}) { rowId }
		s: createSplashPage(input:{name:"s"}) { rowId } o: createCtaOverlay(input:{type: BUTTON, name:"o"}) { rowId } }`, name), nil, &out)
	r.bio, r.splash, r.overlay = out.B.RowID, out.S.RowID, out.O.RowID
	return r
}

// TestUserBCannotTouchUserAObjects tries every route with user A's ids as
// user B: reads, changes, deletes and assignments answer 404 (ids in the
// path) or 422 (ids in the body), lists do not show A's objects, and A's
// objects are unchanged afterwards.
func TestUserBCannotTouchUserAObjects(t *testing.T) {
	s := apptest.New(t, app.Config{})
	ka, kb := s.Signup(t, "alice"), s.Signup(t, "bob")
	a := createAll(t, s, ka, "alice")
	b := createAll(t, s, kb, "bob")

	for _, p := range []string{
		fmt.Sprintf("/api/url/%d", a.url),
		fmt.Sprintf("/api/qr/%d", a.qr),
		fmt.Sprintf("/api/channel/%d", a.channel),
		"/api/urls?short=" + a.alias,
		"/api/urls?short=" + s.URL + "/" + a.alias,
	} {
		t.Run("read "+p, func(t *testing.T) { api(t, s, kb, "GET", p, nil, 404) })
	}
	updates := []struct {
		res  string
		id   int
		body string
	}{
		{"url", a.url, `{"url":"https://evil.example"}`},
		{"qr", a.qr, `{"data":"evil"}`},
		{"domain", a.domain, `{"redirectroot":"https://evil.example"}`},
		{"channel", a.channel, `{"name":"evil"}`},
		{"campaign", a.campaign, `{"name":"evil"}`},
		{"pixel", a.pixel, `{"name":"evil","tag":"EVIL"}`},
	}
	for _, u := range updates {
		t.Run("update "+u.res, func(t *testing.T) {
			api(t, s, kb, "PUT", fmt.Sprintf("/api/%s/%d/update", u.res, u.id), u.body, 404)
		})
		t.Run("delete "+u.res, func(t *testing.T) {
			api(t, s, kb, "DELETE", fmt.Sprintf("/api/%s/%d/delete", u.res, u.id), nil, 404)
		})
	}
	for _, p := range []string{
		fmt.Sprintf("/api/channel/%d/assign/links/%d", b.channel, a.url), // A's item into B's channel
		fmt.Sprintf("/api/channel/%d/assign/qr/%d", b.channel, a.qr),
		fmt.Sprintf("/api/channel/%d/assign/bio/%d", b.channel, a.bio),
		fmt.Sprintf("/api/channel/%d/assign/links/%d", a.channel, b.url), // B's item into A's channel
		fmt.Sprintf("/api/campaign/%d/assign/%d", b.campaign, a.url),
		fmt.Sprintf("/api/campaign/%d/assign/%d", a.campaign, b.url),
	} {
		t.Run("assign "+p, func(t *testing.T) { api(t, s, kb, "POST", p, nil, 404) })
	}
	for _, body := range []string{
		fmt.Sprintf(`{"url":"https://example.com","pixels":[%d]}`, a.pixel),
		fmt.Sprintf(`{"url":"https://example.com","channel":%d}`, a.channel),
		fmt.Sprintf(`{"url":"https://example.com","campaign":%d}`, a.campaign),
		`{"url":"https://example.com","domain":"https://alice.example.org"}`,
		fmt.Sprintf(`{"url":"https://example.com","type":"%d"}`, a.splash),
		fmt.Sprintf(`{"url":"https://example.com","type":"overlay-%d"}`, a.overlay),
	} {
		t.Run("refer "+body, func(t *testing.T) {
			api(t, s, kb, "POST", "/api/url/add", body, 422)
			api(t, s, kb, "PUT", fmt.Sprintf("/api/url/%d/update", b.url), body, 422)
		})
	}
	// B's lists hold B's objects only.
	for _, l := range []struct{ path, key string }{
		{"/api/urls", "urls"}, {"/api/qr", "qrs"}, {"/api/domains", "domains"}, {"/api/channels", "channels"},
		{"/api/campaigns", "campaigns"}, {"/api/pixels", "pixels"}, {"/api/splash", "splash"}, {"/api/overlay", "cta"},
	} {
		got := api(t, s, kb, "GET", l.path, nil, 200)
		its := items(t, got, l.key)
		if num(t, got, "data.result") != 1 || len(its) != 1 {
			t.Errorf("B's %s lists %d items (result %d), want its own 1", l.path, len(its), num(t, got, "data.result"))
		}
	}
	if num(t, api(t, s, kb, "GET", fmt.Sprintf("/api/channel/%d", b.channel), nil, 200), "data.result") != 0 {
		t.Error("B's channel gained an item")
	}

	// A's objects are as A made them.
	got := api(t, s, ka, "GET", fmt.Sprintf("/api/url/%d", a.url), nil, 200)
	if str(t, got, "details.longurl") != "https://example.com/alice" {
		t.Errorf("A's link changed: %v", got)
	}
	for _, l := range []struct{ path, key, field, want string }{
		{"/api/channels", "channels", "name", "c"},
		{"/api/campaigns", "campaigns", "domain", "c"},
		{"/api/pixels", "pixels", "name", "p"},
		{"/api/domains", "domains", "redirectroot", ""},
		{"/api/qr", "qrs", "name", ""},
	} {
		its := items(t, api(t, s, ka, "GET", l.path, nil, 200), l.key)
		if len(its) != 1 || its[0][l.field] != l.want {
			t.Errorf("A's %s changed: %v", l.path, its)
		}
	}
	if num(t, api(t, s, ka, "GET", fmt.Sprintf("/api/channel/%d", a.channel), nil, 200), "data.result") != 0 {
		t.Error("A's channel gained an item")
	}
	var camp struct {
		Node struct{ Links struct{ TotalCount int } }
	}
	s.MustGraphQL(t, ka, `query($id:ID!){ node(id:$id){ ... on Campaign { links { totalCount } } } }`,
		map[string]any{"id": encode("Campaign", a.campaign)}, &camp)
	if camp.Node.Links.TotalCount != 0 {
		t.Error("A's campaign gained a link")
	}
	if str(t, api(t, s, kb, "GET", "/api/account", nil, 200), "data.username") == str(t, api(t, s, ka, "GET", "/api/account", nil, 200), "data.username") {
		t.Error("B's account answer shows A")
	}
}
