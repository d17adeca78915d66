package analytics

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
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
	day    string
	key    []byte
}

// NewHasher returns a Hasher keyed by secret.
func NewHasher(secret []byte) *Hasher { return &Hasher{secret: secret} }

// Hash returns the visitor hash of ip and ua at time t (32 hex digits).
func (h *Hasher) Hash(ip, ua string, t time.Time) string {
	day := t.UTC().Format(time.DateOnly)
	h.mu.Lock()
	if day != h.day {
		m := hmac.New(sha256.New, h.secret)
		m.Write([]byte("visitor-day:" + day))
		h.day, h.key = day, m.Sum(nil)
	}
	key := h.key
	h.mu.Unlock()
	m := hmac.New(sha256.New, key)
	m.Write([]byte(ip))
	m.Write([]byte{0})
	m.Write([]byte(ua))
	return hex.EncodeToString(m.Sum(nil)[:16])
}
