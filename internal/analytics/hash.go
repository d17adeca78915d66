package analytics

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"io"
	"sync"
	"time"
)

// Hasher makes visitor hashes: a keyed hash of IP and user agent whose key
// is derived from the server secret and the UTC day. The same visitor hashes
// the same within a day and differently the next, so hashes can't be joined
// across days and the raw IP never has to be stored (Plausible's scheme).
type Hasher struct {
	secret []byte
	mu     sync.Mutex
	day    int       // yyyymmdd of the key in mac
	mac    hash.Hash // keyed with the day's key; reused under mu
	sum    []byte
}

// NewHasher returns a Hasher keyed by secret.
func NewHasher(secret []byte) *Hasher { return &Hasher{secret: secret} }

// Hash returns the visitor hash of ip and ua at time t (32 hex digits).
func (h *Hasher) Hash(ip, ua string, t time.Time) string {
	y, mo, d := t.UTC().Date()
	h.mu.Lock()
	defer h.mu.Unlock()
	if day := y*10000 + int(mo)*100 + d; h.mac == nil || h.day != day {
		h.day = day
		m := hmac.New(sha256.New, h.secret)
		m.Write([]byte("visitor-day:" + time.Date(y, mo, d, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)))
		h.mac = hmac.New(sha256.New, m.Sum(nil))
	}
	h.mac.Reset()
	io.WriteString(h.mac, ip)
	h.mac.Write([]byte{0})
	io.WriteString(h.mac, ua)
	h.sum = h.mac.Sum(h.sum[:0])
	return hex.EncodeToString(h.sum[:16])
}
