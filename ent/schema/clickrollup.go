package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"shortener/ent/privacy"
	"shortener/ent/schema/schematype"
)

// ClickRollup is the clicks of one link or QR code in one UTC hour (and,
// in a row of grain "day", in one UTC day, so a long range reads one row a
// day rather than 24), kept
// by the click writer with its counters: totals, first visits (unique
// clicks) and the counts of every breakdown dimension. Statistics read
// these instead of the click rows, which stay the source of truth
// (`shortener stats rebuild` recomputes the rollups from them;
// docs/decisions/0006-click-rollups.md). Not in the GraphQL schema; the
// owner's privacy rule scopes every query, as on clicks.
type ClickRollup struct{ ent.Schema }

// Fields of the ClickRollup.
func (ClickRollup) Fields() []ent.Field {
	return []ent.Field{
		field.Int("owner_id").Immutable(),
		field.Enum("kind").Values("link", "qr").Immutable(),
		field.Int("target_id").Immutable().Comment("the link or QR code id"),
		field.Enum("grain").Values("hour", "day").Default("hour").Immutable().
			Comment("an hour's row, or the whole UTC day's (hour is then the day's start)"),
		field.Time("hour").Immutable().Comment("the hour's start, UTC"),
		field.Int("clicks").Default(0),
		field.Int("unique_clicks").Default(0),
		field.JSON("dims", schematype.RollupDims{}).Optional(),
	}
}

// Indexes of the ClickRollup: one row a target, grain and hour, read by
// target over a range of hours; and by owner, for statistics above one
// link.
func (ClickRollup) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("kind", "target_id", "grain", "hour").Unique(),
		index.Fields("owner_id", "hour"),
	}
}

// Policy of the ClickRollup: as OwnerMixin's (a viewer reads only its own
// rows), without the owner edge, which nothing needs.
func (ClickRollup) Policy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{filterOwner("owner_id")},
		Mutation: privacy.MutationPolicy{filterOwner("owner_id")},
	}
}

// Annotations of the ClickRollup.
func (ClickRollup) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}
