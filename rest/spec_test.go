package rest_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"testing"

	"shortener/ent"
	"shortener/internal/app"
	"shortener/internal/app/apptest"
	"shortener/internal/gid"
)

// The legacy url/add and url/:id/update bodies and GraphQL's createLink and
// updateLink become one Spec: the same change through either transport
// stores the same row, field for field.
func TestRESTAndGraphQLStoreTheSameLink(t *testing.T) {
	s := apptest.New(t, app.Config{})
	key := s.Signup(t, "both")
	var refs struct {
		P, Q, C, Ch struct{ RowID int }
		S           struct{ RowID int }
	}
	s.MustGraphQL(t, key, `mutation {
		p: createPixel(input:{type: FBPIXEL, name:"p", tag:"1234"}) { rowId }
		q: createPixel(input:{type: GTMPIXEL, name:"q", tag:"GTM-ABCD"}) { rowId }
		c: createCampaign(input:{name:"c"}) { rowId }
		ch: createChannel(input:{name:"ch"}) { rowId }
		s: createSplashPage(input:{name:"s"}) { rowId } }`, nil, &refs)
	id := func(typ string, n int) string { return gid.Encode(typ, n) }

	restID := num(t, api(t, s, key, "POST", "/api/url/add", fmt.Sprintf(`{"url":"https://example.com/x","custom":"viarest",
		"type":"%d","password":"secret1","expiry":"2999-01-02 03:04:05","status":"private","title":"T","description":"D",
		"metatitle":"MT","metadescription":"MD","metaimage":"https://example.com/i.png","pixels":[%d,%d,%d],
		"channel":%d,"campaign":%d,"deeplink":{"auto":true,"apple":"https://apps.apple.com/x","google":"https://play.google.com/x"},
		"geotarget":[{"location":" Canada ","link":"https://example.ca"}],"devicetarget":[{"device":"iPhone","link":"https://example.com/i"}],
		"languagetarget":[{"language":"FR","link":"https://example.fr"}],"parameters":[{"name":"a","value":"1"}]}`,
		refs.S.RowID, refs.Q.RowID, refs.P.RowID, refs.Q.RowID, refs.Ch.RowID, refs.C.RowID), 200), "id")

	var made struct{ CreateLink struct{ RowID int } }
	s.MustGraphQL(t, key, `mutation($in: CreateLinkInput!) { createLink(input:$in) { rowId } }`, map[string]any{"in": map[string]any{
		"url": "https://example.com/x", "custom": "viagql", "splashPageId": id("SplashPage", refs.S.RowID), "password": "secret1",
		"expiresAt": "2999-01-02T03:04:05Z", "visibility": "PRIVATE", "title": "T", "description": "D",
		"metaTitle": "MT", "metaDescription": "MD", "metaImageUrl": "https://example.com/i.png",
		"pixelIds":  []string{id("Pixel", refs.Q.RowID), id("Pixel", refs.P.RowID)},
		"channelId": id("Channel", refs.Ch.RowID), "campaignId": id("Campaign", refs.C.RowID),
		"deepLink":        map[string]any{"auto": true, "apple": "https://apps.apple.com/x", "google": "https://play.google.com/x"},
		"geoTargets":      []map[string]any{{"country": "Canada", "url": "https://example.ca"}},
		"deviceTargets":   []map[string]any{{"device": "iPhone", "url": "https://example.com/i"}},
		"languageTargets": []map[string]any{{"language": "fr", "url": "https://example.fr"}},
		"parameters":      []map[string]any{{"name": "a", "value": "1"}},
	}}, &made)
	same(t, s, "create", restID, made.CreateLink.RowID)

	// Updates that clear the password, the expiry, the campaign and the
	// pixels, and change the URL and the redirect type.
	api(t, s, key, "PUT", fmt.Sprintf("/api/url/%d/update", restID),
		`{"url":"https://example.com/y","password":"","expiry":"","campaign":0,"pixels":[],"type":"frame"}`, 200)
	s.MustGraphQL(t, key, `mutation($id: ID!) { updateLink(id:$id, input:{url:"https://example.com/y", clearPassword:true,
		clearExpiresAt:true, clearCampaign:true, pixelIds:[], redirectType: FRAME}) { id } }`,
		map[string]any{"id": id("Link", made.CreateLink.RowID)}, &struct{}{})
	same(t, s, "update", restID, made.CreateLink.RowID)
}

// same fails unless links a and b hold the same values apart from their id,
// alias, password hash (its presence must match) and timestamps, with the
// same pixels and as many channel memberships.
func same(t *testing.T, s *apptest.Server, step string, a, b int) {
	t.Helper()
	load := func(id int) (*ent.Link, []int, []int) {
		l, err := s.App.Client.Link.Get(apptest.SystemContext(), id)
		if err != nil {
			t.Fatal(err)
		}
		pixels, err := l.QueryPixels().IDs(apptest.SystemContext())
		if err != nil {
			t.Fatal(err)
		}
		channels, err := l.QueryChannelItems().IDs(apptest.SystemContext())
		if err != nil {
			t.Fatal(err)
		}
		hasPassword := 0
		if l.PasswordHash != "" {
			hasPassword = 1
		}
		l.ID, l.Alias, l.Edges = 0, "", ent.LinkEdges{}
		slices.Sort(pixels)
		return l, pixels, []int{len(channels), hasPassword} // bcrypt salts differ: compare presence
	}
	la, pa, ca := load(a)
	lb, pb, cb := load(b)
	la.CreatedAt, la.UpdatedAt = lb.CreatedAt, lb.UpdatedAt
	ja, _ := json.Marshal(la)
	jb, _ := json.Marshal(lb)
	if string(ja) != string(jb) || !reflect.DeepEqual(pa, pb) || !reflect.DeepEqual(ca, cb) {
		t.Fatalf("%s: REST stored\n%s pixels %v channels %v\nGraphQL stored\n%s pixels %v channels %v", step, ja, pa, ca, jb, pb, cb)
	}
}
