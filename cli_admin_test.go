package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"shortener/ent"
	"shortener/internal/account"
	"shortener/internal/auth"
	"shortener/internal/store"
	"shortener/internal/store/storetest"
)

// admin runs `shortener ARGS... --db db` and returns stdout, stderr, error.
func admin(tb testing.TB, db string, args ...string) (stdout, stderr string, err error) {
	tb.Helper()
	var out, errOut bytes.Buffer
	err = run(context.Background(), append(args, "--db", db), &out, &errOut)
	return out.String(), errOut.String(), err
}

// adminJSON runs an admin command with --json, fails the test on an error
// or on anything but one JSON document, and decodes it into v.
func adminJSON(tb testing.TB, db string, v any, args ...string) string {
	tb.Helper()
	out, errOut, err := admin(tb, db, append(args, "--json")...)
	if err != nil {
		tb.Fatalf("%v: %v\nstderr: %s", args, err, errOut)
	}
	dec := json.NewDecoder(strings.NewReader(out))
	if err := dec.Decode(v); err != nil {
		tb.Fatalf("%v: %v in %q", args, err, out)
	}
	if dec.More() {
		tb.Fatalf("%v: more than one JSON document: %q", args, out)
	}
	return out
}

// adminFails runs an admin command that must fail with want on stderr and
// nothing on stdout.
func adminFails(tb testing.TB, db, want string, args ...string) {
	tb.Helper()
	out, errOut, err := admin(tb, db, args...)
	if err == nil || out != "" || !strings.Contains(errOut, want) {
		tb.Errorf("%v: err %v, stdout %q, stderr %q (want %q)", args, err, out, errOut, want)
	}
}

func createUser(t *testing.T, db, name string) created {
	t.Helper()
	out, errOut, err := runUserCreate(t, "--db", db, "--email", name+"@example.com", "--username", name, "--password", "password123")
	if err != nil {
		t.Fatalf("user create %s: %v %s", name, err, errOut)
	}
	var u created
	if err := json.Unmarshal([]byte(out), &u); err != nil {
		t.Fatal(err)
	}
	return u
}

type listedUser struct {
	ID            int        `json:"id"`
	Email         string     `json:"email"`
	Username      string     `json:"username"`
	Plan          string     `json:"plan"`
	PlanExpiresAt *time.Time `json:"planExpiresAt"`
	Admin         bool       `json:"admin"`
	Disabled      bool       `json:"disabled"`
	DisabledAt    *time.Time `json:"disabledAt"`
	CreatedAt     time.Time  `json:"createdAt"`
	Links         int        `json:"links"`
	QRCodes       int        `json:"qrCodes"`
	Domains       int        `json:"domains"`
	ActiveKeys    int        `json:"activeKeys"`
}

// own gives user id one of every kind of row there is, a click on its link
// and one on its QR code, and the links of its pixel and channel.
func own(t *testing.T, client *ent.Client, id int, tag string) {
	t.Helper()
	ctx := auth.SystemContext(context.Background())
	d := client.Domain.Create().SetOwnerID(id).SetDomain("https://" + tag + ".example.com").SetHost(tag + ".example.com").SaveX(ctx)
	camp := client.Campaign.Create().SetOwnerID(id).SetName(tag).SaveX(ctx)
	sp := client.SplashPage.Create().SetOwnerID(id).SetName(tag).SaveX(ctx)
	cta := client.CTAOverlay.Create().SetOwnerID(id).SetName(tag).SetType("MESSAGE").SaveX(ctx)
	px := client.Pixel.Create().SetOwnerID(id).SetName(tag).SetType("GAPIXEL").SetTag("G-1").SaveX(ctx)
	bio := client.BioPage.Create().SetOwnerID(id).SetAlias(tag + "-bio").SetName(tag).SaveX(ctx)
	l := client.Link.Create().SetOwnerID(id).SetAlias(tag + "1").SetLongURL("https://example.com/" + tag).
		SetDomain(d).SetCampaign(camp).SetSplashPage(sp).SetCtaOverlay(cta).AddPixels(px).SaveX(ctx)
	client.Link.Create().SetOwnerID(id).SetAlias(tag + "2").SetLongURL("https://example.com/" + tag + "/2").ExecX(ctx)
	qr := client.QRCode.Create().SetOwnerID(id).SetAlias(tag + "qr").SetType("TEXT").SetData(map[string]any{"text": tag}).SaveX(ctx)
	ch := client.Channel.Create().SetOwnerID(id).SetName(tag).SaveX(ctx)
	client.ChannelItem.Create().SetOwnerID(id).SetChannel(ch).SetType("LINK").SetLink(l).ExecX(ctx)
	client.ChannelItem.Create().SetOwnerID(id).SetChannel(ch).SetType("BIO").SetBioPage(bio).ExecX(ctx)
	client.ChannelItem.Create().SetOwnerID(id).SetChannel(ch).SetType("QR").SetQrCode(qr).ExecX(ctx)
	client.Click.Create().SetOwnerID(id).SetLinkID(l.ID).ExecX(ctx)
	client.Click.Create().SetOwnerID(id).SetQrCodeID(qr.ID).ExecX(ctx)
}

// rowCounts counts the rows of every table owned by users, by owner (and
// the link_pixels join rows, by the link's owner).
func rowCounts(t *testing.T, client *ent.Client, owner int) map[string]int {
	t.Helper()
	ctx := auth.SystemContext(context.Background())
	m := map[string]int{}
	for _, table := range []string{"api_keys", "links", "qr_codes", "domains", "campaigns", "channels",
		"channel_items", "pixels", "splash_pages", "cta_overlays", "bio_pages", "clicks"} {
		rows, err := client.QueryContext(ctx, "SELECT COUNT(*) FROM "+table+" WHERE owner_id = "+strconv.Itoa(owner))
		if err != nil {
			t.Fatal(err)
		}
		rows.Next()
		var n int
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		m[table] = n
	}
	rows, err := client.QueryContext(ctx, "SELECT COUNT(*) FROM link_pixels JOIN links ON links.id = link_pixels.link_id WHERE links.owner_id = "+strconv.Itoa(owner))
	if err != nil {
		t.Fatal(err)
	}
	rows.Next()
	var n int
	if err := rows.Scan(&n); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	m["link_pixels"] = n
	rows, err = client.QueryContext(ctx, "SELECT COUNT(*) FROM users WHERE id = "+strconv.Itoa(owner))
	if err != nil {
		t.Fatal(err)
	}
	rows.Next()
	if err := rows.Scan(&n); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	m["users"] = n
	return m
}

func TestAdminUserCommands(t *testing.T) {
	db := storetest.DSN(t)
	ann, bob := createUser(t, db, "ann"), createUser(t, db, "bob")
	client, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	own(t, client, ann.ID, "ann")
	client.Link.Create().SetOwnerID(bob.ID).SetAlias("bob1").SetLongURL("https://example.com/b").ExecX(auth.SystemContext(context.Background()))

	t.Run("list", func(t *testing.T) {
		var got struct {
			Users       []listedUser `json:"users"`
			NextAfterID *int         `json:"nextAfterId"`
		}
		out := adminJSON(t, db, &got, "user", "list")
		if len(got.Users) != 2 || got.NextAfterID != nil {
			t.Fatalf("list: %s", out)
		}
		a, b := got.Users[0], got.Users[1]
		if a.ID != ann.ID || a.Email != "ann@example.com" || a.Username != "ann" || a.Plan != "free" || a.Admin || a.Disabled ||
			a.Links != 2 || a.CreatedAt.IsZero() || b.Username != "bob" || b.Links != 1 {
			t.Errorf("list: %s", out)
		}
		for _, field := range []string{`"planExpiresAt":null`, `"disabledAt":null`, `"links":2`} {
			if !strings.Contains(out, field) {
				t.Errorf("list lacks %s: %s", field, out)
			}
		}
		// Paging: --limit with --after-id, and --offset.
		adminJSON(t, db, &got, "user", "list", "--limit", "1")
		if len(got.Users) != 1 || got.Users[0].ID != ann.ID || got.NextAfterID == nil || *got.NextAfterID != ann.ID {
			t.Errorf("page 1: %+v", got)
		}
		got.NextAfterID = nil
		adminJSON(t, db, &got, "user", "list", "--limit", "1", "--after-id", strconv.Itoa(ann.ID))
		if len(got.Users) != 1 || got.Users[0].ID != bob.ID || got.NextAfterID != nil {
			t.Errorf("page 2: %+v", got)
		}
		adminJSON(t, db, &got, "user", "list", "--offset", "1")
		if len(got.Users) != 1 || got.Users[0].ID != bob.ID {
			t.Errorf("offset 1: %+v", got)
		}
		// Text: a table with a header.
		text, errOut, err := admin(t, db, "user", "list")
		if err != nil || !regexp.MustCompile(`(?m)^ID +EMAIL +USERNAME +PLAN +ADMIN +DISABLED +CREATED +LINKS\n1 +ann@example.com +ann +free +no +no +\S+ +2$`).MatchString(text) {
			t.Errorf("text: %v %q %s", err, text, errOut)
		}
		adminFails(t, db, "do not go together", "user", "list", "--offset", "1", "--after-id", "1")
		adminFails(t, db, "--limit", "user", "list", "--limit", "0")
	})

	t.Run("show", func(t *testing.T) {
		for _, pick := range [][]string{{"--id", strconv.Itoa(ann.ID)}, {"--email", "ANN@example.com"}, {"--username", "ann"}} {
			var u listedUser
			out := adminJSON(t, db, &u, append([]string{"user", "show"}, pick...)...)
			if u.ID != ann.ID || u.Links != 2 || u.QRCodes != 1 || u.Domains != 1 || u.ActiveKeys != 1 {
				t.Errorf("%v: %s", pick, out)
			}
		}
		text, _, err := admin(t, db, "user", "show", "--username", "bob")
		if err != nil || !strings.Contains(text, "username:     bob\n") || !strings.Contains(text, "links:        1\n") {
			t.Errorf("text: %v %q", err, text)
		}
		adminFails(t, db, "no such user", "user", "show", "--id", "99")
		adminFails(t, db, "no such user", "user", "show", "--username", "nobody")
		adminFails(t, db, "pass one of", "user", "show")
		adminFails(t, db, "only one of", "user", "show", "--id", "1", "--username", "ann")
	})

	t.Run("set-plan and set-admin", func(t *testing.T) {
		var u listedUser
		adminJSON(t, db, &u, "user", "set-plan", "--id", strconv.Itoa(bob.ID), "--plan", "pro", "--expires", "2099-01-02")
		if u.Plan != "pro" || u.PlanExpiresAt == nil || !u.PlanExpiresAt.Equal(time.Date(2099, 1, 2, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("set-plan pro: %+v", u)
		}
		adminJSON(t, db, &u, "user", "set-plan", "--id", strconv.Itoa(bob.ID), "--plan", "PRO")
		if u.Plan != "pro" || u.PlanExpiresAt != nil {
			t.Errorf("set-plan pro without --expires keeps no end: %+v", u)
		}
		adminFails(t, db, "--plan must be free or pro", "user", "set-plan", "--id", strconv.Itoa(bob.ID), "--plan", "gold")
		adminFails(t, db, "--expires is for a pro plan", "user", "set-plan", "--id", strconv.Itoa(bob.ID), "--plan", "free", "--expires", "2099-01-01")
		adminFails(t, db, "--expires", "user", "set-plan", "--id", strconv.Itoa(bob.ID), "--plan", "pro", "--expires", "soon")
		adminFails(t, db, "no such user", "user", "set-plan", "--id", "99", "--plan", "pro")

		adminJSON(t, db, &u, "user", "set-admin", "--id", strconv.Itoa(bob.ID), "--admin=true")
		if !u.Admin {
			t.Errorf("set-admin true: %+v", u)
		}
		adminJSON(t, db, &u, "user", "set-admin", "--id", strconv.Itoa(bob.ID), "--admin=false")
		if u.Admin {
			t.Errorf("set-admin false: %+v", u)
		}
		adminFails(t, db, "--admin=true or --admin=false is required", "user", "set-admin", "--id", strconv.Itoa(bob.ID))
	})

	t.Run("disable and enable", func(t *testing.T) {
		var u listedUser
		adminJSON(t, db, &u, "user", "disable", "--id", strconv.Itoa(bob.ID))
		if !u.Disabled || u.DisabledAt == nil {
			t.Fatalf("disable: %+v", u)
		}
		first := *u.DisabledAt
		adminJSON(t, db, &u, "user", "disable", "--id", strconv.Itoa(bob.ID)) // again: keeps the first time
		if !u.Disabled || !u.DisabledAt.Equal(first) {
			t.Errorf("disable twice: %+v, first %v", u, first)
		}
		if _, err := account0(client, bob.APIKey); err == nil {
			t.Error("a disabled user's key authenticates")
		}
		adminJSON(t, db, &u, "user", "enable", "--id", strconv.Itoa(bob.ID))
		if u.Disabled || u.DisabledAt != nil {
			t.Errorf("enable: %+v", u)
		}
		if _, err := account0(client, bob.APIKey); err != nil {
			t.Errorf("an enabled user's key: %v", err)
		}
		adminFails(t, db, "no such user", "user", "disable", "--id", "99")
		adminFails(t, db, "--id is required", "user", "enable")
	})

	t.Run("delete", func(t *testing.T) {
		adminFails(t, db, "pass --yes", "user", "delete", "--id", strconv.Itoa(ann.ID))
		adminFails(t, db, "no such user", "user", "delete", "--id", "99", "--yes")
		before, otherBefore := rowCounts(t, client, ann.ID), rowCounts(t, client, bob.ID)
		for table, n := range before {
			if n == 0 {
				t.Errorf("fixture: ann owns no %s", table)
			}
		}
		var got struct {
			ID      int            `json:"id"`
			Deleted map[string]int `json:"deleted"`
		}
		out := adminJSON(t, db, &got, "user", "delete", "--id", strconv.Itoa(ann.ID), "--yes")
		if got.ID != ann.ID || got.Deleted["links"] != 2 || got.Deleted["clicks"] != 2 || got.Deleted["channelItems"] != 3 ||
			got.Deleted["apiKeys"] != 1 || got.Deleted["domains"] != 1 || got.Deleted["qrCodes"] != 1 {
			t.Errorf("delete: %s", out)
		}
		for table, n := range rowCounts(t, client, ann.ID) {
			if n != 0 {
				t.Errorf("after delete: ann still owns %d %s", n, table)
			}
		}
		if after := rowCounts(t, client, bob.ID); !equalCounts(after, otherBefore) {
			t.Errorf("bob's rows changed: %v, were %v", after, otherBefore)
		}
		adminFails(t, db, "no such user", "user", "show", "--id", strconv.Itoa(ann.ID))
	})
}

func equalCounts(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// account0 authenticates key against client as a fresh server would.
func account0(client *ent.Client, key string) (*auth.Viewer, error) {
	return account.Authenticate(context.Background(), client, key, time.Now())
}

func TestAdminKeyAndDomainCommands(t *testing.T) {
	db := storetest.DSN(t)
	ann := createUser(t, db, "ann")
	bob := createUser(t, db, "bob")
	client, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	sys := auth.SystemContext(context.Background())
	client.Domain.Create().SetOwnerID(ann.ID).SetDomain("https://go.example.com").SetHost("go.example.com").ExecX(sys)
	client.Domain.Create().SetOwnerID(bob.ID).SetDomain("https://b.example.com").SetHost("b.example.com").ExecX(sys)

	type key struct {
		ID        int        `json:"id"`
		UserID    int        `json:"userId"`
		Prefix    string     `json:"prefix"`
		Name      string     `json:"name"`
		CreatedAt time.Time  `json:"createdAt"`
		ExpiresAt *time.Time `json:"expiresAt"`
		RevokedAt *time.Time `json:"revokedAt"`
		APIKey    string     `json:"apiKey"`
	}
	var k key
	out := adminJSON(t, db, &k, "key", "create", "--user", strconv.Itoa(ann.ID), "--name", "ci", "--expires", "2099-01-01")
	if k.UserID != ann.ID || k.Name != "ci" || !strings.HasPrefix(k.APIKey, k.Prefix) || k.ExpiresAt == nil || k.RevokedAt != nil {
		t.Fatalf("key create: %s", out)
	}
	if v, err := account0(client, k.APIKey); err != nil || v.UserID != ann.ID {
		t.Errorf("the new key: %+v %v", v, err)
	}
	text, _, err := admin(t, db, "key", "create", "--user", strconv.Itoa(ann.ID))
	if err != nil || !regexp.MustCompile(`(?m)^key: +sk_\S+$`).MatchString(text) || !strings.Contains(text, "shown only now") {
		t.Errorf("key create text: %v %q", err, text)
	}

	var list struct {
		Keys []key `json:"keys"`
	}
	out = adminJSON(t, db, &list, "key", "list", "--user", strconv.Itoa(ann.ID))
	if len(list.Keys) != 3 || list.Keys[1].ID != k.ID || list.Keys[1].Name != "ci" || strings.Contains(out, k.APIKey) ||
		strings.Contains(out, "apiKey") || strings.Contains(strings.ToLower(out), "hash") || strings.Contains(out, ann.APIKey) {
		t.Errorf("key list: %s", out)
	}

	var revoked key
	adminJSON(t, db, &revoked, "key", "revoke", "--id", strconv.Itoa(k.ID))
	if revoked.ID != k.ID || revoked.RevokedAt == nil {
		t.Errorf("key revoke: %+v", revoked)
	}
	if _, err := account0(client, k.APIKey); err == nil {
		t.Error("a revoked key authenticates")
	}
	adminFails(t, db, "no API key 999", "key", "revoke", "--id", "999")
	adminFails(t, db, "no user 99", "key", "list", "--user", "99")
	adminFails(t, db, "no user 99", "key", "create", "--user", "99")
	adminFails(t, db, "--user is required", "key", "create")

	// The cap of active keys: ann has 2 (default, and the unnamed one).
	for i := 2; i < 20; i++ {
		if _, errOut, err := admin(t, db, "key", "create", "--user", strconv.Itoa(ann.ID), "--json"); err != nil {
			t.Fatalf("key %d: %v %s", i+1, err, errOut)
		}
	}
	adminFails(t, db, "at most 20 active API keys", "key", "create", "--user", strconv.Itoa(ann.ID))

	type dom struct {
		ID         int        `json:"id"`
		Host       string     `json:"host"`
		UserID     int        `json:"userId"`
		Username   string     `json:"username"`
		Verified   bool       `json:"verified"`
		VerifiedAt *time.Time `json:"verifiedAt"`
		CreatedAt  time.Time  `json:"createdAt"`
	}
	var ds struct {
		Domains []dom `json:"domains"`
	}
	out = adminJSON(t, db, &ds, "domain", "list")
	if len(ds.Domains) != 2 || ds.Domains[0].Host != "go.example.com" || ds.Domains[0].Username != "ann" ||
		ds.Domains[0].Verified || ds.Domains[1].UserID != bob.ID || ds.Domains[0].CreatedAt.IsZero() {
		t.Errorf("domain list: %s", out)
	}
	// domain verify is unchanged, and list shows its effect.
	if _, errOut, err := admin(t, db, "domain", "verify", "--host", "b.example.com"); err != nil {
		t.Fatalf("domain verify: %v %s", err, errOut)
	}
	adminJSON(t, db, &ds, "domain", "list", "--user", strconv.Itoa(bob.ID))
	if len(ds.Domains) != 1 || ds.Domains[0].Host != "b.example.com" || !ds.Domains[0].Verified || ds.Domains[0].VerifiedAt == nil {
		t.Errorf("domain list --user: %+v", ds)
	}
	text, _, err = admin(t, db, "domain", "list")
	if err != nil || !regexp.MustCompile(`(?m)^1 +go.example.com +1 \(ann\) +no +\S+$`).MatchString(text) {
		t.Errorf("domain list text: %v %q", err, text)
	}
	adminFails(t, db, "no user 99", "domain", "list", "--user", "99")
}

// A running server refuses a disabled user's key at its next lookup (at
// once for a key it has not cached), while the user's links keep
// redirecting; enabling the user lets the key in again.
func TestServeRefusesDisabledUsersKey(t *testing.T) {
	var dsn, key string
	addr, _, _ := startServe(t, func(d string) {
		dsn = d
		var k struct {
			APIKey string `json:"apiKey"`
		}
		adminJSON(t, d, &k, "key", "create", "--user", "1", "--name", "fresh")
		key = k.APIKey
	})
	get := func() int {
		t.Helper()
		req, _ := http.NewRequest("GET", "http://"+addr+"/api/account", nil)
		req.Header.Set("Authorization", "Bearer "+key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if _, errOut, err := admin(t, dsn, "user", "disable", "--id", "1"); err != nil {
		t.Fatalf("disable: %v %s", err, errOut)
	}
	if got := get(); got != http.StatusUnauthorized {
		t.Errorf("a disabled user's key: status %d, want 401", got)
	}
	visit(t, addr, 1) // the disabled user's link "go" still redirects
	if _, errOut, err := admin(t, dsn, "user", "enable", "--id", "1"); err != nil {
		t.Fatalf("enable: %v %s", err, errOut)
	}
	if got := get(); got != http.StatusOK {
		t.Errorf("an enabled user's key: status %d, want 200", got)
	}
}
