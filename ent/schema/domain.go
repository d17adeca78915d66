package schema

import (
	"crypto/rand"
	"encoding/hex"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
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
		// Ownership proof (docs/decisions/0004-domain-verification.md): the
		// domain serves only once verified_at is set, by a DNS TXT record
		// holding the token or by an operator.
		field.String("verification_token").Optional().Immutable().Sensitive().DefaultFunc(newVerificationToken).
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Time("verified_at").Optional().Nillable().
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		field.Time("checked_at").Optional().Nillable().Comment("last DNS check").
			Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Edges of the Domain.
func (Domain) Edges() []ent.Edge {
	return []ent.Edge{edge.To("links", Link.Type).Annotations(entgql.Skip(entgql.SkipAll))}
}

// Indexes of the Domain.
func (Domain) Indexes() []ent.Index {
	// One verified domain per host; unverified claims of a host (one per
	// account) do not block each other: the first to verify wins.
	return []ent.Index{
		index.Fields("host").Unique().Annotations(entsql.IndexWhere("verified_at IS NOT NULL")).StorageKey("domain_host_verified"),
		index.Fields("host", "owner_id").Unique(),
	}
}

// newVerificationToken is a domain's random proof token.
func newVerificationToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Annotations of the Domain.
func (Domain) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.RelayConnection(), entgql.QueryField(),
		entgql.Mutations(entgql.MutationCreate(), entgql.MutationUpdate()),
	}
}
