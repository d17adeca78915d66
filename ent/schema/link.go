package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"shortener/ent/schema/schematype"
)

// Link is a short link: an alias (unique per domain) that leads to a long URL,
// with its targeting rules and page options.
type Link struct{ ent.Schema }

// Mixin of the Link.
func (Link) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}, OwnerMixin{Ref: "links"}}
}

// Fields of the Link.
func (Link) Fields() []ent.Field {
	skipInput := entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)
	return []ent.Field{
		field.String("alias").NotEmpty().MaxLen(100).Annotations(entgql.OrderField("ALIAS")),
		field.String("long_url").NotEmpty().MaxLen(8192),
		field.String("title").Default("").MaxLen(1024),
		field.String("description").Default("").MaxLen(4096),
		field.String("meta_title").Default("").MaxLen(1024),
		field.String("meta_description").Default("").MaxLen(4096),
		field.String("meta_image").Default("").MaxLen(4096).Annotations(entgql.MapsTo("metaImageUrl")),
		field.String("password_hash").Optional().Sensitive().Annotations(entgql.Skip(entgql.SkipAll)),
		field.Time("expires_at").Optional().Nillable(),
		field.Enum("redirect_type").Values("DIRECT", "FRAME", "SPLASH", "CUSTOM_SPLASH", "OVERLAY").Default("DIRECT"),
		field.Enum("visibility").Values("PUBLIC", "PRIVATE").Default("PRIVATE"),
		field.JSON("geo_targets", []schematype.GeoTarget{}).Optional().Annotations(entgql.Type("[GeoTarget!]"), entgql.Skip(entgql.SkipWhereInput)),
		field.JSON("device_targets", []schematype.DeviceTarget{}).Optional().Annotations(entgql.Type("[DeviceTarget!]"), entgql.Skip(entgql.SkipWhereInput)),
		field.JSON("language_targets", []schematype.LanguageTarget{}).Optional().Annotations(entgql.Type("[LanguageTarget!]"), entgql.Skip(entgql.SkipWhereInput)),
		field.JSON("parameters", []schematype.Parameter{}).Optional().Annotations(entgql.Type("[Parameter!]"), entgql.Skip(entgql.SkipWhereInput)),
		field.JSON("deep_link", &schematype.DeepLink{}).Optional().Annotations(entgql.Type("DeepLink"), entgql.Skip(entgql.SkipWhereInput)),
		field.Int("clicks").Default(0).NonNegative().Annotations(entgql.OrderField("CLICKS"), skipInput),
		field.Int("unique_clicks").Default(0).NonNegative().Annotations(skipInput),
		field.Int("domain_id").Optional().Nillable().Annotations(entgql.Skip(entgql.SkipType)),
		field.Int("splash_page_id").Optional().Nillable().Annotations(entgql.Skip(entgql.SkipType)),
		field.Int("cta_overlay_id").Optional().Nillable().Annotations(entgql.Skip(entgql.SkipType)),
		field.Int("campaign_id").Optional().Nillable().Annotations(entgql.Skip(entgql.SkipType)),
	}
}

// Edges of the Link.
func (Link) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("domain", Domain.Type).Ref("links").Field("domain_id").Unique(),
		edge.From("splash_page", SplashPage.Type).Ref("links").Field("splash_page_id").Unique(),
		edge.From("cta_overlay", CTAOverlay.Type).Ref("links").Field("cta_overlay_id").Unique(),
		edge.From("campaign", Campaign.Type).Ref("links").Field("campaign_id").Unique(),
		edge.To("pixels", Pixel.Type),
		edge.To("channel_items", ChannelItem.Type).Annotations(entgql.Skip(entgql.SkipAll)),
		edge.To("click_rows", Click.Type).Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Indexes of the Link: the redirect path looks links up by (domain, alias),
// with one partial index for branded domains and one for the base host, so
// a base-host create touches one alias index, not two;
// lists use the owner index of OwnerMixin for the newest first and
// (owner_id, clicks, id) for the most clicked first (REST order=click,
// GraphQL orderBy CLICKS, whose cursors compare (clicks, id)); rotators and
// campaign pages walk a campaign's links in id order by the (campaign_id, id)
// index. The clicks index costs the click writer: each deferred counter
// flush moves the link's entry (bench/README.md, "Lists"). Text search
// has its own index outside ent (internal/store/search.go).
func (Link) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("domain_id", "alias").Unique().Annotations(entsql.IndexWhere("domain_id IS NOT NULL")),
		index.Fields("alias").Unique().Annotations(entsql.IndexWhere("domain_id IS NULL")).StorageKey("link_alias_base_unique"),
		index.Fields("campaign_id", "id").Annotations(entsql.IndexWhere("campaign_id IS NOT NULL")),
		index.Fields("owner_id", "clicks", "id"),
	}
}

// Annotations of the Link.
func (Link) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection(), entgql.QueryField()}
}
