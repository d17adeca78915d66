package app_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"shortener/ent/apikey"
	"shortener/ent/user"
	"shortener/internal/account"
	"shortener/internal/app"
	"shortener/internal/app/apptest"
)

// Issue 11 row 9: every key of an account shares one budget.
func TestBudgetIsPerAccountNotPerKey(t *testing.T) {
	c := apptest.NewClock(start)
	ten := 10
	s := apptest.New(t, app.Config{Now: c.Now, RateLimit: &ten})
	keys := []string{createUser(t, s, "alice", user.PlanFREE)}
	for i := 0; i < 8; i++ {
		var out struct{ CreateAPIKey struct{ APIKey string } }
		s.MustGraphQL(t, keys[0], `mutation { createApiKey { apiKey } }`, nil, &out)
		keys = append(keys, out.CreateAPIKey.APIKey)
	}
	c.Advance(2 * 60e9) // full again
	passed := 0
	for _, k := range keys {
		for range 10 {
			if res := s.GraphQL(t, k, `{ me { id } }`, nil); res.Status == http.StatusOK {
				passed++
			}
		}
	}
	if passed != 10 {
		t.Fatalf("9 keys x 10 requests at a limit of 10: %d passed, want 10", passed)
	}
}

// Issue 11 row 9: 40 aliased createLink at a limit of 10 make at most 10 links.
func TestEveryMutationFieldIsCharged(t *testing.T) {
	c := apptest.NewClock(start)
	ten := 10
	s := apptest.New(t, app.Config{Now: c.Now, RateLimit: &ten})
	key := createUser(t, s, "alice", user.PlanFREE)
	var b strings.Builder
	b.WriteString("mutation {")
	for i := range 40 {
		fmt.Fprintf(&b, ` l%d: createLink(input:{url:"https://example.com/%d"}) { id }`, i, i)
	}
	b.WriteString("}")
	res := s.GraphQL(t, key, b.String(), nil)
	limited := 0
	for _, e := range res.Errors {
		if e.Code() == "RATE_LIMITED" {
			limited++
		}
	}
	n, err := s.App.Client.Link.Query().Count(apptest.SystemContext())
	if err != nil {
		t.Fatal(err)
	}
	if n != 10 || limited != 30 {
		t.Fatalf("links made %d (want 10), RATE_LIMITED fields %d (want 30)", n, limited)
	}
	if got := res.Header.Get("X-RateLimit-Remaining"); got != "0" {
		t.Errorf("X-RateLimit-Remaining %q after the document, want 0", got)
	}
	if res := s.GraphQL(t, key, `{ me { id } }`, nil); res.Status != http.StatusTooManyRequests {
		t.Errorf("next request: status %d, want 429", res.Status)
	}
}

// Issue 11 row 9: keys per account are capped.
func TestAPIKeysPerAccountCapped(t *testing.T) {
	s := apptest.New(t, app.Config{})
	key := createUser(t, s, "alice", user.PlanFREE)
	for i := 1; i < account.MaxActiveKeys; i++ {
		s.MustGraphQL(t, key, `mutation { createApiKey { apiKey } }`, nil, nil)
	}
	res := s.GraphQL(t, key, `mutation { createApiKey { apiKey } }`, nil)
	if len(res.Errors) != 1 || res.Errors[0].Code() != "BAD_USER_INPUT" || !strings.Contains(res.Errors[0].Message, "at most 20") {
		t.Fatalf("key %d: %+v", account.MaxActiveKeys+1, res.Errors)
	}
}

// Racing key requests cannot pass the cap together: the count and the
// insert run in one transaction with the account's key writers serialised.
func TestAPIKeyCapUnderConcurrency(t *testing.T) {
	s := apptest.New(t, app.Config{})
	key := createUser(t, s, "racer", user.PlanFREE)
	var wg sync.WaitGroup
	for range 3 * account.MaxActiveKeys {
		wg.Go(func() { s.GraphQL(t, key, `mutation { createApiKey { apiKey } }`, nil) })
	}
	wg.Wait()
	n, err := s.App.Client.APIKey.Query().Where(apikey.RevokedAtIsNil()).Count(apptest.SystemContext())
	if err != nil {
		t.Fatal(err)
	}
	if n != account.MaxActiveKeys {
		t.Fatalf("%d active keys after %d racing requests, want exactly %d", n, 3*account.MaxActiveKeys, account.MaxActiveKeys)
	}
}
