package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Campaign groups links; with a slug it is a rotator at /r/{slug}, and when
// public its list is shown at /u/{username}/{slug}-{id}.
type Campaign struct{ ent.Schema }

// Mixin of the Campaign.
func (Campaign) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}, OwnerMixin{Ref: "campaigns"}}
}

// Fields of the Campaign.
func (Campaign) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").Default("").MaxLen(255).Annotations(entgql.OrderField("NAME")),
		field.String("slug").Optional().Nillable().MaxLen(100),
		field.Bool("public").Default(false),
	}
}

// Edges of the Campaign.
func (Campaign) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("links", Link.Type).Annotations(entgql.RelayConnection(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
	}
}

// Indexes of the Campaign: rotator slugs are global (they live on the base host).
func (Campaign) Indexes() []ent.Index {
	return []ent.Index{index.Fields("slug").Unique()}
}

// Annotations of the Campaign.
func (Campaign) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.RelayConnection(), entgql.QueryField(),
		entgql.Mutations(entgql.MutationCreate(), entgql.MutationUpdate()),
	}
}
