package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"

	"golang.org/x/crypto/bcrypt"
)

// KeyPrefix starts every API key, so leaked keys are easy to scan for.
const KeyPrefix = "sk_"

// NewKey returns a fresh API key (32 random bytes) and its hash. Only the
// hash is stored; the key is shown once.
func NewKey() (key, hash string) {
	b := make([]byte, 32)
	rand.Read(b)
	key = KeyPrefix + base64.RawURLEncoding.EncodeToString(b)
	return key, HashKey(key)
}

// HashKey returns the stored form of an API key. Keys are long random
// strings, so a fast hash is enough and allows lookup by hash.
func HashKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// MaxPasswordBytes is the longest password (account or link) accepted:
// bcrypt reads only the first 72 bytes, so a longer one would be checked
// against a prefix of itself.
const MaxPasswordBytes = 72

// HashPassword returns the bcrypt hash of a password.
func HashPassword(pw string) (string, error) {
	if len(pw) > MaxPasswordBytes {
		return "", fmt.Errorf("password longer than %d bytes", MaxPasswordBytes)
	}
	h, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.DefaultCost)
	return string(h), err
}

// CheckPassword reports whether pw matches hash.
func CheckPassword(hash, pw string) bool {
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(pw)) == nil
}
