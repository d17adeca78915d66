package schema

import (
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	entsql "entgo.io/ent/dialect/entsql"
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
	}
}

// Edges of the Click.
func (Click) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("link", Link.Type).Ref("click_rows").Field("link_id").Unique().Immutable(),
		edge.From("qr_code", QRCode.Type).Ref("click_rows").Field("qr_code_id").Unique().Immutable(),
	}
}

// Indexes of the Click: statistics read a link's or a QR code's clicks.
// The indexes hold the id alone, not (id, created_at): the click writer puts
// an entry at a random place in them for every click, and it is the pages it
// dirties that cost (each is written to the WAL at commit and again at the
// checkpoint). A created_at in the key made the index ~5 times bigger: with
// 100,000 links clicked at random, a click cost ~15 us of SQLite time
// against ~7 with the narrow index (bench/README.md). A time range is
// filtered on the rows. Both are partial: a link click has no QR code and a
// scan no link, and an entry for the NULL side would only cost the writer
// (a query for link_id = ? implies link_id IS NOT NULL, so SQLite and
// PostgreSQL use them). Nothing reads clicks by owner, so there is no owner
// index (OwnerMixin.NoIndex).
func (Click) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("link_id").Annotations(entsql.IndexWhere("link_id IS NOT NULL")),
		index.Fields("qr_code_id").Annotations(entsql.IndexWhere("qr_code_id IS NOT NULL")),
	}
}
