package analytics

import (
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"
	"unique"
)

// DefaultQueueSize is the capacity of a Recorder's queue: about a second of
// peak traffic. At roughly 200 bytes a hit it bounds the queue's memory to a
// few megabytes.
const DefaultQueueSize = 65536

// Recorder is the Sink of the running server: a bounded queue between the
// request handlers and the batch Writer. Record never waits: when the queue
// is full (the database has fallen far behind) the hit is dropped and
// counted in Dropped, because a visitor must never wait for the statistics.
type Recorder struct {
	ch      chan Hit
	dropped atomic.Uint64
}

// NewRecorder returns a Recorder whose queue holds size hits
// (DefaultQueueSize when size <= 0).
func NewRecorder(size int) *Recorder {
	if size <= 0 {
		size = DefaultQueueSize
	}
	return &Recorder{ch: make(chan Hit, size)}
}

// Record queues h, or drops and counts it when the queue is full.
func (r *Recorder) Record(h Hit) {
	select {
	case r.ch <- h:
	default:
		r.dropped.Add(1)
	}
}

// Dropped is the number of hits dropped because the queue was full.
func (r *Recorder) Dropped() uint64 { return r.dropped.Load() }

// Queued is the number of hits waiting for the writer.
func (r *Recorder) Queued() int { return len(r.ch) }

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
// copies of the same few strings (~11 MB under the redirect benchmark).
// The canonical copies are weak: they go when no hit holds them.
func intern(s string) string {
	if s == "" {
		return ""
	}
	return unique.Make(s).Value()
}
