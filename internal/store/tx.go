package store

import (
	"context"

	"shortener/ent"
)

// WithTx runs fn in a transaction on client: committed when fn returns nil,
// rolled back (and fn's error returned) otherwise.
func WithTx(ctx context.Context, client *ent.Client, fn func(*ent.Tx) error) error {
	tx, err := client.Tx(ctx)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}
