package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
)

// PixelTypes are the 13 retargeting pixel kinds of the legacy API.
var PixelTypes = []string{
	"GTMPIXEL", "GAPIXEL", "FBPIXEL", "ADWORDSPIXEL", "LINKEDINPIXEL", "TWITTERPIXEL",
	"ADROLLPIXEL", "QUORAPIXEL", "PINTEREST", "BING", "SNAPCHAT", "REDDIT", "TIKTOK",
}

// Pixel is a retargeting pixel fired on the way through a link.
type Pixel struct{ ent.Schema }

// Mixin of the Pixel.
func (Pixel) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}, OwnerMixin{Ref: "pixels"}}
}

// Fields of the Pixel.
func (Pixel) Fields() []ent.Field {
	return []ent.Field{
		field.Enum("type").Values(PixelTypes...).Immutable(),
		field.String("name").NotEmpty().MaxLen(255).Annotations(entgql.OrderField("NAME")),
		field.String("tag").NotEmpty().MaxLen(255),
	}
}

// Edges of the Pixel.
func (Pixel) Edges() []ent.Edge {
	return []ent.Edge{edge.From("links", Link.Type).Ref("pixels").Annotations(entgql.Skip(entgql.SkipAll))}
}

// Annotations of the Pixel.
func (Pixel) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.RelayConnection(), entgql.QueryField(),
		entgql.Mutations(entgql.MutationCreate(), entgql.MutationUpdate()),
	}
}
