package app

import (
	"context"
	"fmt"
	"time"

	"shortener/ent"
	"shortener/ent/domain"
	"shortener/ent/hook"
	"shortener/internal/redirect"
)

// installHooks registers the ent hooks of the click writer and the redirect cache.
// They sit on the ent client, below GraphQL, REST and anything else that
// writes, so every write path keeps clicks and snapshots right.
func (a *App) installHooks() {
	// The writer learns of deleted links and QR codes (their hits queued
	// meanwhile are then written without them).
	a.Client.Link.Use(a.Writer.DeleteHook())
	a.Client.QRCode.Use(a.Writer.DeleteHook())
	a.Client.Link.Use(a.Cache.LinkHook())
	// A domain's DNS check time is not part of any snapshot: noting it
	// (every few minutes per unverified domain) must not flush the cache.
	a.Client.Domain.Use(hook.If(a.Cache.FlushHook(), hook.Not(checkedOnly)))
	for _, use := range []func(...ent.Hook){
		a.Client.SplashPage.Use, a.Client.CTAOverlay.Use,
		a.Client.Pixel.Use, a.Client.BioPage.Use,
	} {
		use(a.Cache.FlushHook())
	}
}

// warmCache loads the redirect snapshots of the links in the background
// (a loop that Shutdown stops and Close waits for, so it never reads a
// closed database).
func (a *App) warmCache(ctx context.Context) {
	start := time.Now()
	n, err := a.Cache.Warm(ctx)
	switch {
	case err != nil && ctx.Err() == nil:
		a.Config.Log.Warn("warm redirect cache", "err", err)
	case n > 0:
		a.Config.Log.Info("redirect cache warm", "links", n, "took", time.Since(start).Round(time.Millisecond))
	}
}

// checkedOnly reports whether a domain update only notes a DNS check.
func checkedOnly(_ context.Context, m ent.Mutation) bool {
	if !m.Op().Is(ent.OpUpdate|ent.OpUpdateOne) || len(m.ClearedFields()) > 0 {
		return false
	}
	for _, f := range m.Fields() {
		if f != domain.FieldCheckedAt && f != domain.FieldUpdatedAt {
			return false
		}
	}
	return true
}

// publicRoutes is the handler of the public visitor routes (see
// redirect.Handler.Mount): GET /{alias} on the base host and on branded
// domains, /qr/{alias} and its scan, /r/{slug}, /u/{username}/{slug}-{id}
// and bio pages.
func (a *App) publicRoutes() *redirect.Handler {
	return redirect.New(redirect.Config{
		Client: a.Client, Cache: a.Cache, Sink: a.Clicks, BaseURL: a.Config.BaseURL,
		Status: a.Config.RedirectStatus, CountryHeader: a.Config.CountryHeader, GeoIP: a.geo,
		Secret: a.secret, Now: a.Config.Now, Log: a.Config.Log, HomeURL: a.Config.HomeURL,
		QRRenders: a.Config.QRRenders, QRRenderWaiters: a.Config.QRRenderWaiters, QRRenderWait: a.Config.QRRenderWait,
	})
}

// checkRedirectStatus refuses a redirect status other than 301/302/307/308.
func checkRedirectStatus(code int) error {
	if code == 0 || redirect.ValidStatus(code) {
		return nil
	}
	return fmt.Errorf("redirect status must be 301, 302, 307 or 308, got %d", code)
}
