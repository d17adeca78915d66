package redirect

import (
	"context"

	"shortener/ent"
	entlink "shortener/ent/link"
)

// LinkHook keeps the cache right across every link write, whichever path
// makes it (GraphQL, REST, bulk updates inside other mutations): it drops
// the written links' snapshots after the write, and again after the
// transaction commits when there is one, so a miss that read the old row in
// between can't stay cached. Register it with client.Link.Use.
func (c *Cache) LinkHook() ent.Hook {
	return func(next ent.Mutator) ent.Mutator {
		return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
			lm, ok := m.(*ent.LinkMutation)
			if !ok || countersOnly(lm) {
				return next.Mutate(ctx, m)
			}
			var ids []int
			flush := false
			if !m.Op().Is(ent.OpCreate) {
				var err error
				if ids, err = lm.IDs(ctx); err != nil {
					flush = true // can't tell which rows: drop everything
				}
			}
			v, err := next.Mutate(ctx, m)
			if err != nil {
				return v, err
			}
			invalidate := func() {
				if flush {
					c.Flush()
					return
				}
				c.InvalidateLinks(ids...)
			}
			invalidate()
			afterCommit(lm, invalidate)
			return v, nil
		})
	}
}

// FlushHook flushes the cache after any write of the entity it is
// registered on (and again after its transaction commits). For domains,
// splash pages, overlays, pixels and bio pages, which snapshots embed.
func (c *Cache) FlushHook() ent.Hook {
	return func(next ent.Mutator) ent.Mutator {
		return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
			v, err := next.Mutate(ctx, m)
			if err != nil {
				return v, err
			}
			c.Flush()
			afterCommit(m, c.Flush)
			return v, nil
		})
	}
}

// afterCommit runs f after the transaction m runs in commits, if any.
func afterCommit(m ent.Mutation, f func()) {
	txm, ok := m.(interface{ Tx() (*ent.Tx, error) })
	if !ok {
		return
	}
	tx, err := txm.Tx()
	if err != nil {
		return // not in a transaction: the write is already visible
	}
	tx.OnCommit(func(next ent.Committer) ent.Committer {
		return ent.CommitFunc(func(ctx context.Context, tx *ent.Tx) error {
			err := next.Commit(ctx, tx)
			f()
			return err
		})
	})
}

// countersOnly reports whether a link update touches nothing but the click
// counters (and updated_at): such writes don't change what a visitor gets.
func countersOnly(m *ent.LinkMutation) bool {
	if !m.Op().Is(ent.OpUpdate | ent.OpUpdateOne) {
		return false
	}
	if len(m.ClearedFields()) > 0 || len(m.AddedEdges()) > 0 || len(m.RemovedEdges()) > 0 || len(m.ClearedEdges()) > 0 {
		return false
	}
	for _, f := range m.Fields() {
		if f != entlink.FieldUpdatedAt {
			return false
		}
	}
	for _, f := range m.AddedFields() {
		if f != entlink.FieldClicks && f != entlink.FieldUniqueClicks {
			return false
		}
	}
	return true
}
