package account_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"shortener/internal/account"
	"shortener/internal/auth"
	"shortener/internal/store"
	"shortener/internal/store/storetest"
)

func TestKeyCacheForgetsRevokedAndExpiredKeys(t *testing.T) {
	ctx := context.Background()
	client := storetest.Open(t)
	cache := account.NewKeyCache(client, time.Hour)
	u, key, err := account.CreateUser(ctx, client, account.NewUser{Email: "a@example.com", Username: "alice", Password: "password123"})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	v, err := cache.Authenticate(ctx, key, now)
	if err != nil || v.UserID != u.ID {
		t.Fatalf("first lookup: %+v, %v", v, err)
	}
	// A second key with an expiry, seen through the cache, stops at its expiry.
	vctx := auth.WithViewer(ctx, v)
	expires := now.Add(time.Minute)
	short, _, err := account.IssueKey(vctx, client, "", "short", &expires, now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cache.Authenticate(ctx, short, now); err != nil {
		t.Fatalf("fresh expiring key refused: %v", err)
	}
	if _, err := cache.Authenticate(ctx, short, now.Add(2*time.Minute)); !errors.Is(err, auth.ErrBadKey) {
		t.Fatalf("expired key accepted from the cache: %v", err)
	}
	// Revoking the cached key takes effect at once, TTL or not.
	if _, err := account.Revoke(vctx, client, v.KeyID, now); err != nil {
		t.Fatal(err)
	}
	if _, err := cache.Authenticate(ctx, key, now); !errors.Is(err, auth.ErrBadKey) {
		t.Fatalf("revoked key still authenticates: %v", err)
	}
	if _, err := cache.Authenticate(ctx, "sk_unknown", now); !errors.Is(err, auth.ErrBadKey) {
		t.Fatalf("unknown key: %v", err)
	}
}

// A user disabled by another process (the admin CLI) is refused at once on
// a key lookup the cache has not seen, and at most TTL later for a cached one.
func TestKeyCacheRefusesDisabledUserWithinTTL(t *testing.T) {
	ctx := context.Background()
	dsn := storetest.DSN(t)
	server, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()
	cli, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	cache := account.NewKeyCache(server, time.Minute)
	u, cached, err := account.CreateUser(ctx, server, account.NewUser{Email: "a@example.com", Username: "alice", Password: "password123"})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	v, err := cache.Authenticate(ctx, cached, now)
	if err != nil {
		t.Fatal(err)
	}
	fresh, _, err := account.IssueKey(auth.WithViewer(ctx, v), server, "", "fresh", nil, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := cli.User.UpdateOneID(u.ID).SetDisabledAt(now).Exec(auth.SystemContext(ctx)); err != nil {
		t.Fatal(err)
	}
	if _, err := cache.Authenticate(ctx, fresh, now); !errors.Is(err, auth.ErrBadKey) {
		t.Errorf("an uncached key of a disabled user: %v", err)
	}
	if _, err := cache.Authenticate(ctx, cached, now.Add(time.Minute+time.Second)); !errors.Is(err, auth.ErrBadKey) {
		t.Errorf("a cached key of a disabled user, past the TTL: %v", err)
	}
}
