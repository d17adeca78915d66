package graph_test

import (
	"fmt"
	"sync"
	"testing"
)

// TestBaseNameRace races link and bio page writers of one alias on the base
// host: in every round exactly one write is stored, the others are CONFLICT
// on their alias field, and what is stored is what the winner wrote.
func TestBaseNameRace(t *testing.T) {
	s := newServer(t)
	alice, bob := signup(t, s, "alice"), signup(t, s, "bob")
	const rounds = 20
	for round := range rounds {
		alias := fmt.Sprintf("race-%d", round)
		type result struct {
			bio  bool
			code string
		}
		writers := []struct {
			key, query, field string
			bio               bool
		}{
			{alice.Key, `mutation($a:String!){ createLink(input:{url:"https://example.com/l", custom:$a}) { id } }`, "custom", false},
			{bob.Key, `mutation($a:String!){ createBioPage(input:{alias:$a, name:"Bob"}) { id } }`, "alias", true},
			{bob.Key, `mutation($a:String!){ createLink(input:{url:"https://example.com/b", custom:$a}) { id } }`, "custom", false},
			{alice.Key, `mutation($a:String!){ createBioPage(input:{alias:$a, name:"Alice"}) { id } }`, "alias", true},
		}
		results := make([]result, len(writers))
		var start, done sync.WaitGroup
		start.Add(1)
		for i, w := range writers {
			done.Add(1)
			go func() {
				defer done.Done()
				start.Wait()
				resp := s.GraphQL(t, w.key, w.query, map[string]any{"a": alias})
				results[i].bio = w.bio
				if len(resp.Errors) > 0 {
					results[i].code = resp.Errors[0].Code()
					if f, _ := resp.Errors[0].Extensions["field"].(string); f != w.field {
						t.Errorf("round %d writer %d: error field %q (%s), want %q", round, i, f, resp.Errors[0].Message, w.field)
					}
				}
			}()
		}
		start.Done()
		done.Wait()
		won := 0
		for i, r := range results {
			switch r.code {
			case "":
				won++
			case "CONFLICT":
			default:
				t.Fatalf("round %d writer %d: error %s, want CONFLICT", round, i, r.code)
			}
		}
		if won != 1 {
			t.Fatalf("round %d: %d writers stored %q, want exactly 1 (%+v)", round, won, alias, results)
		}
		// What is stored agrees: the name is held by one link or one bio page.
		links, bios := 0, 0
		for _, u := range []user{alice, bob} {
			out := gql[struct {
				Links    struct{ TotalCount int }
				BioPages struct{ TotalCount int }
			}](t, s, u.Key, `query($a:String!){ links(where:{alias:$a}) { totalCount } bioPages(where:{alias:$a}) { totalCount } }`, map[string]any{"a": alias})
			links += out.Links.TotalCount
			bios += out.BioPages.TotalCount
		}
		if links+bios != 1 {
			t.Fatalf("round %d: %d links and %d bio pages hold %q", round, links, bios, alias)
		}
	}
}
