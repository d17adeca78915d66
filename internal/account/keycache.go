package account

import (
	"context"
	"sync"
	"time"

	"shortener/ent"
	"shortener/ent/hook"
	"shortener/internal/auth"
)

// KeyCache remembers recent key lookups so an API request does not cost two
// queries before it starts. Any change to an API key or a user (revoke,
// rotate, plan, delete) through this process's client empties it at once;
// an entry also lives at most TTL, which bounds what a change made by
// another process can miss: a user disabled or a key revoked by the CLI
// (`shortener user disable`, `shortener key revoke`) while a server runs is
// refused by that server on the key's next lookup, at most TTL later.
type KeyCache struct {
	client *ent.Client
	ttl    time.Duration
	mu     sync.RWMutex
	keys   map[string]cachedKey // by key hash
}

type cachedKey struct {
	viewer  auth.Viewer
	expires *time.Time // the key's own expiry
	planEnd *time.Time // when a paid plan falls back to FREE
	until   time.Time  // end of the cache entry
}

// maxCachedKeys bounds the cache; when full it starts over.
const maxCachedKeys = 100_000

// NewKeyCache returns a cache over client and registers the hooks that
// empty it on every APIKey and User mutation.
func NewKeyCache(client *ent.Client, ttl time.Duration) *KeyCache {
	c := &KeyCache{client: client, ttl: ttl, keys: map[string]cachedKey{}}
	purge := func(next ent.Mutator) ent.Mutator {
		return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
			v, err := next.Mutate(ctx, m)
			c.Purge()
			return v, err
		})
	}
	client.APIKey.Use(hook.On(purge, ent.OpUpdate|ent.OpUpdateOne|ent.OpDelete|ent.OpDeleteOne))
	client.User.Use(hook.On(purge, ent.OpUpdate|ent.OpUpdateOne|ent.OpDelete|ent.OpDeleteOne))
	return c
}

// Purge empties the cache.
func (c *KeyCache) Purge() {
	c.mu.Lock()
	c.keys = map[string]cachedKey{}
	c.mu.Unlock()
}

// Authenticate is account.Authenticate with the cache in front.
func (c *KeyCache) Authenticate(ctx context.Context, key string, now time.Time) (*auth.Viewer, error) {
	h := auth.HashKey(key)
	c.mu.RLock()
	e, ok := c.keys[h]
	c.mu.RUnlock()
	if ok && now.Before(e.until) {
		if e.expires != nil && !e.expires.After(now) {
			return nil, auth.ErrBadKey
		}
		v := e.viewer
		if e.planEnd != nil && !e.planEnd.After(now) {
			v.Plan = "FREE"
		}
		return &v, nil
	}
	k, err := lookupKey(ctx, c.client, key)
	if err != nil {
		return nil, err
	}
	v, err := viewerOf(k, now)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if len(c.keys) >= maxCachedKeys {
		c.keys = map[string]cachedKey{}
	}
	c.keys[h] = cachedKey{viewer: *v, expires: k.ExpiresAt, planEnd: k.Edges.Owner.PlanExpiresAt, until: now.Add(c.ttl)}
	c.mu.Unlock()
	return v, nil
}
