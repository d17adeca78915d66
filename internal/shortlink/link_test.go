package shortlink

import (
	"strings"
	"testing"

	"shortener/internal/apperr"
)

func TestValidateURL(t *testing.T) {
	for _, c := range []struct {
		url string
		ok  bool
	}{
		{"https://example.com", true},
		{"http://example.com/a?b=c#d", true},
		{"https://例え.jp/パス", true},
		{"javascript:alert(1)", false},
		{"JavaScript:alert(1)", false},
		{"data:text/html;base64,PHNjcmlwdD4=", false},
		{"file:///etc/passwd", false},
		{"ftp://example.com", false},
		{"//example.com", false},
		{"https://", false},
		{"example.com", false},
		{"https://exa mple.com", false},
		{"", false},
		{"https://example.com/" + strings.Repeat("a", 9000), false},
	} {
		err := ValidateURL("url", c.url)
		if (err == nil) != c.ok {
			t.Errorf("ValidateURL(%.40q) = %v, want ok=%v", c.url, err, c.ok)
		}
		if err != nil && apperr.CodeOf(err) != apperr.Invalid {
			t.Errorf("ValidateURL(%.40q) code = %s, want Invalid", c.url, apperr.CodeOf(err))
		}
	}
}

func TestValidateAlias(t *testing.T) {
	for _, c := range []struct {
		alias string
		ok    bool
	}{
		{"google", true}, {"a", true}, {"my-link_2", true},
		{"api", false}, {"GraphQL", false}, {"playground", false}, {"healthz", false},
		{"qr", false}, {"r", false}, {"u", false},
		{"-x", false}, {"a b", false}, {"a/b", false}, {"", false}, {strings.Repeat("a", 101), false},
	} {
		if err := ValidateAlias("custom", c.alias); (err == nil) != c.ok {
			t.Errorf("ValidateAlias(%q) = %v, want ok=%v", c.alias, err, c.ok)
		}
	}
}

func TestNewAliasIsValidAndVaries(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		a := NewAlias(6)
		if err := ValidateAlias("custom", a); err != nil && !IsReserved(a) {
			t.Fatalf("generated alias %q is invalid: %v", a, err)
		}
		seen[a] = true
	}
	if len(seen) < 990 {
		t.Errorf("1000 aliases gave only %d distinct", len(seen))
	}
}
