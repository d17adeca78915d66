package redirect

import (
	"fmt"
	"math"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	entlink "shortener/ent/link"
)

// peek is Get without the loader: the cached snapshot or nil.
func peek(c *Cache, d *Domain, alias string) *Snapshot {
	k := c.key(d, alias)
	sh := c.shard(k)
	now := c.now().UnixNano()
	sh.mu.RLock()
	defer sh.mu.RUnlock()
	return sh.get(k, d, now, c.seconds(now), c.missGen.Load())
}

func putLink(c *Cache, d *Domain, id int, alias, long string) *Snapshot {
	s := &Snapshot{Kind: KindLink, Domain: d, LinkID: id, OwnerID: id%7 + 1, Alias: alias,
		LongURL: long, Type: entlink.RedirectTypeFRAME, Extra: noExtra}
	s.location[0] = long
	k := c.key(d, alias)
	c.put(c.shard(k), k, s, c.now().Add(c.ttl).UnixNano(), c.missGen.Load())
	return s
}

func testCache(max int) (*Cache, *time.Time) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := NewCache(nil, CacheOptions{TTL: time.Minute, MaxEntries: max, Now: func() time.Time { return now }})
	return c, &now
}

func samePlain(t *testing.T, got, want *Snapshot) {
	t.Helper()
	if got == nil {
		t.Fatalf("%s: not cached", want.Alias)
	}
	if got.Kind != want.Kind || got.LinkID != want.LinkID || got.OwnerID != want.OwnerID ||
		got.Alias != want.Alias || got.LongURL != want.LongURL || got.Direct() != want.Direct() ||
		got.Type != want.Type || got.Domain != want.Domain || got.Extra != noExtra || got.needs != 0 {
		t.Fatalf("cached %+v, want %+v", got, want)
	}
}

func TestCacheKeepsPlainAndRichSnapshots(t *testing.T) {
	c, _ := testCache(100_000)
	dom := &Domain{ID: 3, Host: "go.example.com"}
	var want []*Snapshot
	for i := 1; i <= 5000; i++ {
		var d *Domain
		if i%3 == 0 {
			d = dom
		}
		want = append(want, putLink(c, d, i, fmt.Sprintf("a%d", i), fmt.Sprintf("https://example.com/%d?q=%s", i, strings.Repeat("x", i%50))))
	}
	// The same alias on another domain is another entry.
	other := putLink(c, dom, 9001, "a1", "https://other.example/")
	// Rules make a snapshot rich: it is handed out as it was put.
	rich := &Snapshot{Kind: KindLink, LinkID: 9002, OwnerID: 1, Alias: "rules", LongURL: "https://r.example/",
		Extra: &Extra{Devices: []rule{{"iphone", "https://apple.example/"}}}, needs: needPlatform}
	rich.location[0] = rich.LongURL
	k := c.key(nil, "rules")
	c.put(c.shard(k), k, rich, c.now().Add(time.Minute).UnixNano(), 0)
	// Ids past 32 bits are kept too.
	big := putLink(c, nil, math.MaxUint32+5, "big", "https://big.example/")

	for _, s := range want {
		samePlain(t, peek(c, s.Domain, s.Alias), s)
	}
	samePlain(t, peek(c, dom, "a1"), other)
	samePlain(t, peek(c, nil, "big"), big)
	if got := peek(c, nil, "rules"); got != rich {
		t.Fatalf("rich snapshot: got %p, want %p", got, rich)
	}
	if peek(c, nil, "a3") != nil || peek(c, dom, "a2") != nil || peek(c, nil, "A1") != nil {
		t.Fatal("a lookup matched another domain's or another alias's entry")
	}
	if n := c.Len(); n != 5003 {
		t.Fatalf("Len = %d, want 5003", n)
	}
}

func TestCacheInvalidationCompactsWithoutChangingHandedOutStrings(t *testing.T) {
	c, _ := testCache(100_000)
	long := func(i, round int) string {
		return fmt.Sprintf("https://example.com/%d/%d/%s", i, round, strings.Repeat("y", 64))
	}
	var held []*Snapshot // snapshots handed out before the rewrites
	for i := 1; i <= 2000; i++ {
		putLink(c, nil, i, fmt.Sprintf("l%d", i), long(i, 0))
		held = append(held, peek(c, nil, fmt.Sprintf("l%d", i)))
	}
	// Rewrite every link many times: the arena's garbage passes its live
	// bytes and the shards compact.
	for round := 1; round <= 20; round++ {
		for i := 1; i <= 2000; i++ {
			c.InvalidateLinks(i)
			if peek(c, nil, fmt.Sprintf("l%d", i)) != nil {
				t.Fatalf("l%d still cached after InvalidateLinks", i)
			}
			putLink(c, nil, i, fmt.Sprintf("l%d", i), long(i, round))
		}
	}
	for i := range c.shards {
		sh := &c.shards[i]
		if len(sh.rich) != 0 {
			t.Fatalf("shard %d holds rich entries", i)
		}
		n, live := 0, 0
		for _, ch := range sh.chunks {
			n += len(ch)
		}
		for _, p := range sh.plain {
			live += int(p.aliasLen) + int(p.locLen)
		}
		if n != sh.used || live != sh.used-sh.dead {
			t.Fatalf("shard %d: chunks hold %d bytes, used says %d; entries %d, used-dead %d", i, n, sh.used, live, sh.used-sh.dead)
		}
		// 21 versions of each link were written: without compaction
		// 20 of them would still be in the arena.
		if sh.dead >= chunkSize && sh.dead >= sh.used/2 {
			t.Fatalf("shard %d: %d dead bytes of %d, not compacted", i, sh.dead, sh.used)
		}
	}
	for i := 1; i <= 2000; i++ {
		if got := peek(c, nil, fmt.Sprintf("l%d", i)); got == nil || got.LongURL != long(i, 20) {
			t.Fatalf("l%d: %+v", i, got)
		}
		if held[i-1].Direct() != long(i, 0) {
			t.Fatalf("a snapshot handed out earlier changed: %q", held[i-1].Direct())
		}
	}
	c.Flush()
	if c.Len() != 0 || peek(c, nil, "l1") != nil {
		t.Fatal("Flush left entries")
	}
	putLink(c, nil, 1, "l1", "https://after.flush/")
	if held[0].Direct() != long(1, 0) || held[0].Alias != "l1" {
		t.Fatalf("a snapshot handed out before Flush changed: %q", held[0].Direct())
	}
}

func TestCacheExpiryMissingEntriesAndCollisions(t *testing.T) {
	c, now := testCache(100_000)
	putLink(c, nil, 1, "ttl", "https://ttl.example/")
	miss := &Snapshot{Kind: KindMissing, Alias: "nope", Extra: noExtra}
	k := c.key(nil, "nope")
	c.put(c.shard(k), k, miss, c.now().Add(c.ttl).UnixNano(), c.missGen.Load())
	if s := peek(c, nil, "nope"); s == nil || s.Kind != KindMissing || s.LinkID != 0 {
		t.Fatalf("missing entry: %+v", s)
	}
	// Any link write may create the alias: missing entries go, links stay.
	c.InvalidateLinks()
	if peek(c, nil, "nope") != nil || peek(c, nil, "ttl") == nil {
		t.Fatal("InvalidateLinks() should drop missing entries only")
	}
	*now = now.Add(59 * time.Second)
	if peek(c, nil, "ttl") == nil {
		t.Fatal("expired before its TTL")
	}
	*now = now.Add(2 * time.Second)
	if peek(c, nil, "ttl") != nil {
		t.Fatal("still cached after its TTL")
	}

	// Two keys with one hash: the second replaces the first, and a lookup
	// of the first misses instead of answering with the second.
	a, b := c.key(nil, "first"), c.key(nil, "second")
	b.hash = a.hash
	sa := &Snapshot{Kind: KindLink, LinkID: 10, OwnerID: 1, Alias: "first", LongURL: "https://first/",
		Type: entlink.RedirectTypeDIRECT, Extra: noExtra}
	sa.location[0] = sa.LongURL
	sb := &Snapshot{Kind: KindLink, LinkID: 11, OwnerID: 1, Alias: "second", LongURL: "https://second/",
		Type: entlink.RedirectTypeDIRECT, Extra: noExtra}
	sb.location[0] = sb.LongURL
	exp := c.now().Add(c.ttl).UnixNano()
	c.put(c.shard(a), a, sa, exp, 0)
	c.put(c.shard(b), b, sb, exp, 0)
	sh := c.shard(a)
	if p, ok := sh.plain[a.hash]; !ok || p.linkID != 11 {
		t.Fatalf("the second link should be the plain entry under the hash, have %+v (%v)", p, ok)
	}
	if _, ok := sh.rich[a.hash]; ok {
		t.Fatal("a rich entry under the same hash")
	}
	nowNs := c.now().UnixNano()
	if s := sh.get(a, nil, nowNs, c.seconds(nowNs), 0); s != nil {
		t.Fatalf("first answered with %+v", s)
	}
	if s := sh.get(b, nil, nowNs, c.seconds(nowNs), 0); s == nil || s.LinkID != 11 {
		t.Fatalf("second: %+v", s)
	}
	// The replaced link's id no longer points at the entry.
	c.InvalidateLinks(10)
	if s := sh.get(b, nil, nowNs, c.seconds(nowNs), 0); s == nil {
		t.Fatal("invalidating the replaced link dropped the other")
	}
}

func TestCacheStaysBounded(t *testing.T) {
	c, _ := testCache(320) // 10 a shard
	for i := 1; i <= 5000; i++ {
		putLink(c, nil, i, fmt.Sprintf("b%d", i), "https://example.com/"+strings.Repeat("z", 200))
	}
	if n := c.Len(); n > 320 {
		t.Fatalf("Len = %d, want <= 320", n)
	}
	for i := range c.shards {
		sh := &c.shards[i]
		if len(sh.byLink) != len(sh.plain)+len(sh.rich) {
			t.Fatalf("shard %d: %d link ids for %d entries", i, len(sh.byLink), len(sh.plain)+len(sh.rich))
		}
		if sh.used-sh.dead > 10*(len("b5000")+len("https://example.com/")+200) {
			t.Fatalf("shard %d: %d live arena bytes for %d entries", i, sh.used-sh.dead, len(sh.plain))
		}
	}
}

func TestCacheConcurrentReadsAndRewrites(t *testing.T) {
	c, _ := testCache(100_000)
	for i := 1; i <= 500; i++ {
		putLink(c, nil, i, fmt.Sprintf("c%d", i), fmt.Sprintf("https://example.com/%d", i))
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				i := n%500 + 1
				if s := peek(c, nil, fmt.Sprintf("c%d", i)); s != nil {
					if !strings.HasPrefix(s.Direct(), fmt.Sprintf("https://example.com/%d", i)) {
						t.Errorf("c%d -> %q", i, s.Direct())
						return
					}
				}
			}
		}()
	}
	for round := 0; round < 30; round++ {
		for i := 1; i <= 500; i++ {
			c.InvalidateLinks(i)
			putLink(c, nil, i, fmt.Sprintf("c%d", i), fmt.Sprintf("https://example.com/%d/%d/%s", i, round, strings.Repeat("w", 100)))
		}
	}
	close(stop)
	wg.Wait()
}

// The cache stays under its byte bound however long the cached URLs are
// (issue 11 row 4), and its accounting returns to zero when emptied.
func TestCacheBoundedInBytes(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	const bound = 1 << 20
	c := NewCache(nil, CacheOptions{TTL: time.Minute, MaxEntries: 1_000_000, MaxBytes: bound, Now: func() time.Time { return now }})
	long := "https://example.com/" + strings.Repeat("x", 8000) // rich: longer than maxPlainBytes
	for i := 1; i <= 2000; i++ {
		u := long
		if i%2 == 0 {
			u = fmt.Sprintf("https://example.com/%d/%s", i, strings.Repeat("y", 3000)) // plain
		}
		putLink(c, nil, i, fmt.Sprintf("a%d", i), u)
		if b := c.Bytes(); b > bound {
			t.Fatalf("after %d links the cache accounts %d bytes, over its bound %d", i, b, bound)
		}
	}
	if c.Len() == 0 || c.Len() > bound/3000 {
		t.Fatalf("cache holds %d entries", c.Len())
	}
	// Replacing and invalidating keep the accounting exact.
	for i := 1; i <= 2000; i++ {
		putLink(c, nil, i, fmt.Sprintf("a%d", i), "https://example.com/short")
	}
	c.InvalidateLinks(func() []int {
		ids := make([]int, 2000)
		for i := range ids {
			ids[i] = i + 1
		}
		return ids
	}()...)
	if c.Len() != 0 || c.Bytes() != 0 {
		t.Fatalf("after invalidating everything: %d entries, %d bytes", c.Len(), c.Bytes())
	}
}

// An alias that no alias rule admits is missing without a load: the
// cache's loader is nil here, so a lookup would panic.
func TestCacheInvalidAliasIsMissingUncached(t *testing.T) {
	c, _ := testCache(1000)
	for _, a := range []string{strings.Repeat("a", 101), strings.Repeat("b", 900_000), "-x", "a.b", "a%20b", "é"} {
		s, err := c.Get(t.Context(), nil, a)
		if err != nil || s.Kind != KindMissing {
			t.Fatalf("Get(%.20q) = %v, %v", a, s, err)
		}
	}
	if c.Len() != 0 || c.Bytes() != 0 {
		t.Fatalf("invalid aliases cached: %d entries, %d bytes", c.Len(), c.Bytes())
	}
}

// heapInUse is the live heap after a full collection.
func heapInUse() int {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int(m.HeapAlloc)
}

// The budget is memory, not an estimate of it: filled past its budget with
// plain links, links with rules (rich) and missing aliases (issue 11's
// hostile traffic), then with missing aliases only, the cache accounts
// nearly its budget and the heap it holds stays near what it accounts.
func TestCacheHeapStaysNearBudget(t *testing.T) {
	if testing.Short() {
		t.Skip("fills 48 MiB")
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	const budget = 48 << 20
	before := heapInUse()
	c := NewCache(nil, CacheOptions{TTL: time.Minute, MaxBytes: budget, Now: func() time.Time { return now }})
	exp := c.now().Add(c.ttl).UnixNano()
	check := func(phase string) {
		t.Helper()
		b := c.Bytes()
		heap := heapInUse() - before
		t.Logf("%s: %d entries, accounted %.1f MiB, heap %.1f MiB (budget %d MiB)",
			phase, c.Len(), float64(b)/(1<<20), float64(heap)/(1<<20), budget>>20)
		if b > budget || b < budget*9/10 {
			t.Fatalf("%s: the cache accounts %d bytes for a budget of %d", phase, b, budget)
		}
		// Go's maps run between 7/16 and 7/8 full as they grow: the heap
		// moves around what is accounted (a slot at half load).
		if heap > budget*5/4 || heap < budget*3/5 {
			t.Fatalf("%s: the cache holds %d bytes of heap for %d accounted (budget %d)", phase, heap, b, budget)
		}
	}
	const n = 3 * budget / 160 // three times what the budget holds
	for i := 1; i <= n; i++ {
		alias := fmt.Sprintf("h%d", i)
		switch {
		case i%20 == 0: // rich: device rules
			s := &Snapshot{Kind: KindLink, LinkID: i, OwnerID: 1, Alias: alias,
				LongURL: fmt.Sprintf("https://example.com/rich/%d", i), Extra: &Extra{Title: "a title",
					Devices: []rule{{"iphone", fmt.Sprintf("https://apple.example/%d", i)}}}, needs: needPlatform}
			s.location[0] = s.LongURL
			k := c.key(nil, alias)
			c.put(c.shard(k), k, s, exp, 0)
		case i%10 == 0: // missing
			k := c.key(nil, "miss"+alias)
			c.put(c.shard(k), k, &Snapshot{Kind: KindMissing, Alias: "miss" + alias, Extra: noExtra}, exp, c.missGen.Load())
		default:
			putLink(c, nil, i, alias, fmt.Sprintf("https://example.com/page/%d?utm_source=%d", i, i%97))
		}
	}
	check("links")
	// A stream of unique missing aliases of the longest valid length.
	for i := range n / 2 {
		a := fmt.Sprintf("%0100d", i)
		k := c.key(nil, a)
		c.put(c.shard(k), k, &Snapshot{Kind: KindMissing, Alias: a, Extra: noExtra}, exp, c.missGen.Load())
	}
	check("missing aliases")
	runtime.KeepAlive(c)
}

// With the default budget a million plain links (bench/seed's: alias
// l{i}, https://example.com/page/{i}) all stay cached.
func TestCacheBudgetHoldsAMillionLinks(t *testing.T) {
	if testing.Short() {
		t.Skip("fills a million links")
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	before := heapInUse()
	c := NewCache(nil, CacheOptions{TTL: time.Minute, Now: func() time.Time { return now }})
	exp := c.now().Add(c.ttl).UnixNano()
	const n = 1_000_000
	for i := range n {
		alias, long := fmt.Sprintf("l%d", i), fmt.Sprintf("https://example.com/page/%d", i)
		s := &Snapshot{Kind: KindLink, LinkID: i + 1, OwnerID: 1, Alias: alias, LongURL: long,
			Type: entlink.RedirectTypeDIRECT, Extra: noExtra}
		s.location[0] = long
		k := c.key(nil, alias)
		if c.put(c.shard(k), k, s, exp, 0) {
			t.Fatalf("link %d evicted another", i)
		}
	}
	if c.Len() != n {
		t.Fatalf("Len = %d, want %d", c.Len(), n)
	}
	for i := range n {
		if s := peek(c, nil, fmt.Sprintf("l%d", i)); s == nil || s.LinkID != i+1 {
			t.Fatalf("l%d: %+v", i, s)
		}
	}
	heap := heapInUse() - before
	t.Logf("%d links: accounted %.1f MiB, heap %.1f MiB, budget %d MiB", n,
		float64(c.Bytes())/(1<<20), float64(heap)/(1<<20), DefaultCacheBytes>>20)
	if heap > DefaultCacheBytes {
		t.Fatalf("a million links hold %d bytes of heap, over the default budget", heap)
	}
	runtime.KeepAlive(c)
}
