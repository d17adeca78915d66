// Package hostname puts host names into the one form they are compared in:
// lower case, no port, no trailing dot, IDN labels in punycode. Branded
// domains are stored in that form, the base host is computed in it and a
// request's Host is reduced to it before any lookup.
package hostname

import (
	"errors"
	"net"
	"net/netip"
	"strings"

	"golang.org/x/net/idna"
)

// Errors of Branded.
var (
	ErrEmpty     = errors.New("host name is empty")
	ErrInvalid   = errors.New("host name is not valid")
	ErrIP        = errors.New("host name is an IP address")
	ErrLocalhost = errors.New("host name is localhost")
	ErrNoDot     = errors.New("host name has no dot")
)

var profile = idna.New(idna.MapForLookup(), idna.BidiRule(), idna.Transitional(false),
	idna.ValidateLabels(true), idna.VerifyDNSLength(true), idna.StrictDomainName(true))

// Normalize returns host (with or without a port, brackets around an IPv6
// literal) in canonical form: an IP literal as netip prints it, a name in
// lower-case punycode without its trailing dot. Numeric forms that resolvers
// read as IPv4 (127.1, 2130706433, 0x7f.1) come back unchanged but are
// reported by IsIPLike.
func Normalize(host string) (string, error) {
	h := StripPort(host)
	if h == "" {
		return "", ErrEmpty
	}
	if strings.HasPrefix(h, "[") && strings.HasSuffix(h, "]") {
		h = h[1 : len(h)-1]
		if i := strings.IndexByte(h, '%'); i >= 0 { // zone: not a public host
			return "", ErrInvalid
		}
		a, err := netip.ParseAddr(h)
		if err != nil || !a.Is6() {
			return "", ErrInvalid
		}
		return a.Unmap().String(), nil
	}
	if a, err := netip.ParseAddr(h); err == nil {
		return a.Unmap().String(), nil
	}
	if strings.ContainsAny(h, "[]:") {
		return "", ErrInvalid
	}
	h = strings.TrimSuffix(h, ".")
	if h == "" {
		return "", ErrEmpty
	}
	if IsIPLike(h) {
		return strings.ToLower(h), nil
	}
	a, err := profile.ToASCII(h)
	if err != nil || a == "" {
		return "", ErrInvalid
	}
	return strings.ToLower(a), nil
}

// StripPort drops a :port from host, keeping the brackets of an IPv6
// literal; a bare IPv6 literal (several colons, no brackets) is kept whole.
func StripPort(host string) string {
	if strings.HasPrefix(host, "[") {
		if i := strings.IndexByte(host, ']'); i >= 0 {
			return host[:i+1]
		}
		return host
	}
	if i := strings.LastIndexByte(host, ':'); i >= 0 && strings.IndexByte(host, ':') == i {
		return host[:i]
	}
	return host
}

// IsIPLike reports whether a normalised host is an IP literal or a form a
// resolver or browser may read as an IPv4 address: a last label made only
// of digits, or hex (0x...) labels, as in 127.1, 2130706433, 0x7f.1 and
// 0177.0.0.1.
func IsIPLike(h string) bool {
	if _, err := netip.ParseAddr(h); err == nil {
		return true
	}
	if strings.Contains(h, ":") {
		return true
	}
	labels := strings.Split(strings.TrimSuffix(h, "."), ".")
	last := labels[len(labels)-1]
	if allDigits(last) {
		return true
	}
	for _, l := range labels {
		ll := strings.ToLower(l)
		if strings.HasPrefix(ll, "0x") && isHex(ll[2:]) {
			return true
		}
	}
	return net.ParseIP(h) != nil
}

// Branded checks that host may be a branded domain and returns it
// normalised: not an IP literal or numeric form, not localhost or a
// .localhost name, and with at least one dot.
func Branded(host string) (string, error) {
	h, err := Normalize(host)
	if err != nil {
		return "", err
	}
	if IsIPLike(h) {
		return "", ErrIP
	}
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return "", ErrLocalhost
	}
	if !strings.Contains(h, ".") {
		return "", ErrNoDot
	}
	return h, nil
}

// Key reduces a request's Host header to the form branded domains are
// stored in, cheaply for the common case (ASCII): lower case, no port, no
// trailing dot. Non-ASCII hosts go through Normalize; a host that does not
// normalise gives "".
func Key(host string) string {
	h := StripPort(host)
	ascii := true
	upper := false
	for i := 0; i < len(h); i++ {
		c := h[i]
		if c >= 0x80 {
			ascii = false
			break
		}
		if 'A' <= c && c <= 'Z' {
			upper = true
		}
	}
	if !ascii || strings.HasPrefix(h, "[") {
		n, err := Normalize(h)
		if err != nil {
			return ""
		}
		return n
	}
	if upper {
		h = strings.ToLower(h)
	}
	return strings.TrimSuffix(h, ".")
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}
