package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"shortener/ent/privacy"
)

// User is an account. Every other row belongs to exactly one user.
type User struct{ ent.Schema }

// Mixin of the User.
func (User) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}} }

// Fields of the User.
func (User) Fields() []ent.Field {
	return []ent.Field{
		field.String("email").MaxLen(254).NotEmpty(),
		field.String("username").MaxLen(64).NotEmpty(),
		field.String("password_hash").Sensitive().Annotations(entgql.Skip(entgql.SkipAll)),
		field.String("avatar").Optional().Annotations(entgql.MapsTo("avatarUrl")),
		field.Enum("plan").Values("FREE", "PRO").Default("FREE"),
		field.Time("plan_expires_at").Optional().Nillable(),
		// admin accounts may use the admin routes of the API (the older
		// generation's user/create and user/get); set by
		// `shortener user create --admin`, never through the API.
		field.Bool("admin").Default(false).
			Comment("Whether the account may use the admin routes of the API (set by `shortener user create --admin`).").
			Annotations(entgql.Skip(entgql.SkipWhereInput, entgql.SkipOrderField)),
		// disabled_at is when an operator disabled the account (`shortener
		// user disable`): its API keys stop authenticating, its links keep
		// redirecting. Set and cleared by the CLI only, never through the API.
		field.Time("disabled_at").Optional().Nillable().
			Comment("When the account was disabled (`shortener user disable`); nil: enabled.").
			Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Edges of the User.
func (User) Edges() []ent.Edge {
	skip := entgql.Skip(entgql.SkipAll)
	return []ent.Edge{
		edge.To("api_keys", APIKey.Type).Annotations(skip),
		edge.To("links", Link.Type).Annotations(skip),
		edge.To("qr_codes", QRCode.Type).Annotations(skip),
		edge.To("domains", Domain.Type).Annotations(skip),
		edge.To("channels", Channel.Type).Annotations(skip),
		edge.To("channel_items", ChannelItem.Type).Annotations(skip),
		edge.To("campaigns", Campaign.Type).Annotations(skip),
		edge.To("pixels", Pixel.Type).Annotations(skip),
		edge.To("splash_pages", SplashPage.Type).Annotations(skip),
		edge.To("cta_overlays", CTAOverlay.Type).Annotations(skip),
		edge.To("bio_pages", BioPage.Type).Annotations(skip),
		edge.To("clicks", Click.Type).Annotations(skip),
	}
}

// Indexes of the User.
func (User) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("email").Unique(),
		index.Fields("username").Unique(),
	}
}

// Policy of the User: a viewer sees and changes only itself; users are
// created by the system (sign-up, CLI).
func (User) Policy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{filterOwner("id")},
		Mutation: privacy.MutationPolicy{
			privacy.OnMutationOperation(privacy.AlwaysDenyRule(), ent.OpCreate),
			filterOwner("id"),
		},
	}
}
