// Package shortlink holds the pure rules of short links: which long URLs
// are accepted, what an alias may look like, which aliases are reserved
// (the server's top-level routes, routes.go), how random aliases are made,
// and how every public URL is built (urls.go).
package shortlink

import (
	"crypto/rand"
	"net/url"
	"regexp"
	"strings"

	"shortener/internal/apperr"
)

var aliasRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$`)

// MaxAliasLen is the longest alias the rules allow.
const MaxAliasLen = 100

// ValidAliasSyntax reports whether alias has the shape every alias has (the
// rule of ValidateAlias without the reserved names): a cheap test the public
// routes run before any lookup, so a path no alias can match costs nothing.
func ValidAliasSyntax(alias string) bool {
	if len(alias) == 0 || len(alias) > MaxAliasLen {
		return false
	}
	for i := 0; i < len(alias); i++ {
		c := alias[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case (c == '-' || c == '_') && i > 0:
		default:
			return false
		}
	}
	return true
}

// ValidateAlias checks a custom alias: 1 to 100 letters, digits, '-' or '_',
// starting with a letter or digit, and not reserved.
func ValidateAlias(field, alias string) error {
	if !aliasRE.MatchString(alias) {
		return apperr.InvalidField(field, "alias %q must be 1-100 letters, digits, '-' or '_'", alias)
	}
	if IsReserved(alias) {
		return apperr.InvalidField(field, "alias %q is reserved", alias)
	}
	return nil
}

// ValidateURL checks that s is an absolute http or https URL with a host.
// javascript:, data:, file: and every other scheme are refused.
func ValidateURL(field, s string) error {
	if s == "" {
		return apperr.InvalidField(field, "%s is required", field)
	}
	if len(s) > 8192 {
		return apperr.InvalidField(field, "%s is longer than 8192 characters", field)
	}
	if strings.ContainsAny(s, " \t\r\n\x00") {
		return apperr.InvalidField(field, "%s must not contain spaces or control characters", field)
	}
	u, err := url.Parse(s)
	if err != nil {
		return apperr.InvalidField(field, "%s is not a valid URL", field)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return apperr.InvalidField(field, "%s must be an http or https URL", field)
	}
	if u.Host == "" || u.Hostname() == "" {
		return apperr.InvalidField(field, "%s must have a host", field)
	}
	return nil
}

// ValidateOptionalURL is ValidateURL for fields where empty means none.
func ValidateOptionalURL(field, s string) error {
	if s == "" {
		return nil
	}
	return ValidateURL(field, s)
}

const alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// NewAlias returns a random alias of n characters from an alphabet without
// look-alikes (0/O, 1/l/I). With 57^6 ≈ 3.4e10 aliases a collision is rare;
// the unique index catches it and the caller draws again.
func NewAlias(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}
