package analytics

import "time"

// The writer's small caches: real traffic repeats a few hundred user agents
// and Accept-Language headers, and parsing them is the writer's biggest cost
// outside the database. Both belong to the writer goroutine.

// agent parses a user agent through the writer's cache.
func (w *Writer) agent(ua string) Agent { return cached(w.agents, ua, ParseUserAgent) }

// language is the primary language of an Accept-Language header, through
// the writer's cache.
func (w *Writer) language(h string) string { return cached(w.langs, h, PrimaryLanguage) }

// cached returns f(key) through m, which it empties when it reaches 4096
// entries so a stream of distinct headers cannot grow it without bound.
func cached[K comparable, V any](m map[K]V, key K, f func(K) V) V {
	if v, ok := m[key]; ok {
		return v
	}
	v := f(key)
	if len(m) >= 4096 {
		clear(m)
	}
	m[key] = v
	return v
}

// visitorCache remembers the day's visitor hashes by IP and user agent: a
// visitor's clicks come in runs (a campaign page, a bio page's links), and
// the keyed hash is the writer's biggest cost after the database.
type visitorCache struct {
	day int64
	m   map[visitorOf]string
}

type visitorOf struct{ ip, ua string }

// visitor is the visitor hash of ip and ua on t's day, through the cache.
func (w *Writer) visitor(ip, ua string, t time.Time) string {
	c := &w.visitors
	if d := dayOf(t); d != c.day || c.m == nil {
		c.day, c.m = d, map[visitorOf]string{}
	}
	return cached(c.m, visitorOf{ip, ua}, func(k visitorOf) string { return w.opts.Hasher.Hash(k.ip, k.ua, t) })
}
