package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Channel groups links, bio pages and QR codes.
type Channel struct{ ent.Schema }

// Mixin of the Channel.
func (Channel) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}, OwnerMixin{Ref: "channels"}}
}

// Fields of the Channel.
func (Channel) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").NotEmpty().MaxLen(255).Annotations(entgql.OrderField("NAME")),
		field.String("description").Default("").MaxLen(4096),
		field.String("color").Default("#000000").MaxLen(7),
		field.Bool("starred").Default(false),
	}
}

// Edges of the Channel.
func (Channel) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("items", ChannelItem.Type).Annotations(entgql.RelayConnection(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
	}
}

// Annotations of the Channel.
func (Channel) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.RelayConnection(), entgql.QueryField(),
		entgql.Mutations(entgql.MutationCreate(), entgql.MutationUpdate()),
	}
}

// ChannelItem is the membership of one link, bio page or QR code in a channel.
type ChannelItem struct{ ent.Schema }

// Mixin of the ChannelItem.
func (ChannelItem) Mixin() []ent.Mixin {
	return []ent.Mixin{OwnerMixin{Ref: "channel_items"}}
}

// Fields of the ChannelItem.
func (ChannelItem) Fields() []ent.Field {
	return []ent.Field{
		field.Enum("type").Values("LINK", "BIO", "QR").Immutable(),
		field.Time("created_at").Default(timeNow).Immutable().Annotations(entgql.OrderField("CREATED_AT")),
		field.Int("channel_id").Immutable().Annotations(entgql.Skip(entgql.SkipType)),
		field.Int("link_id").Optional().Nillable().Immutable().Annotations(entgql.Skip(entgql.SkipType)),
		field.Int("bio_page_id").Optional().Nillable().Immutable().Annotations(entgql.Skip(entgql.SkipType)),
		field.Int("qr_code_id").Optional().Nillable().Immutable().Annotations(entgql.Skip(entgql.SkipType)),
	}
}

// Edges of the ChannelItem.
func (ChannelItem) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("channel", Channel.Type).Ref("items").Field("channel_id").Unique().Required().Immutable(),
		edge.From("link", Link.Type).Ref("channel_items").Field("link_id").Unique().Immutable(),
		edge.From("bio_page", BioPage.Type).Ref("channel_items").Field("bio_page_id").Unique().Immutable(),
		edge.From("qr_code", QRCode.Type).Ref("channel_items").Field("qr_code_id").Unique().Immutable(),
	}
}

// Indexes of the ChannelItem: an item is in a channel at most once.
func (ChannelItem) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("channel_id", "created_at"),
		index.Fields("channel_id", "link_id").Unique(),
		index.Fields("channel_id", "bio_page_id").Unique(),
		index.Fields("channel_id", "qr_code_id").Unique(),
	}
}

// Annotations of the ChannelItem.
func (ChannelItem) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection()}
}
