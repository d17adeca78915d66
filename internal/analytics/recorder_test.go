package analytics

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
	"unsafe"
)

func TestRequestHitClipsAndInterns(t *testing.T) {
	long := strings.Repeat("a", maxHeaderLen-1) + "é" + strings.Repeat("b", 100)
	hit := func(ua, ref, lang string) Hit {
		r := httptest.NewRequest("GET", "/x", nil)
		r.Header.Set("User-Agent", ua)
		r.Header.Set("Referer", ref)
		r.Header.Set("Accept-Language", lang)
		return RequestHit(r, "", time.Unix(0, 0))
	}
	h := hit(long, "https://example.com/"+long, "de-CH,de;q=0.9")
	if len(h.UserAgent) != maxHeaderLen-1 || !utf8.ValidString(h.UserAgent) {
		t.Fatalf("user agent cut to %d bytes (valid UTF-8: %v), want %d", len(h.UserAgent), utf8.ValidString(h.UserAgent), maxHeaderLen-1)
	}
	if len(h.Referrer) > maxHeaderLen || ReferrerHost(h.Referrer) != "example.com" {
		t.Fatalf("referrer: %d bytes, host %q", len(h.Referrer), ReferrerHost(h.Referrer))
	}
	h2 := hit(strings.Clone(long), "", strings.Clone("de-CH,de;q=0.9"))
	if h2.AcceptLanguage != "de-CH,de;q=0.9" || h2.UserAgent != h.UserAgent {
		t.Fatalf("hit changed: %q", h2.AcceptLanguage)
	}
	if unsafe.StringData(h.AcceptLanguage) != unsafe.StringData(h2.AcceptLanguage) ||
		unsafe.StringData(h.UserAgent) != unsafe.StringData(h2.UserAgent) {
		t.Fatal("equal header values are not shared between hits")
	}
}
