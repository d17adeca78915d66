package redirect

import (
	"context"
	"hash/maphash"
	"math"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"golang.org/x/sync/singleflight"

	"shortener/ent"
	entlink "shortener/ent/link"
	"shortener/internal/hostname"
	"shortener/internal/shortlink"
)

const shardCount = 32

// Cache holds snapshots by (domain, alias) in memory so a redirect costs no
// database round trip. Entries are filled on a miss (one load per key at a
// time) and live until a write invalidates them, with a TTL as a safety net
// for writes this process cannot see (another server instance on the same
// PostgreSQL database). Size is bounded: a full shard evicts a random entry,
// which keeps a hit to one read-locked map lookup (an LRU would need a write
// lock on every hit).
//
// Most cached snapshots are plain: a link with no rules, pages or pixels
// (its Location is its long URL), or an alias that does not exist. Those
// are kept without pointers, as a fixed-size record in a map and their
// strings in a byte arena, so the garbage collector neither scans nor
// counts them object by object (bench/README.md, "Redirect cache"); a hit
// builds the snapshot afresh. The others keep their *Snapshot.
type Cache struct {
	load       loader
	ttl        time.Duration
	perShard   int
	shardBytes int // bound on one shard's bytes (see entryBytes)
	now        func() time.Time
	epoch      int64 // unix nanoseconds: plain entries' times count from it
	seed       maphash.Seed
	shards     [shardCount]shard
	flights    singleflight.Group
	baseHost   string
	domainsMu  sync.Mutex
	domainsPtr atomic.Pointer[map[string]*Domain]

	// gen bumps on every invalidation: a fill that started before one is
	// not kept, since it may have read the old row.
	gen atomic.Uint64
	// missGen bumps on every link or bio page write: a "missing" entry is
	// valid only while it matches, since any write may create the alias.
	missGen atomic.Uint64
}

// key identifies a cached (domain, alias): hash picks the shard and is the
// maps' key; a lookup still compares the domain and the alias, so two keys
// with one hash are never confused (the second simply replaces the first).
type key struct {
	hash   uint64
	domain int // 0: the base host
	alias  string
}

func (c *Cache) key(d *Domain, alias string) key {
	k := key{alias: alias}
	if d != nil {
		k.domain = d.ID
	}
	k.hash = maphash.String(c.seed, alias) ^ uint64(k.domain)*0x9e3779b97f4a7c15
	return k
}

// plain is a plain snapshot without pointers (32 bytes): its alias and
// location are the aliasLen and locLen bytes at off in the shard's arena.
// Ids, lengths and times that do not fit make the snapshot rich instead.
type plain struct {
	expires  int32  // seconds since the cache's epoch (a TTL is minutes)
	missGen  uint32 // low bits of the cache's missGen
	linkID   uint32
	ownerID  uint32
	domain   uint32
	off      uint32 // chunk<<chunkBits | position
	aliasLen uint16
	locLen   uint16
	kind     Kind
	typ      uint8 // index in redirectTypes
}

// entry is a snapshot that is not plain.
type entry struct {
	snap    *Snapshot
	expires int64 // unix nanoseconds
	missGen uint64
}

type shard struct {
	mu    sync.RWMutex
	plain map[uint64]plain
	rich  map[uint64]entry
	// byLink maps a cached link's id to its key's hash.
	byLink map[int]uint64
	// chunks hold the strings of plain entries (the arena), up to
	// chunkSize bytes each; only the last grows. Their bytes are never
	// written twice: snapshots handed out point into them, so a compaction
	// copies the live strings into new chunks and leaves the old ones to
	// the garbage collector.
	chunks [][]byte
	used   int // arena bytes in use
	dead   int // arena bytes no entry uses
	// bytes is what the shard's entries account for (entryBytes each).
	bytes int
}

const (
	chunkBits = 16
	chunkSize = 1 << chunkBits
	// maxPlainBytes bounds the strings of a plain entry (longer ones
	// keep their *Snapshot), so a chunk wastes little at its end.
	maxPlainBytes = 4096
	maxChunks     = 1 << (32 - chunkBits)
)

// add appends a and b to the arena and returns where they start.
func (sh *shard) add(a, b string) (uint32, bool) {
	n := len(a) + len(b)
	last := len(sh.chunks) - 1
	if last < 0 || len(sh.chunks[last])+n > chunkSize {
		if len(sh.chunks) == maxChunks {
			return 0, false
		}
		sh.chunks = append(sh.chunks, nil)
		last++
	}
	c := sh.chunks[last]
	if len(c)+n > cap(c) {
		// Grow by hand so a chunk's capacity stops at chunkSize; the old
		// array stays as it is for the snapshots that point into it.
		grown := make([]byte, len(c), min(chunkSize, max(2*cap(c), len(c)+n, 1024)))
		copy(grown, c)
		c = grown
	}
	off := uint32(last)<<chunkBits | uint32(len(c))
	c = append(c, a...)
	sh.chunks[last] = append(c, b...)
	sh.used += n
	return off, true
}

// str is n bytes of the arena, skip bytes after off, as a string that
// shares their memory.
func (sh *shard) str(off uint32, skip, n int) string {
	if n == 0 {
		return ""
	}
	c := sh.chunks[off>>chunkBits]
	return unsafe.String(&c[int(off&(chunkSize-1))+skip], n)
}

// CacheOptions configure a Cache.
type CacheOptions struct {
	// TTL bounds how long an entry lives without a write (default 5 min).
	TTL time.Duration
	// MaxEntries bounds the cache (default 200,000 snapshots).
	MaxEntries int
	// MaxBytes bounds the bytes the cached snapshots account for: their
	// aliases, URLs and texts plus a fixed overhead each (default 64 MiB).
	MaxBytes int
	// BaseHost is the base URL's host, normalised (hostname.Normalize): a
	// request for it never consults the branded domains.
	BaseHost string
	Now      func() time.Time
}

// NewCache returns an empty cache that loads from client.
func NewCache(client *ent.Client, opts CacheOptions) *Cache {
	if opts.TTL <= 0 {
		opts.TTL = 5 * time.Minute
	}
	if opts.MaxEntries <= 0 {
		opts.MaxEntries = 200_000
	}
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = DefaultCacheBytes
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	c := &Cache{
		load:       loader{client: client, baseHost: opts.BaseHost},
		baseHost:   opts.BaseHost,
		ttl:        opts.TTL,
		perShard:   max(opts.MaxEntries/shardCount, 1),
		shardBytes: max(opts.MaxBytes/shardCount, 1),
		now:        opts.Now,
		epoch:      opts.Now().UnixNano(),
		seed:       maphash.MakeSeed(),
	}
	for i := range c.shards {
		sh := &c.shards[i]
		sh.plain = map[uint64]plain{}
		sh.rich = map[uint64]entry{}
		sh.byLink = map[int]uint64{}
	}
	return c
}

func (c *Cache) shard(k key) *shard {
	return &c.shards[k.hash%shardCount]
}

// Domain returns the branded domain a request's Host names, or nil for the
// base host (and for any host that is not a registered, verified domain).
// The Host is compared in normalised form (hostname.Key); the base host in
// any form (port, trailing dot, case) never reaches the domain table.
func (c *Cache) Domain(ctx context.Context, host string) (*Domain, error) {
	if host != "" {
		host = hostname.Key(host)
		if host == "" || host == c.baseHost {
			return nil, nil
		}
	}
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
	return (*ds)[host], nil
}

// Get returns the snapshot of alias on d (nil: the base host), loading it on
// a miss. A missing alias is a snapshot of KindMissing, not an error.
func (c *Cache) Get(ctx context.Context, d *Domain, alias string) (*Snapshot, error) {
	if !shortlink.ValidAliasSyntax(alias) {
		// No alias can look like this: missing, without a lookup or an
		// entry (a stream of unique long paths must not fill the cache).
		return &Snapshot{Kind: KindMissing, Domain: d, Alias: alias, Extra: noExtra}, nil
	}
	k := c.key(d, alias)
	sh := c.shard(k)
	now := c.now().UnixNano()
	missGen := c.missGen.Load()
	sh.mu.RLock()
	s := sh.get(k, d, now, c.seconds(now), missGen)
	sh.mu.RUnlock()
	if s != nil {
		return s, nil
	}
	v, err, _ := c.flights.Do(strconv.Itoa(k.domain)+"/"+alias, func() (any, error) {
		gen, missGen := c.gen.Load(), c.missGen.Load()
		// Other visitors may wait on this load: one leaving must not fail it.
		s, err := c.load.load(context.WithoutCancel(ctx), d, alias)
		if err != nil {
			return nil, err
		}
		if c.gen.Load() == gen {
			c.put(sh, k, s, c.now().Add(c.ttl).UnixNano(), missGen)
		}
		return s, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*Snapshot), nil
}

// get returns the live snapshot cached under k, or nil: now is in unix
// nanoseconds and in the cache's seconds. The caller holds sh.mu (read).
func (sh *shard) get(k key, d *Domain, now, nowSec int64, missGen uint64) *Snapshot {
	if p, ok := sh.plain[k.hash]; ok {
		if !sh.is(&p, k) || nowSec >= int64(p.expires) || (p.kind == KindMissing && p.missGen != uint32(missGen)) {
			return nil
		}
		s := &Snapshot{Kind: p.kind, Domain: d, LinkID: int(p.linkID), OwnerID: int(p.ownerID),
			Alias: k.alias, Extra: noExtra}
		if p.kind == KindLink {
			loc := sh.str(p.off, int(p.aliasLen), int(p.locLen))
			s.LongURL, s.location[0], s.Type = loc, loc, redirectTypes[p.typ]
		}
		return s
	}
	if e, ok := sh.rich[k.hash]; ok && k.names(e.snap) &&
		now < e.expires && (e.snap.Kind != KindMissing || e.missGen == missGen) {
		return e.snap
	}
	return nil
}

// is reports whether p is the entry of k (and not of another key with the
// same hash).
func (sh *shard) is(p *plain, k key) bool {
	return int(p.domain) == k.domain && sh.str(p.off, 0, int(p.aliasLen)) == k.alias
}

// seconds is t (unix nanoseconds) in whole seconds since the epoch.
func (c *Cache) seconds(t int64) int64 {
	d := t - c.epoch
	q := d / 1e9
	if d < 0 && d%1e9 != 0 {
		q--
	}
	return q
}

// names reports whether s is the snapshot of k's (domain, alias).
func (k key) names(s *Snapshot) bool {
	return s.Alias == k.alias && domainID(s.Domain) == k.domain
}

func domainID(d *Domain) int {
	if d == nil {
		return 0
	}
	return d.ID
}

// redirectTypes are the redirect types: a plain entry names its own by index.
var redirectTypes = [...]entlink.RedirectType{entlink.RedirectTypeDIRECT, entlink.RedirectTypeFRAME,
	entlink.RedirectTypeSPLASH, entlink.RedirectTypeCUSTOM_SPLASH, entlink.RedirectTypeOVERLAY}

// plainEntry returns s as a plain entry without its position in the
// arena, and whether it can be one.
func (c *Cache) plainEntry(k key, s *Snapshot, expires int64, missGen uint64) (plain, bool) {
	p := plain{missGen: uint32(missGen), kind: s.Kind}
	if s.Extra != noExtra || s.needs != 0 || len(k.alias)+len(s.LongURL) > maxPlainBytes {
		return p, false
	}
	exp := c.seconds(expires)
	if exp < math.MinInt32 || exp > math.MaxInt32 || k.domain < 0 || k.domain > math.MaxUint32 ||
		s.LinkID < 0 || s.LinkID > math.MaxUint32 || s.OwnerID < 0 || s.OwnerID > math.MaxUint32 {
		return p, false
	}
	p.expires, p.domain = int32(exp), uint32(k.domain)
	p.linkID, p.ownerID = uint32(s.LinkID), uint32(s.OwnerID)
	p.aliasLen, p.locLen = uint16(len(k.alias)), uint16(len(s.LongURL))
	switch s.Kind {
	case KindMissing:
		return p, true
	case KindLink:
		if s.location[0] != s.LongURL || s.LongURL == "" {
			return p, false
		}
		for i, t := range redirectTypes {
			if t == s.Type {
				p.typ = uint8(i)
				return p, true
			}
		}
	}
	return p, false
}

// put caches s under k.
func (c *Cache) put(sh *shard, k key, s *Snapshot, expires int64, missGen uint64) {
	if s.LinkID != 0 && !k.names(s) {
		return // InvalidateLinks could not find it: don't cache it
	}
	sh.mu.Lock()
	defer sh.mu.Unlock()
	sh.remove(k.hash)
	n := entryBytes(s)
	if n > c.shardBytes {
		return
	}
	for len(sh.plain)+len(sh.rich) > 0 && (len(sh.plain)+len(sh.rich) >= c.perShard || sh.bytes+n > c.shardBytes) {
		sh.evict()
	}
	sh.bytes += n
	stored := false
	if p, ok := c.plainEntry(k, s, expires, missGen); ok {
		if p.off, ok = sh.add(k.alias, s.LongURL); ok {
			sh.plain[k.hash] = p
			stored = true
		}
	}
	if !stored {
		sh.rich[k.hash] = entry{snap: s, expires: expires, missGen: missGen}
	}
	if s.LinkID != 0 {
		sh.byLink[s.LinkID] = k.hash
	}
}

// remove drops the entry under hash, if any. The caller holds sh.mu.
func (sh *shard) remove(hash uint64) {
	if p, ok := sh.plain[hash]; ok {
		delete(sh.plain, hash)
		sh.bytes -= plainBytes(int(p.aliasLen) + int(p.locLen))
		sh.dead += int(p.aliasLen) + int(p.locLen)
		if p.linkID != 0 && sh.byLink[int(p.linkID)] == hash {
			delete(sh.byLink, int(p.linkID))
		}
		sh.compact()
	}
	if e, ok := sh.rich[hash]; ok {
		delete(sh.rich, hash)
		sh.bytes -= entryBytes(e.snap)
		if id := e.snap.LinkID; id != 0 && sh.byLink[id] == hash {
			delete(sh.byLink, id)
		}
	}
}

// evict drops a random entry (map order is random). The caller holds sh.mu.
func (sh *shard) evict() {
	for h := range sh.plain {
		sh.remove(h)
		return
	}
	for h := range sh.rich {
		sh.remove(h)
		return
	}
}

// compact copies the live strings into new chunks once most of the arena
// is garbage.
func (sh *shard) compact() {
	if sh.dead < chunkSize || sh.dead < sh.used/2 {
		return
	}
	old := sh.chunks
	sh.chunks, sh.used, sh.dead = nil, 0, 0
	for h, p := range sh.plain {
		c := old[p.off>>chunkBits]
		i := int(p.off & (chunkSize - 1))
		if n := int(p.aliasLen) + int(p.locLen); n > 0 {
			p.off, _ = sh.add(unsafe.String(&c[i], n), "") // copies: old is no longer the arena
		}
		sh.plain[h] = p
	}
}

// DefaultCacheBytes is the default of CacheOptions.MaxBytes.
const DefaultCacheBytes = 64 << 20

// entryOverhead is what an entry costs besides its strings: map slots, the
// record or the Snapshot and its Extra, rules and pages (an estimate).
const entryOverhead = 128

func plainBytes(strs int) int { return entryOverhead + strs }

// entryBytes is what a cached s accounts for: its strings plus an overhead.
// It depends on s only, so adding and removing s account the same bytes
// whichever form (plain or rich) the entry takes.
func entryBytes(s *Snapshot) int {
	n := len(s.Alias) + len(s.LongURL)
	if e := s.Extra; e != nil && e != noExtra {
		n += 4*entryOverhead + len(e.Title) + len(e.Description) + len(e.MetaTitle) +
			len(e.MetaDescription) + len(e.MetaImage) + len(e.PasswordHash) + len(e.Apple) + len(e.Google)
		for _, p := range e.Params {
			n += len(p.name) + len(p.value) + 32
		}
		for _, rs := range [][]rule{e.Devices, e.Countries, e.Languages} {
			for _, r := range rs {
				n += len(r.key) + len(r.url) + 32
			}
		}
		if e.Splash != nil {
			n += len(e.Splash.Name) + len(e.Splash.Title) + len(e.Splash.Content) + len(e.Splash.Image) + entryOverhead
		}
		if e.Overlay != nil {
			n += len(e.Overlay.Content) + len(e.Overlay.ButtonURL) + len(e.Overlay.ButtonText) + entryOverhead
		}
		n += len(e.Pixels) * entryOverhead
		if e.Bio != nil {
			n += len(e.Bio.Name) + len(e.Bio.Content) + len(e.Bio.Avatar) + entryOverhead
			for _, l := range e.Bio.Links {
				n += len(l.Title) + len(l.URL) + 32
			}
		}
	}
	return plainBytes(n)
}

// Bytes is what the cached snapshots account for (see CacheOptions.MaxBytes).
func (c *Cache) Bytes() int {
	n := 0
	for i := range c.shards {
		sh := &c.shards[i]
		sh.mu.RLock()
		n += sh.bytes
		sh.mu.RUnlock()
	}
	return n
}

// Len is the number of cached snapshots.
func (c *Cache) Len() int {
	n := 0
	for i := range c.shards {
		sh := &c.shards[i]
		sh.mu.RLock()
		n += len(sh.plain) + len(sh.rich)
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
			if h, ok := sh.byLink[id]; ok {
				sh.remove(h)
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
		clear(sh.plain)
		clear(sh.rich)
		clear(sh.byLink)
		sh.bytes = 0
		sh.chunks, sh.used, sh.dead = nil, 0, 0 // not [:0]: handed-out strings point into them
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
			k := c.key(d, l.Alias)
			sh := c.shard(k)
			sh.mu.RLock()
			have := sh.has(k)
			sh.mu.RUnlock()
			if !have {
				c.put(sh, k, c.load.linkSnapshot(d, l), expires, 0)
				n++
			}
		}
	}
	return n, ctx.Err()
}

// has reports whether k has an entry, live or not. The caller holds sh.mu.
func (sh *shard) has(k key) bool {
	if p, ok := sh.plain[k.hash]; ok && sh.is(&p, k) {
		return true
	}
	e, ok := sh.rich[k.hash]
	return ok && k.names(e.snap)
}
