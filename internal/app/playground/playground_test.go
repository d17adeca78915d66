package playground

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

func get(t *testing.T, h http.Handler, path string, hdr ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// The vendored files are those scripts/playground.sh wrote: their SHA-256
// sums are the ones dist/VERSIONS records.
func TestDistMatchesVersions(t *testing.T) {
	v, err := files.ReadFile("dist/VERSIONS")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	sc := bufio.NewScanner(bytes.NewReader(v))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 2 || len(f[0]) != 64 {
			continue
		}
		b, err := files.ReadFile("dist/" + f[1])
		if err != nil {
			t.Fatal(err)
		}
		if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) != f[0] {
			t.Errorf("dist/%s differs from dist/VERSIONS: rerun scripts/playground.sh", f[1])
		}
		n++
	}
	if n != 4 {
		t.Fatalf("dist/VERSIONS lists %d files, want 4", n)
	}
	if !bytes.Contains(v, []byte("graphiql 4.1.2")) {
		t.Fatalf("dist/VERSIONS: %s", v)
	}
}

// The page links only files of this server, each by its hash and with its
// integrity; each is served with its type, cached for good when asked for
// by its hash, gzipped on request.
func TestPageAndAssets(t *testing.T) {
	h := Handler("/playground", "/graphql")
	rec := get(t, h, "/playground")
	page := rec.Body.String()
	if rec.Code != 200 || rec.Header().Get("Content-Security-Policy") != CSP || rec.Header().Get("Cache-Control") != "no-cache" ||
		!strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") || rec.Header().Get("ETag") == "" {
		t.Fatalf("page: %d %v", rec.Code, rec.Header())
	}
	if !strings.Contains(page, `data-endpoint="/graphql"`) || strings.Contains(page, "<script>") || regexp.MustCompile(`(src|href)="(https?:)?//`).MatchString(page) {
		t.Fatalf("page:\n%s", page)
	}
	if rec := get(t, h, "/playground", "If-None-Match", rec.Header().Get("ETag")); rec.Code != http.StatusNotModified {
		t.Fatalf("revalidated page: %d", rec.Code)
	}

	links := regexp.MustCompile(`(?:src|href)="(/playground/[^"?]+)\?v=([0-9a-f]{16})" integrity="(sha256-[^"]+)"`).FindAllStringSubmatch(page, -1)
	if len(links) != 6 {
		t.Fatalf("%d links in the page, want 6:\n%s", len(links), page)
	}
	for _, l := range links {
		url := l[1] + "?v=" + l[2]
		rec := get(t, h, url)
		if rec.Code != 200 || rec.Header().Get("Cache-Control") != immutable || rec.Header().Get("Content-Encoding") != "" {
			t.Fatalf("%s: %d %v", url, rec.Code, rec.Header())
		}
		sum := sha256.Sum256(rec.Body.Bytes())
		if hex.EncodeToString(sum[:])[:16] != l[2] {
			t.Errorf("%s: body does not match its hash", url)
		}
		want := "text/css; charset=utf-8"
		if strings.HasSuffix(l[1], ".js") {
			want = "text/javascript; charset=utf-8"
		}
		if rec.Header().Get("Content-Type") != want {
			t.Errorf("%s: Content-Type %q", url, rec.Header().Get("Content-Type"))
		}
		gz := get(t, h, url, "Accept-Encoding", "gzip, br")
		if gz.Header().Get("Content-Encoding") != "gzip" || gz.Header().Get("ETag") == rec.Header().Get("ETag") {
			t.Fatalf("%s gzipped: %v", url, gz.Header())
		}
		zr, err := gzip.NewReader(gz.Body)
		if err != nil {
			t.Fatal(err)
		}
		plain, _ := io.ReadAll(zr)
		if !bytes.Equal(plain, rec.Body.Bytes()) {
			t.Errorf("%s: gzipped body differs", url)
		}
		if stale := get(t, h, l[1]+"?v=0000000000000000"); stale.Header().Get("Cache-Control") != "no-cache" {
			t.Errorf("%s with an old hash: Cache-Control %q", l[1], stale.Header().Get("Cache-Control"))
		}
	}
	for _, path := range []string{"/playground/VERSIONS", "/playground/LICENSE.react", "/playground/index.html", "/playground/nope.js", "/playground/dist/graphiql.min.js"} {
		if rec := get(t, h, path); rec.Code != http.StatusNotFound {
			t.Errorf("%s: %d", path, rec.Code)
		}
	}
	req := httptest.NewRequest(http.MethodPost, "/playground", nil)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST /playground: %d", rec.Code)
	}
}

func TestAcceptsGzip(t *testing.T) {
	for ae, want := range map[string]bool{
		"": false, "gzip": true, "br, gzip;q=0.5": true, "GZIP": true, "gzip;q=0": false, "identity": false, "deflate, br": false,
	} {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.Header.Set("Accept-Encoding", ae)
		if got := acceptsGzip(req); got != want {
			t.Errorf("Accept-Encoding %q: %v", ae, got)
		}
	}
}
