package graph_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"shortener/internal/analytics"
	"shortener/internal/app/apptest"
)

const (
	chromeUA  = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"
	firefoxUA = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0"
	iphoneUA  = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"
)

type created struct {
	ID, Alias string
	RowID     int
}

// scopeFixture is alice's links l1..l3 and QR code q, campaign c (l1, l2)
// and channel ch (l2, q), with clicks at known times; and bob's link and
// campaign with clicks of their own.
type scopeFixture struct {
	s                 *apptest.Server
	alice, bob        user
	l1, l2, l3, q     created
	campaign, channel string
	bobCampaign       string
}

func newScopeFixture(t *testing.T) *scopeFixture {
	t.Helper()
	s := newServer(t)
	f := &scopeFixture{s: s, alice: signup(t, s, "alice"), bob: signup(t, s, "bob")}
	link := func(key string) created {
		return gql[struct{ CreateLink created }](t, s, key, `mutation { createLink(input:{url:"https://example.com/"}) { id alias rowId } }`, nil).CreateLink
	}
	f.l1, f.l2, f.l3 = link(f.alice.Key), link(f.alice.Key), link(f.alice.Key)
	f.q = gql[struct{ CreateQRCode created }](t, s, f.alice.Key, `mutation { createQRCode(input:{type:TEXT, data:"hello"}) { id rowId } }`, nil).CreateQRCode
	campaign := func(key string, links ...created) string {
		c := gql[struct{ CreateCampaign struct{ ID string } }](t, s, key, `mutation { createCampaign(input:{name:"c"}) { id } }`, nil).CreateCampaign.ID
		for _, l := range links {
			gql[map[string]any](t, s, key, `mutation($c:ID!,$l:ID!) { assignLinkToCampaign(campaignId:$c, linkId:$l) { id } }`, map[string]any{"c": c, "l": l.ID})
		}
		return c
	}
	f.campaign = campaign(f.alice.Key, f.l1, f.l2)
	f.channel = gql[struct{ CreateChannel struct{ ID string } }](t, s, f.alice.Key, `mutation { createChannel(input:{name:"ch"}) { id } }`, nil).CreateChannel.ID
	for _, it := range []struct{ typ, id string }{{"LINK", f.l2.ID}, {"QR", f.q.ID}} {
		gql[map[string]any](t, s, f.alice.Key, `mutation($c:ID!,$t:ChannelItemType!,$i:ID!) { assignChannelItem(input:{channelId:$c, type:$t, itemId:$i}) { id } }`,
			map[string]any{"c": f.channel, "t": it.typ, "i": it.id})
	}
	bl := link(f.bob.Key)
	f.bobCampaign = campaign(f.bob.Key, bl)

	owner := func(key string) int {
		return gql[struct{ Me struct{ RowID int } }](t, s, key, `{ me { rowId } }`, nil).Me.RowID
	}
	a, b := owner(f.alice.Key), owner(f.bob.Key)
	at := func(v string) time.Time { tm, _ := time.Parse(time.RFC3339, v); return tm }
	hit := func(n int, h analytics.Hit) {
		for i := 0; i < n; i++ {
			f.s.App.Clicks.Record(h)
		}
	}
	// UTC: Mar 1 10:00 l1 5 (Chrome) and q 4 (iPhone); Mar 1 23:30 l2 3
	// (Firefox), which is Mar 2 08:30 in Seoul; Apr 10 l3 2 (Chrome).
	hit(5, analytics.Hit{OwnerID: a, LinkID: f.l1.RowID, Time: at("2025-03-01T10:00:00Z"), IP: "192.0.2.1", UserAgent: chromeUA})
	hit(4, analytics.Hit{OwnerID: a, QRCodeID: f.q.RowID, Time: at("2025-03-01T10:10:00Z"), IP: "192.0.2.2", UserAgent: iphoneUA})
	hit(3, analytics.Hit{OwnerID: a, LinkID: f.l2.RowID, Time: at("2025-03-01T23:30:00Z"), IP: "192.0.2.3", UserAgent: firefoxUA})
	hit(2, analytics.Hit{OwnerID: a, LinkID: f.l3.RowID, Time: at("2025-04-10T12:00:00Z"), IP: "192.0.2.4", UserAgent: chromeUA})
	hit(7, analytics.Hit{OwnerID: b, LinkID: bl.RowID, Time: at("2025-03-01T10:00:00Z"), IP: "192.0.2.5", UserAgent: chromeUA})
	f.flush(t)
	return f
}

func (f *scopeFixture) flush(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := f.s.App.Writer.Flush(ctx); err != nil {
		t.Fatalf("flush clicks: %v", err)
	}
}

type linkClicks struct {
	Link         struct{ ID string }
	Clicks       int
	UniqueClicks int
}

type scopeStats struct {
	Clicks, UniqueClicks int
	TopLinks             []linkClicks
}

func wantTop(t *testing.T, name string, got []linkClicks, want ...any) {
	t.Helper()
	if len(got) != len(want)/2 {
		t.Fatalf("%s topLinks = %s, want %v", name, jsonString(got), want)
	}
	for i := range got {
		if got[i].Link.ID != want[2*i].(created).ID || got[i].Clicks != want[2*i+1].(int) {
			t.Fatalf("%s topLinks = %s, want %v", name, jsonString(got), want)
		}
	}
}

func TestStatsScopes(t *testing.T) {
	f := newScopeFixture(t)
	s := f.s

	// One real click through the redirect: account totals count it.
	resp, err := apptest.NoRedirectClient().Get(s.URL + "/" + f.l3.Alias)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound && resp.StatusCode != http.StatusMovedPermanently {
		t.Fatalf("redirect status %d", resp.StatusCode)
	}
	f.flush(t)

	const fields = `clicks uniqueClicks topLinks { link { id } clicks uniqueClicks }`
	me := gql[struct{ Me struct{ Stats scopeStats } }](t, s, f.alice.Key, `{ me { stats { `+fields+` } } }`, nil).Me.Stats
	// The account is the sum of its links and QR codes.
	var sum int
	for _, l := range []created{f.l1, f.l2, f.l3} {
		var out struct{ Node struct{ Stats scopeStats } }
		s.MustGraphQL(t, f.alice.Key, `query($id:ID!){ node(id:$id) { ... on Link { stats { clicks } } } }`, map[string]any{"id": l.ID}, &out)
		sum += out.Node.Stats.Clicks
	}
	var qr struct{ Node struct{ Stats scopeStats } }
	s.MustGraphQL(t, f.alice.Key, `query($id:ID!){ node(id:$id) { ... on QRCode { stats { clicks } } } }`, map[string]any{"id": f.q.ID}, &qr)
	sum += qr.Node.Stats.Clicks
	if me.Clicks != 15 || sum != 15 || qr.Node.Stats.Clicks != 4 {
		t.Fatalf("account clicks %d, links+QR %d (QR %d), want 15 = 5+3+3+4", me.Clicks, sum, qr.Node.Stats.Clicks)
	}
	wantTop(t, "account", me.TopLinks, f.l1, 5, f.l2, 3, f.l3, 3)
	me2 := gql[struct{ Me struct{ Stats scopeStats } }](t, s, f.alice.Key, `{ me { stats { topLinks(limit: 2) { link { id } clicks } } } }`, nil).Me.Stats
	wantTop(t, "account limit 2", me2.TopLinks, f.l1, 5, f.l2, 3)
	wantError(t, s.GraphQL(t, f.alice.Key, `{ me { stats { topLinks(limit: 0) { clicks } } } }`, nil), "BAD_USER_INPUT", "limit")
	wantError(t, s.GraphQL(t, f.alice.Key, `{ me { stats { topLinks(limit: 101) { clicks } } } }`, nil), "BAD_USER_INPUT", "limit")

	var c struct{ Node struct{ Stats scopeStats } }
	s.MustGraphQL(t, f.alice.Key, `query($id:ID!){ node(id:$id) { ... on Campaign { stats { `+fields+` } } } }`, map[string]any{"id": f.campaign}, &c)
	if c.Node.Stats.Clicks != 8 || c.Node.Stats.UniqueClicks != 2 {
		t.Fatalf("campaign stats %+v, want 8 clicks (l1 + l2), 2 unique", c.Node.Stats)
	}
	wantTop(t, "campaign", c.Node.Stats.TopLinks, f.l1, 5, f.l2, 3)

	var ch struct{ Node struct{ Stats scopeStats } }
	s.MustGraphQL(t, f.alice.Key, `query($id:ID!){ node(id:$id) { ... on Channel { stats(from:"2025-01-01T00:00:00Z", to:"2026-01-01T00:00:00Z") { `+fields+` } } } }`, map[string]any{"id": f.channel}, &ch)
	if ch.Node.Stats.Clicks != 7 {
		t.Fatalf("channel stats %+v, want 7 clicks (l2 + QR)", ch.Node.Stats)
	}
	wantTop(t, "channel", ch.Node.Stats.TopLinks, f.l2, 3)

	// A link's own topLinks is that link; a QR code's is empty.
	var l struct{ Node struct{ Stats scopeStats } }
	s.MustGraphQL(t, f.alice.Key, `query($id:ID!){ node(id:$id) { ... on Link { stats { `+fields+` } } } }`, map[string]any{"id": f.l1.ID}, &l)
	wantTop(t, "link", l.Node.Stats.TopLinks, f.l1, 5)
	s.MustGraphQL(t, f.alice.Key, `query($id:ID!){ node(id:$id) { ... on QRCode { stats { `+fields+` } } } }`, map[string]any{"id": f.q.ID}, &qr)
	wantTop(t, "QR", qr.Node.Stats.TopLinks)

	// Bob's account and campaign are his alone.
	bobMe := gql[struct{ Me struct{ Stats scopeStats } }](t, s, f.bob.Key, `{ me { stats { clicks } } }`, nil).Me.Stats
	var bc struct{ Node struct{ Stats scopeStats } }
	s.MustGraphQL(t, f.bob.Key, `query($id:ID!){ node(id:$id) { ... on Campaign { stats { clicks } } } }`, map[string]any{"id": f.bobCampaign}, &bc)
	if bobMe.Clicks != 7 || bc.Node.Stats.Clicks != 7 {
		t.Fatalf("bob: account %d, campaign %d clicks, want 7", bobMe.Clicks, bc.Node.Stats.Clicks)
	}
}

func TestStatsOfOthersDoNotLeak(t *testing.T) {
	f := newScopeFixture(t)
	s := f.s
	for _, id := range []string{f.bobCampaign, f.bob.ID} {
		wantNoNode(t, s, f.alice.Key, id)
		res := s.GraphQL(t, f.alice.Key, `query($id:ID!){ node(id:$id) {
			... on Campaign { stats { clicks topLinks { clicks } } }
			... on User { stats { clicks } } } }`, map[string]any{"id": id})
		if string(res.Data) != `{"node":null}` && string(res.Data) != "null" {
			t.Fatalf("node(%s) with stats = %s, want null", id, res.Data)
		}
		res = s.GraphQL(t, f.alice.Key, `query($id:ID!){ nodes(ids:[$id]) { ... on Campaign { stats { clicks } } } }`, map[string]any{"id": id})
		if d := string(res.Data); d != `{"nodes":[null]}` && d != `{"nodes":null}` && d != "null" {
			t.Fatalf("nodes(%s) = %s, want nothing", id, d)
		}
		for _, e := range res.Errors {
			if e.Code() != "NOT_FOUND" {
				t.Fatalf("nodes(%s) error %q (%s), want NOT_FOUND", id, e.Message, e.Code())
			}
		}
	}
	// Alice's own campaigns list holds only hers.
	var list struct {
		Campaigns struct {
			Edges []struct{ Node struct{ Stats scopeStats } }
		}
	}
	s.MustGraphQL(t, f.alice.Key, `{ campaigns { edges { node { stats { clicks } } } } }`, nil, &list)
	if len(list.Campaigns.Edges) != 1 || list.Campaigns.Edges[0].Node.Stats.Clicks != 8 {
		t.Fatalf("alice's campaigns = %s, want hers alone with 8 clicks", jsonString(list.Campaigns))
	}
}

func TestStatsTimeZonesAndMonths(t *testing.T) {
	f := newScopeFixture(t)
	s := f.s
	type bucket struct {
		Start  string
		Clicks int
	}
	series := func(args, interval string) []bucket {
		t.Helper()
		return gql[struct {
			Me struct{ Stats struct{ TimeSeries []bucket } }
		}](t, s, f.alice.Key, `{ me { stats(`+args+`) { timeSeries(interval: `+interval+`) { start clicks } } } }`, nil).Me.Stats.TimeSeries
	}
	want := func(name string, got []bucket, w ...bucket) {
		t.Helper()
		if jsonString(got) != jsonString(w) {
			t.Fatalf("%s = %s, want %s", name, jsonString(got), jsonString(w))
		}
	}
	// 23:30 UTC on Mar 1 is 08:30 on Mar 2 in Seoul (+09:00).
	want("UTC days", series(`from:"2025-03-01T00:00:00Z", to:"2025-03-03T00:00:00Z"`, "DAY"),
		bucket{"2025-03-01T00:00:00Z", 12}, bucket{"2025-03-02T00:00:00Z", 0})
	want("Seoul days", series(`from:"2025-03-01T00:00:00+09:00", to:"2025-03-03T00:00:00+09:00", timeZone:"Asia/Seoul"`, "DAY"),
		bucket{"2025-03-01T00:00:00+09:00", 9}, bucket{"2025-03-02T00:00:00+09:00", 3})
	// The Seoul days over a UTC range: its ends fall inside local days.
	want("Seoul days, UTC bounds", series(`from:"2025-03-01T00:00:00Z", to:"2025-03-03T00:00:00Z", timeZone:"Asia/Seoul"`, "DAY"),
		bucket{"2025-03-01T00:00:00+09:00", 9}, bucket{"2025-03-02T00:00:00+09:00", 3}, bucket{"2025-03-03T00:00:00+09:00", 0})
	// Campaign and channel follow the zone too.
	var c struct {
		Node struct{ Stats struct{ TimeSeries []bucket } }
	}
	s.MustGraphQL(t, f.alice.Key, `query($id:ID!){ node(id:$id) { ... on Campaign { stats(from:"2025-03-01T00:00:00+09:00", to:"2025-03-03T00:00:00+09:00", timeZone:"Asia/Seoul") { timeSeries(interval: DAY) { start clicks } } } } }`,
		map[string]any{"id": f.campaign}, &c)
	want("campaign Seoul days", c.Node.Stats.TimeSeries, bucket{"2025-03-01T00:00:00+09:00", 5}, bucket{"2025-03-02T00:00:00+09:00", 3})

	want("UTC months", series(`from:"2025-01-01T00:00:00Z", to:"2025-06-01T00:00:00Z"`, "MONTH"),
		bucket{"2025-01-01T00:00:00Z", 0}, bucket{"2025-02-01T00:00:00Z", 0}, bucket{"2025-03-01T00:00:00Z", 12},
		bucket{"2025-04-01T00:00:00Z", 2}, bucket{"2025-05-01T00:00:00Z", 0})
	// A month starting mid-range (the hour rows at the ends are read too).
	want("UTC months, partial", series(`from:"2025-03-01T23:00:00Z", to:"2025-04-10T13:00:00Z"`, "MONTH"),
		bucket{"2025-03-01T00:00:00Z", 3}, bucket{"2025-04-01T00:00:00Z", 2})
	// In Los Angeles (-08:00 in March) all of Mar 1's UTC clicks are Feb 28's
	// or Mar 1's local time: 10:00Z is 02:00 Mar 1, 23:30Z 15:30 Mar 1.
	want("Los Angeles months", series(`from:"2025-02-01T00:00:00-08:00", to:"2025-05-01T00:00:00-07:00", timeZone:"America/Los_Angeles"`, "MONTH"),
		bucket{"2025-02-01T00:00:00-08:00", 0}, bucket{"2025-03-01T00:00:00-08:00", 12}, bucket{"2025-04-01T00:00:00-07:00", 2})

	wantError(t, s.GraphQL(t, f.alice.Key, `{ me { stats(timeZone:"Mars/Olympus") { clicks } } }`, nil), "BAD_USER_INPUT", "timeZone")
	wantError(t, s.GraphQL(t, f.alice.Key, `{ me { stats(timeZone:"Local") { clicks } } }`, nil), "BAD_USER_INPUT", "timeZone")
	wantError(t, s.GraphQL(t, f.alice.Key, `{ me { stats(from:"2000-01-01T00:00:00Z", to:"2025-01-01T00:00:00Z") { timeSeries(interval: MONTH) { clicks } } } }`, nil), "BAD_USER_INPUT", "to")
}

func TestBreakdownOther(t *testing.T) {
	f := newScopeFixture(t)
	s := f.s
	type bucket struct {
		Key                  string
		Clicks, UniqueClicks int
	}
	bd := func(limit int) []bucket {
		return gql[struct {
			Me struct{ Stats struct{ Breakdown []bucket } }
		}](t, s, f.alice.Key, `query($n:Int){ me { stats { breakdown(dimension: BROWSER, limit: $n) { key clicks uniqueClicks } } } }`, map[string]any{"n": limit}).Me.Stats.Breakdown
	}
	// Chrome 7 (l1 5, l3 2), Safari 4 (QR), Firefox 3.
	if got := jsonString(bd(1)); got != jsonString([]bucket{{"Chrome", 7, 2}, {"Other", 7, 2}}) {
		t.Fatalf("limit 1 = %s, want Chrome then Other", got)
	}
	if got := jsonString(bd(2)); got != jsonString([]bucket{{"Chrome", 7, 2}, {"Mobile Safari", 4, 1}, {"Other", 3, 1}}) &&
		got != jsonString([]bucket{{"Chrome", 7, 2}, {"Safari", 4, 1}, {"Other", 3, 1}}) {
		t.Fatalf("limit 2 = %s, want Chrome, Safari, then Other", got)
	}
	if got := bd(3); len(got) != 3 || got[2].Key == "Other" {
		t.Fatalf("limit 3 = %s, want the three browsers and no Other", jsonString(got))
	}
}

// With a zone whose offset is not whole hours, an hour counts in the local
// day where it starts: 18:40 UTC is 00:10 on Mar 2 in Kolkata (+05:30), but
// its hour starts at 23:30 on Mar 1.
func TestStatsHalfHourZone(t *testing.T) {
	f := newScopeFixture(t)
	s := f.s
	a := gql[struct{ Me struct{ RowID int } }](t, s, f.alice.Key, `{ me { rowId } }`, nil).Me.RowID
	at, _ := time.Parse(time.RFC3339, "2025-03-01T18:40:00Z")
	s.App.Clicks.Record(analytics.Hit{OwnerID: a, LinkID: f.l1.RowID, Time: at, IP: "192.0.2.9", UserAgent: chromeUA})
	f.flush(t)
	type bucket struct {
		Start  string
		Clicks int
	}
	got := gql[struct {
		Me struct{ Stats struct{ TimeSeries []bucket } }
	}](t, s, f.alice.Key, `{ me { stats(from:"2025-03-01T00:00:00+05:30", to:"2025-03-03T00:00:00+05:30", timeZone:"Asia/Kolkata") { timeSeries(interval: DAY) { start clicks } } } }`, nil).Me.Stats.TimeSeries
	// Mar 1 IST: 10:00Z and 10:10Z (9) and the 18:00Z hour (1); Mar 2: 23:00Z (3).
	want := []bucket{{"2025-03-01T00:00:00+05:30", 10}, {"2025-03-02T00:00:00+05:30", 3}}
	if jsonString(got) != jsonString(want) {
		t.Fatalf("Kolkata days = %s, want %s", jsonString(got), jsonString(want))
	}
}
