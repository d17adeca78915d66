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
// PostgreSQL database). Size is bounded by a memory budget (CacheOptions.
// MaxBytes, --cache-mb): every entry accounts what it holds on the heap (see
// plainBytes and richBytes), and a shard over its share evicts random
// entries, which keeps a hit to one read-locked map lookup (an LRU would
// need a write lock on every hit).
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
	perShard   int // bound on one shard's entries (0: none)
	shardBytes int // bound on one shard's bytes (see shard.bytes)
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
	bytes   int // what it accounts for (richBytes when it was put)
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
	// bytes is what the shard's entries account for (plainBytes or
	// richBytes each); the shard holds bytes+dead of the budget.
	bytes int
	// removed counts the entries removed since the maps were built: Go's
	// maps keep a deleted slot as a tombstone and, under a stream of
	// evictions, grow to twice their size (compact rebuilds them).
	removed int
	// hits and misses count Get's lookups of this shard (Stats), spread
	// over the shards as the locks are.
	hits, misses atomic.Uint64
}

const (
	chunkBits = 16
	chunkSize = 1 << chunkBits
	// maxPlainBytes bounds the strings of a plain entry (longer ones
	// keep their *Snapshot), so a chunk wastes little at its end.
	maxPlainBytes = 4096
	maxChunks     = 1 << (32 - chunkBits)
	// minRebuild is the fewest removals that rebuild a shard's maps.
	minRebuild = 1024
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
	// MaxBytes is the cache's memory budget: the heap its entries hold,
	// as they account for it (their aliases, URLs and texts, records,
	// snapshots and map slots; see plainBytes and richBytes), plus the
	// arena bytes no entry uses yet. Default DefaultCacheBytes.
	MaxBytes int
	// MaxEntries, when set, bounds the number of entries too (tests);
	// 0: the budget alone bounds the cache.
	MaxEntries int
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
		shardBytes: max(opts.MaxBytes/shardCount, 1),
		now:        opts.Now,
		epoch:      opts.Now().UnixNano(),
		seed:       maphash.MakeSeed(),
	}
	if opts.MaxEntries > 0 {
		c.perShard = max(opts.MaxEntries/shardCount, 1)
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
		sh.hits.Add(1)
		return s, nil
	}
	sh.misses.Add(1)
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

// put caches s under k and reports whether it evicted another entry to
// make room (the cache is full).
func (c *Cache) put(sh *shard, k key, s *Snapshot, expires int64, missGen uint64) (evicted bool) {
	if s.LinkID != 0 && !k.names(s) {
		return false // InvalidateLinks could not find it: don't cache it
	}
	sh.mu.Lock()
	defer sh.mu.Unlock()
	sh.remove(k.hash)
	p, isPlain := c.plainEntry(k, s, expires, missGen)
	n := richBytes(s)
	if isPlain {
		n = plainBytes(p)
	}
	if n > c.shardBytes {
		return false
	}
	for sh.len() > 0 && ((c.perShard > 0 && sh.len() >= c.perShard) || sh.bytes+sh.dead+n > c.shardBytes) {
		sh.evict()
		evicted = true
	}
	if isPlain {
		if p.off, isPlain = sh.add(k.alias, s.LongURL); !isPlain {
			n = richBytes(s) // the arena is full (4 GiB): keep the snapshot
		}
	}
	sh.bytes += n
	if isPlain {
		sh.plain[k.hash] = p
	} else {
		sh.rich[k.hash] = entry{snap: s, expires: expires, missGen: missGen, bytes: n}
	}
	if s.LinkID != 0 {
		sh.byLink[s.LinkID] = k.hash
	}
	return evicted
}

func (sh *shard) len() int { return len(sh.plain) + len(sh.rich) }

// remove drops the entry under hash, if any. The caller holds sh.mu.
func (sh *shard) remove(hash uint64) {
	if p, ok := sh.plain[hash]; ok {
		delete(sh.plain, hash)
		sh.bytes -= plainBytes(p)
		sh.dead += int(p.aliasLen) + int(p.locLen)
		if p.linkID != 0 && sh.byLink[int(p.linkID)] == hash {
			delete(sh.byLink, int(p.linkID))
		}
		sh.removed++
		sh.compact()
	}
	if e, ok := sh.rich[hash]; ok {
		delete(sh.rich, hash)
		sh.bytes -= e.bytes
		if id := e.snap.LinkID; id != 0 && sh.byLink[id] == hash {
			delete(sh.byLink, id)
		}
		sh.removed++
		sh.compact()
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

// compact rebuilds the maps once a quarter of their entries have been
// removed since they were built, and copies the live strings into new
// chunks once a quarter of the arena is garbage (dead bytes count against
// the budget); with no plain entry left it drops the arena. Either costs a
// pass over the shard's entries, after a quarter of them were removed.
// The caller holds sh.mu.
func (sh *shard) compact() {
	if len(sh.plain) == 0 {
		sh.chunks, sh.used, sh.dead = nil, 0, 0 // not [:0]: handed-out strings point into them
	}
	rebuild := sh.removed >= minRebuild && sh.removed >= sh.len()/4
	strs := sh.dead >= chunkSize && sh.dead >= sh.used/4
	if !rebuild && !strs {
		return
	}
	old := sh.chunks
	if strs {
		sh.chunks, sh.used, sh.dead = nil, 0, 0
	}
	plains := sh.plain
	if rebuild {
		// Filled by inserts, not sized by a hint: a hint can round a
		// map's tables up to twice what the entries need.
		rich, byLink := sh.rich, sh.byLink
		sh.plain, sh.rich, sh.byLink = map[uint64]plain{}, map[uint64]entry{}, map[int]uint64{}
		for h, e := range rich {
			sh.rich[h] = e
		}
		for id, h := range byLink {
			sh.byLink[id] = h
		}
		sh.removed = 0
	}
	for h, p := range plains {
		if strs {
			c := old[p.off>>chunkBits]
			i := int(p.off & (chunkSize - 1))
			if n := int(p.aliasLen) + int(p.locLen); n > 0 {
				p.off, _ = sh.add(unsafe.String(&c[i], n), "") // copies: old is no longer the arena
			}
		}
		sh.plain[h] = p
	}
}

// DefaultCacheBytes is the default of CacheOptions.MaxBytes (--cache-mb
// 256): room for a million plain links whose alias and long URL take up to
// ~120 bytes together (a plain link of the bench/seed kind, 38 bytes of
// strings, accounts for 154 bytes; see TestCacheBudgetHoldsAMillionLinks).
const DefaultCacheBytes = 256 << 20

// What entries hold besides their strings, as the heap measures it (see
// TestCacheHeapStaysNearBudget). Go's maps keep each slot (key, value and
// a control byte) in tables that run between 7/16 and 7/8 full as they
// grow, and never shrink: a slot is accounted at half load, twice its size.
const (
	plainSlot = 2 * (8 + int(unsafe.Sizeof(plain{})) + 1) // Cache.plain
	richSlot  = 2 * (8 + int(unsafe.Sizeof(entry{})) + 1) // Cache.rich
	linkSlot  = 2 * (8 + 8 + 1)                           // Cache.byLink
	// alloc is the size-class rounding of one small heap object (strings,
	// slices of a rich snapshot), on average.
	alloc = 8
)

// plainBytes is what a plain entry accounts for: its slots and its strings
// in the arena.
func plainBytes(p plain) int {
	n := plainSlot + int(p.aliasLen) + int(p.locLen)
	if p.linkID != 0 {
		n += linkSlot
	}
	return n
}

// richBytes is what a snapshot kept as *Snapshot accounts for: its slots,
// the Snapshot and its Extra with every string and slice they hold (pages
// and pixels included; the Domain is shared, not counted).
func richBytes(s *Snapshot) int {
	n := richSlot + int(unsafe.Sizeof(Snapshot{})) + str(s.Alias) + str(s.LongURL)
	if s.LinkID != 0 {
		n += linkSlot
	}
	if s.location[0] != s.LongURL || unsafe.StringData(s.location[0]) != unsafe.StringData(s.LongURL) {
		n += str(s.location[0]) // parameters merged in: its own string
	}
	if e := s.Extra; e != nil && e != noExtra {
		n += int(unsafe.Sizeof(Extra{})) + str(e.Title) + str(e.Description) + str(e.MetaTitle) +
			str(e.MetaDescription) + str(e.MetaImage) + str(e.PasswordHash) + str(e.Apple) + str(e.Google)
		if len(e.Params) > 0 {
			n += alloc + cap(e.Params)*int(unsafe.Sizeof(param{}))
			for _, p := range e.Params {
				n += str(p.name) + str(p.value)
			}
		}
		for _, rs := range [][]rule{e.Devices, e.Countries, e.Languages} {
			if len(rs) > 0 {
				n += alloc + cap(rs)*int(unsafe.Sizeof(rule{}))
				for _, r := range rs {
					n += str(r.key) + str(r.url)
				}
			}
		}
		if sp := e.Splash; sp != nil {
			n += alloc + int(unsafe.Sizeof(*sp)) + str(sp.Name) + str(sp.Title) + str(sp.Content) + str(sp.Image)
		}
		if o := e.Overlay; o != nil {
			n += alloc + int(unsafe.Sizeof(*o)) + str(o.Name) + str(o.Content) + str(o.ButtonURL) + str(o.ButtonText)
		}
		if len(e.Pixels) > 0 {
			n += alloc + cap(e.Pixels)*int(unsafe.Sizeof(Pixel{}))
			for _, p := range e.Pixels {
				n += str(p.Type) + str(p.Tag)
			}
		}
		if b := e.Bio; b != nil {
			n += alloc + int(unsafe.Sizeof(*b)) + str(b.Name) + str(b.Content) + str(b.Avatar) +
				cap(b.Links)*int(unsafe.Sizeof(b.Links[0]))
			for _, l := range b.Links {
				n += str(l.Title) + str(l.URL)
			}
		}
	}
	return n
}

// str is what a string of its own holds on the heap.
func str(s string) int {
	if s == "" {
		return 0
	}
	return len(s) + alloc
}

// Bytes is what the cache holds of its budget (see CacheOptions.MaxBytes):
// what its entries account for and its arena's dead bytes.
func (c *Cache) Bytes() int {
	n := 0
	for i := range c.shards {
		sh := &c.shards[i]
		sh.mu.RLock()
		n += sh.bytes + sh.dead
		sh.mu.RUnlock()
	}
	return n
}

// CacheStats are a cache's lookups since it was made: hits were answered
// from memory, misses loaded (or waited for a load of) the snapshot.
// Aliases no link can have (bad syntax) are neither.
type CacheStats struct{ Hits, Misses uint64 }

// Stats sums the shards' lookup counters; it takes no lock.
func (c *Cache) Stats() CacheStats {
	var st CacheStats
	for i := range c.shards {
		st.Hits += c.shards[i].hits.Load()
		st.Misses += c.shards[i].misses.Load()
	}
	return st
}

// Budget is the cache's memory budget in bytes (CacheOptions.MaxBytes,
// rounded down to a multiple of its shards).
func (c *Cache) Budget() int { return c.shardBytes * shardCount }

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
		// New maps: cleared ones would keep their tables, which the
		// budget no longer counts.
		sh.plain = map[uint64]plain{}
		sh.rich = map[uint64]entry{}
		sh.byLink = map[int]uint64{}
		sh.bytes, sh.removed = 0, 0
		sh.chunks, sh.used, sh.dead = nil, 0, 0 // not [:0]: handed-out strings point into them
		sh.mu.Unlock()
	}
}

// warmPage is how many links Warm loads per query.
const warmPage = 1000

// Warm loads the newest links until the cache is full (a link would evict
// another) or every link is in, so that visits after a start don't each
// wait on a database read. Loading in pages costs a few microseconds a link
// instead of a few queries each. It stops early when ctx ends; entries
// already cached (by a visit) are kept.
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
	limit := math.MaxInt
	if c.perShard > 0 {
		limit = c.perShard * shardCount
	}
	n, last := 0, 0
	for full := false; !full && n < limit && ctx.Err() == nil; {
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
			if have {
				continue
			}
			n++
			if c.put(sh, k, c.load.linkSnapshot(d, l), expires, 0) {
				full = true // the newest links that fit are in
				break
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
