package graph

import "github.com/vektah/gqlparser/v2/ast"

// internalDirectives are the code generators' own (gqlgen's @goField,
// @goModel, @goTag, @goEnum, @goExtraField): they say how the Go code is
// generated and mean nothing to a client, so introspection does not list
// them.
var internalDirectives = map[string]bool{
	"goField": true, "goModel": true, "goTag": true, "goEnum": true, "goExtraField": true,
}

// publicSchema is schema (the generated one) without the internal
// directives, for generated.Config.Schema: introspection and validation
// read it.
func publicSchema(schema *ast.Schema) *ast.Schema {
	s := *schema
	s.Directives = make(map[string]*ast.DirectiveDefinition, len(schema.Directives))
	for name, d := range schema.Directives {
		if !internalDirectives[name] {
			s.Directives[name] = d
		}
	}
	return &s
}
