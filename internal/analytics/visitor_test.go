package analytics

import (
	"testing"
	"time"
)

func TestParseUserAgent(t *testing.T) {
	cases := []struct {
		name, ua string
		want     Agent
	}{
		{"Chrome on Windows 10", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
			Agent{"Chrome", "Windows 10", "Desktop"}},
		{"Edge on Windows 10", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91",
			Agent{"Edge", "Windows 10", "Desktop"}},
		{"Firefox on Windows 7", "Mozilla/5.0 (Windows NT 6.1; Win64; x64; rv:109.0) Gecko/20100101 Firefox/115.0",
			Agent{"Firefox", "Windows 7", "Desktop"}},
		{"Safari on a Mac", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15",
			Agent{"Safari", "Mac OS X", "Desktop"}},
		{"Firefox on Linux", "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
			Agent{"Firefox", "Linux", "Desktop"}},
		{"Safari on an iPhone", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1",
			Agent{"Safari", "iOS", "Mobile"}},
		{"Safari on an iPad", "Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1",
			Agent{"Safari", "iOS", "Tablet"}},
		{"Chrome on an Android phone", "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36",
			Agent{"Chrome", "Android", "Mobile"}},
		{"Chrome on an Android tablet", "Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
			Agent{"Chrome", "Android", "Tablet"}},
		{"Chrome on a Chromebook", "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
			Agent{"Chrome", "Chrome OS", "Desktop"}},
		{"a preview bot", "Twitterbot/1.0", Agent{"Twitterbot", "Unknown", "Bot"}},
		{"no user agent", "", Agent{"Unknown", "Unknown", "Unknown"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := ParseUserAgent(c.ua); got != c.want {
				t.Fatalf("ParseUserAgent = %+v, want %+v", got, c.want)
			}
		})
	}
}

func TestIsPreviewBot(t *testing.T) {
	for ua, want := range map[string]bool{
		"facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)": true,
		"Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)":         true,
		"WhatsApp/2.23.20.0": true,
		"LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)":                                   true,
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36":         false,
		"Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Instagram": false,
	} {
		if got := IsPreviewBot(ua); got != want {
			t.Errorf("IsPreviewBot(%q) = %v, want %v", ua, got, want)
		}
	}
}

func TestParseAcceptLanguage(t *testing.T) {
	cases := []struct {
		header string
		want   []string
	}{
		{"fr-CA,fr;q=0.9,en;q=0.8", []string{"fr-ca", "fr", "en"}},
		{"en;q=0.1, de;q=0.9 ,it", []string{"it", "de", "en"}},
		{"da, en-gb;q=0.8, en;q=0.7", []string{"da", "en-gb", "en"}},
		{"fr;q=0,en", []string{"en"}},
		{"*;q=0.5,es", []string{"es"}},
		{"", nil},
	}
	for _, c := range cases {
		if got := ParseAcceptLanguage(c.header); !equal(got, c.want) {
			t.Errorf("ParseAcceptLanguage(%q) = %q, want %q", c.header, got, c.want)
		}
	}
	if got := PrimaryLanguage("pt-BR,pt;q=0.9"); got != "pt" {
		t.Errorf("PrimaryLanguage = %q, want pt", got)
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestReferrerAndSocial(t *testing.T) {
	cases := []struct{ ref, host, social string }{
		{"https://www.facebook.com/groups/x", "facebook.com", "facebook"},
		{"https://l.facebook.com/l.php?u=x", "l.facebook.com", "facebook"},
		{"https://t.co/abc", "t.co", "twitter"},
		{"https://x.com/someone", "x.com", "twitter"},
		{"https://www.instagram.com/", "instagram.com", "instagram"},
		{"https://www.google.com/search?q=x", "google.com", "google"},
		{"https://www.linkedin.com/feed", "linkedin.com", "linkedin"},
		{"https://notfacebook.com/", "notfacebook.com", ""},
		{"android-app://com.slack/", "com.slack", ""},
		{"", "", ""},
		{"not a url", "", ""},
	}
	for _, c := range cases {
		host := ReferrerHost(c.ref)
		if host != c.host || SocialNetwork(host) != c.social {
			t.Errorf("%q: host %q social %q, want %q %q", c.ref, host, SocialNetwork(host), c.host, c.social)
		}
	}
}

func TestCountries(t *testing.T) {
	for in, want := range map[string]string{
		"Canada": "CA", "canada": "CA", "CA": "CA", "ca": "CA", "United States": "US", "USA": "US",
		"United Kingdom": "GB", "UK": "GB", "Germany": "DE", "DEU": "DE", "South Korea": "KR",
		"Russia": "RU", "Atlantis": "", "": "",
	} {
		if got := CountryCode(in); got != want {
			t.Errorf("CountryCode(%q) = %q, want %q", in, got, want)
		}
	}
	if CountryName("CA") != "Canada" || CountryName("") != "Unknown" || CountryName("ZZ") != "ZZ" {
		t.Errorf("CountryName: %q %q %q", CountryName("CA"), CountryName(""), CountryName("ZZ"))
	}
}

func TestHasherRotatesDaily(t *testing.T) {
	h := NewHasher([]byte("secret-secret-secret"))
	day := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	a := h.Hash("192.0.2.1", "UA", day)
	if a != h.Hash("192.0.2.1", "UA", day.Add(13*time.Hour)) {
		t.Error("the same visitor hashes differently within a UTC day")
	}
	if a == h.Hash("192.0.2.1", "UA", day.Add(14*time.Hour)) {
		t.Error("the hash did not change on the next UTC day")
	}
	if a == h.Hash("192.0.2.2", "UA", day) || a == h.Hash("192.0.2.1", "UA2", day) {
		t.Error("different visitors hash the same")
	}
	if a == NewHasher([]byte("another-secret-xx")).Hash("192.0.2.1", "UA", day) {
		t.Error("the hash does not depend on the secret")
	}
	if len(a) != 32 {
		t.Errorf("hash %q is not 32 hex digits", a)
	}
}

func TestRecorderNeverBlocks(t *testing.T) {
	r := NewRecorder(2)
	done := make(chan struct{})
	go func() {
		for i := 0; i < 5; i++ {
			r.Record(Hit{LinkID: i})
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Record blocked on a full queue")
	}
	if r.Queued() != 2 || r.Dropped() != 3 {
		t.Fatalf("queued %d dropped %d, want 2 and 3", r.Queued(), r.Dropped())
	}
}
