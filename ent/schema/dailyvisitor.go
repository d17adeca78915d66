package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// DailyVisitor is one visitor of one link or QR code on one UTC day: the
// click writer inserts a row for each non-bot hit with ON CONFLICT DO
// NOTHING, and the rows it gets back are exactly the day's first visits
// (unique clicks). Visitor hashes change every day, so rows older than
// yesterday can never match again; the writer deletes them once a day.
// Server-internal: not in the GraphQL schema, owned by no user.
type DailyVisitor struct{ ent.Schema }

// Fields of the DailyVisitor.
func (DailyVisitor) Fields() []ent.Field {
	return []ent.Field{
		field.Int("day").Immutable().Comment("days since 1970-01-01 UTC"),
		field.Enum("kind").Values("link", "qr").Immutable(),
		field.Int("target_id").Immutable().Comment("the link or QR code id"),
		field.Bytes("visitor").Immutable().Comment("the visitor hash as 16 bytes"),
	}
}

// Indexes of the DailyVisitor: the unique key the writer's upsert
// conflicts on (its leading day also serves the daily delete).
func (DailyVisitor) Indexes() []ent.Index {
	return []ent.Index{index.Fields("day", "kind", "target_id", "visitor").Unique()}
}

// Annotations of the DailyVisitor.
func (DailyVisitor) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}
