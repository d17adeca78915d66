package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// QRCode is a QR code: a typed payload, colours, an optional logo, and the
// alias its image is served at ({base}/qr/{alias}).
type QRCode struct{ ent.Schema }

// Mixin of the QRCode.
func (QRCode) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}, OwnerMixin{Ref: "qr_codes"}}
}

// Fields of the QRCode.
func (QRCode) Fields() []ent.Field {
	return []ent.Field{
		field.String("alias").NotEmpty().MaxLen(64).Immutable(),
		field.Enum("type").Values("TEXT", "VCARD", "LINK", "EMAIL", "PHONE", "SMS", "WIFI"),
		field.Any("data").Annotations(entgql.Type("Any"), entgql.Skip(entgql.SkipWhereInput)),
		field.String("name").Default("").MaxLen(255).Annotations(entgql.OrderField("NAME")),
		field.String("background").Default("rgb(255,255,255)"),
		field.String("foreground").Default("rgb(0,0,0)"),
		field.String("logo").Default("").MaxLen(4096).Annotations(entgql.MapsTo("logoUrl")),
		field.Bytes("logo_image").Optional().Sensitive().Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("scans").Default(0).NonNegative().Annotations(entgql.OrderField("SCANS")),
	}
}

// Edges of the QRCode.
func (QRCode) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("channel_items", ChannelItem.Type).Annotations(entgql.Skip(entgql.SkipAll)),
		edge.To("click_rows", Click.Type).Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Indexes of the QRCode.
func (QRCode) Indexes() []ent.Index {
	return []ent.Index{index.Fields("alias").Unique()}
}

// Annotations of the QRCode.
func (QRCode) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection(), entgql.QueryField("qrCodes")}
}
