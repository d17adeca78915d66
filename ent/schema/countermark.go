package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
)

// CounterMark records how far the click counters are written on SQLite:
// every click row whose id is at most ClickID is counted in its link's
// clicks and unique_clicks or its QR code's scans. The click writer keeps
// one row (id 1) and moves it in the transaction that writes the counters;
// under load it writes them only every few seconds, so after a crash it
// counts the rows past the mark when it starts (analytics.Writer.Start).
// Server-internal: not in the GraphQL schema, owned by no user.
type CounterMark struct{ ent.Schema }

// Fields of the CounterMark.
func (CounterMark) Fields() []ent.Field {
	return []ent.Field{field.Int("click_id").Default(0)}
}

// Annotations of the CounterMark.
func (CounterMark) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}
