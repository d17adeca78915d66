package app_test

import (
	"testing"

	"shortener/internal/app"
	"shortener/internal/app/apptest"
	"shortener/internal/redirect"
)

// Config.CacheMB (--cache-mb) is the redirect cache's budget; 0 is the default.
func TestCacheMBSetsTheRedirectCacheBudget(t *testing.T) {
	if got := apptest.New(t, app.Config{}).App.Cache.Budget(); got != redirect.DefaultCacheBytes {
		t.Errorf("default budget %d, want %d", got, redirect.DefaultCacheBytes)
	}
	if got := apptest.New(t, app.Config{CacheMB: 3}).App.Cache.Budget(); got != 3<<20 {
		t.Errorf("CacheMB 3: budget %d, want %d", got, 3<<20)
	}
}
