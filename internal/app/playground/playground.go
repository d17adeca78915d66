// Package playground serves the GraphQL explorer (GraphiQL) from files
// embedded in the binary: it works with no network and makes no request
// outside this server.
//
// dist/ holds GraphiQL's and React's released files from the npm registry,
// at the versions scripts/playground.sh pins (dist/VERSIONS); page/ holds
// the page, its stylesheet and its bootstrap script, written here. The
// page has no inline script: its CSP allows scripts from this server only.
package playground

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"sync"
	"time"
)

//go:embed dist page
var files embed.FS

// CSP is the page's Content-Security-Policy: scripts, styles and fonts
// from this server only (GraphiQL's fonts and icons are data: URLs), its
// requests to this server only. Styles allow 'unsafe-inline' because
// GraphiQL's components (Radix dialogs, CodeMirror) add <style> elements
// and style attributes at run time; scripts never do.
const CSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; font-src 'self' data:; " +
	"img-src 'self' data:; connect-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'"

// immutable is the caching of an asset asked for by its current hash
// (the page's links carry ?v=HASH): the URL changes with the file.
const immutable = "public, max-age=31536000, immutable"

// asset is one embedded file, ready to serve.
type asset struct {
	body, gzipped []byte
	typ           string
	hash          string // hex SHA-256, the first 16 digits are its ?v=
	sri           string // sha256-BASE64 for integrity=
}

type site struct {
	page   []byte
	etag   string
	assets map[string]*asset // by base name
}

// load reads the embedded files once, on the first request, so starting
// a server (tests start hundreds) costs nothing.
var load = sync.OnceValues(func() (*site, error) {
	s := &site{assets: map[string]*asset{}}
	for _, dir := range []string{"dist", "page"} {
		entries, err := fs.ReadDir(files, dir)
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			name := e.Name()
			ext := path.Ext(name)
			if ext != ".js" && ext != ".css" {
				continue // the page itself, the LICENSE and VERSIONS files
			}
			typ := "text/css; charset=utf-8"
			if ext == ".js" {
				typ = "text/javascript; charset=utf-8"
			}
			b, err := files.ReadFile(dir + "/" + name)
			if err != nil {
				return nil, err
			}
			sum := sha256.Sum256(b)
			var gz bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
			_, _ = zw.Write(b)
			_ = zw.Close()
			s.assets[name] = &asset{
				body: b, gzipped: gz.Bytes(), typ: typ, hash: hex.EncodeToString(sum[:]),
				sri: "sha256-" + base64.StdEncoding.EncodeToString(sum[:]),
			}
		}
	}
	return s, nil
})

// render builds the page for endpoint, with links to the assets under
// base (/playground) carrying their hash.
func (s *site) render(base, endpoint string) error {
	lookup := func(name string) (*asset, error) {
		if a := s.assets[name]; a != nil {
			return a, nil
		}
		return nil, fmt.Errorf("no embedded file %s", name)
	}
	t, err := template.New("index.html").Funcs(template.FuncMap{
		"asset": func(name string) (string, error) {
			a, err := lookup(name)
			if err != nil {
				return "", err
			}
			return base + "/" + name + "?v=" + a.hash[:16], nil
		},
		"sri": func(name string) (string, error) {
			a, err := lookup(name)
			if err != nil {
				return "", err
			}
			return a.sri, nil
		},
	}).ParseFS(files, "page/index.html")
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if err := t.Execute(&b, struct{ Endpoint string }{endpoint}); err != nil {
		return err
	}
	s.page = b.Bytes()
	sum := sha256.Sum256(s.page)
	s.etag = `"` + hex.EncodeToString(sum[:8]) + `"`
	return nil
}

// Handler serves the page at base (e.g. /playground) and its files at
// base/NAME, for a GraphQL endpoint path on this server (e.g. /graphql).
// The page is revalidated on every load (no-cache, with an ETag); the
// files are cached for a year when asked for by their hash, and sent
// gzipped to clients that accept it.
func Handler(base, endpoint string) http.Handler {
	var once sync.Once
	var s *site
	var loadErr error
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		once.Do(func() {
			if s, loadErr = load(); loadErr == nil {
				// A copy per handler: the page names its own base.
				c := *s
				loadErr = c.render(base, endpoint)
				s = &c
			}
		})
		if loadErr != nil {
			http.Error(w, "playground: "+loadErr.Error(), http.StatusInternalServerError)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		h := w.Header()
		name, sub := strings.CutPrefix(r.URL.Path, base+"/")
		if !sub {
			h.Set("Content-Type", "text/html; charset=utf-8")
			h.Set("Content-Security-Policy", CSP)
			h.Set("X-Frame-Options", "DENY")
			h.Set("Referrer-Policy", "no-referrer")
			h.Set("Cache-Control", "no-cache")
			h.Set("ETag", s.etag)
			http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(s.page))
			return
		}
		a := s.assets[name]
		if a == nil {
			http.NotFound(w, r)
			return
		}
		h.Set("Content-Type", a.typ)
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		if r.URL.Query().Get("v") == a.hash[:16] {
			h.Set("Cache-Control", immutable)
		} else {
			h.Set("Cache-Control", "no-cache")
		}
		h.Add("Vary", "Accept-Encoding")
		body, etag := a.body, `"`+a.hash[:32]+`"`
		if acceptsGzip(r) {
			body, etag = a.gzipped, `"`+a.hash[:32]+`-gz"`
			h.Set("Content-Encoding", "gzip")
		}
		h.Set("ETag", etag)
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
	})
}

// acceptsGzip reports whether the request's Accept-Encoding takes gzip
// (and does not refuse it with q=0).
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(coding), "gzip") {
			q := strings.ReplaceAll(params, " ", "")
			return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
		}
	}
	return false
}
