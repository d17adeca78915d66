package hostname

import "testing"

func TestNormalize(t *testing.T) {
	for in, want := range map[string]string{
		"Example.COM":           "example.com",
		"example.com.":          "example.com",
		"example.com:8443":      "example.com",
		"example.com.:80":       "example.com",
		"[::1]":                 "::1",
		"[::1]:8080":            "::1",
		"[::ffff:127.0.0.1]":    "127.0.0.1",
		"127.0.0.1:80":          "127.0.0.1",
		"bücher.example":        "xn--bcher-kva.example",
		"BÜCHER.example.":       "xn--bcher-kva.example",
		"xn--bcher-kva.example": "xn--bcher-kva.example",
		"аpple.com":             "xn--pple-43d.com",
	} {
		got, err := Normalize(in)
		if err != nil || got != want {
			t.Errorf("Normalize(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", ":80", "[::1", "exa mple.com", "a..b", "[fe80::1%25eth0]"} {
		if got, err := Normalize(in); err == nil {
			t.Errorf("Normalize(%q) = %q, want an error", in, got)
		}
	}
}

func TestBranded(t *testing.T) {
	for _, in := range []string{"localhost", "LOCALHOST.", "app.localhost", "[::1]", "127.1", "2130706433",
		"0x7f.1", "0177.0.0.1", "127.0.0.1", "10.0.0.1:80", "intranet", "1.2.3.4.5"} {
		if got, err := Branded(in); err == nil {
			t.Errorf("Branded(%q) = %q, want an error", in, got)
		}
	}
	for in, want := range map[string]string{"Go.Example.com.": "go.example.com", "link.co:443": "link.co"} {
		if got, err := Branded(in); err != nil || got != want {
			t.Errorf("Branded(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func TestKey(t *testing.T) {
	for in, want := range map[string]string{
		"short.test": "short.test", "SHORT.test": "short.test", "short.test.": "short.test",
		"short.test:443": "short.test", "Short.Test.:8443": "short.test", "[::1]:80": "::1",
		"bücher.example": "xn--bcher-kva.example",
	} {
		if got := Key(in); got != want {
			t.Errorf("Key(%q) = %q, want %q", in, got, want)
		}
	}
}
