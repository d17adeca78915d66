package redirect_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"shortener/internal/app"
)

// Unique long paths answer 404 and leave nothing in the redirect cache
// (issue 11 row 4: 1,000 paths of 900 KB took RSS to 1.5 GiB).
func TestLongUniquePathsAreNotCached(t *testing.T) {
	e := newEnv(t, app.Config{})
	before := e.App.Cache.Len()
	long := strings.Repeat("a", 200_000)
	for i := range 30 {
		resp, _ := e.get(t, "/"+long+string(rune('a'+i%26))+strings.Repeat("z", i), nil)
		if resp.StatusCode != http.StatusNotFound {
			t.Fatalf("status %d, want 404", resp.StatusCode)
		}
	}
	for _, p := range []string{"/" + strings.Repeat("q", 101), "/-dash", "/a.b", "/%C3%A9t%C3%A9"} {
		if resp, _ := e.get(t, p, nil); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("%s: status %d, want 404", p, resp.StatusCode)
		}
	}
	if n := e.App.Cache.Len(); n != before {
		t.Fatalf("cache grew from %d to %d entries on invalid aliases", before, n)
	}
	// A valid missing alias is still cached (as missing) and a real link still works.
	l := e.createLink(t, map[string]any{"url": "https://example.com/ok"})
	resp, _ := e.get(t, "/"+l.Alias, nil)
	expectRedirect(t, resp, http.StatusFound, "https://example.com/ok")
}

// A password link shows a preview bot a neutral card, and no page publishes
// a link's description, the owner's note (issue 11 row 11).
func TestCardsKeepPrivateFieldsPrivate(t *testing.T) {
	e := newEnv(t, app.Config{})
	bot := map[string]string{"User-Agent": "Twitterbot/1.0"}
	e.createLink(t, map[string]any{"url": "https://example.com/secret", "custom": "pwcard", "password": "xyzxyzxyz",
		"title": "Secret title", "description": "owner note one", "metaTitle": "Meta secret",
		"metaDescription": "meta secret desc", "metaImageUrl": "https://img.example.com/secret.png"})
	resp, body := e.get(t, "/pwcard", bot)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	for _, leak := range []string{"Secret title", "owner note", "Meta secret", "meta secret desc", "img.example.com"} {
		if strings.Contains(body, leak) {
			t.Fatalf("a bot's card of a password link shows %q:\n%s", leak, body)
		}
	}
	if !strings.Contains(body, `og:title" content="Protected link"`) {
		t.Fatalf("no neutral card:\n%s", body)
	}
	e.createLink(t, map[string]any{"url": "https://example.com/open", "custom": "notecard", "title": "Open title",
		"description": "owner note two", "redirectType": "FRAME"})
	for _, hdr := range []map[string]string{bot, nil} {
		_, body := e.get(t, "/notecard", hdr)
		if strings.Contains(body, "owner note") {
			t.Fatalf("the owner's note is published:\n%s", body)
		}
		if !strings.Contains(body, `og:title" content="Open title"`) {
			t.Fatalf("no card:\n%s", body)
		}
	}
}

// Every page carries a CSP whose script nonce is the one of the page's own
// scripts, frames only what the page frames, and may not be framed.
func TestPagesCarryCSP(t *testing.T) {
	e := newEnv(t, app.Config{})
	px := e.create(t, "createPixel", "CreatePixelInput", map[string]any{"name": "ga", "type": "GAPIXEL", "tag": "G-ABC1234567"})
	e.createLink(t, map[string]any{"url": "https://example.com/s", "custom": "splashcsp", "redirectType": "SPLASH", "pixelIds": []string{px}})
	e.createLink(t, map[string]any{"url": "https://framed.example.org/x?y=1", "custom": "framecsp", "redirectType": "FRAME"})
	e.createLink(t, map[string]any{"url": "https://example.com/pw", "custom": "pwcsp", "password": "xyzxyzxyz"})
	nonceRE := regexp.MustCompile(`script-src 'nonce-([A-Za-z0-9_-]+)' 'strict-dynamic'`)
	seen := map[string]bool{}
	for _, c := range []struct{ path, frameSrc string }{
		{"/splashcsp", "frame-src 'none'"}, {"/framecsp", "frame-src https://framed.example.org;"},
		{"/pwcsp", "frame-src 'none'"}, {"/no-such-alias", "frame-src 'none'"}, {"/a/b/c", "frame-src 'none'"},
	} {
		resp, body := e.get(t, c.path, nil)
		csp := resp.Header.Get("Content-Security-Policy")
		m := nonceRE.FindStringSubmatch(csp)
		if m == nil || strings.Contains(csp, "unsafe-inline' 'strict") || !strings.Contains(csp, "frame-ancestors 'none'") ||
			!strings.Contains(csp, c.frameSrc) || resp.Header.Get("X-Frame-Options") != "DENY" {
			t.Fatalf("%s: CSP %q, X-Frame-Options %q", c.path, csp, resp.Header.Get("X-Frame-Options"))
		}
		if seen[m[1]] {
			t.Fatalf("nonce %s reused", m[1])
		}
		seen[m[1]] = true
		scripts := regexp.MustCompile(`<script[^>]*>`).FindAllString(body, -1)
		for _, s := range scripts {
			if !strings.Contains(s, `nonce="`+m[1]+`"`) {
				t.Fatalf("%s: script without the page's nonce: %s", c.path, s)
			}
		}
		if c.path == "/splashcsp" && len(scripts) < 3 {
			t.Fatalf("splash with a pixel has %d scripts:\n%s", len(scripts), body)
		}
	}
}
