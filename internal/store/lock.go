package store

import (
	"context"

	"entgo.io/ent/dialect"

	"shortener/ent"
)

// Lock classes: the first key of a PostgreSQL advisory lock, so locks of
// different kinds never meet (and never meet other users of advisory locks).
const (
	LockBaseName int32 = 0x5348 // a name on the base host (shortlink)
	LockAPIKeys  int32 = 0x4b45 // an account's API keys (account)
)

// LockXact serialises the write transactions that lock the same (class,
// key) until each ends, so a check-then-write inside them is safe. tx must
// be a transaction's client. On PostgreSQL it takes a transaction-scoped
// advisory lock (the key hashed with hashtext; a collision only makes two
// keys wait for each other); on SQLite every write transaction already
// holds the single write connection from BEGIN IMMEDIATE, so there is
// nothing to take.
func LockXact(ctx context.Context, tx *ent.Client, sqlDialect string, class int32, key string) error {
	if sqlDialect != dialect.Postgres {
		return nil
	}
	_, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1, hashtext($2))", class, key)
	return err
}
