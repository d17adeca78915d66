package graph_test

import (
	"fmt"
	"strings"
	"testing"

	"shortener/internal/app/apptest"
	"shortener/internal/gid"
)

// totalCount returns the totalCount of a root connection.
func totalCount(tb testing.TB, s *apptest.Server, key, field string) int {
	tb.Helper()
	out := gql[map[string]struct{ TotalCount int }](tb, s, key, `{ `+field+` { totalCount } }`, nil)
	c, ok := out[field]
	if !ok {
		tb.Fatalf("no %s in answer", field)
	}
	return c.TotalCount
}

// deleteNode runs delete<Type>(id) and checks the payload and that the node
// is gone.
func deleteNode(tb testing.TB, s *apptest.Server, key, mutation, id string) {
	tb.Helper()
	out := gql[map[string]struct{ DeletedID string }](tb, s, key, `mutation($id: ID!) { `+mutation+`(id:$id) { deletedId } }`, map[string]any{"id": id})
	if out[mutation].DeletedID != id {
		tb.Fatalf("%s deletedId = %q, want %q", mutation, out[mutation].DeletedID, id)
	}
	wantNoNode(tb, s, key, id)
	wantError(tb, s.GraphQL(tb, key, `mutation($id: ID!) { `+mutation+`(id:$id) { deletedId } }`, map[string]any{"id": id}), "NOT_FOUND", "")
}

func TestDomainCRUD(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	alice := signup(t, s, "alice")
	type domainView struct {
		ID, Domain, Host, RedirectRoot, Redirect404 string
		RowID, LinkCount                            int
	}
	const fields = `id rowId domain host redirectRoot redirect404 linkCount`
	d := gql[struct{ CreateDomain domainView }](t, s, alice.Key, `mutation { createDomain(input:{domain:"https://Go.Example.com/", redirectRoot:"https://example.com", redirect404:"https://example.com/404"}) { `+fields+` } }`, nil).CreateDomain
	if d.Domain != "https://Go.Example.com" || d.Host != "go.example.com" || d.RedirectRoot != "https://example.com" || d.Redirect404 != "https://example.com/404" || d.LinkCount != 0 {
		t.Errorf("createDomain = %+v", d)
	}
	if n := gql[struct{ Node domainView }](t, s, alice.Key, `query($id: ID!) { node(id:$id) { ... on Domain { `+fields+` } } }`, map[string]any{"id": d.ID}).Node; n != d {
		t.Errorf("node = %+v, want %+v", n, d)
	}
	gql[map[string]any](t, s, alice.Key, `mutation($d: ID!) { createLink(input:{url:"https://example.com", custom:"x", domainId:$d}) { id } }`, map[string]any{"d": d.ID})
	list := gql[struct {
		Domains struct {
			TotalCount int
			Edges      []struct{ Node domainView }
		}
	}](t, s, alice.Key, `{ domains { totalCount edges { node { `+fields+` } } } }`, nil).Domains
	if list.TotalCount != 1 || list.Edges[0].Node.ID != d.ID || list.Edges[0].Node.LinkCount != 1 {
		t.Errorf("domains = %s", jsonString(list))
	}
	u := gql[struct{ UpdateDomain domainView }](t, s, alice.Key, `mutation($id: ID!) { updateDomain(id:$id, input:{redirectRoot:"https://example.org", redirect404:""}) { `+fields+` } }`, map[string]any{"id": d.ID}).UpdateDomain
	if u.RedirectRoot != "https://example.org" || u.Redirect404 != "" || u.Host != d.Host {
		t.Errorf("updateDomain = %+v", u)
	}

	for _, tc := range []struct{ name, domain, code string }{
		{"a taken host", "https://go.example.com", "CONFLICT"},
		{"a path", "https://other.example.com/path", "BAD_USER_INPUT"},
		{"an ftp URL", "ftp://other.example.com", "BAD_USER_INPUT"},
		{"a javascript URL", "javascript:alert(1)", "BAD_USER_INPUT"},
		{"the server's own host", s.URL, "BAD_USER_INPUT"},
	} {
		t.Run("refuses "+tc.name, func(t *testing.T) {
			before := countRows(t, s)
			wantError(t, s.GraphQL(t, alice.Key, `mutation($d: String!) { createDomain(input:{domain:$d}) { id } }`, map[string]any{"d": tc.domain}), tc.code, "domain")
			sameRows(t, s, before)
		})
	}
	wantError(t, s.GraphQL(t, alice.Key, `mutation($id: ID!) { updateDomain(id:$id, input:{redirectRoot:"data:text/html,x"}) { id } }`, map[string]any{"id": d.ID}), "BAD_USER_INPUT", "redirectRoot")

	// Deleting a domain deletes its links.
	deleteNode(t, s, alice.Key, "deleteDomain", d.ID)
	if n := totalCount(t, s, alice.Key, "links"); n != 0 {
		t.Errorf("links after deleting their domain: %d", n)
	}
	if n := totalCount(t, s, alice.Key, "domains"); n != 0 {
		t.Errorf("domains after delete: %d", n)
	}
}

func TestQRCodeCRUD(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	alice := signup(t, s, "alice")
	type qrView struct {
		ID, Alias, Type, Name, Background, Foreground, LogoURL, Link, ImageURL, SVG string
		Data                                                                        any
		Scans                                                                       int
	}
	const fields = `id alias type data name background foreground logoUrl scans link imageUrl svg: imageUrl(format: SVG)`
	text := gql[struct{ CreateQRCode qrView }](t, s, alice.Key, `mutation { createQRCode(input:{type:TEXT, data:"hello world", name:"Greeting"}) { `+fields+` } }`, nil).CreateQRCode
	if len(text.Alias) != 6 || text.Type != "TEXT" || text.Data != "hello world" || text.Name != "Greeting" || text.Scans != 0 {
		t.Errorf("text QR = %+v", text)
	}
	if text.Link != s.URL+"/qr/"+text.Alias || text.ImageURL != text.Link || text.SVG != text.Link+"?format=svg" {
		t.Errorf("link %q image %q svg %q", text.Link, text.ImageURL, text.SVG)
	}
	if text.Background != "rgb(255,255,255)" || text.Foreground != "rgb(0,0,0)" {
		t.Errorf("default colours %q %q", text.Background, text.Foreground)
	}
	link := gql[struct{ CreateQRCode qrView }](t, s, alice.Key, `mutation { createQRCode(input:{type:LINK, data:"https://example.com/menu", background:"rgb(250,250,240)", foreground:"rgb(90,0,0)"}) { `+fields+` } }`, nil).CreateQRCode
	if link.Type != "LINK" || link.Data != "https://example.com/menu" || link.Background != "rgb(250,250,240)" || link.Foreground != "rgb(90,0,0)" || link.Alias == text.Alias {
		t.Errorf("link QR = %+v", link)
	}
	if n := gql[struct{ Node qrView }](t, s, alice.Key, `query($id: ID!) { node(id:$id) { ... on QRCode { `+fields+` } } }`, map[string]any{"id": link.ID}).Node; jsonString(n) != jsonString(link) {
		t.Errorf("node = %+v, want %+v", n, link)
	}
	if n := totalCount(t, s, alice.Key, "qrCodes"); n != 2 {
		t.Errorf("qrCodes totalCount = %d", n)
	}

	u := gql[struct{ UpdateQRCode qrView }](t, s, alice.Key, `mutation($id: ID!) { updateQRCode(id:$id, input:{data:"https://example.com/new", name:"Menu"}) { `+fields+` } }`, map[string]any{"id": link.ID}).UpdateQRCode
	if u.Data != "https://example.com/new" || u.Name != "Menu" || u.Alias != link.Alias || u.Background != "rgb(250,250,240)" {
		t.Errorf("updateQRCode = %+v (alias and colours stay)", u)
	}

	for _, tc := range []struct{ name, input string }{
		{"a javascript link", `{type:LINK, data:"javascript:alert(1)"}`},
		{"a data: link", `{type:LINK, data:"data:text/html,hi"}`},
		{"a file: link", `{type:LINK, data:"file:///etc/passwd"}`},
		{"an object for a link", `{type:LINK, data:{url:"https://example.com"}}`},
		{"empty text", `{type:TEXT, data:"  "}`},
	} {
		t.Run("refuses "+tc.name, func(t *testing.T) {
			before := countRows(t, s)
			wantError(t, s.GraphQL(t, alice.Key, `mutation { createQRCode(input:`+tc.input+`) { id } }`, nil), "BAD_USER_INPUT", "data")
			sameRows(t, s, before)
		})
	}
	wantError(t, s.GraphQL(t, alice.Key, `mutation($id: ID!) { updateQRCode(id:$id, input:{data:"javascript:x"}) { id } }`, map[string]any{"id": link.ID}), "BAD_USER_INPUT", "data")
	wantError(t, s.GraphQL(t, alice.Key, `mutation { createQRCode(input:{type:TEXT, data:"x", logoUrl:"file:///etc/passwd"}) { id } }`, nil), "BAD_USER_INPUT", "logoUrl")

	deleteNode(t, s, alice.Key, "deleteQRCode", text.ID)
	if n := totalCount(t, s, alice.Key, "qrCodes"); n != 1 {
		t.Errorf("qrCodes after delete = %d", n)
	}
}

func TestChannelCRUD(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	alice := signup(t, s, "alice")
	r := makeRefs(t, s, alice.Key, "chan")
	type channelView struct {
		ID, Name, Description, Color string
		Starred                      bool
	}
	const fields = `id name description color starred`
	c := gql[struct{ CreateChannel channelView }](t, s, alice.Key, `mutation { createChannel(input:{name:"News", description:"d", color:"#FF0000", starred:true}) { `+fields+` } }`, nil).CreateChannel
	if c.Name != "News" || c.Description != "d" || c.Color != "#FF0000" || !c.Starred {
		t.Errorf("createChannel = %+v", c)
	}
	u := gql[struct{ UpdateChannel channelView }](t, s, alice.Key, `mutation($id: ID!) { updateChannel(id:$id, input:{name:"Old news", color:"#00ff00", starred:false}) { `+fields+` } }`, map[string]any{"id": c.ID}).UpdateChannel
	if u.Name != "Old news" || u.Color != "#00ff00" || u.Starred || u.Description != "d" {
		t.Errorf("updateChannel = %+v", u)
	}
	wantError(t, s.GraphQL(t, alice.Key, `mutation { createChannel(input:{name:"x", color:"red"}) { id } }`, nil), "BAD_USER_INPUT", "color")
	wantError(t, s.GraphQL(t, alice.Key, `mutation($id: ID!) { updateChannel(id:$id, input:{color:"#12345"}) { id } }`, map[string]any{"id": c.ID}), "BAD_USER_INPUT", "color")
	wantError(t, s.GraphQL(t, alice.Key, `mutation { createChannel(input:{name:""}) { id } }`, nil), "BAD_USER_INPUT", "name")

	// Items: a link, a bio page and a QR code.
	type item struct {
		ID, Type, Title, PreviewURL, URL string
		Link, BioPage, QrCode            *idOnly
	}
	assign := func(typ, itemID string) item {
		t.Helper()
		return gql[struct{ AssignChannelItem item }](t, s, alice.Key, `mutation($c: ID!, $t: ChannelItemType!, $i: ID!) { assignChannelItem(input:{channelId:$c, type:$t, itemId:$i}) { id type title previewUrl url link { id } bioPage { id } qrCode { id } } }`,
			map[string]any{"c": c.ID, "t": typ, "i": itemID}).AssignChannelItem
	}
	li, bio, qr := assign("LINK", r.Link), assign("BIO", r.Bio), assign("QR", r.QR)
	if li.Type != "LINK" || li.Link == nil || li.Link.ID != r.Link || li.Title != "Title chan" || li.PreviewURL != "https://example.com/chan" || li.URL != r.DomainURL+"/"+r.Alias {
		t.Errorf("link item = %+v", li)
	}
	if bio.Type != "BIO" || bio.BioPage == nil || bio.BioPage.ID != r.Bio || bio.Title != "Bio" || bio.URL != s.URL+"/chan-bio" {
		t.Errorf("bio item = %+v", bio)
	}
	if qr.Type != "QR" || qr.QrCode == nil || qr.QrCode.ID != r.QR || !strings.HasPrefix(qr.URL, s.URL+"/qr/") {
		t.Errorf("qr item = %+v", qr)
	}
	if again := assign("LINK", r.Link); again.ID != li.ID {
		t.Errorf("assigning twice made a second item %s (first %s)", again.ID, li.ID)
	}
	wantError(t, s.GraphQL(t, alice.Key, `mutation($c: ID!, $i: ID!) { assignChannelItem(input:{channelId:$c, type:BIO, itemId:$i}) { id } }`,
		map[string]any{"c": c.ID, "i": r.Link}), "BAD_USER_INPUT", "itemId")

	items := func() []item {
		t.Helper()
		out := gql[struct {
			Node struct {
				Items struct {
					TotalCount int
					Edges      []struct{ Node item }
				}
			}
		}](t, s, alice.Key, `query($id: ID!) { node(id:$id) { ... on Channel { items(first: 10) { totalCount edges { node { id type title url } } } } } }`, map[string]any{"id": c.ID}).Node.Items
		if out.TotalCount != len(out.Edges) {
			t.Errorf("items totalCount %d, %d edges", out.TotalCount, len(out.Edges))
		}
		var got []item
		for _, e := range out.Edges {
			got = append(got, e.Node)
		}
		return got
	}
	if got := items(); len(got) != 3 {
		t.Fatalf("items = %+v", got)
	}
	chans := gql[struct{ Link struct{ Channels []idOnly } }](t, s, alice.Key, `query($id: ID!) { link(id:$id) { channels { id } } }`, map[string]any{"id": r.Link}).Link.Channels
	if len(chans) != 2 {
		t.Errorf("link.channels = %+v, want the fixture channel and this one", chans)
	}

	del := gql[struct{ UnassignChannelItem struct{ DeletedID string } }](t, s, alice.Key, `mutation($id: ID!) { unassignChannelItem(id:$id) { deletedId } }`, map[string]any{"id": li.ID})
	if del.UnassignChannelItem.DeletedID != li.ID {
		t.Errorf("unassign = %+v", del)
	}
	if got := items(); len(got) != 2 {
		t.Errorf("items after unassign = %+v", got)
	}
	if gql[struct{ Link *idOnly }](t, s, alice.Key, `query($id: ID!) { link(id:$id) { id } }`, map[string]any{"id": r.Link}).Link == nil {
		t.Error("unassigning deleted the link")
	}

	if n := totalCount(t, s, alice.Key, "channels"); n != 2 {
		t.Errorf("channels totalCount = %d", n)
	}
	deleteNode(t, s, alice.Key, "deleteChannel", c.ID)
	wantNoNode(t, s, alice.Key, bio.ID)
	for _, id := range []string{r.Bio, r.QR, r.Link} {
		if n := gql[struct{ Node *idOnly }](t, s, alice.Key, `query($id: ID!) { node(id:$id) { id } }`, map[string]any{"id": id}).Node; n == nil || n.ID != id {
			t.Errorf("item %s went with its channel: %+v", id, n)
		}
	}
}

func TestCampaignCRUD(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	alice := signup(t, s, "alice")
	type campaignView struct {
		ID, Name         string
		Slug, RotatorURL *string
		ListURL          string
		Public           bool
		RowID            int
		Links            struct {
			TotalCount int
			Edges      []struct{ Node idOnly }
		}
	}
	const fields = `id rowId name slug public rotatorUrl listUrl links(first: 10) { totalCount edges { node { id } } }`
	c := gql[struct{ CreateCampaign campaignView }](t, s, alice.Key, `mutation { createCampaign(input:{name:"Spring", slug:"spring-sale", public:true}) { `+fields+` } }`, nil).CreateCampaign
	if c.Name != "Spring" || c.Slug == nil || *c.Slug != "spring-sale" || !c.Public {
		t.Errorf("createCampaign = %+v", c)
	}
	if c.RotatorURL == nil || *c.RotatorURL != s.URL+"/r/spring-sale" {
		t.Errorf("rotatorUrl = %v", c.RotatorURL)
	}
	if want := fmt.Sprintf("%s/u/%s/spring-sale-%d", s.URL, alice.Username, c.RowID); c.ListURL != want {
		t.Errorf("listUrl = %q, want %q", c.ListURL, want)
	}

	l1 := gql[struct{ CreateLink idOnly }](t, s, alice.Key, `mutation { createLink(input:{url:"https://example.com/1"}) { id } }`, nil).CreateLink
	l2 := gql[struct{ CreateLink idOnly }](t, s, alice.Key, `mutation($c: ID!) { createLink(input:{url:"https://example.com/2", campaignId:$c}) { id } }`, map[string]any{"c": c.ID}).CreateLink
	got := gql[struct{ AssignLinkToCampaign campaignView }](t, s, alice.Key, `mutation($c: ID!, $l: ID!) { assignLinkToCampaign(campaignId:$c, linkId:$l) { `+fields+` } }`,
		map[string]any{"c": c.ID, "l": l1.ID}).AssignLinkToCampaign
	if got.Links.TotalCount != 2 {
		t.Errorf("campaign links after assign = %s", jsonString(got.Links))
	}
	if lc := gql[struct{ Link struct{ Campaign *idOnly } }](t, s, alice.Key, `query($id: ID!) { link(id:$id) { campaign { id } } }`, map[string]any{"id": l1.ID}).Link.Campaign; lc == nil || lc.ID != c.ID {
		t.Errorf("link.campaign = %+v", lc)
	}

	u := gql[struct{ UpdateCampaign campaignView }](t, s, alice.Key, `mutation($id: ID!) { updateCampaign(id:$id, input:{name:"Summer", slug:"", public:false}) { `+fields+` } }`, map[string]any{"id": c.ID}).UpdateCampaign
	if u.Name != "Summer" || u.Slug != nil || u.RotatorURL != nil || u.Public {
		t.Errorf("updateCampaign = %+v", u)
	}
	if want := fmt.Sprintf("%s/u/%s/list-%d", s.URL, alice.Username, c.RowID); u.ListURL != want {
		t.Errorf("listUrl without slug = %q, want %q", u.ListURL, want)
	}

	other := gql[struct{ CreateCampaign campaignView }](t, s, alice.Key, `mutation { createCampaign(input:{name:"Other", slug:"taken"}) { id } }`, nil).CreateCampaign
	wantError(t, s.GraphQL(t, alice.Key, `mutation { createCampaign(input:{name:"x", slug:"taken"}) { id } }`, nil), "CONFLICT", "slug")
	wantError(t, s.GraphQL(t, alice.Key, `mutation($id: ID!) { updateCampaign(id:$id, input:{slug:"taken"}) { id } }`, map[string]any{"id": c.ID}), "CONFLICT", "slug")
	wantError(t, s.GraphQL(t, alice.Key, `mutation { createCampaign(input:{name:"x", slug:"no spaces"}) { id } }`, nil), "BAD_USER_INPUT", "slug")
	if n := totalCount(t, s, alice.Key, "campaigns"); n != 2 {
		t.Errorf("campaigns totalCount = %d", n)
	}

	// Deleting a campaign keeps its links.
	deleteNode(t, s, alice.Key, "deleteCampaign", c.ID)
	for _, l := range []idOnly{l1, l2} {
		lc := gql[struct{ Link *struct{ Campaign *idOnly } }](t, s, alice.Key, `query($id: ID!) { link(id:$id) { campaign { id } } }`, map[string]any{"id": l.ID}).Link
		if lc == nil || lc.Campaign != nil {
			t.Errorf("link %s after its campaign was deleted: %+v", l.ID, lc)
		}
	}
	deleteNode(t, s, alice.Key, "deleteCampaign", other.ID)
}

func TestPixelCRUD(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	alice := signup(t, s, "alice")
	types := []string{"GTMPIXEL", "GAPIXEL", "FBPIXEL", "ADWORDSPIXEL", "LINKEDINPIXEL", "TWITTERPIXEL", "ADROLLPIXEL", "QUORAPIXEL", "PINTEREST", "BING", "SNAPCHAT", "REDDIT", "TIKTOK"}
	var ids []string
	for i, typ := range types {
		p := gql[struct {
			CreatePixel struct{ ID, Type, Name, Tag string }
		}](t, s, alice.Key, `mutation($t: PixelType!, $tag: String!) { createPixel(input:{type:$t, name:"p", tag:$tag}) { id type name tag } }`,
			map[string]any{"t": typ, "tag": fmt.Sprintf("ID-%d.x:y_z", i)}).CreatePixel
		if p.Type != typ || p.Tag != fmt.Sprintf("ID-%d.x:y_z", i) {
			t.Errorf("createPixel(%s) = %+v", typ, p)
		}
		ids = append(ids, p.ID)
	}
	if n := totalCount(t, s, alice.Key, "pixels"); n != len(types) {
		t.Errorf("pixels totalCount = %d", n)
	}
	u := gql[struct {
		UpdatePixel struct{ ID, Type, Name, Tag string }
	}](t, s, alice.Key, `mutation($id: ID!) { updatePixel(id:$id, input:{name:"renamed", tag:"GTM-1234"}) { id type name tag } }`, map[string]any{"id": ids[0]}).UpdatePixel
	if u.Name != "renamed" || u.Tag != "GTM-1234" || u.Type != "GTMPIXEL" {
		t.Errorf("updatePixel = %+v", u)
	}
	for _, tag := range []string{"", "<script>", "a b", strings.Repeat("x", 101)} {
		before := countRows(t, s)
		wantError(t, s.GraphQL(t, alice.Key, `mutation($tag: String!) { createPixel(input:{type:BING, name:"x", tag:$tag}) { id } }`, map[string]any{"tag": tag}), "BAD_USER_INPUT", "tag")
		sameRows(t, s, before)
		wantError(t, s.GraphQL(t, alice.Key, `mutation($id: ID!, $tag: String!) { updatePixel(id:$id, input:{tag:$tag}) { id } }`, map[string]any{"id": ids[0], "tag": tag}), "BAD_USER_INPUT", "tag")
	}
	wantError(t, s.GraphQL(t, alice.Key, `mutation { createPixel(input:{type:NOPE, name:"x", tag:"x"}) { id } }`, nil), "GRAPHQL_VALIDATION_FAILED", "")

	// A deleted pixel leaves the links that used it.
	l := gql[struct{ CreateLink idOnly }](t, s, alice.Key, `mutation($p: [ID!]) { createLink(input:{url:"https://example.com", pixelIds:$p}) { id } }`, map[string]any{"p": ids[:2]}).CreateLink
	deleteNode(t, s, alice.Key, "deletePixel", ids[0])
	px := gql[struct{ Link struct{ Pixels []idOnly } }](t, s, alice.Key, `query($id: ID!) { link(id:$id) { pixels { id } } }`, map[string]any{"id": l.ID}).Link.Pixels
	if len(px) != 1 || px[0].ID != ids[1] {
		t.Errorf("link pixels after delete = %+v", px)
	}
}

func TestSplashPageCRUD(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	alice := signup(t, s, "alice")
	type splashView struct {
		ID, Name, Title, Content, ImageURL, ButtonText string
		DelaySeconds                                   int
	}
	const fields = `id name title content imageUrl buttonText delaySeconds`
	sp := gql[struct{ CreateSplashPage splashView }](t, s, alice.Key, `mutation { createSplashPage(input:{name:"Promo", title:"Hi", content:"<b>x</b>", image:"https://example.com/i.png", buttonText:"Skip", delaySeconds:10}) { `+fields+` } }`, nil).CreateSplashPage
	if sp.Name != "Promo" || sp.Title != "Hi" || sp.ImageURL != "https://example.com/i.png" || sp.ButtonText != "Skip" || sp.DelaySeconds != 10 {
		t.Errorf("createSplashPage = %+v", sp)
	}
	def := gql[struct{ CreateSplashPage splashView }](t, s, alice.Key, `mutation { createSplashPage(input:{name:"Defaults"}) { `+fields+` } }`, nil).CreateSplashPage
	if def.ButtonText != "Continue" || def.DelaySeconds != 5 {
		t.Errorf("defaults = %+v", def)
	}
	u := gql[struct{ UpdateSplashPage splashView }](t, s, alice.Key, `mutation($id: ID!) { updateSplashPage(id:$id, input:{title:"Hello", delaySeconds:0}) { `+fields+` } }`, map[string]any{"id": sp.ID}).UpdateSplashPage
	if u.Title != "Hello" || u.DelaySeconds != 0 || u.Name != "Promo" {
		t.Errorf("updateSplashPage = %+v", u)
	}
	if n := gql[struct{ Node splashView }](t, s, alice.Key, `query($id: ID!) { node(id:$id) { ... on SplashPage { `+fields+` } } }`, map[string]any{"id": sp.ID}).Node; n != u {
		t.Errorf("node = %+v", n)
	}
	if n := totalCount(t, s, alice.Key, "splashPages"); n != 2 {
		t.Errorf("splashPages totalCount = %d", n)
	}
	wantError(t, s.GraphQL(t, alice.Key, `mutation { createSplashPage(input:{name:"x", image:"javascript:x"}) { id } }`, nil), "BAD_USER_INPUT", "image")
	wantError(t, s.GraphQL(t, alice.Key, `mutation { createSplashPage(input:{name:"x", delaySeconds:61}) { id } }`, nil), "BAD_USER_INPUT", "delaySeconds")

	l := gql[struct {
		CreateLink struct{ ID, RedirectType string }
	}](t, s, alice.Key, `mutation($sp: ID!) { createLink(input:{url:"https://example.com", splashPageId:$sp}) { id redirectType } }`, map[string]any{"sp": sp.ID}).CreateLink
	if l.RedirectType != "CUSTOM_SPLASH" {
		t.Errorf("link with a splash page: %q", l.RedirectType)
	}
	deleteNode(t, s, alice.Key, "deleteSplashPage", sp.ID)
	after := gql[struct {
		Link struct {
			RedirectType string
			SplashPage   *idOnly
		}
	}](t, s, alice.Key, `query($id: ID!) { link(id:$id) { redirectType splashPage { id } } }`, map[string]any{"id": l.ID}).Link
	if after.RedirectType != "DIRECT" || after.SplashPage != nil {
		t.Errorf("link after its splash page was deleted: %+v", after)
	}
}

func TestCtaOverlayCRUD(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	alice := signup(t, s, "alice")
	type overlayView struct {
		ID, Type, Name, Content, ButtonText, ButtonURL, Color string
	}
	const fields = `id type name content buttonText buttonUrl color`
	o := gql[struct{ CreateCtaOverlay overlayView }](t, s, alice.Key, `mutation { createCtaOverlay(input:{type:CONTACT, name:"Ask", content:"Write us", buttonText:"Send", buttonUrl:"https://example.com/c", color:"#123456"}) { `+fields+` } }`, nil).CreateCtaOverlay
	if o.Type != "CONTACT" || o.Name != "Ask" || o.ButtonURL != "https://example.com/c" || o.Color != "#123456" {
		t.Errorf("createCtaOverlay = %+v", o)
	}
	if _, _, err := gid.Decode(o.ID); err != nil {
		t.Errorf("overlay id %q: %v", o.ID, err)
	}
	u := gql[struct{ UpdateCtaOverlay overlayView }](t, s, alice.Key, `mutation($id: ID!) { updateCtaOverlay(id:$id, input:{type:MESSAGE, content:"Hi", color:"#abcdef"}) { `+fields+` } }`, map[string]any{"id": o.ID}).UpdateCtaOverlay
	if u.Type != "MESSAGE" || u.Content != "Hi" || u.Color != "#abcdef" || u.Name != "Ask" {
		t.Errorf("updateCtaOverlay = %+v", u)
	}
	if n := gql[struct{ Node overlayView }](t, s, alice.Key, `query($id: ID!) { node(id:$id) { ... on CtaOverlay { `+fields+` } } }`, map[string]any{"id": o.ID}).Node; n != u {
		t.Errorf("node = %+v", n)
	}
	if n := totalCount(t, s, alice.Key, "ctaOverlays"); n != 1 {
		t.Errorf("ctaOverlays totalCount = %d", n)
	}
	wantError(t, s.GraphQL(t, alice.Key, `mutation { createCtaOverlay(input:{type:MESSAGE, name:"x", color:"blue"}) { id } }`, nil), "BAD_USER_INPUT", "color")
	wantError(t, s.GraphQL(t, alice.Key, `mutation { createCtaOverlay(input:{type:MESSAGE, name:"x", buttonUrl:"javascript:x"}) { id } }`, nil), "BAD_USER_INPUT", "buttonUrl")
	wantError(t, s.GraphQL(t, alice.Key, `mutation($id: ID!) { updateCtaOverlay(id:$id, input:{buttonUrl:"file:///x"}) { id } }`, map[string]any{"id": o.ID}), "BAD_USER_INPUT", "buttonUrl")
	// OVERLAY needs an overlay.
	wantError(t, s.GraphQL(t, alice.Key, `mutation { createLink(input:{url:"https://example.com", redirectType:OVERLAY}) { id } }`, nil), "BAD_USER_INPUT", "ctaOverlayId")

	l := gql[struct {
		CreateLink struct{ ID, RedirectType string }
	}](t, s, alice.Key, `mutation($o: ID!) { createLink(input:{url:"https://example.com", ctaOverlayId:$o}) { id redirectType } }`, map[string]any{"o": o.ID}).CreateLink
	if l.RedirectType != "OVERLAY" {
		t.Errorf("link with an overlay: %q", l.RedirectType)
	}
	deleteNode(t, s, alice.Key, "deleteCtaOverlay", o.ID)
	after := gql[struct {
		Link struct {
			RedirectType string
			CtaOverlay   *idOnly
		}
	}](t, s, alice.Key, `query($id: ID!) { link(id:$id) { redirectType ctaOverlay { id } } }`, map[string]any{"id": l.ID}).Link
	if after.RedirectType != "DIRECT" || after.CtaOverlay != nil {
		t.Errorf("link after its overlay was deleted: %+v", after)
	}
}

func TestBioPageCRUD(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	alice := signup(t, s, "alice")
	type bioView struct {
		ID, Alias, Name, Content, AvatarURL, URL string
		Links                                    []struct{ Title, URL string }
	}
	const fields = `id alias name content avatarUrl url links { title url }`
	b := gql[struct{ CreateBioPage bioView }](t, s, alice.Key, `mutation { createBioPage(input:{alias:"me-page", name:"Me", content:"about", avatar:"https://example.com/a.png", links:[{title:"Blog", url:"https://blog.example.com"}]}) { `+fields+` } }`, nil).CreateBioPage
	if b.Alias != "me-page" || b.Name != "Me" || b.URL != s.URL+"/me-page" || b.AvatarURL != "https://example.com/a.png" || len(b.Links) != 1 || b.Links[0].Title != "Blog" {
		t.Errorf("createBioPage = %+v", b)
	}
	u := gql[struct{ UpdateBioPage bioView }](t, s, alice.Key, `mutation($id: ID!) { updateBioPage(id:$id, input:{name:"Me!", appendLinks:[{title:"Shop", url:"https://shop.example.com"}]}) { `+fields+` } }`, map[string]any{"id": b.ID}).UpdateBioPage
	if u.Name != "Me!" || len(u.Links) != 2 || u.Links[1].Title != "Shop" || u.Alias != "me-page" {
		t.Errorf("updateBioPage = %+v", u)
	}
	if n := gql[struct{ Node bioView }](t, s, alice.Key, `query($id: ID!) { node(id:$id) { ... on BioPage { `+fields+` } } }`, map[string]any{"id": b.ID}).Node; jsonString(n) != jsonString(u) {
		t.Errorf("node = %+v", n)
	}
	if n := totalCount(t, s, alice.Key, "bioPages"); n != 1 {
		t.Errorf("bioPages totalCount = %d", n)
	}
	// Bio pages and links share the base host's aliases.
	gql[map[string]any](t, s, alice.Key, `mutation { createLink(input:{url:"https://example.com", custom:"a-link"}) { id } }`, nil)
	wantError(t, s.GraphQL(t, alice.Key, `mutation { createBioPage(input:{alias:"a-link", name:"x"}) { id } }`, nil), "CONFLICT", "alias")
	wantError(t, s.GraphQL(t, alice.Key, `mutation { createLink(input:{url:"https://example.com", custom:"me-page"}) { id } }`, nil), "CONFLICT", "custom")
	wantError(t, s.GraphQL(t, alice.Key, `mutation { createBioPage(input:{alias:"graphql", name:"x"}) { id } }`, nil), "BAD_USER_INPUT", "alias")
	wantError(t, s.GraphQL(t, alice.Key, `mutation { createBioPage(input:{alias:"ok-alias", name:"x", links:[{title:"x", url:"javascript:x"}]}) { id } }`, nil), "BAD_USER_INPUT", "links")
	wantError(t, s.GraphQL(t, alice.Key, `mutation($id: ID!) { updateBioPage(id:$id, input:{appendLinks:[{title:"", url:"https://example.com"}]}) { id } }`, map[string]any{"id": b.ID}), "BAD_USER_INPUT", "links")

	deleteNode(t, s, alice.Key, "deleteBioPage", b.ID)
	// The alias is free again.
	gql[map[string]any](t, s, alice.Key, `mutation { createBioPage(input:{alias:"me-page", name:"again"}) { id } }`, nil)
}
