package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	entsql "entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Click is one recorded visit of a link or scan of a QR code. Raw IPs are
// never stored: VisitorHash is a keyed hash that marks unique visitors.
type Click struct{ ent.Schema }

// Mixin of the Click.
func (Click) Mixin() []ent.Mixin {
	return []ent.Mixin{OwnerMixin{Ref: "clicks", NoIndex: true}}
}

// Fields of the Click.
func (Click) Fields() []ent.Field {
	return []ent.Field{
		field.Int("link_id").Optional().Nillable().Immutable().Annotations(entgql.Skip(entgql.SkipType)),
		field.Int("qr_code_id").Optional().Nillable().Immutable().Annotations(entgql.Skip(entgql.SkipType)),
		field.Time("created_at").Default(timeNow).Immutable().Annotations(entgql.OrderField("CREATED_AT")),
		field.String("country").Default("").Immutable(),
		field.String("referrer").Default("").Immutable(),
		field.String("browser").Default("").Immutable(),
		field.String("os").Default("").Immutable(),
		field.String("device").Default("").Immutable(),
		field.String("language").Default("").Immutable(),
		field.String("visitor_hash").Default("").Immutable().Annotations(entgql.Skip(entgql.SkipAll)),
		field.Bool("bot").Default(false).Immutable(),
		// FirstVisit marks the visitor's first non-bot click on the link (or
		// scan of the QR code) in its UTC day, as the writer found it in the
		// daily visitor table; statistics and rollup rebuilds count these as
		// unique. Nil on rows written before the flag existed (`shortener
		// stats rebuild` fills them in).
		field.Bool("first_visit").Optional().Nillable().Immutable().Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Edges of the Click.
func (Click) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("link", Link.Type).Ref("click_rows").Field("link_id").Unique().Immutable(),
		edge.From("qr_code", QRCode.Type).Ref("click_rows").Field("qr_code_id").Unique().Immutable(),
	}
}

// Indexes of the Click: statistics read one link's or one QR code's clicks
// (a time range is filtered on the rows), so each index keys the id alone,
// because every click inserts at a random place in it and a wider key makes
// the writer dirty more pages, and is partial, because a click has a link or
// a QR code, never both. Nothing reads clicks by owner, so there is no owner
// index (OwnerMixin.NoIndex).
func (Click) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("link_id").Annotations(entsql.IndexWhere("link_id IS NOT NULL")),
		index.Fields("qr_code_id").Annotations(entsql.IndexWhere("qr_code_id IS NOT NULL")),
	}
}
