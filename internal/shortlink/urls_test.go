package shortlink

import "testing"

func TestPublicURLs(t *testing.T) {
	const base = "https://s.example"
	slug := "spring"
	empty := ""
	for _, c := range []struct{ got, want string }{
		{ShortURL(base, "", "abc"), "https://s.example/abc"},
		{ShortURL(base, "https://go.example.com", "abc"), "https://go.example.com/abc"},
		{ShortURL(base, "https://go.example.com/", "abc"), "https://go.example.com/abc"},
		{BioURL(base, "me"), "https://s.example/me"},
		{QRURL(base, "q1"), "https://s.example/qr/q1"},
		{QRURL(base, ""), "https://s.example/qr/"},
		{QRScanURL(base, "q1"), "https://s.example/qr/q1/scan"},
		{RotatorURL(base, "spring"), "https://s.example/r/spring"},
		{ListURL(base, "ann", &slug, 7), "https://s.example/u/ann/spring-7"},
		{ListURL(base, "ann", &empty, 7), "https://s.example/u/ann/list-7"},
		{ListURL(base, "ann", nil, 7), "https://s.example/u/ann/list-7"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

func TestReservedAreRoutesAndNames(t *testing.T) {
	for _, a := range []string{
		"api", "graphql", "playground", "healthz", "readyz", "qr", "r", "u", "static", "assets", "favicon.ico",
		"robots.txt", "admin", "login", "logout", "signup", "debug", "metrics", ".well-known",
		"API", "Qr",
	} {
		if !IsReserved(a) {
			t.Errorf("IsReserved(%q) = false", a)
		}
	}
	if n := len(Routes) + len(ReservedNames); n != 19 || len(reserved) != 19 {
		t.Errorf("%d reserved names (%d distinct), want 19", n, len(reserved))
	}
	for _, a := range []string{"abc", "apis", "rr", "qr1"} {
		if IsReserved(a) {
			t.Errorf("IsReserved(%q) = true", a)
		}
	}
}
