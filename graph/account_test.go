package graph_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	entuser "shortener/ent/user"
	"shortener/internal/app"
	"shortener/internal/app/apptest"
	"shortener/internal/auth"
	"shortener/internal/gid"
)

// The four operations a client outside this repository relies on, exactly as
// contract.md writes them (literal arguments, no variables).
func TestPinnedOperations(t *testing.T) {
	t.Parallel()
	s := newServer(t)

	var signed struct {
		Signup struct {
			APIKey string
			User   struct{ ID, Email string }
		}
	}
	s.MustGraphQL(t, "", `mutation { signup(input:{email:"pinned@example.com", username:"pinned", password:"password123"}) { apiKey user { id email } } }`, nil, &signed)
	key := signed.Signup.APIKey
	if !strings.HasPrefix(key, auth.KeyPrefix) {
		t.Fatalf("apiKey %q does not look like a key", key)
	}
	if signed.Signup.User.Email != "pinned@example.com" {
		t.Errorf("signup user email %q", signed.Signup.User.Email)
	}
	if _, err := gid.DecodeAs("User", signed.Signup.User.ID); err != nil {
		t.Errorf("user id %q is not a User global id: %v", signed.Signup.User.ID, err)
	}

	var me struct {
		Me struct{ ID, Email, Username string }
	}
	s.MustGraphQL(t, key, `query { me { id email username } }`, nil, &me)
	if me.Me.ID != signed.Signup.User.ID || me.Me.Email != "pinned@example.com" || me.Me.Username != "pinned" {
		t.Errorf("me = %+v", me.Me)
	}

	var created struct {
		CreateLink struct{ ID, Alias, ShortURL string }
	}
	s.MustGraphQL(t, key, `mutation { createLink(input:{url:"https://example.com/a?b=c", custom:"pinned-alias"}) { id alias shortUrl } }`, nil, &created)
	if created.CreateLink.Alias != "pinned-alias" {
		t.Errorf("alias %q", created.CreateLink.Alias)
	}
	if want := s.URL + "/pinned-alias"; created.CreateLink.ShortURL != want {
		t.Errorf("shortUrl %q, want %q", created.CreateLink.ShortURL, want)
	}
	if _, err := gid.DecodeAs("Link", created.CreateLink.ID); err != nil {
		t.Errorf("link id %q: %v", created.CreateLink.ID, err)
	}

	var list struct {
		Links struct {
			TotalCount int
			Edges      []struct {
				Node struct {
					ID, Alias, LongURL string
					Clicks             int
				}
			}
		}
	}
	s.MustGraphQL(t, key, `query { links(first: 10) { totalCount edges { node { id alias longUrl clicks } } } }`, nil, &list)
	if list.Links.TotalCount != 1 || len(list.Links.Edges) != 1 {
		t.Fatalf("links = %s", jsonString(list))
	}
	n := list.Links.Edges[0].Node
	if n.ID != created.CreateLink.ID || n.Alias != "pinned-alias" || n.LongURL != "https://example.com/a?b=c" || n.Clicks != 0 {
		t.Errorf("link node = %+v", n)
	}
}

func TestAuthenticationFailures(t *testing.T) {
	t.Parallel()
	clock := apptest.NewClock(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC))
	s := apptest.New(t, app.Config{Now: clock.Now})
	alice := signup(t, s, "alice")

	// A key that expires in an hour, and one that will be revoked.
	exp := gql[struct {
		CreateAPIKey struct {
			APIKey string
			Key    struct{ ID, ExpiresAt string }
		}
	}](t, s, alice.Key, `mutation($e: Time){ createApiKey(input:{name:"short-lived", expiresAt:$e}) { apiKey key { id expiresAt } } }`,
		map[string]any{"e": clock.Format(time.Hour)})
	revoked := gql[struct {
		CreateAPIKey struct {
			APIKey string
			Key    struct{ ID string }
		}
	}](t, s, alice.Key, `mutation { createApiKey(input:{name:"to revoke"}) { apiKey key { id } } }`, nil)
	gql[map[string]any](t, s, alice.Key, `mutation($id: ID!){ revokeApiKey(id:$id) { id revokedAt } }`,
		map[string]any{"id": revoked.CreateAPIKey.Key.ID})

	// Before expiry the short-lived key works.
	me := gql[struct{ Me struct{ Email string } }](t, s, exp.CreateAPIKey.APIKey, `{ me { email } }`, nil)
	if me.Me.Email != alice.Email {
		t.Fatalf("me with second key = %+v", me)
	}
	clock.Advance(2 * time.Hour)

	for name, key := range map[string]string{
		"missing key":   "",
		"unknown key":   auth.KeyPrefix + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"malformed key": "not-a-key",
		"revoked key":   revoked.CreateAPIKey.APIKey,
		"expired key":   exp.CreateAPIKey.APIKey,
		"empty bearer":  " ",
	} {
		t.Run(name, func(t *testing.T) {
			res := s.GraphQL(t, key, `query { me { id email } }`, nil)
			wantError(t, res, "UNAUTHENTICATED", "")
			// GraphQL over HTTP: an application/json client gets 200 for
			// a well-formed request, the failure in errors.
			if res.Status != http.StatusOK {
				t.Errorf("status %d, want 200", res.Status)
			}
			if string(res.Data) != "null" && string(res.Data) != "" {
				t.Errorf("data %s, want null", res.Data)
			}
		})
	}
	post := func(t *testing.T, authorization, accept string) (int, string, []byte) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, s.URL+"/graphql", strings.NewReader(`{"query":"{ me { email } }"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", authorization)
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("Content-Type"), b
	}
	t.Run("wrong scheme", func(t *testing.T) {
		status, _, body := post(t, "Basic "+alice.Key, "")
		if status != http.StatusOK || !strings.Contains(string(body), "UNAUTHENTICATED") || !strings.Contains(string(body), "unsupported Authorization scheme") {
			t.Errorf("status %d %s, want 200 with UNAUTHENTICATED and the scheme named", status, body)
		}
	})
	t.Run("graphql-response+json gets 401", func(t *testing.T) {
		status, ctype, body := post(t, "Bearer "+revoked.CreateAPIKey.APIKey, "application/graphql-response+json")
		if status != http.StatusUnauthorized || !strings.HasPrefix(ctype, "application/graphql-response+json") || !strings.Contains(string(body), "UNAUTHENTICATED") {
			t.Errorf("status %d %s %s, want 401 graphql-response+json UNAUTHENTICATED", status, ctype, body)
		}
	})
	t.Run("Token scheme", func(t *testing.T) {
		for _, h := range []string{"Token " + alice.Key, "token " + alice.Key, "Bearer " + alice.Key} {
			status, _, body := post(t, h, "")
			if status != http.StatusOK || !strings.Contains(string(body), alice.Email) {
				t.Errorf("%q: status %d %s, want the viewer", h[:6], status, body)
			}
		}
	})
	t.Run("every root field but signup needs a key", func(t *testing.T) {
		for _, q := range []string{
			`{ links(first: 1) { totalCount } }`,
			`{ node(id: "TGluazox") { id } }`,
			`mutation { createLink(input:{url:"https://example.com"}) { id } }`,
			`mutation { createApiKey { apiKey } }`,
			`mutation { rotateApiKey { apiKey } }`,
			`mutation { updateAccount(input:{email:"x@example.com"}) { id } }`,
		} {
			before := countRows(t, s)
			res := s.GraphQL(t, "", q, nil)
			wantError(t, res, "UNAUTHENTICATED", "")
			sameRows(t, s, before)
		}
	})
	// The good key still answers after all of that.
	if got := gql[struct{ Me struct{ Email string } }](t, s, alice.Key, `{ me { email } }`, nil); got.Me.Email != alice.Email {
		t.Errorf("me = %+v", got)
	}
}

func TestAPIKeys(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	alice := signup(t, s, "alice")
	type payload struct {
		APIKey string
		Key    struct{ ID, Name, Prefix string }
	}

	created := gql[struct{ CreateAPIKey payload }](t, s, alice.Key, `mutation { createApiKey(input:{name:"ci"}) { apiKey key { id name prefix } } }`, nil).CreateAPIKey
	if created.Key.Name != "ci" || !strings.HasPrefix(created.APIKey, created.Key.Prefix) || created.APIKey == alice.Key {
		t.Fatalf("createApiKey = %+v", created)
	}
	for _, k := range []string{alice.Key, created.APIKey} {
		if got := gql[struct{ Me struct{ ID string } }](t, s, k, `{ me { id } }`, nil); got.Me.ID != alice.ID {
			t.Fatalf("me with %s = %+v", k[:8], got)
		}
	}

	keys := gql[struct {
		APIKeys struct {
			TotalCount int
			Edges      []struct {
				Node struct{ ID, Name, Prefix string }
			}
		}
	}](t, s, alice.Key, `{ apiKeys(first: 10) { totalCount edges { node { id name prefix } } } }`, nil)
	if keys.APIKeys.TotalCount != 2 {
		t.Fatalf("apiKeys = %s", jsonString(keys))
	}

	// Rotating the request's own key: the old one stops, the new one works.
	rotated := gql[struct{ RotateAPIKey payload }](t, s, alice.Key, `mutation { rotateApiKey { apiKey key { id name } } }`, nil).RotateAPIKey
	if rotated.APIKey == "" || rotated.APIKey == alice.Key || rotated.Key.Name != "default" {
		t.Fatalf("rotateApiKey = %+v", rotated)
	}
	wantError(t, s.GraphQL(t, alice.Key, `{ me { id } }`, nil), "UNAUTHENTICATED", "")
	if got := gql[struct{ Me struct{ ID string } }](t, s, rotated.APIKey, `{ me { id } }`, nil); got.Me.ID != alice.ID {
		t.Fatalf("me with rotated key = %+v", got)
	}

	// Rotating another key by id keeps its name.
	byID := gql[struct{ RotateAPIKey payload }](t, s, rotated.APIKey, `mutation($id: ID){ rotateApiKey(id:$id) { apiKey key { name } } }`,
		map[string]any{"id": created.Key.ID}).RotateAPIKey
	if byID.Key.Name != "ci" {
		t.Errorf("rotated key name %q, want ci", byID.Key.Name)
	}
	wantError(t, s.GraphQL(t, created.APIKey, `{ me { id } }`, nil), "UNAUTHENTICATED", "")
	// A revoked key cannot be rotated again.
	wantError(t, s.GraphQL(t, rotated.APIKey, `mutation($id: ID){ rotateApiKey(id:$id) { apiKey } }`,
		map[string]any{"id": created.Key.ID}), "NOT_FOUND", "")

	// Revoking stops a key at once.
	var revoked struct {
		RevokeAPIKey struct {
			ID        string
			RevokedAt *string
		}
	}
	newest := gql[struct{ CreateAPIKey payload }](t, s, rotated.APIKey, `mutation { createApiKey { apiKey key { id name } } }`, nil).CreateAPIKey
	if newest.Key.Name != "default" {
		t.Errorf("key without a name is called %q", newest.Key.Name)
	}
	s.MustGraphQL(t, rotated.APIKey, `mutation($id: ID!){ revokeApiKey(id:$id) { id revokedAt } }`, map[string]any{"id": newest.Key.ID}, &revoked)
	if revoked.RevokeAPIKey.ID != newest.Key.ID || revoked.RevokeAPIKey.RevokedAt == nil {
		t.Errorf("revokeApiKey = %+v", revoked)
	}
	wantError(t, s.GraphQL(t, newest.APIKey, `{ me { id } }`, nil), "UNAUTHENTICATED", "")

	// Bad input.
	wantError(t, s.GraphQL(t, rotated.APIKey, `mutation { createApiKey(input:{expiresAt:"2001-01-01T00:00:00Z"}) { apiKey } }`, nil), "BAD_USER_INPUT", "expiresAt")
	wantError(t, s.GraphQL(t, rotated.APIKey, `mutation { revokeApiKey(id:"nope") { id } }`, nil), "BAD_USER_INPUT", "id")
	wantError(t, s.GraphQL(t, rotated.APIKey, `mutation($id: ID!) { revokeApiKey(id:$id) { id } }`,
		map[string]any{"id": gid.Encode("Link", 1)}), "BAD_USER_INPUT", "id")
	wantError(t, s.GraphQL(t, rotated.APIKey, `mutation($id: ID!) { revokeApiKey(id:$id) { id } }`,
		map[string]any{"id": gid.Encode("APIKey", 9999)}), "NOT_FOUND", "")
}

func TestUpdateAccount(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	alice := signup(t, s, "alice")
	bob := signup(t, s, "bob")

	got := gql[struct {
		UpdateAccount struct{ Email, AvatarURL string }
	}](t, s, alice.Key,
		`mutation { updateAccount(input:{email:"Alice.New@Example.com", password:"another-password", avatarUrl:"https://example.com/a.png"}) { email avatarUrl } }`, nil)
	if got.UpdateAccount.Email != "alice.new@example.com" || got.UpdateAccount.AvatarURL != "https://example.com/a.png" {
		t.Errorf("updateAccount = %+v", got)
	}
	if me := gql[struct{ Me struct{ Email string } }](t, s, alice.Key, `{ me { email } }`, nil); me.Me.Email != "alice.new@example.com" {
		t.Errorf("me.email = %q", me.Me.Email)
	}
	client, ctx := sysClient(s)
	u, err := client.User.Query().Where(entuser.Email("alice.new@example.com")).Only(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !auth.CheckPassword(u.PasswordHash, "another-password") || auth.CheckPassword(u.PasswordHash, "password123") {
		t.Error("password was not changed")
	}

	for _, tc := range []struct {
		name, input, code, field string
	}{
		{"an invalid email", `{email:"not an email"}`, "BAD_USER_INPUT", "email"},
		{"another user's email", `{email:"` + bob.Email + `"}`, "CONFLICT", "email"},
		{"a short password", `{password:"short"}`, "BAD_USER_INPUT", "password"},
		{"a password over 72 bytes", `{password:"` + strings.Repeat("p", 73) + `"}`, "BAD_USER_INPUT", "password"},
		{"a javascript avatar", `{avatarUrl:"javascript:alert(1)"}`, "BAD_USER_INPUT", "avatarUrl"},
		{"an avatar that is no URL", `{avatarUrl:"http://[::1"}`, "BAD_USER_INPUT", "avatarUrl"},
		{"an avatar without a host", `{avatarUrl:"https://"}`, "BAD_USER_INPUT", "avatarUrl"},
		{"an avatar with spaces", `{avatarUrl:"https://a.example/x y"}`, "BAD_USER_INPUT", "avatarUrl"},
	} {
		t.Run("refuses "+tc.name, func(t *testing.T) {
			res := s.GraphQL(t, alice.Key, `mutation { updateAccount(input:`+tc.input+`) { email } }`, nil)
			wantError(t, res, tc.code, tc.field)
			if me := gql[struct{ Me struct{ Email string } }](t, s, alice.Key, `{ me { email } }`, nil); me.Me.Email != "alice.new@example.com" {
				t.Errorf("email changed to %q", me.Me.Email)
			}
		})
	}
	// Bob is untouched.
	if me := gql[struct{ Me struct{ Email string } }](t, s, bob.Key, `{ me { email } }`, nil); me.Me.Email != bob.Email {
		t.Errorf("bob's email = %q", me.Me.Email)
	}
}

func TestSignup(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	alice := signup(t, s, "alice")
	const q = `mutation($e:String!,$u:String!,$p:String!){ signup(input:{email:$e, username:$u, password:$p}) { apiKey } }`
	for _, tc := range []struct {
		name, email, username, password, code, field string
	}{
		{"a taken email", strings.ToUpper(alice.Email), "fresh1", "password123", "CONFLICT", "email"},
		{"a taken username", "fresh@example.com", strings.ToUpper(alice.Username), "password123", "CONFLICT", "username"},
		{"a bad email", "nope", "fresh2", "password123", "BAD_USER_INPUT", "email"},
		{"a bad username", "fresh3@example.com", "a b", "password123", "BAD_USER_INPUT", "username"},
		{"a short password", "fresh4@example.com", "fresh4", "short", "BAD_USER_INPUT", "password"},
	} {
		t.Run("refuses "+tc.name, func(t *testing.T) {
			before := countRows(t, s)
			wantError(t, s.GraphQL(t, "", q, map[string]any{"e": tc.email, "u": tc.username, "p": tc.password}), tc.code, tc.field)
			sameRows(t, s, before)
		})
	}
}

func TestSignupDisabled(t *testing.T) {
	t.Parallel()
	s := apptest.New(t, app.Config{SignupDisabled: true})
	before := countRows(t, s)
	res := s.GraphQL(t, "", `mutation { signup(input:{email:"x@example.com", username:"xxx", password:"password123"}) { apiKey } }`, nil)
	wantError(t, res, "FORBIDDEN", "")
	sameRows(t, s, before)
}

func TestIntrospectionWithoutKey(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	var out struct {
		Schema struct {
			QueryType    struct{ Name string }
			MutationType struct{ Name string }
			Types        []struct{ Name string }
		} `json:"__schema"`
	}
	s.MustGraphQL(t, "", `{ __schema { queryType { name } mutationType { name } types { name } } }`, nil, &out)
	if out.Schema.QueryType.Name != "Query" || out.Schema.MutationType.Name != "Mutation" {
		t.Errorf("schema roots = %+v", out.Schema)
	}
	want := map[string]bool{"Link": false, "QRCode": false, "CtaOverlay": false, "BioPage": false, "SignupPayload": false}
	for _, ty := range out.Schema.Types {
		if _, ok := want[ty.Name]; ok {
			want[ty.Name] = true
		}
	}
	for name, seen := range want {
		if !seen {
			t.Errorf("type %s missing from introspection", name)
		}
	}
	var typ struct {
		Type struct{ Fields []struct{ Name string } } `json:"__type"`
	}
	s.MustGraphQL(t, "", `{ __type(name: "Link") { fields { name } } }`, nil, &typ)
	if len(typ.Type.Fields) < 10 {
		t.Errorf("__type(Link) has %d fields", len(typ.Type.Fields))
	}
}

func TestComplexityLimit(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	alice := signup(t, s, "alice")
	// 100 links x 100 campaign links each is far past the limit.
	q := `{ links(first: 100) { edges { node { id campaign { links(first: 100) { edges { node { id alias } } } } } } } }`
	res := s.GraphQL(t, alice.Key, q, nil)
	wantError(t, res, "COMPLEXITY_LIMIT_EXCEEDED", "")
	// A modest page of the same shape passes.
	small := `{ links(first: 5) { edges { node { id campaign { links(first: 5) { edges { node { id } } } } } } } }`
	s.MustGraphQL(t, alice.Key, small, nil, nil)
}
