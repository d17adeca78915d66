package qr

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/gif"
	"image/png"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"shortener/internal/apperr"
)

// wantRefused checks err is an Invalid error on logoUrl whose message
// contains msg.
func wantRefused(t *testing.T, err error, msg string) {
	t.Helper()
	var ae *apperr.Error
	if !errors.As(err, &ae) {
		t.Fatalf("error %v, want an apperr", err)
	}
	if ae.Code != apperr.Invalid || ae.Field != "logoUrl" || !strings.Contains(ae.Message, msg) {
		t.Fatalf("got %s on %q: %q; want Invalid on logoUrl containing %q", ae.Code, ae.Field, ae.Message, msg)
	}
}

// logoServer serves a good PNG at /logo.png, counting requests.
func logoServer(t *testing.T, mux *http.ServeMux) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var hits atomic.Int64
	logo := testLogo(t, "png", 64)
	mux.HandleFunc("/logo.png", func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "image/png")
		_, _ = w.Write(logo)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv, &hits
}

func loopbackFetcher() *Fetcher {
	f := NewFetcher()
	f.allowLoopback = true
	return f
}

func TestFetchAcceptsAGoodPNG(t *testing.T) {
	srv, _ := logoServer(t, http.NewServeMux())
	b, err := loopbackFetcher().Fetch(context.Background(), srv.URL+"/logo.png")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := png.Decode(bytes.NewReader(b)); err != nil {
		t.Fatalf("fetched bytes are not the PNG: %v", err)
	}
}

func TestFetchRefusesLoopback(t *testing.T) {
	srv, hits := logoServer(t, http.NewServeMux())
	f := NewFetcher()
	wantRefused(t, func() error { _, err := f.Fetch(context.Background(), srv.URL+"/logo.png"); return err }(), "non-public address")
	// "localhost" resolves to loopback: the check is on the resolved address.
	u := strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)
	_, err := f.Fetch(context.Background(), u+"/logo.png")
	wantRefused(t, err, "non-public address")
	if hits.Load() != 0 {
		t.Fatalf("the server saw %d requests; the dial must be refused before any", hits.Load())
	}
}

// Private, link-local and other internal addresses are refused at dial
// time, before a packet leaves: these tests need no network.
func TestFetchRefusesInternalAddresses(t *testing.T) {
	f := NewFetcher()
	for _, u := range []string{
		"http://10.1.2.3/logo.png",
		"http://192.168.0.10:8080/logo.png",
		"http://172.16.5.4/logo.png",
		"http://169.254.169.254/latest/meta-data",
		"http://100.64.0.1/logo.png",
		"http://0.0.0.0/logo.png",
		"https://[fd00::1]/logo.png",
		"http://[::ffff:10.0.0.1]/logo.png",
		"http://[::1]/logo.png",
	} {
		_, err := f.Fetch(context.Background(), u)
		wantRefused(t, err, "non-public address")
	}
}

func TestFetchAllowedAddresses(t *testing.T) {
	f := NewFetcher()
	cases := map[string]bool{
		"8.8.8.8": true, "1.1.1.1": true, "2606:4700:4700::1111": true, "93.184.216.34": true,
		"127.0.0.1": false, "::1": false, "10.0.0.1": false, "172.31.255.255": false, "192.168.1.1": false,
		"169.254.1.1": false, "fe80::1": false, "fc00::1": false, "224.0.0.1": false, "ff02::1": false,
		"0.0.0.0": false, "::": false, "255.255.255.255": false, "100.100.100.100": false,
		"198.18.0.1": false, "::ffff:127.0.0.1": false, "64:ff9b::a00:1": false,
	}
	for s, want := range cases {
		if got := f.allowed(netip.MustParseAddr(s)); got != want {
			t.Errorf("allowed(%s) = %v, want %v", s, got, want)
		}
	}
}

func TestFetchRefusesARedirectToAPrivateAddress(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/go", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://10.0.0.7/logo.png", http.StatusFound)
	})
	srv, _ := logoServer(t, mux)
	// Loopback is allowed here only so the first hop reaches the test
	// server; the private second hop must still be refused.
	_, err := loopbackFetcher().Fetch(context.Background(), srv.URL+"/go")
	wantRefused(t, err, "non-public address")
}

func TestFetchRefusesRedirectLoopsAndOtherSchemes(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/loop", http.StatusFound)
	})
	mux.HandleFunc("/file", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "file:///etc/passwd", http.StatusFound)
	})
	srv, _ := logoServer(t, mux)
	f := loopbackFetcher()
	_, err := f.Fetch(context.Background(), srv.URL+"/loop")
	wantRefused(t, err, "redirects")
	_, err = f.Fetch(context.Background(), srv.URL+"/file")
	wantRefused(t, err, "non-http")
}

func TestFetchRefusesOversizeLogos(t *testing.T) {
	big := bytes.Repeat([]byte{0x89}, MaxLogoBytes+10)
	mux := http.NewServeMux()
	mux.HandleFunc("/declared", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write(big) // net/http sets Content-Length for one write
	})
	mux.HandleFunc("/chunked", func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i < len(big); i += 64 << 10 {
			_, _ = w.Write(big[i:min(i+64<<10, len(big))])
			w.(http.Flusher).Flush() // no Content-Length: the read limit must stop it
		}
	})
	srv, _ := logoServer(t, mux)
	f := loopbackFetcher()
	for _, p := range []string{"/declared", "/chunked"} {
		_, err := f.Fetch(context.Background(), srv.URL+p)
		wantRefused(t, err, "larger than 1 MiB")
	}
}

func TestFetchRefusesWhatIsNotAPNGOrJPEG(t *testing.T) {
	var g bytes.Buffer
	if err := gif.Encode(&g, image.NewPaletted(image.Rect(0, 0, 8, 8), color.Palette{color.Black, color.White}), nil); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/page", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png") // the header lies; decoding decides
		_, _ = w.Write([]byte("<html>not an image</html>"))
	})
	mux.HandleFunc("/gif", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(g.Bytes()) })
	mux.HandleFunc("/missing", http.NotFound)
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	srv, _ := logoServer(t, mux)
	f := loopbackFetcher()
	f.timeout = 200 * time.Millisecond
	for p, msg := range map[string]string{
		"/page": "PNG or JPEG", "/gif": "PNG or JPEG", "/missing": "HTTP 404", "/slow": "did not answer within 200ms",
	} {
		_, err := f.Fetch(context.Background(), srv.URL+p)
		wantRefused(t, err, msg)
	}
	for _, u := range []string{"ftp://example.com/logo.png", "file:///etc/passwd", "http://user:pw@example.com/x.png", "not a url"} {
		if _, err := f.Fetch(context.Background(), u); err == nil {
			t.Errorf("%s fetched", u)
		}
	}
}

func TestCheckLogo(t *testing.T) {
	if _, err := CheckLogo(testLogo(t, "png", 32)); err != nil {
		t.Errorf("png: %v", err)
	}
	if _, err := CheckLogo(testLogo(t, "jpeg", 32)); err != nil {
		t.Errorf("jpeg: %v", err)
	}
	// A small file declaring a huge image is refused before decoding.
	var wide bytes.Buffer
	if err := png.Encode(&wide, image.NewGray(image.Rect(0, 0, MaxLogoSide+1, 1))); err != nil {
		t.Fatal(err)
	}
	good := testLogo(t, "png", 32)
	for name, b := range map[string][]byte{
		"empty": nil, "text": []byte("hello"), "too wide": wide.Bytes(),
		"truncated png": good[:len(good)/2], "too big": make([]byte, MaxLogoBytes+1),
	} {
		_, err := CheckLogo(b)
		var ae *apperr.Error
		if !errors.As(err, &ae) || ae.Code != apperr.Invalid || ae.Field != "logo" {
			t.Errorf("%s: %v, want Invalid on logo", name, err)
		}
	}
}
