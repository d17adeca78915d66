// Package analytics records visits and computes click statistics. The
// redirect path hands each visit to a Sink and never waits on the database.
package analytics

import "time"

// Hit is one visit as the hot path sees it: raw request facts only. Parsing
// the user agent, finding the country and hashing the visitor happen off the
// hot path, where the hit is written.
type Hit struct {
	OwnerID  int // the user who owns the link or QR code
	LinkID   int // 0 for a QR scan
	QRCodeID int // 0 for a link click
	Time     time.Time

	IP             string // never stored; only its keyed hash is
	UserAgent      string
	Referrer       string
	AcceptLanguage string
	Country        string // ISO code when already known (country header, or resolved for targeting)
	Bot            bool   // a link-preview bot: recorded, not counted as a click
}

// Sink takes hits. Record must not block on the database.
type Sink interface {
	Record(Hit)
}
