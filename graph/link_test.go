package graph_test

import (
	"sort"
	"testing"
	"time"

	"shortener/ent/link"
	"shortener/internal/auth"
	"shortener/internal/gid"
)

// linkFields selects every field of a link.
const linkFields = `id rowId alias shortUrl longUrl title description metaTitle metaDescription metaImageUrl
	expiresAt redirectType visibility hasPassword clicks uniqueClicks
	geoTargets { country url } deviceTargets { device url } languageTargets { language url }
	parameters { name value } deepLink { apple google auto }
	domain { id host } splashPage { id name } ctaOverlay { id name } campaign { id name }
	pixels { id name } channels { id name } createdAt updatedAt`

type idOnly struct{ ID string }

type linkView struct {
	ID, Alias, ShortURL, LongURL, Title, Description, MetaTitle, MetaDescription, MetaImageURL string
	RowID                                                                                      int
	ExpiresAt                                                                                  *time.Time
	RedirectType, Visibility                                                                   string
	HasPassword                                                                                bool
	Clicks, UniqueClicks                                                                       int
	GeoTargets                                                                                 []struct{ Country, URL string }
	DeviceTargets                                                                              []struct{ Device, URL string }
	LanguageTargets                                                                            []struct{ Language, URL string }
	Parameters                                                                                 []struct{ Name, Value string }
	DeepLink                                                                                   *struct {
		Apple, Google string
		Auto          bool
	}
	Domain     *struct{ ID, Host string }
	SplashPage *struct{ ID, Name string }
	CtaOverlay *struct{ ID, Name string }
	Campaign   *struct{ ID, Name string }
	Pixels     []struct{ ID, Name string }
	Channels   []struct{ ID, Name string }
}

// normal returns v with its unordered lists (pixels, channels) sorted, for
// comparison: the database may return edges in any order.
func (v linkView) normal() string {
	sort.Slice(v.Pixels, func(i, j int) bool { return v.Pixels[i].ID < v.Pixels[j].ID })
	sort.Slice(v.Channels, func(i, j int) bool { return v.Channels[i].ID < v.Channels[j].ID })
	return jsonString(v)
}

func pixelIDs(v linkView) map[string]bool {
	m := map[string]bool{}
	for _, p := range v.Pixels {
		m[p.ID] = true
	}
	return m
}

func TestLinkCRUD(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	alice := signup(t, s, "alice")
	r := makeRefs(t, s, alice.Key, "crud")

	expires := time.Date(2031, 5, 6, 7, 8, 9, 0, time.UTC)
	in := map[string]any{
		"url": "https://example.com/landing?x=1", "custom": "full-link", "domainId": r.Domain,
		"password": "secret-pw", "expiresAt": expires.Format(time.RFC3339), "visibility": "PUBLIC",
		"title": "A title", "description": "A note", "metaTitle": "Meta", "metaDescription": "Meta desc",
		"metaImageUrl":    "https://example.com/img.png",
		"geoTargets":      []map[string]any{{"country": "Canada", "url": "https://example.ca"}},
		"deviceTargets":   []map[string]any{{"device": "iPhone", "url": "https://example.com/ios"}},
		"languageTargets": []map[string]any{{"language": "FR", "url": "https://example.fr"}},
		"parameters":      []map[string]any{{"name": "utm_source", "value": "news"}},
		"deepLink":        map[string]any{"apple": "https://apps.apple.com/app/id1", "google": "https://play.google.com/store/apps/details?id=x", "auto": true},
		"pixelIds":        []string{r.Pixel, r.Pixel2},
		"channelId":       r.Channel, "campaignId": r.Campaign, "splashPageId": r.Splash,
	}
	created := gql[struct{ CreateLink linkView }](t, s, alice.Key, `mutation($in: CreateLinkInput!) { createLink(input:$in) { `+linkFields+` } }`,
		map[string]any{"in": in}).CreateLink

	t.Run("create stores every field", func(t *testing.T) {
		c := created
		if row, err := gid.DecodeAs("Link", c.ID); err != nil || row != c.RowID {
			t.Errorf("id %q decodes to %d (%v), rowId %d", c.ID, row, err, c.RowID)
		}
		if c.Alias != "full-link" || c.ShortURL != r.DomainURL+"/full-link" || c.LongURL != in["url"] {
			t.Errorf("alias/shortUrl/longUrl = %q %q %q", c.Alias, c.ShortURL, c.LongURL)
		}
		if c.Title != "A title" || c.Description != "A note" || c.MetaTitle != "Meta" || c.MetaDescription != "Meta desc" || c.MetaImageURL != "https://example.com/img.png" {
			t.Errorf("texts = %+v", c)
		}
		if c.ExpiresAt == nil || !c.ExpiresAt.Equal(expires) {
			t.Errorf("expiresAt = %v", c.ExpiresAt)
		}
		if c.RedirectType != "CUSTOM_SPLASH" || c.SplashPage == nil || c.SplashPage.ID != r.Splash {
			t.Errorf("a splash page id makes the type CUSTOM_SPLASH: %q %+v", c.RedirectType, c.SplashPage)
		}
		if c.Visibility != "PUBLIC" || !c.HasPassword || c.Clicks != 0 || c.UniqueClicks != 0 {
			t.Errorf("visibility/password/clicks = %q %v %d %d", c.Visibility, c.HasPassword, c.Clicks, c.UniqueClicks)
		}
		if len(c.GeoTargets) != 1 || c.GeoTargets[0].Country != "Canada" || c.GeoTargets[0].URL != "https://example.ca" {
			t.Errorf("geoTargets = %+v", c.GeoTargets)
		}
		if len(c.DeviceTargets) != 1 || c.DeviceTargets[0].Device != "iPhone" {
			t.Errorf("deviceTargets = %+v", c.DeviceTargets)
		}
		if len(c.LanguageTargets) != 1 || c.LanguageTargets[0].Language != "fr" {
			t.Errorf("languageTargets = %+v (codes are lower-cased)", c.LanguageTargets)
		}
		if len(c.Parameters) != 1 || c.Parameters[0].Name != "utm_source" || c.Parameters[0].Value != "news" {
			t.Errorf("parameters = %+v", c.Parameters)
		}
		if c.DeepLink == nil || !c.DeepLink.Auto || c.DeepLink.Apple != "https://apps.apple.com/app/id1" {
			t.Errorf("deepLink = %+v", c.DeepLink)
		}
		if c.Domain == nil || c.Domain.ID != r.Domain || c.Domain.Host != "crud.example.net" {
			t.Errorf("domain = %+v", c.Domain)
		}
		if c.Campaign == nil || c.Campaign.ID != r.Campaign {
			t.Errorf("campaign = %+v", c.Campaign)
		}
		if p := pixelIDs(c); len(p) != 2 || !p[r.Pixel] || !p[r.Pixel2] {
			t.Errorf("pixels = %+v", c.Pixels)
		}
		if len(c.Channels) != 1 || c.Channels[0].ID != r.Channel {
			t.Errorf("channels = %+v", c.Channels)
		}
		// The password is stored hashed.
		client, ctx := sysClient(s)
		l, err := client.Link.Get(ctx, c.RowID)
		if err != nil {
			t.Fatal(err)
		}
		if l.PasswordHash == "secret-pw" || !auth.CheckPassword(l.PasswordHash, "secret-pw") {
			t.Error("link password is not stored as a hash of the password")
		}
	})

	t.Run("read by node, link(id), link(shortUrl) and list", func(t *testing.T) {
		byNode := gql[struct{ Node linkView }](t, s, alice.Key, `query($id: ID!) { node(id:$id) { ... on Link { `+linkFields+` } } }`, map[string]any{"id": created.ID}).Node
		byID := gql[struct{ Link linkView }](t, s, alice.Key, `query($id: ID!) { link(id:$id) { `+linkFields+` } }`, map[string]any{"id": created.ID}).Link
		byShort := gql[struct{ Link linkView }](t, s, alice.Key, `query($u: String!) { link(shortUrl:$u) { `+linkFields+` } }`, map[string]any{"u": created.ShortURL}).Link
		for name, got := range map[string]linkView{"node": byNode, "link(id)": byID, "link(shortUrl)": byShort} {
			if got.normal() != created.normal() {
				t.Errorf("%s = %s\nwant %s", name, got.normal(), created.normal())
			}
		}
		nodes := gql[struct{ Nodes []*struct{ ID string } }](t, s, alice.Key, `query($ids: [ID!]!) { nodes(ids:$ids) { id } }`,
			map[string]any{"ids": []string{created.ID, r.Link}}).Nodes
		if len(nodes) != 2 || nodes[0] == nil || nodes[0].ID != created.ID || nodes[1] == nil || nodes[1].ID != r.Link {
			t.Errorf("nodes = %s", jsonString(nodes))
		}
		list := gql[struct {
			Links struct {
				TotalCount int
				Edges      []struct{ Node linkView }
			}
		}](t, s, alice.Key, `{ links(first: 10) { totalCount edges { node { `+linkFields+` } } } }`, nil).Links
		if list.TotalCount != 2 || len(list.Edges) != 2 {
			t.Fatalf("links = %s", jsonString(list))
		}
		if list.Edges[0].Node.normal() != created.normal() {
			t.Errorf("newest link first: %s", jsonString(list.Edges[0].Node))
		}
		// An alias on the base host is found by alias alone.
		base := gql[struct{ CreateLink struct{ ID, ShortURL string } }](t, s, alice.Key, `mutation { createLink(input:{url:"https://example.org", custom:"on-base"}) { id shortUrl } }`, nil).CreateLink
		for _, q := range []string{"on-base", base.ShortURL} {
			got := gql[struct{ Link *idOnly }](t, s, alice.Key, `query($u: String!) { link(shortUrl:$u) { id } }`, map[string]any{"u": q}).Link
			if got == nil || got.ID != base.ID {
				t.Errorf("link(shortUrl:%q) = %+v, want %s", q, got, base.ID)
			}
		}
		if got := gql[struct{ Link *idOnly }](t, s, alice.Key, `{ link(shortUrl:"no-such-alias") { id } }`, nil).Link; got != nil {
			t.Errorf("unknown alias found %+v", got)
		}
		gql[map[string]any](t, s, alice.Key, `mutation($id: ID!) { deleteLink(id:$id) { deletedId } }`, map[string]any{"id": base.ID})
	})

	t.Run("update changes only what is given", func(t *testing.T) {
		upd := map[string]any{
			"url": "https://example.com/new", "custom": "renamed", "clearDomain": true, "clearCampaign": true,
			"clearPassword": true, "clearExpiresAt": true, "redirectType": "OVERLAY", "ctaOverlayId": r.Overlay,
			"geoTargets": []map[string]any{}, "parameters": []map[string]any{{"name": "a", "value": "1"}, {"name": "b", "value": "2"}},
			"pixelIds": []string{r.Pixel2}, "deepLink": map[string]any{"google": "https://play.google.com/x"},
		}
		got := gql[struct{ UpdateLink linkView }](t, s, alice.Key, `mutation($id: ID!, $in: UpdateLinkInput!) { updateLink(id:$id, input:$in) { `+linkFields+` } }`,
			map[string]any{"id": created.ID, "in": upd}).UpdateLink
		if got.ID != created.ID || got.Alias != "renamed" || got.LongURL != "https://example.com/new" || got.ShortURL != s.URL+"/renamed" {
			t.Errorf("id/alias/url = %q %q %q %q", got.ID, got.Alias, got.LongURL, got.ShortURL)
		}
		if got.Domain != nil || got.Campaign != nil || got.HasPassword || got.ExpiresAt != nil {
			t.Errorf("clears did not clear: domain %+v campaign %+v password %v expires %v", got.Domain, got.Campaign, got.HasPassword, got.ExpiresAt)
		}
		if got.RedirectType != "OVERLAY" || got.CtaOverlay == nil || got.CtaOverlay.ID != r.Overlay {
			t.Errorf("overlay = %q %+v", got.RedirectType, got.CtaOverlay)
		}
		if len(got.GeoTargets) != 0 || len(got.Parameters) != 2 || len(got.DeviceTargets) != 1 || len(got.LanguageTargets) != 1 {
			t.Errorf("lists: geo %+v params %+v device %+v lang %+v", got.GeoTargets, got.Parameters, got.DeviceTargets, got.LanguageTargets)
		}
		if p := pixelIDs(got); len(p) != 1 || !p[r.Pixel2] {
			t.Errorf("pixels replaced: %+v", got.Pixels)
		}
		if got.DeepLink == nil || got.DeepLink.Google != "https://play.google.com/x" || got.DeepLink.Apple != "" || got.DeepLink.Auto {
			t.Errorf("deepLink = %+v", got.DeepLink)
		}
		if got.Title != "A title" || got.Visibility != "PUBLIC" || got.MetaTitle != "Meta" {
			t.Errorf("untouched fields changed: %q %q %q", got.Title, got.Visibility, got.MetaTitle)
		}
		// Back to a plain redirect, on the domain again, with a new password.
		got = gql[struct{ UpdateLink linkView }](t, s, alice.Key, `mutation($id: ID!, $d: ID!) { updateLink(id:$id, input:{redirectType:DIRECT, domainId:$d, password:"pw-two-2", title:"T2"}) { `+linkFields+` } }`,
			map[string]any{"id": created.ID, "d": r.Domain}).UpdateLink
		if got.RedirectType != "DIRECT" || got.Domain == nil || !got.HasPassword || got.Title != "T2" || got.ShortURL != r.DomainURL+"/renamed" {
			t.Errorf("second update = %s", jsonString(got))
		}
		// Every redirect type round-trips.
		for _, typ := range []link.RedirectType{link.RedirectTypeFRAME, link.RedirectTypeSPLASH, link.RedirectTypeDIRECT} {
			got := gql[struct{ UpdateLink struct{ RedirectType string } }](t, s, alice.Key, `mutation($id: ID!, $t: LinkRedirectType!) { updateLink(id:$id, input:{redirectType:$t}) { redirectType } }`,
				map[string]any{"id": created.ID, "t": typ}).UpdateLink
			if got.RedirectType != string(typ) {
				t.Errorf("redirectType = %q, want %q", got.RedirectType, typ)
			}
		}
	})

	t.Run("delete removes it everywhere", func(t *testing.T) {
		del := gql[struct{ DeleteLink struct{ DeletedID string } }](t, s, alice.Key, `mutation($id: ID!) { deleteLink(id:$id) { deletedId } }`, map[string]any{"id": created.ID})
		if del.DeleteLink.DeletedID != created.ID {
			t.Errorf("deletedId = %q", del.DeleteLink.DeletedID)
		}
		wantNoNode(t, s, alice.Key, created.ID)
		if n := gql[struct{ Link *idOnly }](t, s, alice.Key, `query($id: ID!) { link(id:$id) { id } }`, map[string]any{"id": created.ID}).Link; n != nil {
			t.Errorf("link after delete = %+v", n)
		}
		list := gql[struct{ Links struct{ TotalCount int } }](t, s, alice.Key, `{ links { totalCount } }`, nil)
		if list.Links.TotalCount != 1 {
			t.Errorf("totalCount after delete = %d, want 1", list.Links.TotalCount)
		}
		// Its channel membership went with it; the fixture link's stays.
		ch := gql[struct {
			Node struct {
				Items struct {
					TotalCount int
					Edges      []struct{ Node struct{ Link *idOnly } }
				}
			}
		}](t, s, alice.Key, `query($id: ID!) { node(id:$id) { ... on Channel { items(first: 10) { totalCount edges { node { link { id } } } } } } }`, map[string]any{"id": r.Channel})
		for _, e := range ch.Node.Items.Edges {
			if e.Node.Link != nil && e.Node.Link.ID == created.ID {
				t.Error("deleted link is still in its channel")
			}
		}
		if ch.Node.Items.TotalCount != 2 {
			t.Errorf("channel has %d items, want 2 (fixture link and QR)", ch.Node.Items.TotalCount)
		}
		// Deleting again is NOT_FOUND; the alias is free again.
		wantError(t, s.GraphQL(t, alice.Key, `mutation($id: ID!) { deleteLink(id:$id) { deletedId } }`, map[string]any{"id": created.ID}), "NOT_FOUND", "")
		gql[map[string]any](t, s, alice.Key, `mutation($d: ID!) { createLink(input:{url:"https://example.com", custom:"renamed", domainId:$d}) { id } }`, map[string]any{"d": r.Domain})
	})
}

func TestLinkGeneratedAlias(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	alice := signup(t, s, "alice")
	seen := map[string]bool{}
	for range 5 {
		l := gql[struct {
			CreateLink struct{ Alias, ShortURL, RedirectType, Visibility string }
		}](t, s, alice.Key,
			`mutation { createLink(input:{url:"https://example.com"}) { alias shortUrl redirectType visibility } }`, nil).CreateLink
		if len(l.Alias) != 6 || seen[l.Alias] || l.ShortURL != s.URL+"/"+l.Alias {
			t.Errorf("generated alias %q (short %q)", l.Alias, l.ShortURL)
		}
		if l.RedirectType != "DIRECT" || l.Visibility != "PRIVATE" {
			t.Errorf("defaults = %q %q", l.RedirectType, l.Visibility)
		}
		seen[l.Alias] = true
	}
	// The same alias may live on the base host and on a branded domain.
	d := gql[struct{ CreateDomain idOnly }](t, s, alice.Key, `mutation { createDomain(input:{domain:"https://go.example.net"}) { id } }`, nil).CreateDomain
	gql[map[string]any](t, s, alice.Key, `mutation { createLink(input:{url:"https://example.com", custom:"same"}) { id } }`, nil)
	onDomain := gql[struct{ CreateLink struct{ ShortURL string } }](t, s, alice.Key, `mutation($d: ID!) { createLink(input:{url:"https://example.com", custom:"same", domainId:$d}) { shortUrl } }`,
		map[string]any{"d": d.ID}).CreateLink
	if onDomain.ShortURL != "https://go.example.net/same" {
		t.Errorf("shortUrl on domain = %q", onDomain.ShortURL)
	}
	byShort := gql[struct{ Link *struct{ ShortURL string } }](t, s, alice.Key, `{ link(shortUrl:"https://go.example.net/same") { shortUrl } }`, nil).Link
	if byShort == nil || byShort.ShortURL != "https://go.example.net/same" {
		t.Errorf("link(shortUrl) on a domain = %+v", byShort)
	}
}
