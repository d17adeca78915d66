package graph_test

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"

	"shortener/internal/app/apptest"
)

// everything is one query for all of a user's objects, to compare before
// and after another user's attempts.
const everything = `{
	me { id email username }
	links(first: 10) { totalCount edges { node { id alias longUrl title redirectType domain { id } campaign { id } splashPage { id } ctaOverlay { id } pixels { id } channels { id } } } }
	qrCodes(first: 10) { totalCount edges { node { id alias data name } } }
	domains(first: 10) { totalCount edges { node { id domain redirectRoot } } }
	channels(first: 10) { totalCount edges { node { id name color items(first: 5) { totalCount edges { node { id } } } } } }
	campaigns(first: 10) { totalCount edges { node { id name slug links(first: 5) { totalCount edges { node { id } } } } } }
	pixels(first: 10) { totalCount edges { node { id name tag } } }
	splashPages(first: 10) { totalCount edges { node { id name title } } }
	ctaOverlays(first: 10) { totalCount edges { node { id name content } } }
	bioPages(first: 10) { totalCount edges { node { id alias name } } }
	apiKeys(first: 10) { totalCount edges { node { id name revokedAt } } }
}`

func snapshot(tb testing.TB, s *apptest.Server, key string) string {
	tb.Helper()
	var m map[string]any
	s.MustGraphQL(tb, key, everything, nil, &m)
	sortUnordered(m)
	b, _ := json.Marshal(m)
	return string(b)
}

// sortUnordered sorts the lists of v that have no order of their own (a
// link's pixels and channels) by id, so that snapshots compare.
func sortUnordered(v any) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if list, ok := e.([]any); ok && (k == "pixels" || k == "channels") {
				sort.Slice(list, func(i, j int) bool {
					a, _ := list[i].(map[string]any)
					b, _ := list[j].(map[string]any)
					return fmt.Sprint(a["id"]) < fmt.Sprint(b["id"])
				})
			}
			sortUnordered(e)
		}
	case []any:
		for _, e := range x {
			sortUnordered(e)
		}
	}
}

func TestOwnership(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	alice, bob := signup(t, s, "alice"), signup(t, s, "bob")
	a := makeRefs(t, s, alice.Key, "alice")
	b := makeRefs(t, s, bob.Key, "bob")
	aBase := gql[struct{ CreateLink struct{ ID, ShortURL string } }](t, s, alice.Key, `mutation { createLink(input:{url:"https://example.com/a", custom:"alice-base"}) { id shortUrl } }`, nil).CreateLink
	aKeys := gql[struct {
		APIKeys struct{ Edges []struct{ Node idOnly } }
	}](t, s, alice.Key, `{ apiKeys { edges { node { id } } } }`, nil).APIKeys.Edges
	aKey := aKeys[0].Node.ID

	aliceBefore := snapshot(t, s, alice.Key)
	rowsBefore := countRows(t, s)

	aIDs := map[string]string{
		"Domain": a.Domain, "Pixel": a.Pixel, "Channel": a.Channel, "Campaign": a.Campaign, "SplashPage": a.Splash,
		"CtaOverlay": a.Overlay, "BioPage": a.Bio, "QRCode": a.QR, "Link": a.Link, "ChannelItem": a.ChannelItem,
		"User": alice.ID, "APIKey": aKey,
	}

	t.Run("not by node or nodes", func(t *testing.T) {
		var all []string
		for _, id := range aIDs {
			wantNoNode(t, s, bob.Key, id)
			all = append(all, id)
		}
		res := s.GraphQL(t, bob.Key, `query($ids: [ID!]!) { nodes(ids:$ids) { id } }`, map[string]any{"ids": all})
		var data struct{ Nodes []*idOnly }
		if err := json.Unmarshal(res.Data, &data); err != nil {
			t.Fatal(err)
		}
		if len(data.Nodes) != len(all) {
			t.Fatalf("nodes returned %d entries for %d ids", len(data.Nodes), len(all))
		}
		for i, n := range data.Nodes {
			if n != nil {
				t.Errorf("nodes[%d] = %+v, want null", i, n)
			}
		}
		for _, e := range res.Errors {
			if e.Code() != "NOT_FOUND" {
				t.Errorf("nodes error %s: %s", e.Code(), e.Message)
			}
		}
		// Bob's own node still resolves, next to Alice's.
		mixed := s.GraphQL(t, bob.Key, `query($ids: [ID!]!) { nodes(ids:$ids) { id } }`, map[string]any{"ids": []string{b.Link, a.Link}})
		var m struct{ Nodes []*idOnly }
		_ = json.Unmarshal(mixed.Data, &m)
		if len(m.Nodes) != 2 || m.Nodes[0] == nil || m.Nodes[0].ID != b.Link || m.Nodes[1] != nil {
			t.Errorf("nodes(bob's, alice's) = %s", mixed.Data)
		}
	})

	t.Run("not by link(id) or link(shortUrl)", func(t *testing.T) {
		for _, vars := range []map[string]any{
			{"id": a.Link}, {"id": aBase.ID}, {"u": aBase.ShortURL}, {"u": "alice-base"}, {"u": a.DomainURL + "/" + a.Alias},
		} {
			res := s.GraphQL(t, bob.Key, `query($id: ID, $u: String) { link(id:$id, shortUrl:$u) { id } }`, vars)
			var data struct{ Link *idOnly }
			_ = json.Unmarshal(res.Data, &data)
			if data.Link != nil {
				t.Errorf("link(%v) = %+v", vars, data.Link)
			}
			for _, e := range res.Errors {
				if e.Code() != "NOT_FOUND" {
					t.Errorf("link(%v) error %s: %s", vars, e.Code(), e.Message)
				}
			}
		}
	})

	t.Run("not in any list or connection", func(t *testing.T) {
		got := snapshot(t, s, bob.Key)
		for name, id := range aIDs {
			if contains(got, id) {
				t.Errorf("bob's lists contain alice's %s %s", name, id)
			}
		}
		if contains(got, aBase.ID) {
			t.Error("bob's links contain alice's base link")
		}
		var m struct {
			Links, Pixels, Domains, ApiKeys struct{ TotalCount int }
		}
		s.MustGraphQL(t, bob.Key, `{ links { totalCount } pixels { totalCount } domains { totalCount } apiKeys { totalCount } }`, nil, &m)
		if m.Links.TotalCount != 1 || m.Pixels.TotalCount != 2 || m.Domains.TotalCount != 1 || m.ApiKeys.TotalCount != 1 {
			t.Errorf("bob's counts = %+v", m)
		}
		// Filters cannot reach across either.
		for _, where := range []map[string]any{
			{"id": a.Link}, {"idIn": []string{a.Link, aBase.ID}}, {"aliasContains": "alice"},
			{"hasPixelsWith": []map[string]any{{"id": a.Pixel}}}, {"hasDomainWith": []map[string]any{{"hostContains": "alice"}}},
		} {
			n := gql[struct{ Links struct{ TotalCount int } }](t, s, bob.Key, `query($w: LinkWhereInput) { links(where:$w) { totalCount } }`, map[string]any{"w": where}).Links.TotalCount
			if n != 0 {
				t.Errorf("links(where:%v) found %d of alice's links", where, n)
			}
		}
	})

	t.Run("not by update, delete or assign mutations", func(t *testing.T) {
		for _, tc := range []struct {
			query string
			vars  map[string]any
			code  string
		}{
			{`mutation($id: ID!) { updateLink(id:$id, input:{url:"https://evil.example"}) { id } }`, map[string]any{"id": a.Link}, "NOT_FOUND"},
			{`mutation($id: ID!) { updateLink(id:$id, input:{title:"x"}) { id } }`, map[string]any{"id": aBase.ID}, "NOT_FOUND"},
			{`mutation($id: ID!) { deleteLink(id:$id) { deletedId } }`, map[string]any{"id": aBase.ID}, "NOT_FOUND"},
			{`mutation($id: ID!) { updateQRCode(id:$id, input:{name:"x"}) { id } }`, map[string]any{"id": a.QR}, "NOT_FOUND"},
			{`mutation($id: ID!) { deleteQRCode(id:$id) { deletedId } }`, map[string]any{"id": a.QR}, "NOT_FOUND"},
			{`mutation($id: ID!) { updateDomain(id:$id, input:{redirectRoot:"https://evil.example"}) { id } }`, map[string]any{"id": a.Domain}, "NOT_FOUND"},
			{`mutation($id: ID!) { deleteDomain(id:$id) { deletedId } }`, map[string]any{"id": a.Domain}, "NOT_FOUND"},
			{`mutation($id: ID!) { updateChannel(id:$id, input:{name:"x"}) { id } }`, map[string]any{"id": a.Channel}, "NOT_FOUND"},
			{`mutation($id: ID!) { deleteChannel(id:$id) { deletedId } }`, map[string]any{"id": a.Channel}, "NOT_FOUND"},
			{`mutation($id: ID!) { unassignChannelItem(id:$id) { deletedId } }`, map[string]any{"id": a.ChannelItem}, "NOT_FOUND"},
			{`mutation($id: ID!) { updateCampaign(id:$id, input:{name:"x"}) { id } }`, map[string]any{"id": a.Campaign}, "NOT_FOUND"},
			{`mutation($id: ID!) { deleteCampaign(id:$id) { deletedId } }`, map[string]any{"id": a.Campaign}, "NOT_FOUND"},
			{`mutation($id: ID!) { updatePixel(id:$id, input:{name:"x"}) { id } }`, map[string]any{"id": a.Pixel}, "NOT_FOUND"},
			{`mutation($id: ID!) { deletePixel(id:$id) { deletedId } }`, map[string]any{"id": a.Pixel}, "NOT_FOUND"},
			{`mutation($id: ID!) { updateSplashPage(id:$id, input:{name:"x"}) { id } }`, map[string]any{"id": a.Splash}, "NOT_FOUND"},
			{`mutation($id: ID!) { deleteSplashPage(id:$id) { deletedId } }`, map[string]any{"id": a.Splash}, "NOT_FOUND"},
			{`mutation($id: ID!) { updateCtaOverlay(id:$id, input:{name:"x"}) { id } }`, map[string]any{"id": a.Overlay}, "NOT_FOUND"},
			{`mutation($id: ID!) { deleteCtaOverlay(id:$id) { deletedId } }`, map[string]any{"id": a.Overlay}, "NOT_FOUND"},
			{`mutation($id: ID!) { updateBioPage(id:$id, input:{name:"x"}) { id } }`, map[string]any{"id": a.Bio}, "NOT_FOUND"},
			{`mutation($id: ID!) { deleteBioPage(id:$id) { deletedId } }`, map[string]any{"id": a.Bio}, "NOT_FOUND"},
			{`mutation($id: ID!) { revokeApiKey(id:$id) { id } }`, map[string]any{"id": aKey}, "NOT_FOUND"},
			{`mutation($id: ID) { rotateApiKey(id:$id) { apiKey } }`, map[string]any{"id": aKey}, "NOT_FOUND"},
			{`mutation($c: ID!, $l: ID!) { assignLinkToCampaign(campaignId:$c, linkId:$l) { id } }`, map[string]any{"c": a.Campaign, "l": b.Link}, "NOT_FOUND"},
			{`mutation($c: ID!, $l: ID!) { assignLinkToCampaign(campaignId:$c, linkId:$l) { id } }`, map[string]any{"c": b.Campaign, "l": a.Link}, "NOT_FOUND"},
			{`mutation($c: ID!, $i: ID!) { assignChannelItem(input:{channelId:$c, type:LINK, itemId:$i}) { id } }`, map[string]any{"c": b.Channel, "i": a.Link}, "BAD_USER_INPUT"},
			{`mutation($c: ID!, $i: ID!) { assignChannelItem(input:{channelId:$c, type:BIO, itemId:$i}) { id } }`, map[string]any{"c": b.Channel, "i": a.Bio}, "BAD_USER_INPUT"},
			{`mutation($c: ID!, $i: ID!) { assignChannelItem(input:{channelId:$c, type:QR, itemId:$i}) { id } }`, map[string]any{"c": b.Channel, "i": a.QR}, "BAD_USER_INPUT"},
			{`mutation($c: ID!, $i: ID!) { assignChannelItem(input:{channelId:$c, type:LINK, itemId:$i}) { id } }`, map[string]any{"c": a.Channel, "i": b.Link}, "BAD_USER_INPUT"},
		} {
			res := s.GraphQL(t, bob.Key, tc.query, tc.vars)
			if len(res.Errors) == 0 {
				t.Errorf("%s %v succeeded: %s", tc.query, tc.vars, res.Data)
				continue
			}
			if got := res.Errors[0].Code(); got != tc.code || res.Status >= 500 {
				t.Errorf("%s %v: %s (%s, status %d), want %s", tc.query, tc.vars, got, res.Errors[0].Message, res.Status, tc.code)
			}
		}
	})

	t.Run("not by referencing alice's objects from bob's links", func(t *testing.T) {
		for field, id := range map[string]any{
			"domainId": a.Domain, "channelId": a.Channel, "campaignId": a.Campaign,
			"splashPageId": a.Splash, "ctaOverlayId": a.Overlay, "pixelIds": []string{a.Pixel},
		} {
			in := map[string]any{"url": "https://example.com/b", field: id}
			wantError(t, s.GraphQL(t, bob.Key, `mutation($in: CreateLinkInput!) { createLink(input:$in) { id } }`, map[string]any{"in": in}), "BAD_USER_INPUT", field)
			upd := map[string]any{field: id}
			wantError(t, s.GraphQL(t, bob.Key, `mutation($id: ID!, $in: UpdateLinkInput!) { updateLink(id:$id, input:$in) { id } }`, map[string]any{"id": b.Link, "in": upd}), "BAD_USER_INPUT", field)
		}
		// One foreign pixel among bob's own is refused as a whole.
		wantError(t, s.GraphQL(t, bob.Key, `mutation($p: [ID!]) { createLink(input:{url:"https://example.com", pixelIds:$p}) { id } }`,
			map[string]any{"p": []string{b.Pixel, a.Pixel}}), "BAD_USER_INPUT", "pixelIds")
	})

	t.Run("alice's rows are unchanged", func(t *testing.T) {
		sameRows(t, s, rowsBefore)
		if got := snapshot(t, s, alice.Key); got != aliceBefore {
			t.Errorf("alice's objects changed:\nbefore %s\nafter  %s", aliceBefore, got)
		}
		// And alice's key still works (bob could not revoke or rotate it).
		if me := gql[struct{ Me idOnly }](t, s, alice.Key, `{ me { id } }`, nil); me.Me.ID != alice.ID {
			t.Errorf("alice's me = %+v", me)
		}
	})
}

func contains(haystack, id string) bool {
	return id != "" && strings.Contains(haystack, `"`+id+`"`)
}
