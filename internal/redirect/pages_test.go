package redirect_test

import (
	"net/http"
	"strings"
	"testing"

	"shortener/internal/app"
)

// hostile is user text that would run script if a page did not escape it.
const (
	hostileTitle = `"><script>alert("title")</script>`
	hostileDesc  = `</title><img src=x onerror=alert(1)>`
	hostileText  = `<script>alert("content")</script>`
)

// checkEscaped fails if a page carries any hostile string raw, and checks
// that it carries the escaped title (so the test can't pass on a page that
// simply left the text out).
func checkEscaped(t *testing.T, body string, mustShow ...string) {
	t.Helper()
	for _, raw := range []string{`<script>alert(`, `<img src=x`, `"><script>`} {
		if strings.Contains(body, raw) {
			t.Fatalf("page contains raw %q:\n%s", raw, body)
		}
	}
	for _, s := range mustShow {
		if !strings.Contains(body, s) {
			t.Fatalf("page lacks %q:\n%s", s, body)
		}
	}
}

// continues checks that a page goes on without JavaScript: a meta refresh
// and a plain link to target.
func continues(t *testing.T, body, target string) {
	t.Helper()
	if !strings.Contains(body, `http-equiv="refresh"`) || !strings.Contains(body, `url=`+target) {
		t.Fatalf("page has no meta refresh to %s:\n%s", target, body)
	}
	if !strings.Contains(body, `href="`+target+`"`) {
		t.Fatalf("page has no plain link to %s:\n%s", target, body)
	}
}

func TestRedirectTypePages(t *testing.T) {
	e := newEnv(t, app.Config{})
	meta := map[string]any{"metaTitle": hostileTitle, "metaDescription": hostileDesc, "metaImageUrl": "https://img.example.com/a.png"}
	withMeta := func(m map[string]any) map[string]any {
		for k, v := range meta {
			m[k] = v
		}
		return m
	}
	escapedTitle := `&#34;&gt;&lt;script&gt;alert(&#34;title&#34;)&lt;/script&gt;`

	t.Run("splash counts down, then continues without JavaScript", func(t *testing.T) {
		e.createLink(t, withMeta(map[string]any{"url": "https://example.com/s", "custom": "splash", "redirectType": "SPLASH"}))
		resp, body := e.get(t, "/splash", nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d", resp.StatusCode)
		}
		continues(t, body, "https://example.com/s")
		checkEscaped(t, body, escapedTitle, `content="5;url=`)
	})

	t.Run("custom splash shows the splash page, escaped", func(t *testing.T) {
		sp := e.create(t, "createSplashPage", "CreateSplashPageInput", map[string]any{
			"name": "promo", "title": hostileTitle, "content": hostileText, "buttonText": `Go <b>now</b>`, "delaySeconds": 3,
		})
		e.createLink(t, withMeta(map[string]any{"url": "https://example.com/cs", "custom": "cs", "splashPageId": sp}))
		resp, body := e.get(t, "/cs", nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d", resp.StatusCode)
		}
		continues(t, body, "https://example.com/cs")
		checkEscaped(t, body, escapedTitle, `&lt;script&gt;alert(&#34;content&#34;)&lt;/script&gt;`, `Go &lt;b&gt;now&lt;/b&gt;`, `content="3;url=`)
	})

	t.Run("frame shows the long URL in an iframe with OpenGraph tags", func(t *testing.T) {
		e.createLink(t, withMeta(map[string]any{"url": "https://example.com/f", "custom": "frame", "redirectType": "FRAME"}))
		resp, body := e.get(t, "/frame", nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d", resp.StatusCode)
		}
		checkEscaped(t, body,
			`<iframe class="frame" src="https://example.com/f"`,
			`<meta property="og:title" content="`+escapedTitle+`">`,
			`<meta property="og:description" content="&lt;/title&gt;&lt;img src=x onerror=alert(1)&gt;">`,
			`<meta property="og:image" content="https://img.example.com/a.png">`,
			`href="https://example.com/f"`)
	})

	t.Run("overlay frames the URL under the call to action", func(t *testing.T) {
		ov := e.create(t, "createCtaOverlay", "CreateCtaOverlayInput", map[string]any{
			"type": "BUTTON", "name": "cta", "content": hostileText, "buttonText": hostileTitle,
			"buttonUrl": "https://example.com/buy", "color": "#ff0000",
		})
		e.createLink(t, withMeta(map[string]any{"url": "https://example.com/o", "custom": "ov", "ctaOverlayId": ov}))
		resp, body := e.get(t, "/ov", nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d", resp.StatusCode)
		}
		checkEscaped(t, body, `<iframe class="frame" src="https://example.com/o"`, `href="https://example.com/buy"`,
			`&lt;script&gt;alert(&#34;content&#34;)&lt;/script&gt;`, escapedTitle, `#ff0000`)
	})

	t.Run("pixels fire on an intermediate page that then continues", func(t *testing.T) {
		fb := e.create(t, "createPixel", "CreatePixelInput", map[string]any{"type": "FBPIXEL", "name": "fb", "tag": "1234567890"})
		ga := e.create(t, "createPixel", "CreatePixelInput", map[string]any{"type": "GAPIXEL", "name": "ga", "tag": "G-ABC1234567"})
		li := e.create(t, "createPixel", "CreatePixelInput", map[string]any{"type": "LINKEDINPIXEL", "name": "li", "tag": "98765"})
		// A tag that is well-formed for the API but not for its type is
		// not rendered.
		bad := e.create(t, "createPixel", "CreatePixelInput", map[string]any{"type": "TIKTOK", "name": "bad", "tag": "not-a-tiktok-id"})
		e.createLink(t, withMeta(map[string]any{"url": "https://example.com/px", "custom": "px", "pixelIds": []string{fb, ga, li, bad}}))
		resp, body := e.get(t, "/px", nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d", resp.StatusCode)
		}
		continues(t, body, "https://example.com/px")
		checkEscaped(t, body,
			`src="https://connect.facebook.net/en_US/fbevents.js"`, `fbq("init","1234567890")`,
			`src="https://www.facebook.com/tr?id=1234567890&amp;ev=PageView&amp;noscript=1"`,
			`src="https://www.googletagmanager.com/gtag/js?id=G-ABC1234567"`, `gtag("config","G-ABC1234567")`,
			`src="https://px.ads.linkedin.com/collect/?pid=98765&amp;fmt=gif"`)
		if strings.Contains(body, "not-a-tiktok-id") || strings.Contains(body, "tiktok") {
			t.Fatalf("an invalid TikTok tag was rendered:\n%s", body)
		}
	})

	t.Run("preview bots get the OpenGraph card", func(t *testing.T) {
		resp, body := e.get(t, "/frame", map[string]string{"User-Agent": "Twitterbot/1.0"})
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d", resp.StatusCode)
		}
		checkEscaped(t, body, `<meta property="og:title" content="`+escapedTitle+`">`, `og:url" content="`+e.URL+`/frame"`)
		// A bot of a plain link gets the card too, not the redirect.
		e.createLink(t, map[string]any{"url": "https://example.com/plain", "custom": "plainbot", "title": "Plain"})
		resp, body = e.get(t, "/plainbot", map[string]string{"User-Agent": "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)"})
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, `og:title" content="Plain"`) {
			t.Fatalf("status %d:\n%s", resp.StatusCode, body)
		}
	})

	t.Run("a bot of a password link sees no long URL", func(t *testing.T) {
		e.createLink(t, map[string]any{"url": "https://example.com/hidden", "custom": "pwbot", "password": "xyzxyzxyz"})
		_, body := e.get(t, "/pwbot", map[string]string{"User-Agent": "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)"})
		if strings.Contains(body, "example.com/hidden") {
			t.Fatalf("the preview leaks the long URL:\n%s", body)
		}
	})
}

func TestBioPage(t *testing.T) {
	e := newEnv(t, app.Config{})
	e.create(t, "createBioPage", "CreateBioPageInput", map[string]any{
		"alias": "me", "name": hostileTitle, "content": hostileText,
		"links": []map[string]string{{"title": "My site", "url": "https://example.com/site"}, {"title": hostileDesc, "url": "https://example.com/two"}},
	})
	resp, body := e.get(t, "/me", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	checkEscaped(t, body, `href="https://example.com/site" rel="noopener">My site</a>`, `href="https://example.com/two" rel="noopener">&lt;/title&gt;&lt;img src=x onerror=alert(1)&gt;</a>`)
	// Bio pages live on the base host only.
	e.create(t, "createDomain", "CreateDomainInput", map[string]any{"domain": "https://go.example.com"})
	if resp, _ := e.get(t, "/me", map[string]string{"Host": "go.example.com"}); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("bio page on a branded domain: %d, want 404", resp.StatusCode)
	}
}
