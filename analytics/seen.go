package analytics

// seenKey is one visitor on one link on one UTC day.
type seenKey struct {
	day  int64
	link int
	hash string
}

// maxSeen bounds the visitors the writer remembers (about 100 bytes each).
const maxSeen = 500_000

// seenSet remembers today's visitors of each link so the writer can tell a
// unique click without asking the database. It is complete when it has
// watched the day from its start (the writer was running at midnight UTC and
// never had to forget); otherwise a miss is checked in the database.
type seenSet struct {
	day      int64
	complete bool
	loaded   bool // the day's stored visitors were loaded (or tried)
	m        map[seenKey]struct{}
}

// roll moves the set to day: a new day starts empty, and complete if the
// set was watching the day before without gaps.
func (s *seenSet) roll(day int64) {
	if day == s.day {
		return
	}
	if day < s.day { // a late hit from yesterday: not worth remembering
		return
	}
	s.complete = s.m != nil && day == s.day+1 && len(s.m) < maxSeen
	s.loaded = false
	s.day = day
	s.m = map[seenKey]struct{}{}
}

func (s *seenSet) has(k seenKey) bool {
	if k.day != s.day {
		return false
	}
	_, ok := s.m[k]
	return ok
}

func (s *seenSet) add(k seenKey) {
	if k.day != s.day || s.m == nil {
		return
	}
	if len(s.m) >= maxSeen {
		clear(s.m)
		s.complete = false
	}
	s.m[k] = struct{}{}
}
