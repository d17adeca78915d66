package schema

import (
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"shortener/ent/schema/schematype"
)

var timeNow = time.Now

// SplashPage is a custom splash page shown before a link continues.
type SplashPage struct{ ent.Schema }

// Mixin of the SplashPage.
func (SplashPage) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}, OwnerMixin{Ref: "splash_pages"}}
}

// Fields of the SplashPage.
func (SplashPage) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").NotEmpty().MaxLen(255).Annotations(entgql.OrderField("NAME")),
		field.String("title").Default("").MaxLen(255),
		field.String("content").Default("").MaxLen(10000),
		field.String("image").Default("").MaxLen(4096).Annotations(entgql.MapsTo("imageUrl")),
		field.String("button_text").Default("Continue").MaxLen(100),
		field.Int("delay_seconds").Default(5).Range(0, 60),
	}
}

// Edges of the SplashPage.
func (SplashPage) Edges() []ent.Edge {
	return []ent.Edge{edge.To("links", Link.Type).Annotations(entgql.Skip(entgql.SkipAll))}
}

// Annotations of the SplashPage.
func (SplashPage) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.RelayConnection(), entgql.QueryField(),
		entgql.Mutations(entgql.MutationCreate(), entgql.MutationUpdate()),
	}
}

// CTAOverlay is a call-to-action overlay shown over a framed long URL.
type CTAOverlay struct{ ent.Schema }

// Mixin of the CTAOverlay.
func (CTAOverlay) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}, OwnerMixin{Ref: "cta_overlays"}}
}

// Fields of the CTAOverlay.
func (CTAOverlay) Fields() []ent.Field {
	return []ent.Field{
		field.Enum("type").Values("MESSAGE", "CONTACT", "NEWSLETTER", "BUTTON"),
		field.String("name").NotEmpty().MaxLen(255).Annotations(entgql.OrderField("NAME")),
		field.String("content").Default("").MaxLen(10000),
		field.String("button_text").Default("").MaxLen(100),
		field.String("button_url").Default("").MaxLen(4096),
		field.String("color").Default("#000000").MaxLen(7),
	}
}

// Edges of the CTAOverlay.
func (CTAOverlay) Edges() []ent.Edge {
	return []ent.Edge{edge.To("links", Link.Type).Annotations(entgql.Skip(entgql.SkipAll))}
}

// Annotations of the CTAOverlay.
func (CTAOverlay) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.Type("CtaOverlay"),
		entgql.RelayConnection(), entgql.QueryField("ctaOverlays"),
		entgql.Mutations(entgql.MutationCreate(), entgql.MutationUpdate()),
	}
}

// BioPage is a public page at its alias listing a few links.
type BioPage struct{ ent.Schema }

// Mixin of the BioPage.
func (BioPage) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}, OwnerMixin{Ref: "bio_pages"}}
}

// Fields of the BioPage.
func (BioPage) Fields() []ent.Field {
	return []ent.Field{
		field.String("alias").NotEmpty().MaxLen(100),
		field.String("name").NotEmpty().MaxLen(255).Annotations(entgql.OrderField("NAME")),
		field.String("content").Default("").MaxLen(10000),
		field.String("avatar").Default("").MaxLen(4096).Annotations(entgql.MapsTo("avatarUrl")),
		field.JSON("links", []schematype.BioLink{}).Optional().Annotations(entgql.Type("[BioLink!]"), entgql.Skip(entgql.SkipWhereInput)),
	}
}

// Edges of the BioPage.
func (BioPage) Edges() []ent.Edge {
	return []ent.Edge{edge.To("channel_items", ChannelItem.Type).Annotations(entgql.Skip(entgql.SkipAll))}
}

// Indexes of the BioPage: bio pages live on the base host.
func (BioPage) Indexes() []ent.Index {
	return []ent.Index{index.Fields("alias").Unique()}
}

// Annotations of the BioPage.
func (BioPage) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.RelayConnection(), entgql.QueryField(),
		entgql.Mutations(entgql.MutationCreate(), entgql.MutationUpdate()),
	}
}
