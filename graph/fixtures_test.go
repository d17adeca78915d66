package graph_test

import (
	"fmt"
	"testing"

	"shortener/internal/app/apptest"
)

// refs are the global ids of one user's objects of every kind.
type refs struct {
	Domain, Pixel, Pixel2, Channel, Campaign, Splash, Overlay, Bio, QR, Link, ChannelItem string
	Alias, DomainURL, CampaignSlug                                                        string
}

// makeRefs creates one object of every kind for key's user, and a link that
// uses them all. tag keeps hosts, slugs and aliases unique per server.
func makeRefs(tb testing.TB, s *apptest.Server, key, tag string) refs {
	tb.Helper()
	var r refs
	id := func(data map[string]any, name string) string {
		tb.Helper()
		m, _ := data[name].(map[string]any)
		v, _ := m["id"].(string)
		if v == "" {
			tb.Fatalf("%s returned no id: %v", name, data)
		}
		return v
	}
	r.DomainURL = fmt.Sprintf("https://%s.example.net", tag)
	r.CampaignSlug = tag + "-campaign"
	d := gql[map[string]any](tb, s, key, `mutation($d: String!, $slug: String!, $bio: String!) {
		createDomain(input:{domain:$d, redirectRoot:"https://example.com/root"}) { id }
		createPixel(input:{type:FBPIXEL, name:"fb", tag:"123456"}) { id }
		p2: createPixel(input:{type:GTMPIXEL, name:"gtm", tag:"GTM-XXXX"}) { id }
		createChannel(input:{name:"Channel", color:"#112233"}) { id }
		createCampaign(input:{name:"Campaign", slug:$slug, public:true}) { id }
		createSplashPage(input:{name:"Splash", title:"Wait", content:"hello", delaySeconds:3}) { id }
		createCtaOverlay(input:{type:MESSAGE, name:"Overlay", content:"hi", buttonText:"Go", buttonUrl:"https://example.com/go", color:"#ABCDEF"}) { id }
		createBioPage(input:{alias:$bio, name:"Bio", links:[{title:"Home", url:"https://example.com"}]}) { id }
		createQRCode(input:{type:TEXT, data:"hello", name:"QR"}) { id }
	}`, map[string]any{"d": r.DomainURL, "slug": r.CampaignSlug, "bio": tag + "-bio"})
	r.Domain, r.Pixel, r.Pixel2 = id(d, "createDomain"), id(d, "createPixel"), id(d, "p2")
	r.Channel, r.Campaign = id(d, "createChannel"), id(d, "createCampaign")
	r.Splash, r.Overlay = id(d, "createSplashPage"), id(d, "createCtaOverlay")
	r.Bio, r.QR = id(d, "createBioPage"), id(d, "createQRCode")

	r.Alias = tag + "-link"
	l := gql[map[string]any](tb, s, key, `mutation($in: CreateLinkInput!) { createLink(input:$in) { id } }`, map[string]any{"in": map[string]any{
		"url": "https://example.com/" + tag, "custom": r.Alias, "domainId": r.Domain,
		"pixelIds": []string{r.Pixel}, "channelId": r.Channel, "campaignId": r.Campaign,
		"splashPageId": r.Splash, "title": "Title " + tag,
	}})
	r.Link = id(l, "createLink")
	it := gql[map[string]any](tb, s, key, `mutation($c: ID!, $i: ID!) { assignChannelItem(input:{channelId:$c, type:QR, itemId:$i}) { id } }`,
		map[string]any{"c": r.Channel, "i": r.QR})
	r.ChannelItem = id(it, "assignChannelItem")
	return r
}
