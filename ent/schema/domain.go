package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Domain is a branded domain: requests whose Host is Host resolve the
// domain's own aliases.
type Domain struct{ ent.Schema }

// Mixin of the Domain.
func (Domain) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}, OwnerMixin{Ref: "domains"}}
}

// Fields of the Domain.
func (Domain) Fields() []ent.Field {
	return []ent.Field{
		field.String("domain").NotEmpty().MaxLen(300).Immutable().Comment("URL with scheme, as given: https://example.com"),
		field.String("host").NotEmpty().MaxLen(253).Immutable().Comment("lower-case host name the redirect path matches").
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		field.String("redirect_root").Default("").MaxLen(4096),
		field.String("redirect_404").Default("").MaxLen(4096),
	}
}

// Edges of the Domain.
func (Domain) Edges() []ent.Edge {
	return []ent.Edge{edge.To("links", Link.Type).Annotations(entgql.Skip(entgql.SkipAll))}
}

// Indexes of the Domain.
func (Domain) Indexes() []ent.Index {
	return []ent.Index{index.Fields("host").Unique()}
}

// Annotations of the Domain.
func (Domain) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.RelayConnection(), entgql.QueryField(),
		entgql.Mutations(entgql.MutationCreate(), entgql.MutationUpdate()),
	}
}
