package analytics

import "testing"

// The queue hands hits over in order, in whole chunks, within the limit,
// and reuses emptied chunks without leaking what they held.
func TestRecorderQueueTakesInOrderInChunks(t *testing.T) {
	r := NewRecorder(3000)
	for i := range 3500 {
		r.Record(Hit{LinkID: i + 1, UserAgent: "ua"})
	}
	if r.Queued() != 3000 || r.Dropped() != 500 {
		t.Fatalf("queued %d dropped %d, want 3000 and 500", r.Queued(), r.Dropped())
	}
	first := r.take(nil, 2000) // one chunk: a second would pass the limit
	if first.Len() != chunkSize || r.Queued() != 3000-chunkSize {
		t.Fatalf("took %d, %d left", first.Len(), r.Queued())
	}
	rest := r.take(nil, 1<<20)
	if rest.Len() != 3000-chunkSize || r.Queued() != 0 {
		t.Fatalf("took %d, %d left", rest.Len(), r.Queued())
	}
	next := 1
	for _, b := range []hits{first, rest} {
		for i := range b.Len() {
			if got := b.at(i).LinkID; got != next {
				t.Fatalf("hit %d is link %d, want %d", next-1, got, next)
			}
			next++
		}
	}
	r.recycle(first)
	r.recycle(rest)
	r.Record(Hit{LinkID: 7})
	again := r.take(nil, 1<<20)
	if again.Len() != 1 || again.at(0).LinkID != 7 || cap(again[0]) != chunkSize {
		t.Fatalf("after reuse: %d hits, first %+v", again.Len(), *again.at(0))
	}
	if old := again[0][:2][1]; old.UserAgent != "" || old.LinkID != 0 {
		t.Fatalf("a reused chunk still holds an old hit: %+v", old)
	}
	if (hits{}).Len() != 0 || r.take(nil, 10).Len() != 0 {
		t.Fatal("an empty queue gave hits")
	}
}
