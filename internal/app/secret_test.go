package app

import (
	"log/slog"
	"os"
	"path/filepath"
	"testing"
)

func TestSecretIsGeneratedOnceAndKept(t *testing.T) {
	db := filepath.Join(t.TempDir(), "s.db")
	cfg := Config{DB: "sqlite://" + db, Log: slog.Default()}
	a, err := loadSecret(cfg)
	if err != nil {
		t.Fatal(err)
	}
	b, err := loadSecret(cfg)
	if err != nil || string(a) != string(b) || len(a) < 32 {
		t.Fatalf("second load = %q (%v), want the first %q", b, err, a)
	}
	st, err := os.Stat(db + ".secret")
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("secret file: %v, mode %v, want 0600", err, st.Mode())
	}
	given, err := loadSecret(Config{DB: cfg.DB, Secret: "a-secret-given-by-flag", Log: slog.Default()})
	if err != nil || string(given) != "a-secret-given-by-flag" {
		t.Fatalf("--secret not used: %q %v", given, err)
	}
	if _, err := loadSecret(Config{DB: cfg.DB, Secret: "short", Log: slog.Default()}); err == nil {
		t.Fatal("a short --secret was accepted")
	}
}
