package redirect_test

import (
	"net/http"
	"testing"

	"shortener/app"
)

func TestPlainLinkRedirectsAndCounts(t *testing.T) {
	e := newEnv(t, app.Config{})
	l := e.createLink(t, map[string]any{"url": "https://example.com/page?a=1", "custom": "plain"})
	resp, _ := e.get(t, "/plain", nil)
	expectRedirect(t, resp, http.StatusFound, "https://example.com/page?a=1")
	e.flush(t)
	st := e.stats(t, l.ID)
	if st.Clicks != 1 || st.Stats.Clicks != 1 || st.UniqueClicks != 1 {
		t.Fatalf("stats = %s", mustJSON(st))
	}
	t.Logf("%s", mustJSON(st))
}
