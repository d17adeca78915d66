package app

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
)

// loadSecret returns the server secret that signs password-unlock cookies
// and keys visitor hashes. Given (--secret), it is used as is. Otherwise,
// with SQLite it is generated once and kept beside the database file
// (PATH.secret, mode 0600), so restarts keep cookies valid and today's
// visitor hashes stable. With PostgreSQL there is no file to keep it in: a
// random secret per process is used and a warning says to set --secret.
func loadSecret(cfg Config) ([]byte, error) {
	if cfg.Secret != "" {
		if len(cfg.Secret) < 16 {
			return nil, errors.New("--secret must be at least 16 characters")
		}
		return []byte(cfg.Secret), nil
	}
	if !strings.HasPrefix(cfg.DB, "sqlite://") {
		cfg.Log.Warn("no --secret set: using a random one; password unlocks and unique-visitor hashes reset on restart")
		return randomSecret(), nil
	}
	path := strings.TrimPrefix(cfg.DB, "sqlite://") + ".secret"
	if b, err := os.ReadFile(path); err == nil {
		s := strings.TrimSpace(string(b))
		if len(s) < 32 {
			return nil, fmt.Errorf("secret file %s is too short", path)
		}
		return []byte(s), nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("read secret: %w", err)
	}
	s := randomSecret()
	if err := os.WriteFile(path, append(s, '\n'), 0o600); err != nil {
		return nil, fmt.Errorf("write secret: %w", err)
	}
	return s, nil
}

func randomSecret() []byte {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return []byte(hex.EncodeToString(b))
}
