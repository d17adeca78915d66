package store

import (
	"context"

	"shortener/ent"
)

// WithTx runs fn in a transaction of client and commits it when fn returns
// nil; fn gets the transaction's client.
func WithTx(ctx context.Context, client *ent.Client, fn func(*ent.Client) error) error {
	tx, err := client.Tx(ctx)
	if err != nil {
		return err
	}
	if err := fn(tx.Client()); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}
