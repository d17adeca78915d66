package redirect

import (
	"context"
	"hash/maphash"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"

	"shortener/ent"
)

const shardCount = 32

// Cache holds snapshots by (domain, alias) in memory so a redirect costs no
// database round trip. Entries are filled on a miss (one load per key at a
// time) and live until a write invalidates them, with a TTL as a safety net
// for writes this process cannot see (another server instance on the same
// PostgreSQL database). Size is bounded: a full shard evicts a random entry,
// which keeps a hit to one read-locked map lookup (an LRU would need a write
// lock on every hit).
type Cache struct {
	load       loader
	ttl        time.Duration
	perShard   int
	now        func() time.Time
	seed       maphash.Seed
	shards     [shardCount]shard
	flights    singleflight.Group
	domainsMu  sync.Mutex
	domainsPtr atomic.Pointer[map[string]*Domain]

	// gen bumps on every invalidation: a fill that started before one is
	// not kept, since it may have read the old row.
	gen atomic.Uint64
	// missGen bumps on every link or bio page write: a "missing" entry is
	// valid only while it matches, since any write may create the alias.
	missGen atomic.Uint64
}

type cacheKey struct {
	domain int // 0: the base host
	alias  string
}

// keyOf is the key a snapshot is cached under: a link's snapshot is loaded
// by its exact alias on its domain. (The link index keeps the snapshot, not
// a second copy of its key: 16 bytes an entry instead of 32.)
func keyOf(s *Snapshot) cacheKey {
	k := cacheKey{alias: s.Alias}
	if s.Domain != nil {
		k.domain = s.Domain.ID
	}
	return k
}

type entry struct {
	snap    *Snapshot
	expires int64 // unix nanoseconds
	missGen uint64
}

type shard struct {
	mu     sync.RWMutex
	m      map[cacheKey]entry
	byLink map[int]*Snapshot // a link's cached snapshot, whose key is keyOf(snap)
}

// CacheOptions configure a Cache.
type CacheOptions struct {
	// TTL bounds how long an entry lives without a write (default 5 min).
	TTL time.Duration
	// MaxEntries bounds the cache (default 200,000 snapshots).
	MaxEntries int
	Now        func() time.Time
}

// NewCache returns an empty cache that loads from client.
func NewCache(client *ent.Client, opts CacheOptions) *Cache {
	if opts.TTL <= 0 {
		opts.TTL = 5 * time.Minute
	}
	if opts.MaxEntries <= 0 {
		opts.MaxEntries = 200_000
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	c := &Cache{
		load:     loader{client: client},
		ttl:      opts.TTL,
		perShard: max(opts.MaxEntries/shardCount, 1),
		now:      opts.Now,
		seed:     maphash.MakeSeed(),
	}
	for i := range c.shards {
		c.shards[i].m = map[cacheKey]entry{}
		c.shards[i].byLink = map[int]*Snapshot{}
	}
	return c
}

func (c *Cache) shard(alias string) *shard {
	return &c.shards[maphash.String(c.seed, alias)%shardCount]
}

// Domain returns the branded domain a request's Host names, or nil for the
// base host (and for any host that is not a registered domain).
func (c *Cache) Domain(ctx context.Context, host string) (*Domain, error) {
	ds := c.domainsPtr.Load()
	if ds == nil {
		c.domainsMu.Lock()
		if ds = c.domainsPtr.Load(); ds == nil {
			gen := c.gen.Load()
			m, err := c.load.domains(context.WithoutCancel(ctx))
			if err != nil {
				c.domainsMu.Unlock()
				return nil, err
			}
			ds = &m
			if c.gen.Load() == gen {
				c.domainsPtr.Store(ds)
			}
		}
		c.domainsMu.Unlock()
	}
	if len(*ds) == 0 {
		return nil, nil
	}
	host = strings.ToLower(host)
	if d, ok := (*ds)[host]; ok {
		return d, nil
	}
	if h, _, err := net.SplitHostPort(host); err == nil {
		return (*ds)[h], nil
	}
	return nil, nil
}

// Get returns the snapshot of alias on d (nil: the base host), loading it on
// a miss. A missing alias is a snapshot of KindMissing, not an error.
func (c *Cache) Get(ctx context.Context, d *Domain, alias string) (*Snapshot, error) {
	k := cacheKey{alias: alias}
	if d != nil {
		k.domain = d.ID
	}
	sh := c.shard(alias)
	now := c.now().UnixNano()
	sh.mu.RLock()
	e, ok := sh.m[k]
	sh.mu.RUnlock()
	if ok && now < e.expires && (e.snap.Kind != KindMissing || e.missGen == c.missGen.Load()) {
		return e.snap, nil
	}
	v, err, _ := c.flights.Do(strconv.Itoa(k.domain)+"/"+alias, func() (any, error) {
		gen, missGen := c.gen.Load(), c.missGen.Load()
		// Other visitors may wait on this load: one leaving must not fail it.
		s, err := c.load.load(context.WithoutCancel(ctx), d, alias)
		if err != nil {
			return nil, err
		}
		if c.gen.Load() == gen {
			c.put(sh, k, entry{snap: s, expires: c.now().Add(c.ttl).UnixNano(), missGen: missGen})
		}
		return s, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*Snapshot), nil
}

func (c *Cache) put(sh *shard, k cacheKey, e entry) {
	if e.snap.LinkID != 0 && keyOf(e.snap) != k {
		return // InvalidateLinks could not find it: don't cache it
	}
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if _, ok := sh.m[k]; !ok && len(sh.m) >= c.perShard {
		for old, oe := range sh.m { // map order is random: a random eviction
			delete(sh.m, old)
			if oe.snap.LinkID != 0 {
				delete(sh.byLink, oe.snap.LinkID)
			}
			break
		}
	}
	sh.m[k] = e
	if e.snap.LinkID != 0 {
		sh.byLink[e.snap.LinkID] = e.snap
	}
}

// Len is the number of cached snapshots.
func (c *Cache) Len() int {
	n := 0
	for i := range c.shards {
		sh := &c.shards[i]
		sh.mu.RLock()
		n += len(sh.m)
		sh.mu.RUnlock()
	}
	return n
}

// InvalidateLinks drops the snapshots of links ids and every "missing"
// entry (a written link may now answer an alias that was missing).
func (c *Cache) InvalidateLinks(ids ...int) {
	c.gen.Add(1)
	c.missGen.Add(1)
	if len(ids) == 0 {
		return
	}
	for i := range c.shards {
		sh := &c.shards[i]
		sh.mu.Lock()
		for _, id := range ids {
			if snap, ok := sh.byLink[id]; ok {
				delete(sh.m, keyOf(snap))
				delete(sh.byLink, id)
			}
		}
		sh.mu.Unlock()
	}
}

// Flush drops everything, domains included. Writes to what snapshots embed
// (domains, splash pages, overlays, pixels, bio pages) are rare and flush.
func (c *Cache) Flush() {
	c.gen.Add(1)
	c.missGen.Add(1)
	c.domainsPtr.Store(nil)
	for i := range c.shards {
		sh := &c.shards[i]
		sh.mu.Lock()
		clear(sh.m)
		clear(sh.byLink)
		sh.mu.Unlock()
	}
}

// warmPage is how many links Warm loads per query.
const warmPage = 1000

// Warm loads the newest links, up to the cache's size, so that visits after
// a start don't each wait on a database read. Loading in pages costs a few
// microseconds a link instead of a few queries each. It stops early when
// ctx ends; entries already cached (by a visit) are kept.
func (c *Cache) Warm(ctx context.Context) (int, error) {
	if _, err := c.Domain(ctx, ""); err != nil {
		return 0, err
	}
	byID := map[int]*Domain{}
	if ds := c.domainsPtr.Load(); ds != nil {
		for _, d := range *ds {
			byID[d.ID] = d
		}
	}
	limit := c.perShard * shardCount
	n, last := 0, 0
	for n < limit && ctx.Err() == nil {
		gen := c.gen.Load()
		links, err := c.load.page(ctx, last, min(warmPage, limit-n))
		if err != nil {
			return n, err
		}
		if len(links) == 0 {
			break
		}
		last = links[len(links)-1].ID
		if c.gen.Load() != gen {
			continue // a write raced this page: leave it to visits
		}
		expires := c.now().Add(c.ttl).UnixNano()
		for _, l := range links {
			var d *Domain
			if l.DomainID != nil {
				if d = byID[*l.DomainID]; d == nil {
					continue
				}
			}
			k := cacheKey{alias: l.Alias}
			if d != nil {
				k.domain = d.ID
			}
			sh := c.shard(l.Alias)
			sh.mu.RLock()
			_, have := sh.m[k]
			sh.mu.RUnlock()
			if !have {
				c.put(sh, k, entry{snap: c.load.linkSnapshot(d, l), expires: expires})
				n++
			}
		}
	}
	return n, ctx.Err()
}
