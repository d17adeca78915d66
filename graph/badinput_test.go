package graph_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"shortener/internal/gid"
)

// Bodies that are not a GraphQL request get a GraphQL-shaped error with a
// code, a 4xx status, and change nothing.
func TestMalformedRequests(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	alice := signup(t, s, "alice")
	before := countRows(t, s)
	for _, tc := range []struct {
		name, body string
		status     int
		code       string
	}{
		{"truncated JSON", `{"query": `, 400, "BAD_USER_INPUT"},
		{"not JSON", `createLink(url: "https://example.com")`, 400, "BAD_USER_INPUT"},
		{"an empty body", ``, 400, "BAD_USER_INPUT"},
		{"a number as the query", `{"query": 5}`, 400, "BAD_USER_INPUT"},
		{"a string as the variables", `{"query":"{ me { id } }","variables":"x"}`, 400, "BAD_USER_INPUT"},
		// Well-formed requests: 200 for an application/json client (GraphQL
		// over HTTP), the error in errors.
		{"no operation", `{}`, 200, "GRAPHQL_VALIDATION_FAILED"},
		{"a query that does not parse", `{"query":"mutation { createLink(input:{url:\"https://example.com\"}) { id "}`, 200, "GRAPHQL_PARSE_FAILED"},
		{"an unknown field", `{"query":"mutation { createLink(input:{url:\"https://example.com\", nope:1}) { id } }"}`, 200, "GRAPHQL_VALIDATION_FAILED"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := s.Do(t, http.MethodPost, "/graphql", alice.Key, tc.body)
			if resp.StatusCode != tc.status {
				t.Errorf("status %d, want %d: %s", resp.StatusCode, tc.status, body)
			}
			var out struct {
				Data   any
				Errors []struct {
					Message    string
					Extensions map[string]any
				}
			}
			if err := json.Unmarshal(body, &out); err != nil {
				t.Fatalf("not JSON: %s", body)
			}
			if out.Data != nil || len(out.Errors) != 1 || out.Errors[0].Message == "" || out.Errors[0].Extensions["code"] != tc.code {
				t.Errorf("answer %s, want one %s error", body, tc.code)
			}
		})
	}
	sameRows(t, s, before)
	// A mutation over GET is refused too.
	resp, _ := s.Do(t, http.MethodGet, `/graphql?query=mutation%7BcreateLink(input:%7Burl:%22https://example.com%22%7D)%7Bid%7D%7D`, alice.Key, nil)
	if resp.StatusCode < 400 || resp.StatusCode >= 500 {
		t.Errorf("GET mutation: status %d", resp.StatusCode)
	}
	sameRows(t, s, before)
}

func TestBadLinkInput(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	alice := signup(t, s, "alice")
	r := makeRefs(t, s, alice.Key, "bad")
	existing := gql[struct{ CreateLink idOnly }](t, s, alice.Key, `mutation { createLink(input:{url:"https://example.com", custom:"taken"}) { id } }`, nil).CreateLink
	const create = `mutation($in: CreateLinkInput!) { createLink(input:$in) { id } }`
	const update = `mutation($id: ID!, $in: UpdateLinkInput!) { updateLink(id:$id, input:$in) { id } }`
	many := make([]map[string]any, 51)
	for i := range many {
		many[i] = map[string]any{"country": "Canada", "url": "https://example.ca"}
	}

	type tc struct {
		name  string
		in    map[string]any // merged into {url: https://example.com}
		code  string
		field string
	}
	// On the fixture link (on a domain, with a splash page) these changes
	// are allowed.
	createOnly := map[string]bool{"a taken alias": true, "CUSTOM_SPLASH without a page": true}
	cases := []tc{
		{"a javascript: URL", map[string]any{"url": "javascript:alert(document.cookie)"}, "BAD_USER_INPUT", "url"},
		{"a JavaScript: URL in capitals", map[string]any{"url": "JavaScript:alert(1)"}, "BAD_USER_INPUT", "url"},
		{"a data: URL", map[string]any{"url": "data:text/html;base64,PHNjcmlwdD4="}, "BAD_USER_INPUT", "url"},
		{"a file: URL", map[string]any{"url": "file:///etc/passwd"}, "BAD_USER_INPUT", "url"},
		{"an ftp: URL", map[string]any{"url": "ftp://example.com/x"}, "BAD_USER_INPUT", "url"},
		{"a URL without a scheme", map[string]any{"url": "example.com/x"}, "BAD_USER_INPUT", "url"},
		{"a scheme-relative URL", map[string]any{"url": "//example.com/x"}, "BAD_USER_INPUT", "url"},
		{"a URL without a host", map[string]any{"url": "https://"}, "BAD_USER_INPUT", "url"},
		{"a URL with a space", map[string]any{"url": "https://exa mple.com"}, "BAD_USER_INPUT", "url"},
		{"an empty URL", map[string]any{"url": ""}, "BAD_USER_INPUT", "url"},
		{"a URL over 8192 bytes", map[string]any{"url": "https://example.com/" + strings.Repeat("a", 8200)}, "BAD_USER_INPUT", "url"},
		{"a javascript geo target", map[string]any{"geoTargets": []map[string]any{{"country": "Canada", "url": "javascript:x"}}}, "BAD_USER_INPUT", "geoTargets"},
		{"a geo target without country", map[string]any{"geoTargets": []map[string]any{{"country": " ", "url": "https://example.ca"}}}, "BAD_USER_INPUT", "geoTargets"},
		{"51 geo targets", map[string]any{"geoTargets": many}, "BAD_USER_INPUT", "geoTargets"},
		{"a data: device target", map[string]any{"deviceTargets": []map[string]any{{"device": "iPhone", "url": "data:,x"}}}, "BAD_USER_INPUT", "deviceTargets"},
		{"a file: language target", map[string]any{"languageTargets": []map[string]any{{"language": "en", "url": "file:///x"}}}, "BAD_USER_INPUT", "languageTargets"},
		{"a parameter without name", map[string]any{"parameters": []map[string]any{{"name": "", "value": "x"}}}, "BAD_USER_INPUT", "parameters"},
		{"a javascript deep link", map[string]any{"deepLink": map[string]any{"apple": "javascript:x"}}, "BAD_USER_INPUT", "deepLink.apple"},
		{"a javascript meta image", map[string]any{"metaImageUrl": "javascript:x"}, "BAD_USER_INPUT", "metaImageUrl"},
		{"a password over 72 bytes", map[string]any{"password": strings.Repeat("p", 73)}, "BAD_USER_INPUT", "password"},
		{"a title over 1024 characters", map[string]any{"title": strings.Repeat("t", 1025)}, "BAD_USER_INPUT", "title"},
		{"a taken alias", map[string]any{"custom": "taken"}, "CONFLICT", "custom"},
		{"an alias with a space", map[string]any{"custom": "a b"}, "BAD_USER_INPUT", "custom"},
		{"an alias with a slash", map[string]any{"custom": "a/b"}, "BAD_USER_INPUT", "custom"},
		{"an alias with dots", map[string]any{"custom": "../etc"}, "BAD_USER_INPUT", "custom"},
		{"an alias starting with a dash", map[string]any{"custom": "-x"}, "BAD_USER_INPUT", "custom"},
		{"a non-ASCII alias", map[string]any{"custom": "café"}, "BAD_USER_INPUT", "custom"},
		{"an alias over 100 characters", map[string]any{"custom": strings.Repeat("a", 101)}, "BAD_USER_INPUT", "custom"},
		{"CUSTOM_SPLASH without a page", map[string]any{"redirectType": "CUSTOM_SPLASH"}, "BAD_USER_INPUT", "splashPageId"},
		{"OVERLAY without an overlay", map[string]any{"redirectType": "OVERLAY"}, "BAD_USER_INPUT", "ctaOverlayId"},
		{"an invalid domain id", map[string]any{"domainId": "garbage"}, "BAD_USER_INPUT", "domainId"},
		{"a pixel id as domain id", map[string]any{"domainId": r.Pixel}, "BAD_USER_INPUT", "domainId"},
		{"a missing domain", map[string]any{"domainId": gid.Encode("Domain", 999)}, "BAD_USER_INPUT", "domainId"},
		{"an invalid pixel id", map[string]any{"pixelIds": []string{r.Pixel, "garbage"}}, "BAD_USER_INPUT", "pixelIds"},
		{"a missing pixel", map[string]any{"pixelIds": []string{gid.Encode("Pixel", 999)}}, "BAD_USER_INPUT", "pixelIds"},
		{"a link id as channel id", map[string]any{"channelId": r.Link}, "BAD_USER_INPUT", "channelId"},
		{"a missing campaign", map[string]any{"campaignId": gid.Encode("Campaign", 999)}, "BAD_USER_INPUT", "campaignId"},
		{"a missing splash page", map[string]any{"splashPageId": gid.Encode("SplashPage", 999)}, "BAD_USER_INPUT", "splashPageId"},
		{"a missing overlay", map[string]any{"ctaOverlayId": gid.Encode("CTAOverlay", 999)}, "BAD_USER_INPUT", "ctaOverlayId"},
	}
	for _, alias := range []string{"api", "graphql", "playground", "healthz", "qr", "r", "u", "API", "GraphQL", "Healthz"} {
		cases = append(cases, tc{"the reserved alias " + alias, map[string]any{"custom": alias}, "BAD_USER_INPUT", "custom"})
	}

	for _, c := range cases {
		t.Run("create refuses "+c.name, func(t *testing.T) {
			in := map[string]any{"url": "https://example.com/ok"}
			for k, v := range c.in {
				in[k] = v
			}
			before := countRows(t, s)
			wantError(t, s.GraphQL(t, alice.Key, create, map[string]any{"in": in}), c.code, c.field)
			sameRows(t, s, before)
		})
		if createOnly[c.name] {
			continue
		}
		t.Run("update refuses "+c.name, func(t *testing.T) {
			before := snapshot(t, s, alice.Key)
			wantError(t, s.GraphQL(t, alice.Key, update, map[string]any{"id": r.Link, "in": c.in}), c.code, c.field)
			if after := snapshot(t, s, alice.Key); after != before {
				t.Errorf("update changed data:\nbefore %s\nafter  %s", before, after)
			}
		})
	}

	t.Run("update refuses an alias taken on the same domain", func(t *testing.T) {
		other := gql[struct{ CreateLink idOnly }](t, s, alice.Key, `mutation($d: ID!) { createLink(input:{url:"https://example.com", custom:"second", domainId:$d}) { id } }`, map[string]any{"d": r.Domain}).CreateLink
		wantError(t, s.GraphQL(t, alice.Key, update, map[string]any{"id": other.ID, "in": map[string]any{"custom": r.Alias}}), "CONFLICT", "custom")
		// Moving "taken" from the base host onto the domain is fine; moving
		// the domain link called like the fixture back is not.
		wantError(t, s.GraphQL(t, alice.Key, update, map[string]any{"id": existing.ID, "in": map[string]any{"domainId": r.Domain, "custom": r.Alias}}), "CONFLICT", "custom")
	})

	t.Run("bad ids", func(t *testing.T) {
		for _, id := range []string{"garbage", "", r.Pixel, gid.Encode("Link", 0), gid.Encode("Link", -3), "TGluazphYmM"} {
			before := countRows(t, s)
			wantError(t, s.GraphQL(t, alice.Key, update, map[string]any{"id": id, "in": map[string]any{"title": "x"}}), "BAD_USER_INPUT", "id")
			wantError(t, s.GraphQL(t, alice.Key, `mutation($id: ID!) { deleteLink(id:$id) { deletedId } }`, map[string]any{"id": id}), "BAD_USER_INPUT", "id")
			sameRows(t, s, before)
			res := s.GraphQL(t, alice.Key, `query($id: ID!) { link(id:$id) { id } }`, map[string]any{"id": id})
			wantError(t, res, "BAD_USER_INPUT", "id")
		}
		for _, id := range []string{"garbage", r.Pixel + "x", gid.Encode("Nope", 1), gid.Encode("Link", 999)} {
			wantNoNode(t, s, alice.Key, id)
		}
		wantError(t, s.GraphQL(t, alice.Key, update, map[string]any{"id": gid.Encode("Link", 999), "in": map[string]any{"title": "x"}}), "NOT_FOUND", "")
		// A node of the wrong type is not the link it claims to be.
		n := gql[struct {
			Node *struct {
				Typename string `json:"__typename"`
			}
		}](t, s, alice.Key, `query($id: ID!) { node(id:$id) { __typename } }`, map[string]any{"id": r.Pixel}).Node
		if n == nil || n.Typename != "Pixel" {
			t.Errorf("node(pixel id) = %+v", n)
		}
	})

	t.Run("wrong types and missing fields", func(t *testing.T) {
		for _, tc := range []struct {
			name  string
			query string
			vars  map[string]any
		}{
			{"input as a string", create, map[string]any{"in": "https://example.com"}},
			{"url as a list", create, map[string]any{"in": map[string]any{"url": []string{"https://example.com"}}}},
			{"pixelIds as a string", create, map[string]any{"in": map[string]any{"url": "https://example.com", "pixelIds": 7}}},
			{"an unknown visibility", create, map[string]any{"in": map[string]any{"url": "https://example.com", "visibility": "SECRET"}}},
			{"a lower-case redirect type", create, map[string]any{"in": map[string]any{"url": "https://example.com", "redirectType": "direct"}}},
			{"a bad time", create, map[string]any{"in": map[string]any{"url": "https://example.com", "expiresAt": "tomorrow"}}},
			{"deepLink.auto as a string", create, map[string]any{"in": map[string]any{"url": "https://example.com", "deepLink": map[string]any{"auto": "yes"}}}},
			{"a missing url", create, map[string]any{"in": map[string]any{"custom": "x"}}},
			{"a missing input", create, nil},
			{"a geo target without url", create, map[string]any{"in": map[string]any{"url": "https://example.com", "geoTargets": []map[string]any{{"country": "Canada"}}}}},
			{"a pixel without tag", `mutation { createPixel(input:{type:BING, name:"x"}) { id } }`, nil},
			{"a domain without domain", `mutation { createDomain(input:{redirectRoot:"https://example.com"}) { id } }`, nil},
			{"a channel item without type", `mutation($c: ID!, $i: ID!) { assignChannelItem(input:{channelId:$c, itemId:$i}) { id } }`, map[string]any{"c": r.Channel, "i": r.Link}},
			{"a QR code without data", `mutation { createQRCode(input:{type:TEXT}) { id } }`, nil},
			{"a splash delay as a string", `mutation { createSplashPage(input:{name:"x", delaySeconds:"5"}) { id } }`, nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := countRows(t, s)
				res := s.GraphQL(t, alice.Key, tc.query, tc.vars)
				if len(res.Errors) == 0 || res.Status >= 500 {
					t.Fatalf("status %d, errors %+v, data %s", res.Status, res.Errors, res.Data)
				}
				if c := res.Errors[0].Code(); c != "GRAPHQL_VALIDATION_FAILED" && c != "BAD_USER_INPUT" {
					t.Errorf("code %s (%s), want a validation error", c, res.Errors[0].Message)
				}
				sameRows(t, s, before)
			})
		}
	})
}

func TestBadResourceInput(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	alice := signup(t, s, "alice")
	r := makeRefs(t, s, alice.Key, "badres")
	for _, tc := range []struct {
		name, query, code, field string
	}{
		{"a colour name", `mutation { createChannel(input:{name:"x", color:"red"}) { id } }`, "BAD_USER_INPUT", "color"},
		{"a short hex colour", `mutation { createChannel(input:{name:"x", color:"#FFF"}) { id } }`, "BAD_USER_INPUT", "color"},
		{"a colour with script", `mutation { createCtaOverlay(input:{type:MESSAGE, name:"x", color:"#FFFFFF<script>"}) { id } }`, "BAD_USER_INPUT", "color"},
		{"a slug with a slash", `mutation { createCampaign(input:{name:"x", slug:"a/b"}) { id } }`, "BAD_USER_INPUT", "slug"},
		{"a slug with a space", `mutation { createCampaign(input:{name:"x", slug:"a b"}) { id } }`, "BAD_USER_INPUT", "slug"},
		{"a taken slug", `mutation { createCampaign(input:{name:"x", slug:"badres-campaign"}) { id } }`, "CONFLICT", "slug"},
		{"a tag with a quote", `mutation { createPixel(input:{type:FBPIXEL, name:"x", tag:"1\"><script>"}) { id } }`, "BAD_USER_INPUT", "tag"},
		{"an empty pixel name", `mutation { createPixel(input:{type:FBPIXEL, name:"", tag:"1"}) { id } }`, "BAD_USER_INPUT", "name"},
		{"a reserved bio alias", `mutation { createBioPage(input:{alias:"playground", name:"x"}) { id } }`, "BAD_USER_INPUT", "alias"},
		{"a taken bio alias", `mutation { createBioPage(input:{alias:"badres-bio", name:"x"}) { id } }`, "CONFLICT", "alias"},
		{"a javascript bio avatar", `mutation { createBioPage(input:{alias:"fresh", name:"x", avatar:"javascript:x"}) { id } }`, "BAD_USER_INPUT", "avatar"},
		{"a javascript domain root", `mutation { createDomain(input:{domain:"https://fresh.example.net", redirectRoot:"javascript:x"}) { id } }`, "BAD_USER_INPUT", "redirectRoot"},
		{"a file: 404 redirect", `mutation { createDomain(input:{domain:"https://fresh.example.net", redirect404:"file:///x"}) { id } }`, "BAD_USER_INPUT", "redirect404"},
		{"a taken domain", `mutation { createDomain(input:{domain:"https://BADRES.example.net"}) { id } }`, "CONFLICT", "domain"},
		{"a data: splash image", `mutation { createSplashPage(input:{name:"x", image:"data:image/png;base64,AA"}) { id } }`, "BAD_USER_INPUT", "image"},
		{"a negative splash delay", `mutation { createSplashPage(input:{name:"x", delaySeconds:-1}) { id } }`, "BAD_USER_INPUT", "delaySeconds"},
		{"a javascript overlay button", `mutation { createCtaOverlay(input:{type:BUTTON, name:"x", buttonUrl:"javascript:x"}) { id } }`, "BAD_USER_INPUT", "buttonUrl"},
		{"a QR link to file:", `mutation { createQRCode(input:{type:LINK, data:"file:///etc/passwd"}) { id } }`, "BAD_USER_INPUT", "data"},
		{"a wrong-type channel id", `mutation { assignChannelItem(input:{channelId:"` + r.Link + `", type:LINK, itemId:"` + r.Link + `"}) { id } }`, "BAD_USER_INPUT", "channelId"},
		{"a wrong-type item id", `mutation { assignChannelItem(input:{channelId:"` + r.Channel + `", type:QR, itemId:"` + r.Link + `"}) { id } }`, "BAD_USER_INPUT", "itemId"},
		{"a missing channel", `mutation { assignChannelItem(input:{channelId:"` + gid.Encode("Channel", 999) + `", type:LINK, itemId:"` + r.Link + `"}) { id } }`, "BAD_USER_INPUT", "channelId"},
		{"a garbage campaign id", `mutation { assignLinkToCampaign(campaignId:"garbage", linkId:"` + r.Link + `") { id } }`, "BAD_USER_INPUT", "campaignId"},
		{"a garbage link id", `mutation { assignLinkToCampaign(campaignId:"` + r.Campaign + `", linkId:"garbage") { id } }`, "BAD_USER_INPUT", "linkId"},
		{"a garbage pixel id", `mutation { updatePixel(id:"garbage", input:{name:"x"}) { id } }`, "BAD_USER_INPUT", "id"},
		{"a garbage item id", `mutation { unassignChannelItem(id:"garbage") { deletedId } }`, "BAD_USER_INPUT", "id"},
		{"a too long channel name", `mutation { createChannel(input:{name:"` + strings.Repeat("n", 256) + `"}) { id } }`, "BAD_USER_INPUT", "name"},
	} {
		t.Run("refuses "+tc.name, func(t *testing.T) {
			before := countRows(t, s)
			snap := snapshot(t, s, alice.Key)
			wantError(t, s.GraphQL(t, alice.Key, tc.query, nil), tc.code, tc.field)
			sameRows(t, s, before)
			if after := snapshot(t, s, alice.Key); after != snap {
				t.Errorf("data changed:\nbefore %s\nafter  %s", snap, after)
			}
		})
	}
}

// A client that accepts application/graphql-response+json gets 400 for a
// document that does not parse or validate (GraphQL over HTTP).
func TestGraphQLResponseJSONStatuses(t *testing.T) {
	s := newServer(t)
	alice := signup(t, s, "alice")
	for body, want := range map[string]int{
		`{"query":"{ me { id "}`:       http.StatusBadRequest,
		`{"query":"{ me { nope } }"}`:  http.StatusBadRequest,
		`{"query":"{ me { email } }"}`: http.StatusOK,
	} {
		req, _ := http.NewRequest(http.MethodPost, s.URL+"/graphql", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/graphql-response+json")
		req.Header.Set("Authorization", "Bearer "+alice.Key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/graphql-response+json") {
			t.Errorf("%s: %d %s, want %d graphql-response+json", body, resp.StatusCode, resp.Header.Get("Content-Type"), want)
		}
	}
}

// Introspection lists the directives a client may use, not the code
// generators' own.
func TestIntrospectionHidesInternalDirectives(t *testing.T) {
	s := newServer(t)
	out := gql[struct {
		Schema struct{ Directives []struct{ Name string } } `json:"__schema"`
	}](t, s, "", `{ __schema { directives { name } } }`, nil)
	names := map[string]bool{}
	for _, d := range out.Schema.Directives {
		names[d.Name] = true
	}
	for _, internal := range []string{"goField", "goModel"} {
		if names[internal] {
			t.Errorf("introspection lists @%s", internal)
		}
	}
	for _, public := range []string{"include", "skip", "deprecated"} {
		if !names[public] {
			t.Errorf("introspection lacks @%s: %v", public, names)
		}
	}
}

// Geo targets name countries this server knows (English name, ISO code or
// a usual alias); anything else is refused before it is stored.
func TestGeoTargetCountriesAreKnown(t *testing.T) {
	s := newServer(t)
	alice := signup(t, s, "alice")
	create := `mutation($c: String!) { createLink(input:{url:"https://example.com", geoTargets:[{country:$c, url:"https://example.org"}]}) { id } }`
	for _, c := range []string{"Canada", "ca", "United Kingdom", "UK", " de "} {
		gql[map[string]any](t, s, alice.Key, create, map[string]any{"c": c})
	}
	before := countRows(t, s)
	for _, c := range []string{"Narnia", "XX", "Canadaa"} {
		wantError(t, s.GraphQL(t, alice.Key, create, map[string]any{"c": c}), "BAD_USER_INPUT", "geoTargets")
	}
	sameRows(t, s, before)
}
