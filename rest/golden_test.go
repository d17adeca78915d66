package rest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"image"
	"image/png"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"

	"shortener/internal/app"
	"shortener/internal/app/apptest"
	"shortener/internal/qr"
	"shortener/rest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// goldenBase is the base URL of the golden server: the host of the legacy
// documentation, so answers read like the docs.
const goldenBase = "https://1mm.kr"

// golden is one documented route: the request as documented and the
// documented answer, whose keys and JSON types our answer must have.
type golden struct {
	name   string // testdata/<name>.golden.json
	method string
	route  string // the chi pattern it exercises
	path   string
	body   string
	status int
	doc    string // the documented response
	// loose lists paths (as printed by the diff, e.g. "data.socialCount")
	// where the documented sample differs from our answer for a documented
	// reason; see the comment on each case.
	loose []string
}

// TestGolden runs every documented route in order against one user on a
// fresh database (so ids are 1, 2, ...), compares each answer with its
// golden file key by key with JSON types, and checks its shape against the
// documented example.
func TestGolden(t *testing.T) {
	// The documented qr/add body names https://site.com/logo.png; the test
	// machine has no internet, so that one external edge is served locally.
	s := apptest.New(t, app.Config{BaseURL: goldenBase, FetchLogo: offlineLogo})
	// A fixed name (apptest.Signup numbers its users), as in the docs.
	var su struct{ Signup struct{ APIKey string } }
	s.MustGraphQL(t, "", `mutation { signup(input:{email:"sample@domain.com", username:"sampleuser", password:"password123"}) { apiKey } }`, nil, &su)
	key := su.Signup.APIKey
	gql := func(q string) {
		t.Helper()
		s.MustGraphQL(t, key, q, nil, nil)
	}
	call := func(method, path, body string) {
		t.Helper()
		resp, b := s.Do(t, method, path, key, body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("setup %s %s: %d %s", method, path, resp.StatusCode, b)
		}
	}

	steps := []any{
		golden{name: "account_get", method: "GET", route: "/account", path: "/api/account", status: 200, doc: docAccount,
			// avatar: a new account has none (""); expires: null without a plan end date.
			loose: []string{"data.expires"}},
		golden{name: "account_post", method: "POST", route: "/account", path: "/api/account", status: 200, doc: docAccount,
			loose: []string{"data.expires"}},
		golden{name: "account_update", method: "PUT", route: "/account/update", path: "/api/account/update", status: 200,
			body: `{"email": "newemail@google.com", "password": "newpassword"}`, doc: docAccountUpdate},

		golden{name: "pixel_add", method: "POST", route: "/pixel/add", path: "/api/pixel/add", status: 200,
			body: `{"type": "gtmpixel", "name": "My GTM", "tag": "GTM-ABCDE"}`, doc: docPixelAdd},
		func() {
			call("POST", "/api/pixel/add", `{"type": "twitterpixel", "name": "Twitter Pixel", "tag": "1234567"}`)
			call("POST", "/api/pixel/add", `{"type": "fbpixel", "name": "FB", "tag": "99"}`)
			call("POST", "/api/pixel/add", `{"type": "tiktok", "name": "TikTok", "tag": "T1"}`)
		},
		golden{name: "pixels", method: "GET", route: "/pixels", path: "/api/pixels?limit=2&page=1", status: 200, doc: docPixels},
		golden{name: "pixel_update", method: "PUT", route: "/pixel/{id}/update", path: "/api/pixel/1/update", status: 200,
			body: `{"name": "My GTM", "tag": "GTM-ABCDE"}`, doc: docPixelUpdate},

		golden{name: "channel_add", method: "POST", route: "/channel/add", path: "/api/channel/add", status: 200,
			body: `{"name": "New Channel", "description": "my new channel", "color": "#000000", "starred": true}`, doc: docChannelAdd},
		func() {
			call("POST", "/api/channel/add", `{"name": "Channel 2", "description": "Description of channel 2", "color": "#FF0000", "starred": false}`)
		},
		golden{name: "campaign_add", method: "POST", route: "/campaign/add", path: "/api/campaign/add", status: 200,
			body: `{"name": "New Campaign", "slug": "new-campaign", "public": true}`, doc: docCampaignAdd},
		func() { call("POST", "/api/campaign/add", `{"name": "Sample Campaign"}`) },

		golden{name: "domain_add", method: "POST", route: "/domain/add", path: "/api/domain/add", status: 200,
			body: `{"domain": "https:\/\/domain1.com", "redirectroot": "https:\/\/rootdomain.com", "redirect404": "https:\/\/rootdomain.com\/404"}`,
			doc:  docDomainAdd},
		func() {
			call("POST", "/api/domain/add", `{"domain": "https://domain2.com", "redirectroot": "https://rootdomain2.com", "redirect404": "https://rootdomain2.com/404"}`)
		},
		golden{name: "domains", method: "GET", route: "/domains", path: "/api/domains?limit=2&page=1", status: 200, doc: docDomains},
		golden{name: "domain_update", method: "PUT", route: "/domain/{id}/update", path: "/api/domain/1/update", status: 200,
			body: `{"redirectroot": "https:\/\/rootdomain-new.com", "redirect404": "https:\/\/rootdomain-new.com\/404"}`, doc: docDomainUpdate},

		golden{name: "url_add", method: "POST", route: "/url/add", path: "/api/url/add", status: 200, body: docURLAddRequest, doc: docURLAdd,
			// short: the older generations' name of shorturl (issue 14,
			// legacy-generations.md); the newest docs show only shorturl.
			loose: []string{"short"}},
		golden{name: "url_update", method: "PUT", route: "/url/{id}/update", path: "/api/url/1/update", status: 200, body: docURLUpdateRequest, doc: docURLUpdate},
		func() {
			call("POST", "/api/url/add", `{"url": "https://google.ca", "custom": "googlecanada", "title": "Google Canada"}`)
		},
		golden{name: "url_get", method: "GET", route: "/url/{id}", path: "/api/url/1", status: 200, doc: docURLGet,
			// socialCount: the two legacy samples disagree on its keys
			// (google vs instagram); we always send facebook, twitter,
			// instagram, google and linkedin. expiry: the sample link has
			// none, ours has the documented expiry.
			loose: []string{"data.socialCount", "details.expiry"}},
		golden{name: "urls", method: "GET", route: "/urls", path: "/api/urls?limit=2&page=1&order=date", status: 200, doc: docURLs},
		golden{name: "urls_short", method: "GET", route: "/urls", path: "/api/urls?short=https://1mm.kr/google", status: 200, doc: docURLGet,
			loose: []string{"data.socialCount", "details.expiry"}},

		golden{name: "qr_add", method: "POST", route: "/qr/add", path: "/api/qr/add", status: 200,
			body: `{"type": "link", "data": "https:\/\/google.com", "background": "rgb(255,255,255)", "foreground": "rgb(0,0,0)", "logo": "https:\/\/site.com\/logo.png", "name": "QR Code API"}`,
			doc:  docQRAdd},
		func() { call("POST", "/api/qr/add", `{"type": "text", "data": "Hello", "name": "Google Canada"}`) },
		golden{name: "qrs", method: "GET", route: "/qr", path: "/api/qr?limit=2&page=1", status: 200, doc: docQRs},
		golden{name: "qr_get", method: "GET", route: "/qr/{id}", path: "/api/qr/1", status: 200, doc: docQRGet,
			// top*: a QR code without scans shows 0, as url/:id does; the
			// sample has one scan. socialCount: see url_get.
			loose: []string{"data.topCountries", "data.topReferrers", "data.topBrowsers", "data.topOs", "data.socialCount"}},
		golden{name: "qr_update", method: "PUT", route: "/qr/{id}/update", path: "/api/qr/1/update", status: 200,
			body: `{"type": "link", "data": "https:\/\/google.com", "background": "rgb(255,255,255)", "foreground": "rgb(0,0,0)", "logo": "https:\/\/site.com\/logo.png"}`,
			doc:  docQRUpdate},

		func() { gql(`mutation { createBioPage(input:{alias:"mybio", name:"My Sample Bio"}) { id } }`) },
		golden{name: "channel_assign", method: "POST", route: "/channel/{channelid}/assign/{type}/{itemid}", path: "/api/channel/1/assign/links/1", status: 200, doc: docChannelAssign},
		func() { call("POST", "/api/channel/1/assign/bio/1", "") },
		golden{name: "channel_items", method: "GET", route: "/channel/{id}", path: "/api/channel/1?limit=1&page=1", status: 200, doc: docChannelItems},
		golden{name: "channels", method: "GET", route: "/channels", path: "/api/channels?limit=2&page=1", status: 200, doc: docChannels},
		golden{name: "channel_update", method: "PUT", route: "/channel/{id}/update", path: "/api/channel/1/update", status: 200,
			body: `{"name": "Acme Corp", "description": "channel for items for Acme Corp", "color": "#FFFFFF", "starred": false}`, doc: docChannelUpdate},

		golden{name: "campaign_assign", method: "POST", route: "/campaign/{campaignid}/assign/{linkid}", path: "/api/campaign/1/assign/2", status: 200, doc: docCampaignAssign},
		golden{name: "campaigns", method: "GET", route: "/campaigns", path: "/api/campaigns?limit=2&page=1", status: 200, doc: docCampaigns,
			// The sample names the campaign "name" in one item and "domain"
			// in the other; we send both. rotator is a URL, or false without
			// a slug (the golden file holds one of each).
			loose: []string{"data.campaigns[].name", "data.campaigns[].domain", "data.campaigns[].rotator"}},
		golden{name: "campaign_update", method: "PUT", route: "/campaign/{id}/update", path: "/api/campaign/1/update", status: 200,
			body: `{"name": "Twitter Campaign", "slug": "twitter-campaign", "public": true}`, doc: docCampaignUpdate},

		func() {
			gql(`mutation { a: createSplashPage(input:{name:"Product 1 Promo"}) { id } b: createSplashPage(input:{name:"Product 2 Promo"}) { id } }`)
			gql(`mutation { a: createCtaOverlay(input:{type: MESSAGE, name:"Product 1 Promo"}) { id } b: createCtaOverlay(input:{type: CONTACT, name:"Contact Page"}) { id } }`)
		},
		golden{name: "splash", method: "GET", route: "/splash", path: "/api/splash?limit=2&page=1", status: 200, doc: docSplash},
		golden{name: "overlay", method: "GET", route: "/overlay", path: "/api/overlay?limit=2&page=1", status: 200, doc: docOverlay},

		golden{name: "url_delete", method: "DELETE", route: "/url/{id}/delete", path: "/api/url/1/delete", status: 200, doc: docURLDelete},
		golden{name: "qr_delete", method: "DELETE", route: "/qr/{id}/delete", path: "/api/qr/1/delete", status: 200, doc: docQRDelete},
		golden{name: "domain_delete", method: "DELETE", route: "/domain/{id}/delete", path: "/api/domain/1/delete", status: 200, doc: docDomainDelete},
		golden{name: "channel_delete", method: "DELETE", route: "/channel/{id}/delete", path: "/api/channel/1/delete", status: 200, doc: docChannelDelete},
		golden{name: "campaign_delete", method: "DELETE", route: "/campaign/{id}/delete", path: "/api/campaign/1/delete", status: 200, doc: docCampaignDelete},
		golden{name: "pixel_delete", method: "DELETE", route: "/pixel/{id}/delete", path: "/api/pixel/1/delete", status: 200, doc: docPixelDelete},
	}

	covered := map[string]bool{}
	for _, st := range steps {
		switch st := st.(type) {
		case func():
			st()
		case golden:
			covered[st.method+" "+st.route] = true
			t.Run(st.name, func(t *testing.T) { runGolden(t, s, key, st) })
		}
	}
	// Every registered route has a golden case, but the routes the legacy
	// API never had (no documented answer to compare with), each tested
	// where named.
	notLegacy := map[string]string{
		"GET /export/links.csv":  "export_test.go", // CSV, issue 16
		"GET /export/clicks.csv": "export_test.go",
	}
	h := &rest.Handler{}
	err := chi.Walk(h.Routes(), func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		if !covered[method+" "+route] && notLegacy[method+" "+route] == "" {
			t.Errorf("route %s %s has no golden case", method, route)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func runGolden(t *testing.T, s *apptest.Server, key string, g golden) {
	var body any
	if g.body != "" {
		body = g.body
	}
	resp, raw := s.Do(t, g.method, g.path, key, body)
	if resp.StatusCode != g.status {
		t.Fatalf("%s %s: status %d, want %d: %s", g.method, g.path, resp.StatusCode, g.status, raw)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q", ct)
	}
	var got any
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatalf("answer is not JSON: %v: %s", err, raw)
	}
	got = normalise("", got)

	file := filepath.Join("testdata", g.name+".golden.json")
	if *update {
		b, _ := json.MarshalIndent(map[string]any{"request": g.method + " " + g.path, "status": g.status, "response": got}, "", "  ")
		if err := os.WriteFile(file, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("read golden (run go test ./rest -update): %v", err)
	}
	var want struct {
		Request  string `json:"request"`
		Status   int    `json:"status"`
		Response any    `json:"response"`
	}
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatalf("golden %s: %v", file, err)
	}
	if want.Status != g.status {
		t.Errorf("golden status %d, case says %d", want.Status, g.status)
	}
	for _, d := range diff("", got, want.Response) {
		t.Errorf("answer differs from %s: %s", file, d)
	}

	var doc any
	dec := json.NewDecoder(bytes.NewReader([]byte(g.doc)))
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("documented example: %v", err)
	}
	for _, d := range shapeDiff("", got, doc, g.loose) {
		t.Errorf("answer does not have the documented shape: %s", d)
	}
}

var (
	dateRE   = regexp.MustCompile(`^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$`)
	dayRE    = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	qrRE     = regexp.MustCompile(`/qr/[A-Za-z0-9]+$`)
	volatile = map[string]bool{"date": true, "registered": true}
)

// normalise replaces values that change from run to run: creation dates and
// the random aliases of QR codes. Dates given by the request (expiry) stay.
func normalise(key string, v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			v[k] = normalise(k, x)
		}
	case []any:
		for i, x := range v {
			v[i] = normalise(key, x)
		}
	case string:
		switch {
		case volatile[key] && dateRE.MatchString(v):
			return "YYYY-MM-DD HH:MM:SS"
		case volatile[key] && dayRE.MatchString(v):
			return "YYYY-MM-DD"
		case qrRE.MatchString(v):
			return qrRE.ReplaceAllString(v, "/qr/ALIAS")
		}
	}
	return v
}

// diff compares two decoded JSON values exactly, JSON types included ("0"
// is not 0), and names the path of each difference.
func diff(path string, got, want any) []string {
	if jsonType(got) != jsonType(want) {
		return []string{fmt.Sprintf("%s: got %s %v, want %s %v", orRoot(path), jsonType(got), got, jsonType(want), want)}
	}
	var out []string
	switch w := want.(type) {
	case map[string]any:
		g := got.(map[string]any)
		for _, k := range keys(w, g) {
			gv, gok := g[k]
			wv, wok := w[k]
			switch {
			case !gok:
				out = append(out, fmt.Sprintf("%s: missing", join(path, k)))
			case !wok:
				out = append(out, fmt.Sprintf("%s: unexpected key", join(path, k)))
			default:
				out = append(out, diff(join(path, k), gv, wv)...)
			}
		}
	case []any:
		g := got.([]any)
		if len(g) != len(w) {
			return []string{fmt.Sprintf("%s: %d items, want %d", orRoot(path), len(g), len(w))}
		}
		for i := range w {
			out = append(out, diff(fmt.Sprintf("%s[%d]", path, i), g[i], w[i])...)
		}
	default:
		if got != want {
			out = append(out, fmt.Sprintf("%s: got %v, want %v", orRoot(path), got, want))
		}
	}
	return out
}

// shapeDiff checks that got has the keys and JSON types of the documented
// example (values may differ). Array items are all compared with the first
// documented item. Paths in loose are not checked.
func shapeDiff(path string, got, doc any, loose []string) []string {
	for _, l := range loose {
		if path == l {
			return nil
		}
	}
	if jsonType(got) != jsonType(doc) {
		return []string{fmt.Sprintf("%s: %s, documented %s", orRoot(path), jsonType(got), jsonType(doc))}
	}
	var out []string
	switch d := doc.(type) {
	case map[string]any:
		g := got.(map[string]any)
		for _, k := range keys(d, g) {
			p := join(path, k)
			if contains(loose, p) {
				continue
			}
			gv, gok := g[k]
			dv, dok := d[k]
			switch {
			case !gok:
				out = append(out, p+": missing")
			case !dok:
				out = append(out, p+": not documented")
			default:
				out = append(out, shapeDiff(p, gv, dv, loose)...)
			}
		}
	case []any:
		g := got.([]any)
		if len(d) == 0 {
			return nil
		}
		for _, gi := range g {
			out = append(out, shapeDiff(path+"[]", gi, d[0], loose)...)
		}
	}
	return out
}

func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case float64:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

func keys(a, b map[string]any) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range []map[string]any{a, b} {
		for k := range m {
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	sort.Strings(out)
	return out
}

func join(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}

func orRoot(path string) string {
	if path == "" {
		return "(root)"
	}
	return path
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// offlineLogo stands in for the logo download: a small generated PNG,
// still checked by the real CheckLogo.
func offlineLogo(ctx context.Context, url string) ([]byte, error) {
	img := image.NewRGBA(image.Rect(0, 0, 32, 32))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, err
	}
	return qr.CheckLogo(buf.Bytes())
}
