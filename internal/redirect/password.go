package redirect

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"

	"shortener/internal/analytics"
	"shortener/internal/auth"
)

// unlockFor is how long a password, once given, unlocks a link in a browser.
const unlockFor = 24 * time.Hour

func cookieName(s *Snapshot) string { return "unlock_" + strconv.Itoa(s.LinkID) }

// unlockMAC signs an unlock of link s until exp. The password hash is part
// of the message, so changing the password locks every browser out again.
func (h *Handler) unlockMAC(s *Snapshot, exp int64) string {
	m := hmac.New(sha256.New, h.cfg.Secret)
	m.Write([]byte("unlock|" + strconv.Itoa(s.LinkID) + "|" + strconv.FormatInt(exp, 10) + "|" + s.PasswordHash))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// unlocked reports whether the request carries a valid unlock cookie for s.
func (h *Handler) unlocked(r *http.Request, s *Snapshot, now time.Time) bool {
	c, err := r.Cookie(cookieName(s))
	if err != nil {
		return false
	}
	expStr, mac, ok := strings.Cut(c.Value, ".")
	if !ok {
		return false
	}
	exp, err := strconv.ParseInt(expStr, 10, 64)
	if err != nil || now.Unix() >= exp {
		return false
	}
	return hmac.Equal([]byte(mac), []byte(h.unlockMAC(s, exp)))
}

// tryPassword checks a posted password, throttled per link and client IP.
// It returns the status and message of the form to show again, or unlocked
// (with the cookie set) when the password is right.
func (h *Handler) tryPassword(w http.ResponseWriter, r *http.Request, s *Snapshot, now time.Time) (status int, msg string, unlocked bool) {
	ip := analytics.ClientIP(r)
	key := strconv.Itoa(s.LinkID) + "|" + ip
	if !h.throttle.Allow(key, h.cfg.PasswordTries).Allowed {
		w.Header().Set("Retry-After", "60")
		return http.StatusTooManyRequests, "Too many tries. Wait a minute, then try again.", false
	}
	// Every try is charged to the address before bcrypt runs (so parallel
	// tries cannot overrun it); a right password gets its try back.
	if !h.ipTries.Allow("ip|"+ip, h.cfg.PasswordTriesPerIP).Allowed {
		w.Header().Set("Retry-After", "600")
		return http.StatusTooManyRequests, "Too many tries. Wait a few minutes, then try again.", false
	}
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	pw := r.PostFormValue("password")
	if pw == "" || !auth.CheckPassword(s.PasswordHash, pw) {
		return http.StatusForbidden, "Wrong password. Try again.", false
	}
	h.ipTries.Refund("ip|"+ip, 1)
	exp := now.Add(unlockFor).Unix()
	http.SetCookie(w, &http.Cookie{
		Name:     cookieName(s),
		Value:    strconv.FormatInt(exp, 10) + "." + h.unlockMAC(s, exp),
		Path:     "/" + s.Alias,
		MaxAge:   int(unlockFor / time.Second),
		HttpOnly: true,
		Secure:   r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https",
		SameSite: http.SameSiteLaxMode,
	})
	return http.StatusOK, "", true
}
