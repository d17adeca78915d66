package analytics

import (
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unique"
)

// DefaultQueueSize is the capacity of a Recorder's queue: a couple of
// seconds of clicks at the redirect benchmark's peak (bench/README.md), while
// the writer stores one second's clicks in a transaction.
const DefaultQueueSize = 65536

// chunkSize is the hits of one queue chunk (~140 KB).
const chunkSize = 1024

// maxFreeChunks is how many emptied chunks a Recorder keeps for reuse
// (~1 MB); more are left to the GC, so an idle server does not keep a busy
// second's queue.
const maxFreeChunks = 8

// Recorder is the Sink of the running server: a bounded queue between the
// request handlers and the batch Writer. Record never waits on the
// database: when the queue is full (the database has fallen far behind) the
// hit is dropped and counted in Dropped, because a visitor must never wait
// for the statistics.
//
// The queue is a list of chunks under a mutex, not a channel: its memory
// follows what is queued (a channel's buffer is allocated, and scanned by
// every GC, at full size), a hit costs the handler one uncontended
// append, and the writer takes a second's hits in one step instead of a
// channel receive each.
type Recorder struct {
	mu     sync.Mutex
	chunks []batchChunk // oldest first; all full but the last
	n      int          // hits queued
	max    int
	free   []batchChunk
	signal int           // Record signals ready when n reaches it (0: never)
	ready  chan struct{} // cap 1
	queued uint64        // hits ever queued (under mu: the append's lock pays for it)

	dropped atomic.Uint64
}

type batchChunk = []Hit

// NewRecorder returns a Recorder whose queue holds size hits
// (DefaultQueueSize when size <= 0).
func NewRecorder(size int) *Recorder {
	if size <= 0 {
		size = DefaultQueueSize
	}
	return &Recorder{max: size, ready: make(chan struct{}, 1)}
}

// Record queues h, or drops and counts it when the queue is full.
func (r *Recorder) Record(h Hit) {
	r.mu.Lock()
	if r.n >= r.max {
		r.mu.Unlock()
		r.dropped.Add(1)
		return
	}
	last := len(r.chunks) - 1
	if last < 0 || len(r.chunks[last]) == chunkSize {
		var c batchChunk
		if k := len(r.free); k > 0 {
			c, r.free = r.free[k-1], r.free[:k-1]
		} else {
			c = make(batchChunk, 0, chunkSize)
		}
		r.chunks = append(r.chunks, c)
		last++
	}
	r.chunks[last] = append(r.chunks[last], h)
	r.n++
	r.queued++
	signal := r.n == r.signal
	r.mu.Unlock()
	if signal {
		select {
		case r.ready <- struct{}{}:
		default:
		}
	}
}

// Dropped is the number of hits dropped because the queue was full.
func (r *Recorder) Dropped() uint64 { return r.dropped.Load() }

// Accepted is the number of hits ever queued (not dropped), the writer's
// or not yet.
func (r *Recorder) Accepted() uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.queued
}

// Capacity is the most hits the queue holds.
func (r *Recorder) Capacity() int { return r.max }

// Queued is the number of hits waiting for the writer.
func (r *Recorder) Queued() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.n
}

// signalAt makes Record signal Ready when n hits are queued.
func (r *Recorder) signalAt(n int) {
	r.mu.Lock()
	r.signal = n
	r.mu.Unlock()
}

// take removes up to about limit queued hits (whole chunks, at least one)
// and returns them, oldest first.
func (r *Recorder) take(dst hits, limit int) hits {
	r.mu.Lock()
	defer r.mu.Unlock()
	k, n := 0, 0
	for k < len(r.chunks) && (k == 0 || n+len(r.chunks[k]) <= limit) {
		n += len(r.chunks[k])
		k++
	}
	dst = append(dst, r.chunks[:k]...)
	rest := copy(r.chunks, r.chunks[k:])
	clear(r.chunks[rest:])
	r.chunks = r.chunks[:rest]
	r.n -= n
	return dst
}

// recycle takes back the chunks of a written batch.
func (r *Recorder) recycle(b hits) {
	for i := range b {
		clear(b[i]) // drop the strings for the GC
	}
	r.mu.Lock()
	for i := range b {
		if len(r.free) < maxFreeChunks {
			r.free = append(r.free, b[i][:0])
		}
	}
	r.mu.Unlock()
	clear(b)
}

// hits is a batch of queued hits as the Recorder hands them over: chunks,
// all full but the last.
type hits []batchChunk

func (b hits) Len() int {
	if len(b) == 0 {
		return 0
	}
	return (len(b)-1)*chunkSize + len(b[len(b)-1])
}

func (b hits) at(i int) *Hit { return &b[i/chunkSize][i%chunkSize] }

// RequestHit returns the hit of a request as the hot path sees it: time, IP
// (r.RemoteAddr, which the real-IP middleware has already rewritten when
// proxies are trusted), user agent, referrer, Accept-Language, and the
// country from countryHeader when one is configured. The caller sets the
// owner, the link or QR code, and Bot.
func RequestHit(r *http.Request, countryHeader string, now time.Time) Hit {
	h := Hit{
		Time:           now,
		IP:             ClientIP(r),
		UserAgent:      intern(clip(r.UserAgent())),
		Referrer:       clip(r.Referer()),
		AcceptLanguage: intern(clip(r.Header.Get("Accept-Language"))),
	}
	if countryHeader != "" {
		h.Country = HeaderCountry(r, countryHeader)
	}
	return h
}

// HeaderCountry reads an ISO country code from header (as CF-IPCountry
// sends it); anything that is not a known code gives "".
func HeaderCountry(r *http.Request, header string) string {
	v := strings.TrimSpace(r.Header.Get(header))
	if len(v) != 2 {
		return ""
	}
	v = strings.ToUpper(v)
	if _, ok := countryByCode[v]; !ok {
		return ""
	}
	return v
}

// ClientIP is the host part of r.RemoteAddr.
func ClientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// maxHeaderLen is the most of a User-Agent, Referer or Accept-Language
// header a queued hit keeps. Longer values are cut (on a UTF-8 boundary):
// the writer parses the start of the user agent, stores only the
// referrer's host and the primary language, so nothing stored changes for
// real headers, while a queue of hits with huge headers stays small.
const maxHeaderLen = 512

func clip(s string) string {
	if len(s) <= maxHeaderLen {
		return s
	}
	i := maxHeaderLen
	for i > 0 && s[i]&0xC0 == 0x80 { // not inside a UTF-8 sequence
		i--
	}
	return strings.Clone(s[:i])
}

// intern returns the canonical copy of s. Real traffic repeats a few
// hundred user agents and Accept-Language values; each request's copy
// lives in its own header, so a full queue would otherwise hold 65,536
// copies of the same few strings.
// The canonical copies are weak: they go when no hit holds them.
func intern(s string) string {
	if s == "" {
		return ""
	}
	return unique.Make(s).Value()
}
