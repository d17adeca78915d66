package app

import (
	"context"
	"net"
	"time"
)

// domainCheckBatch bounds the unverified domains one recheck looks up.
const domainCheckBatch = 50

// txtLookup returns the TXT lookup of domain verification: the system
// resolver, or the DNS server at addr (host:port) when given.
func txtLookup(addr string) func(context.Context, string) ([]string, error) {
	if addr == "" {
		return net.DefaultResolver.LookupTXT
	}
	r := &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}}
	return r.LookupTXT
}

// recheckDomains rechecks unverified domains' TXT records every
// DomainRecheck until ctx ends (a loop that Shutdown stops and Close waits
// for).
func (a *App) recheckDomains(ctx context.Context) {
	every := a.Config.DomainRecheck
	if every <= 0 {
		every = 10 * time.Minute
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		n, err := a.Resolver.RecheckDomains(ctx, domainCheckBatch)
		switch {
		case err != nil && ctx.Err() == nil:
			a.Config.Log.Warn("recheck domains", "err", err)
		case n > 0:
			a.Config.Log.Info("domains verified", "count", n)
		}
	}
}
