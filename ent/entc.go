//go:build ignore

// entc generates the ent data layer and the GraphQL schema of its types.
// Run from the repository root (go generate ./... does, through generate.go).
package main

import (
	"log"
	"strings"

	"entgo.io/contrib/entgql"
	"entgo.io/ent/entc"
	"entgo.io/ent/entc/gen"
	"github.com/vektah/gqlparser/v2/ast"
)

func main() {
	ex, err := entgql.NewExtension(
		entgql.WithSchemaGenerator(),
		entgql.WithSchemaPath("./graph/ent.graphql"),
		entgql.WithConfigPath("./gqlgen.yml"),
		entgql.WithWhereInputs(true),
		entgql.WithRelaySpec(true),
		entgql.WithSchemaHook(globalIDs, urlCase, jsonInputs),
	)
	if err != nil {
		log.Fatalf("creating entgql extension: %v", err)
	}
	err = entc.Generate("./ent/schema", &gen.Config{
		Target:  "./ent",
		Package: "shortener/ent",
		Features: []gen.Feature{
			gen.FeaturePrivacy,
			gen.FeatureEntQL,
			gen.FeatureIntercept,
			gen.FeatureUpsert,
			gen.FeatureModifier,
			gen.FeatureExecQuery,
		},
	}, entc.Extensions(ex), entc.TemplateFiles("./ent/template/gql_globalid.tmpl"))
	if err != nil {
		log.Fatalf("running ent codegen: %v", err)
	}
}

// globalIDs makes every Node's id the opaque global id (GlobalID()) and adds
// rowId, the per-table integer id REST shows.
func globalIDs(_ *gen.Graph, s *ast.Schema) error {
	for _, def := range s.Types {
		if def.Kind != ast.Object || !implementsNode(def) {
			continue
		}
		for _, f := range def.Fields {
			if f.Name == "id" {
				f.Directives = append(f.Directives, &ast.Directive{
					Name: "goField",
					Arguments: ast.ArgumentList{{
						Name:  "name",
						Value: &ast.Value{Kind: ast.StringValue, Raw: "GlobalID"},
					}},
				})
			}
		}
		def.Fields = append(def.Fields, &ast.FieldDefinition{
			Name:        "rowId",
			Description: "The per-table integer id, as the REST API shows it.",
			Type:        ast.NonNullNamedType("Int", nil),
		})
	}
	return nil
}

func implementsNode(def *ast.Definition) bool {
	for _, i := range def.Interfaces {
		if i == "Node" {
			return true
		}
	}
	return false
}

// urlCase spells URL as Url in every field and argument name (longUrl, as the
// pinned operations do); ent's camel case would say longURL.
func urlCase(_ *gen.Graph, s *ast.Schema) error {
	for _, def := range s.Types {
		for _, f := range def.Fields {
			f.Name = strings.ReplaceAll(f.Name, "URL", "Url")
			for _, a := range f.Arguments {
				a.Name = strings.ReplaceAll(a.Name, "URL", "Url")
			}
		}
	}
	return nil
}

// jsonInputs makes input objects take BioLinkInput where entgql put the
// object type BioLink of a JSON column (an object type can't be an input).
func jsonInputs(_ *gen.Graph, s *ast.Schema) error {
	for _, def := range s.Types {
		if def.Kind != ast.InputObject {
			continue
		}
		for _, f := range def.Fields {
			t := f.Type
			for t.Elem != nil {
				t = t.Elem
			}
			// entgql writes the annotated type verbatim: "[BioLink!]".
			t.NamedType = strings.ReplaceAll(t.NamedType, "BioLink!", "BioLinkInput!")
		}
	}
	return nil
}
