package qr

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"syscall"
	"time"

	"shortener/internal/apperr"
	"shortener/internal/shortlink"
)

// FetchTimeout bounds a whole logo fetch: connect, redirects and body.
const FetchTimeout = 5 * time.Second

// maxRedirects bounds the redirects a logo fetch follows.
const maxRedirects = 5

// blocked are ranges no logo fetch may connect to beyond what netip's
// predicates name: shared address space (carrier NAT), "this network",
// IETF protocol assignments, benchmarking, reserved, NAT64 (which can
// embed any IPv4 address) and the IPv4 broadcast.
var blocked = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("240.0.0.0/4"), // includes 255.255.255.255
	netip.MustParsePrefix("64:ff9b::/96"),
	netip.MustParsePrefix("64:ff9b:1::/48"),
}

// errBlocked is returned by the dialer for an address it refuses.
var errBlocked = errors.New("address not allowed")

// Fetcher fetches logos from user-supplied URLs without letting them reach
// the server's own network (SSRF). The address check runs in the dialer's
// Control hook, on the IP actually being connected to, after DNS resolution
// and for every redirect hop, so a name that resolves differently the
// second time (DNS rebinding) gains nothing. Proxies from the environment
// are ignored for the same reason.
type Fetcher struct {
	client  *http.Client
	timeout time.Duration // FetchTimeout; tests shorten it
	// allowLoopback lets tests fetch from an httptest server. Nothing
	// outside this package's tests sets it.
	allowLoopback bool
}

// NewFetcher returns a guarded logo fetcher.
func NewFetcher() *Fetcher {
	f := &Fetcher{timeout: FetchTimeout}
	dialer := &net.Dialer{Timeout: FetchTimeout, Control: f.control}
	tr := &http.Transport{
		Proxy:                  nil,
		DialContext:            dialer.DialContext,
		TLSHandshakeTimeout:    FetchTimeout,
		ResponseHeaderTimeout:  FetchTimeout,
		MaxResponseHeaderBytes: 64 << 10,
		MaxIdleConns:           10,
		IdleConnTimeout:        30 * time.Second,
		ForceAttemptHTTP2:      true,
	}
	f.client = &http.Client{
		Transport: tr, // the request's context carries the overall timeout
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= maxRedirects {
				return fmt.Errorf("more than %d redirects", maxRedirects)
			}
			if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
				return errors.New("redirect to a non-http URL")
			}
			return nil
		},
	}
	return f
}

// control refuses to connect to anything but a public unicast address.
func (f *Fetcher) control(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: %s", errBlocked, address)
	}
	if !f.allowed(ap.Addr()) {
		return fmt.Errorf("%w: %s", errBlocked, ap.Addr())
	}
	return nil
}

func (f *Fetcher) allowed(ip netip.Addr) bool {
	ip = ip.Unmap()
	if ip.IsLoopback() {
		return f.allowLoopback
	}
	if !ip.IsValid() || ip.IsPrivate() || ip.IsUnspecified() || ip.IsLinkLocalUnicast() ||
		ip.IsLinkLocalMulticast() || ip.IsInterfaceLocalMulticast() || ip.IsMulticast() {
		return false
	}
	for _, p := range blocked {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}

// Fetch downloads the logo at rawURL, checks it like an upload and returns
// its stored form (CheckLogo).
// Errors are apperr Invalid on "logoUrl" with a message saying what was
// wrong; nothing about the server's network is revealed beyond "not
// allowed".
func (f *Fetcher) Fetch(ctx context.Context, rawURL string) ([]byte, error) {
	const field = "logoUrl"
	if err := shortlink.ValidateURL(field, rawURL); err != nil {
		return nil, err
	}
	u, _ := url.Parse(rawURL)
	if u.User != nil {
		return nil, apperr.InvalidField(field, "logoUrl must not contain credentials")
	}
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, apperr.InvalidField(field, "logoUrl is not a valid URL")
	}
	req.Header.Set("Accept", "image/png, image/jpeg")
	req.Header.Set("User-Agent", "shortener-logo-fetch/1")
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, f.fetchError(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, apperr.InvalidField(field, "logoUrl answered HTTP %d", resp.StatusCode)
	}
	if resp.ContentLength > MaxLogoBytes {
		return nil, apperr.InvalidField(field, "logo is larger than 1 MiB")
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, MaxLogoBytes+1))
	if err != nil {
		return nil, f.fetchError(err)
	}
	if len(b) > MaxLogoBytes {
		return nil, apperr.InvalidField(field, "logo is larger than 1 MiB")
	}
	out, err := NormalizeLogo(b)
	if err != nil {
		return nil, apperr.InvalidField(field, "%v", err)
	}
	return out, nil
}

func (f *Fetcher) fetchError(err error) error {
	const field = "logoUrl"
	var ne net.Error
	switch {
	case errors.Is(err, errBlocked):
		return apperr.InvalidField(field, "logoUrl leads to a private, loopback or otherwise non-public address")
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return apperr.InvalidField(field, "logoUrl did not answer within %s", f.timeout)
	}
	var ue *url.Error
	if errors.As(err, &ue) && ue.Err != nil && !errors.As(ue.Err, new(*net.OpError)) {
		// CheckRedirect's refusals (too many redirects, bad scheme).
		return apperr.InvalidField(field, "could not fetch logoUrl: %v", ue.Err)
	}
	return apperr.InvalidField(field, "could not fetch logoUrl")
}
