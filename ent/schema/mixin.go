package schema

import (
	"context"
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/entql"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
	"entgo.io/ent/schema/mixin"

	"shortener/ent/privacy"
	"shortener/internal/auth"
)

// TimeMixin adds created_at and updated_at.
type TimeMixin struct{ mixin.Schema }

// Fields of the TimeMixin.
func (TimeMixin) Fields() []ent.Field {
	return []ent.Field{
		field.Time("created_at").Default(time.Now).Immutable().
			Annotations(entgql.OrderField("CREATED_AT"), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		field.Time("updated_at").Default(time.Now).UpdateDefault(time.Now).
			Annotations(entgql.OrderField("UPDATED_AT"), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
	}
}

// OwnerMixin makes a schema owned by one user: an immutable owner_id, the
// owner edge (named back by Ref on User), an index, and the privacy policy
// that scopes every query and mutation to the viewer. Because the rule sits in
// ent, generated paths (node, nodes, edges, connections) obey it too.
type OwnerMixin struct {
	mixin.Schema
	Ref string // the User edge that lists these rows
	// NoIndex leaves out the (owner_id, created_at) index, for a table that
	// is never listed by owner (clicks: statistics read them by link or QR
	// code, and every index costs the click writer a page write per row).
	NoIndex bool
}

// Fields of the OwnerMixin.
func (OwnerMixin) Fields() []ent.Field {
	return []ent.Field{
		field.Int("owner_id").Immutable().Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Edges of the OwnerMixin.
func (m OwnerMixin) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("owner", User.Type).Ref(m.Ref).Field("owner_id").Unique().Required().Immutable().
			Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Indexes of the OwnerMixin: lists read a user's rows newest first. Every
// owned schema has created_at (TimeMixin or its own).
func (m OwnerMixin) Indexes() []ent.Index {
	if m.NoIndex {
		return nil
	}
	return []ent.Index{index.Fields("owner_id", "created_at")}
}

// Policy of the OwnerMixin: the system context passes; a viewer sees and
// changes only its own rows; anything else is denied.
func (OwnerMixin) Policy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{filterOwner("owner_id")},
		Mutation: privacy.MutationPolicy{filterOwner("owner_id")},
	}
}

// Hooks of the OwnerMixin: a create made for a viewer is owned by the viewer.
func (OwnerMixin) Hooks() []ent.Hook {
	return []ent.Hook{setOwnerOnCreate}
}

type ownerSetter interface {
	OwnerID() (int, bool)
	SetOwnerID(int)
}

func setOwnerOnCreate(next ent.Mutator) ent.Mutator {
	return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
		if !m.Op().Is(ent.OpCreate) {
			return next.Mutate(ctx, m)
		}
		v := auth.ViewerFrom(ctx)
		om, ok := m.(ownerSetter)
		if v == nil || !ok {
			return next.Mutate(ctx, m)
		}
		if id, set := om.OwnerID(); set && id != v.UserID {
			return nil, privacy.Denyf("cannot create a %s for another user", m.Type())
		}
		om.SetOwnerID(v.UserID)
		return next.Mutate(ctx, m)
	})
}

// filterOwner scopes queries and mutations to the viewer's rows by adding a
// predicate on column (owner_id, or id for users).
func filterOwner(column string) privacy.QueryMutationRule {
	return privacy.FilterFunc(func(ctx context.Context, f privacy.Filter) error {
		if d, ok := privacy.DecisionFromContext(ctx); ok && d == privacy.Allow {
			return privacy.Allow
		}
		v := auth.ViewerFrom(ctx)
		if v == nil {
			return privacy.Denyf("no viewer")
		}
		f.Where(entql.FieldEQ(column, v.UserID))
		return privacy.Skip
	})
}
