package analytics

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
func cached[V any](m map[string]V, key string, f func(string) V) V {
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
