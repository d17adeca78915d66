package shortlink

import "testing"

// FuzzAliasSyntax checks the redirect path's cheap pre-check against the
// full alias rule: an alias the rule accepts must pass the pre-check, or the
// fast 404 would hide a real link.
func FuzzAliasSyntax(f *testing.F) {
	for _, s := range []string{"abc", "a-b_c", "-a", "a.b", "ü", "", "A1", "api", "x\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if ValidateAlias("custom", s) == nil && !ValidAliasSyntax(s) {
			t.Fatalf("%q is a valid alias but fails the pre-check", s)
		}
	})
}
