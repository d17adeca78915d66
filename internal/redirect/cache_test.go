package redirect

import (
	"fmt"
	"math"
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
