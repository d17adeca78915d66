package redirect_test

import (
	"net/http"
	"strings"
	"testing"

	"shortener/app"
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
