package analytics

import (
	"context"
	"encoding/hex"
	"fmt"
	"hash/maphash"
	"time"

	entsql "entgo.io/ent/dialect/sql"

	"shortener/ent"
	"shortener/ent/click"
)

// seenKey is one visitor on one link on one UTC day. It holds the visitor
// hash as its 16 bytes rather than its 32 hex digits, so the key has no
// pointers: the set costs ~30 bytes a visitor instead of ~100, and the
// garbage collector never has to scan it.
type seenKey struct {
	day  int64
	link int
	hash visitorKey
}

// visitorKey is a visitor hash (32 hex digits, as Hasher.Hash returns) as
// bytes.
type visitorKey [16]byte

// keyOf returns the visitorKey of a visitor hash. A value that is not 32 hex
// digits (no row the writer stores has one) keeps its first 16 bytes.
func keyOf(hash string) visitorKey {
	var k visitorKey
	if len(hash) != 2*len(k) {
		copy(k[:], hash)
		return k
	}
	if _, err := hex.Decode(k[:], []byte(hash)); err != nil {
		k = visitorKey{}
		copy(k[:], hash)
	}
	return k
}

func (k visitorKey) String() string { return hex.EncodeToString(k[:]) }

// maxSeen bounds the visitors the writer remembers (about 20 bytes each).
const maxSeen = 500_000

// seenSet remembers today's visitors of each link so the writer can tell a
// unique click without asking the database. It is complete when it has
// watched the day from its start (the writer was running at midnight UTC and
// never had to forget); otherwise a miss is checked in the database.
type seenSet struct {
	day      int64
	complete bool
	loaded   bool                // the day's stored visitors were loaded (or tried)
	m        map[uint64]struct{} // the day's visitors (seenVisit hashes): the day is s.day
}

// seenVisit is a seenKey without its day, which the set holds once, as a
// 64-bit hash: 8 bytes a visitor instead of 24. Two visits that hash alike
// would make the second visitor's first click not count as unique; at the
// set's bound of 500,000 visitors the odds of that are about 1 in 3.7e13 a
// click.
type seenVisit struct {
	link int
	hash visitorKey
}

var seenSeed = maphash.MakeSeed()

func (k seenKey) visit() uint64 { return maphash.Comparable(seenSeed, seenVisit{k.link, k.hash}) }

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
	s.m = map[uint64]struct{}{}
}

func (s *seenSet) has(k seenKey) bool {
	if k.day != s.day {
		return false
	}
	_, ok := s.m[k.visit()]
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
	s.m[k.visit()] = struct{}{}
}

// firstVisit reports whether k is the visitor's first (non-bot) click on the
// link today. Visitor hashes change every day, so only today's rows can
// match. The in-memory set answers without the database once it knows the
// whole day: from midnight if the writer was running then, else after
// loading the day's visitors once.
func (w *Writer) firstVisit(ctx context.Context, tx *ent.Client, k seenKey) (bool, error) {
	w.seen.roll(k.day)
	if k.day == w.seen.day {
		if !w.seen.complete && !w.seen.loaded {
			if err := w.loadSeen(ctx, tx, k.day); err != nil {
				return false, err
			}
		}
		if w.seen.has(k) {
			return false, nil
		}
		if w.seen.complete {
			return true, nil
		}
	}
	start := time.Unix(k.day*86400, 0).UTC()
	found, err := tx.Click.Query().Where(click.LinkIDEQ(k.link), click.VisitorHashEQ(k.hash.String()),
		click.BotEQ(false), click.CreatedAtGTE(start)).Exist(ctx)
	if err != nil {
		return false, fmt.Errorf("find visitor: %w", err)
	}
	return !found, nil
}

// loadSeen fills the set with the visitors already stored for day (after a
// restart mid-day). If there are too many, the set stays incomplete and
// misses are checked in the database.
func (w *Writer) loadSeen(ctx context.Context, tx *ent.Client, day int64) error {
	w.seen.loaded = true
	start := time.Unix(day*86400, 0).UTC()
	var rows []struct {
		LinkID      int    `json:"link_id"`
		VisitorHash string `json:"visitor_hash"`
	}
	err := tx.Click.Query().Where(click.CreatedAtGTE(start), click.CreatedAtLT(start.Add(24*time.Hour)),
		click.BotEQ(false), click.LinkIDNotNil()).Limit(maxSeen+1).
		Modify(func(s *entsql.Selector) {
			s.Select(s.C(click.FieldLinkID), s.C(click.FieldVisitorHash)).Distinct()
		}).Scan(ctx, &rows)
	if err != nil {
		return fmt.Errorf("load today's visitors: %w", err)
	}
	if len(rows) > maxSeen {
		return nil
	}
	for _, r := range rows {
		w.seen.add(seenKey{day: day, link: r.LinkID, hash: keyOf(r.VisitorHash)})
	}
	w.seen.complete = true
	return nil
}

func dayOf(t time.Time) int64 { return t.Unix() / 86400 }
