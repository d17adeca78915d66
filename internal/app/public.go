package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"entgo.io/ent/dialect"
	"github.com/go-chi/chi/v5"

	"shortener/ent"
	"shortener/ent/domain"
	"shortener/ent/hook"
	"shortener/internal/analytics"
	"shortener/internal/redirect"
)

// startAnalytics sets up the click pipeline (a non-blocking Recorder, a
// batch Writer flushed at shutdown), the statistics Store, and the redirect
// snapshot cache with the ent hooks that keep it right.
func (a *App) startAnalytics(ctx context.Context) error {
	secret, err := loadSecret(a.Config)
	if err != nil {
		return err
	}
	a.secret = secret
	if a.Config.GeoIPDB != "" {
		if a.geo, err = analytics.OpenGeoIP(a.Config.GeoIPDB); err != nil {
			return err
		}
		a.onClose = append(a.onClose, a.geo.Close)
	}
	d := dialectOf(a.Config.DB)
	a.Recorder = analytics.NewRecorder(a.Config.ClickQueue)
	a.Writer = analytics.NewWriter(a.Client, a.Recorder, analytics.WriterOptions{
		Dialect: d, Hasher: analytics.NewHasher(secret), GeoIP: a.geo, Log: a.Config.Log,
	})
	a.Client.Link.Use(a.Writer.DeleteHook())
	a.Client.QRCode.Use(a.Writer.DeleteHook())
	a.Writer.Start()
	a.Clicks = a.Recorder
	a.onShutdown = append(a.onShutdown, func(ctx context.Context) error {
		if err := a.Writer.Close(ctx); err != nil {
			return err
		}
		if n := a.Recorder.Dropped(); n > 0 {
			a.Config.Log.Warn("clicks dropped because the queue was full", "dropped", n)
		}
		return nil
	})
	a.Resolver.Stats = analytics.NewStore(a.Client, d)

	a.startCache()
	return nil
}

// startCache makes the redirect snapshot cache, hooks it to every write
// path and warms it in the background.
func (a *App) startCache() {
	a.Cache = redirect.NewCache(a.Client, redirect.CacheOptions{Now: a.Config.Now, BaseHost: a.Resolver.BaseHost()})
	// Hooks sit on the ent client, below GraphQL, REST and anything else
	// that writes, so every write invalidates.
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
	// Shutdown stops the warm-up; Close also waits for it, so it never
	// reads a closed database.
	warmCtx, stopWarm := context.WithCancel(context.Background())
	warmed := make(chan struct{})
	a.onShutdown = append([]func(context.Context) error{func(context.Context) error { stopWarm(); return nil }}, a.onShutdown...)
	a.beforeClose = append(a.beforeClose, func() { stopWarm(); <-warmed })
	go func() {
		defer close(warmed)
		start := time.Now()
		n, err := a.Cache.Warm(warmCtx)
		switch {
		case err != nil && warmCtx.Err() == nil:
			a.Config.Log.Warn("warm redirect cache", "err", err)
		case n > 0:
			a.Config.Log.Info("redirect cache warm", "links", n, "took", time.Since(start).Round(time.Millisecond))
		}
	}()
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

// mountPublic mounts the public visitor routes: GET /{alias} on the base
// host and on branded domains, /r/{slug}, /u/{username}/{slug}-{id} and bio
// pages.
func (a *App) mountPublic(r chi.Router) *redirect.Handler {
	h := redirect.New(redirect.Config{
		Client: a.Client, Cache: a.Cache, Sink: a.Clicks, BaseURL: a.Config.BaseURL,
		Status: a.Config.RedirectStatus, CountryHeader: a.Config.CountryHeader, GeoIP: a.geo,
		Secret: a.secret, Now: a.Config.Now, Log: a.Config.Log,
	})
	h.Mount(r)
	return h
}

// dialectOf names the SQL dialect of a DSN.
func dialectOf(dsn string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return dialect.Postgres
	}
	return dialect.SQLite
}

// checkRedirectStatus refuses a redirect status other than 301/302/307/308.
func checkRedirectStatus(code int) error {
	if code == 0 || redirect.ValidStatus(code) {
		return nil
	}
	return fmt.Errorf("redirect status must be 301, 302, 307 or 308, got %d", code)
}
