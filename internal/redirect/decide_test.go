package redirect

import (
	"testing"
	"time"

	"shortener/ent"
	entlink "shortener/ent/link"
	"shortener/ent/schema/schematype"
)

var now = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// snap builds a link snapshot the way the loader does.
func snap(mod func(l *ent.Link)) *Snapshot {
	l := &ent.Link{ID: 7, OwnerID: 3, Alias: "a", LongURL: "https://example.com/long", RedirectType: entlink.RedirectTypeDIRECT}
	if mod != nil {
		mod(l)
	}
	return (&loader{}).linkSnapshot(nil, l)
}

func TestDecide(t *testing.T) {
	past, future := now.Add(-time.Minute), now.Add(time.Minute)
	targets := func(l *ent.Link) {
		l.DeviceTargets = []schematype.DeviceTarget{{Device: "iPhone", URL: "https://iphone.example"}, {Device: "Android", URL: "https://android.example"}}
		l.GeoTargets = []schematype.GeoTarget{{Country: "Canada", URL: "https://ca.example"}, {Country: "de", URL: "https://de.example"}, {Country: "Atlantis", URL: "https://nowhere.example"}}
		l.LanguageTargets = []schematype.LanguageTarget{{Language: "fr", URL: "https://fr.example"}, {Language: "es", URL: "https://es.example"}}
	}
	domain := &Domain{ID: 1, Host: "go.example.com", Redirect404: "https://example.com/missing"}
	cases := []struct {
		name string
		s    *Snapshot
		v    Visitor
		want Outcome
	}{
		{"a missing alias on the base host is not found", &Snapshot{Kind: KindMissing, Extra: noExtra}, Visitor{},
			Outcome{Kind: OutcomeNotFound}},
		{"a missing alias on a domain with redirect404 goes there, uncounted", &Snapshot{Kind: KindMissing, Domain: domain, Extra: noExtra}, Visitor{},
			Outcome{Kind: OutcomeRedirect, URL: "https://example.com/missing"}},
		{"a missing alias on a domain without redirect404 is not found", &Snapshot{Kind: KindMissing, Domain: &Domain{ID: 2}, Extra: noExtra}, Visitor{},
			Outcome{Kind: OutcomeNotFound}},
		{"a bio page is shown", &Snapshot{Kind: KindBio, Extra: &Extra{Bio: &ent.BioPage{}}}, Visitor{}, Outcome{Kind: OutcomeBio}},
		{"a plain link redirects to its long URL and counts", snap(nil), Visitor{},
			Outcome{Kind: OutcomeRedirect, URL: "https://example.com/long", Record: true}},
		{"an expired link is gone, uncounted", snap(func(l *ent.Link) { l.ExpiresAt = &past }), Visitor{},
			Outcome{Kind: OutcomeExpired}},
		{"a link expiring at now is gone", snap(func(l *ent.Link) { l.ExpiresAt = &now }), Visitor{},
			Outcome{Kind: OutcomeExpired}},
		{"a link expiring later still redirects", snap(func(l *ent.Link) { l.ExpiresAt = &future }), Visitor{},
			Outcome{Kind: OutcomeRedirect, URL: "https://example.com/long", Record: true}},
		{"a preview bot gets the card and is recorded", snap(nil), Visitor{Bot: true},
			Outcome{Kind: OutcomePreview, Record: true}},
		{"a preview bot of an expired link gets 410", snap(func(l *ent.Link) { l.ExpiresAt = &past }), Visitor{Bot: true},
			Outcome{Kind: OutcomeExpired}},
		{"a locked password link shows the form, uncounted", snap(func(l *ent.Link) { l.PasswordHash = "h" }), Visitor{},
			Outcome{Kind: OutcomePassword}},
		{"an unlocked password link redirects and counts", snap(func(l *ent.Link) { l.PasswordHash = "h" }), Visitor{Unlocked: true},
			Outcome{Kind: OutcomeRedirect, URL: "https://example.com/long", Record: true}},
		{"an iPhone gets the iPhone target", snap(targets), Visitor{Platform: PlatformIPhone, Country: "CA", Languages: []string{"fr"}},
			Outcome{Kind: OutcomeRedirect, URL: "https://iphone.example", Record: true}},
		{"a device target beats geo and language", snap(targets), Visitor{Platform: PlatformAndroid, Country: "CA"},
			Outcome{Kind: OutcomeRedirect, URL: "https://android.example", Record: true}},
		{"a country given by name matches its code", snap(targets), Visitor{Platform: PlatformWindows, Country: "CA", Languages: []string{"fr"}},
			Outcome{Kind: OutcomeRedirect, URL: "https://ca.example", Record: true}},
		{"a country given by lower-case code matches", snap(targets), Visitor{Country: "DE"},
			Outcome{Kind: OutcomeRedirect, URL: "https://de.example", Record: true}},
		{"the visitor's first language that has a target wins", snap(targets), Visitor{Country: "US", Languages: []string{"it", "es-mx", "fr"}},
			Outcome{Kind: OutcomeRedirect, URL: "https://es.example", Record: true}},
		{"no rule matching gives the long URL", snap(targets), Visitor{Platform: PlatformMac, Country: "US", Languages: []string{"en"}},
			Outcome{Kind: OutcomeRedirect, URL: "https://example.com/long", Record: true}},
		{"an unknown country in a rule never matches", snap(targets), Visitor{Country: ""},
			Outcome{Kind: OutcomeRedirect, URL: "https://example.com/long", Record: true}},
		{"iOS gets the apple deep link before device targets", snap(func(l *ent.Link) {
			targets(l)
			l.DeepLink = &schematype.DeepLink{Apple: "https://apps.apple.com/app/id1", Google: "https://play.google.com/store/apps/details?id=x"}
		}), Visitor{Platform: PlatformIPhone}, Outcome{Kind: OutcomeRedirect, URL: "https://apps.apple.com/app/id1", Record: true}},
		{"Android gets the google deep link", snap(func(l *ent.Link) {
			l.DeepLink = &schematype.DeepLink{Apple: "https://apps.apple.com/app/id1", Google: "https://play.google.com/store/apps/details?id=x"}
		}), Visitor{Platform: PlatformAndroidTablet}, Outcome{Kind: OutcomeRedirect, URL: "https://play.google.com/store/apps/details?id=x", Record: true}},
		{"a desktop ignores deep links", snap(func(l *ent.Link) {
			l.DeepLink = &schematype.DeepLink{Apple: "https://apps.apple.com/app/id1"}
		}), Visitor{Platform: PlatformWindows}, Outcome{Kind: OutcomeRedirect, URL: "https://example.com/long", Record: true}},
		{"auto deep links derive an app link for YouTube on iOS", snap(func(l *ent.Link) {
			l.LongURL = "https://www.youtube.com/watch?v=abc"
			l.DeepLink = &schematype.DeepLink{Auto: true}
		}), Visitor{Platform: PlatformIPhone}, Outcome{Kind: OutcomeRedirect, URL: "youtube://www.youtube.com/watch?v=abc", Record: true}},
		{"auto deep links fall back to the long URL for unknown hosts", snap(func(l *ent.Link) {
			l.DeepLink = &schematype.DeepLink{Auto: true}
		}), Visitor{Platform: PlatformIPhone}, Outcome{Kind: OutcomeRedirect, URL: "https://example.com/long", Record: true}},
		{"parameters are merged into the long URL", snap(func(l *ent.Link) {
			l.LongURL = "https://example.com/p?a=1&b=2"
			l.Parameters = []schematype.Parameter{{Name: "b", Value: "link"}, {Name: "aff", Value: "3"}}
		}), Visitor{Query: "utm_source=mail&a=visitor"}, Outcome{Kind: OutcomeRedirect, URL: "https://example.com/p?a=1&b=link&aff=3&utm_source=mail", Record: true}},
		{"parameters are merged into a target URL too", snap(func(l *ent.Link) {
			targets(l)
			l.Parameters = []schematype.Parameter{{Name: "aff", Value: "3"}}
		}), Visitor{Country: "CA"}, Outcome{Kind: OutcomeRedirect, URL: "https://ca.example?aff=3", Record: true}},
		{"a splash link shows the splash page", snap(func(l *ent.Link) { l.RedirectType = entlink.RedirectTypeSPLASH }), Visitor{},
			Outcome{Kind: OutcomeSplash, URL: "https://example.com/long", Record: true}},
		{"a frame link shows the frame", snap(func(l *ent.Link) { l.RedirectType = entlink.RedirectTypeFRAME }), Visitor{},
			Outcome{Kind: OutcomeFrame, URL: "https://example.com/long", Record: true}},
		{"a custom splash link shows its splash page", snap(func(l *ent.Link) {
			l.RedirectType = entlink.RedirectTypeCUSTOM_SPLASH
			l.Edges.SplashPage = &ent.SplashPage{Name: "s"}
		}), Visitor{}, Outcome{Kind: OutcomeCustomSplash, URL: "https://example.com/long", Record: true}},
		{"an overlay link shows the overlay", snap(func(l *ent.Link) {
			l.RedirectType = entlink.RedirectTypeOVERLAY
			l.Edges.CtaOverlay = &ent.CTAOverlay{Name: "o"}
		}), Visitor{}, Outcome{Kind: OutcomeOverlay, URL: "https://example.com/long", Record: true}},
		{"a direct link with pixels shows the pixel page", snap(func(l *ent.Link) {
			l.Edges.Pixels = []*ent.Pixel{{Type: "FBPIXEL", Tag: "1234567"}}
		}), Visitor{}, Outcome{Kind: OutcomePixels, URL: "https://example.com/long", Record: true}},
		{"a splash link on iOS with an app link redirects to the app", snap(func(l *ent.Link) {
			l.RedirectType = entlink.RedirectTypeSPLASH
			l.DeepLink = &schematype.DeepLink{Apple: "https://apps.apple.com/app/id1"}
		}), Visitor{Platform: PlatformIPad}, Outcome{Kind: OutcomeRedirect, URL: "https://apps.apple.com/app/id1", Record: true}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Decide(c.s, c.v, now)
			if got != c.want {
				t.Fatalf("Decide = {%v %q record=%v}, want {%v %q record=%v}", got.Kind, got.URL, got.Record, c.want.Kind, c.want.URL, c.want.Record)
			}
		})
	}
}

func TestDetectPlatform(t *testing.T) {
	cases := []struct {
		ua   string
		want Platform
	}{
		{"Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1", PlatformIPhone},
		{"Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1", PlatformIPad},
		{"Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36", PlatformAndroid},
		{"Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36", PlatformAndroidTablet},
		{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36", PlatformWindows},
		{"Mozilla/5.0 (Windows Phone 10.0; Android 6.0.1; Microsoft; Lumia 950) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/52.0.2743.116 Mobile Safari/537.36 Edge/15.15063", PlatformWindowsPhone},
		{"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15", PlatformMac},
		{"Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0", PlatformLinux},
		{"Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36", PlatformChromeOS},
		{"curl/8.5.0", PlatformOther},
	}
	for _, c := range cases {
		if got := DetectPlatform(c.ua); got != c.want {
			t.Errorf("DetectPlatform(%q) = %d, want %d", c.ua, got, c.want)
		}
	}
	if !PlatformIPad.Is("ios") || !PlatformMac.Is("macos") || PlatformWindows.Is("mac") {
		t.Error("platform names: iPad should be iOS, Mac should be macOS, Windows should not be Mac")
	}
}

func TestWithParams(t *testing.T) {
	cases := []struct {
		name, target string
		params       []param
		query, want  string
	}{
		{"nothing to add leaves the URL as it is", "https://e.com/p?x=1#frag", nil, "", "https://e.com/p?x=1#frag"},
		{"link parameters are appended", "https://e.com/p", []param{{"aff", "3"}, {"s", "a b"}}, "", "https://e.com/p?aff=3&s=a+b"},
		{"a link parameter replaces the target's", "https://e.com/p?aff=1&x=2", []param{{"aff", "3"}}, "", "https://e.com/p?x=2&aff=3"},
		{"the visitor's query is forwarded", "https://e.com/p?x=1", nil, "utm_source=news&utm_medium=mail", "https://e.com/p?x=1&utm_source=news&utm_medium=mail"},
		{"the visitor can't override the link's parameters", "https://e.com/p", []param{{"aff", "3"}}, "aff=evil", "https://e.com/p?aff=3"},
		{"the fragment stays last", "https://e.com/p#top", []param{{"a", "1"}}, "", "https://e.com/p?a=1#top"},
		{"non-web URLs are left alone", "youtube://watch", []param{{"a", "1"}}, "b=2", "youtube://watch"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := withParams(c.target, c.params, c.query); got != c.want {
				t.Fatalf("withParams = %q, want %q", got, c.want)
			}
		})
	}
}

func TestAutoAppLinks(t *testing.T) {
	ios, android := autoAppLinks("https://www.youtube.com/watch?v=dQw4w9WgXcQ")
	if ios != "youtube://www.youtube.com/watch?v=dQw4w9WgXcQ" {
		t.Errorf("ios = %q", ios)
	}
	want := "intent://www.youtube.com/watch?v=dQw4w9WgXcQ#Intent;scheme=https;package=com.google.android.youtube;S.browser_fallback_url=https%3A%2F%2Fwww.youtube.com%2Fwatch%3Fv%3DdQw4w9WgXcQ;end"
	if android != want {
		t.Errorf("android = %q\nwant      %q", android, want)
	}
	if ios, android := autoAppLinks("https://example.com/x"); ios != "" || android != "" {
		t.Errorf("unknown host gave %q %q", ios, android)
	}
}

func TestValidPixelTag(t *testing.T) {
	cases := []struct {
		typ, tag string
		ok       bool
	}{
		{"FBPIXEL", "1234567890", true},
		{"FBPIXEL", "12345abc", false},
		{"GTMPIXEL", "GTM-ABC123", true},
		{"GTMPIXEL", "GTM-abc');alert(1);//", false},
		{"GAPIXEL", "G-ABCDE12345", true},
		{"ADWORDSPIXEL", "AW-123456789", true},
		{"SNAPCHAT", "0f8fad5b-d9cb-469f-a165-70867728950e", true},
		{"TIKTOK", "C4ABCDEF1234567890", true},
		{"NOSUCH", "123", false},
	}
	for _, c := range cases {
		if got := ValidPixelTag(c.typ, c.tag); got != c.ok {
			t.Errorf("ValidPixelTag(%s, %q) = %v, want %v", c.typ, c.tag, got, c.ok)
		}
	}
}
