package analytics

// The writer's small caches: real traffic repeats a few hundred user agents
// and Accept-Language headers, and parsing them is the writer's biggest cost
// outside the database. Both belong to the writer goroutine.

// agent parses a user agent through a small cache: real traffic repeats a
// few hundred user agents, and parsing is the writer's biggest cost.
func (w *Writer) agent(ua string) Agent {
	if a, ok := w.agents[ua]; ok {
		return a
	}
	a := ParseUserAgent(ua)
	if len(w.agents) >= 4096 {
		clear(w.agents)
	}
	w.agents[ua] = a
	return a
}

// language is the primary language of an Accept-Language header, through
// a small cache like agent's.
func (w *Writer) language(h string) string {
	if l, ok := w.langs[h]; ok {
		return l
	}
	l := PrimaryLanguage(h)
	if len(w.langs) >= 4096 {
		clear(w.langs)
	}
	w.langs[h] = l
	return l
}
