package main

// The admin CLI: the operator's commands on users, API keys and domains,
// run against the database directly (--db, DATABASE_URL), with or without a
// server running on it.
//
//	shortener user list [--limit N] [--offset N | --after-id N]
//	shortener user show --id N | --email E | --username U
//	shortener user disable|enable --id N
//	shortener user delete --id N --yes
//	shortener user set-plan --id N --plan free|pro [--expires DATE]
//	shortener user set-admin --id N --admin=true|false
//	shortener key list --user N
//	shortener key create --user N [--name NAME] [--expires DATE]
//	shortener key revoke --id N
//	shortener domain list [--user N]
//
// Every command prints readable text, or with --json one JSON document.
//
// A running server sees these changes as follows. Disabling a user, deleting
// one or revoking a key: the user's keys are refused on their next lookup,
// at once for a key the server has not looked up in the last 30 seconds and
// at most 30 seconds later for one it has (the key cache's TTL,
// internal/app keyCacheTTL). A disabled user's links keep redirecting: only
// deleting them (or the user) stops them. A deleted user's links stop
// redirecting when the server's redirect cache lets go of them: at most 5
// minutes (redirect.CacheOptions.TTL's default) after the server last loaded
// each one, since the cache's ent hooks only see writes made by the server
// process itself; restart the server to stop them at once.

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"shortener/ent"
	"shortener/ent/apikey"
	"shortener/ent/biopage"
	"shortener/ent/campaign"
	"shortener/ent/channel"
	"shortener/ent/channelitem"
	"shortener/ent/click"
	"shortener/ent/ctaoverlay"
	"shortener/ent/domain"
	"shortener/ent/link"
	"shortener/ent/pixel"
	"shortener/ent/qrcode"
	"shortener/ent/splashpage"
	"shortener/ent/user"
	"shortener/internal/account"
	"shortener/internal/auth"
	"shortener/internal/store"
)

type adminFunc func(ctx context.Context, args []string, stdout, stderr io.Writer) error

// adminCommands are the admin CLI's commands by their two words.
var adminCommands = map[string]adminFunc{
	"user list": userList,
	"user show": userShow,
	"user disable": func(ctx context.Context, a []string, o, e io.Writer) error {
		return userSetDisabled(ctx, a, o, e, true)
	},
	"user enable": func(ctx context.Context, a []string, o, e io.Writer) error {
		return userSetDisabled(ctx, a, o, e, false)
	},
	"user delete":    userDelete,
	"user set-plan":  userSetPlan,
	"user set-admin": userSetAdmin,
	"key list":       keyList,
	"key create":     keyCreate,
	"key revoke":     keyRevoke,
	"domain list":    domainList,
}

// adminCommand is the admin command args starts with, or nil.
func adminCommand(args []string) adminFunc {
	if len(args) < 2 {
		return nil
	}
	return adminCommands[args[0]+" "+args[1]]
}

// adminFlags is what every admin command takes: --db and --json.
type adminFlags struct {
	fs   *flag.FlagSet
	db   *string
	json *bool
}

func newAdminFlags(name string, stderr io.Writer) adminFlags {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return adminFlags{
		fs:   fs,
		db:   fs.String("db", env("DATABASE_URL", store.DefaultDSN), "database: sqlite://PATH or postgres://... [DATABASE_URL]"),
		json: fs.Bool("json", false, "print one JSON document instead of text"),
	}
}

// parse parses args (parseFlags) and refuses positional arguments.
func (f adminFlags) parse(args []string) error {
	if err := parseFlags(f.fs, args); err != nil {
		return err
	}
	if f.fs.NArg() > 0 {
		return fmt.Errorf("%s: unexpected argument %q", f.fs.Name(), f.fs.Arg(0))
	}
	return nil
}

// set reports whether flag name was given on the command line.
func (f adminFlags) set(name string) bool {
	found := false
	f.fs.Visit(func(fl *flag.Flag) { found = found || fl.Name == name })
	return found
}

// open opens the store; ctx comes back as the system context, since the
// operator sees and changes every account.
func (f adminFlags) open(ctx context.Context) (context.Context, *ent.Client, error) {
	client, err := store.Open(ctx, *f.db)
	if err != nil {
		return nil, nil, err
	}
	return auth.SystemContext(ctx), client, nil
}

// print writes v as one JSON document with --json, else text(w).
func (f adminFlags) print(stdout io.Writer, v any, text func(w io.Writer)) error {
	if *f.json {
		return json.NewEncoder(stdout).Encode(v)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	text(tw)
	return tw.Flush()
}

// adminUser is a user as the admin CLI shows it.
type adminUser struct {
	ID            int        `json:"id"`
	Email         string     `json:"email"`
	Username      string     `json:"username"`
	Plan          string     `json:"plan"`
	PlanExpiresAt *time.Time `json:"planExpiresAt"`
	Admin         bool       `json:"admin"`
	Disabled      bool       `json:"disabled"`
	DisabledAt    *time.Time `json:"disabledAt"`
	CreatedAt     time.Time  `json:"createdAt"`
}

func toAdminUser(u *ent.User) adminUser {
	return adminUser{
		ID: u.ID, Email: u.Email, Username: u.Username, Plan: strings.ToLower(string(u.Plan)),
		PlanExpiresAt: u.PlanExpiresAt, Admin: u.Admin, Disabled: u.DisabledAt != nil,
		DisabledAt: u.DisabledAt, CreatedAt: u.CreatedAt,
	}
}

func (u adminUser) text(w io.Writer) {
	fmt.Fprintf(w, "id:\t%d\n", u.ID)
	fmt.Fprintf(w, "email:\t%s\n", u.Email)
	fmt.Fprintf(w, "username:\t%s\n", u.Username)
	plan := u.Plan
	if u.PlanExpiresAt != nil {
		plan += " until " + fmtTime(u.PlanExpiresAt)
	}
	fmt.Fprintf(w, "plan:\t%s\n", plan)
	fmt.Fprintf(w, "admin:\t%s\n", yesNo(u.Admin))
	disabled := "no"
	if u.DisabledAt != nil {
		disabled = "since " + fmtTime(u.DisabledAt)
	}
	fmt.Fprintf(w, "disabled:\t%s\n", disabled)
	fmt.Fprintf(w, "created:\t%s\n", fmtTime(&u.CreatedAt))
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// fmtTime is t in UTC to the second, or "-" for none.
func fmtTime(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

// parseDate reads an RFC 3339 time or a date (YYYY-MM-DD, midnight UTC).
func parseDate(flagName, s string) (*time.Time, error) {
	if s == "" {
		return nil, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return &t, nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return nil, fmt.Errorf("--%s: want a date (2006-01-02) or an RFC 3339 time, got %q", flagName, s)
	}
	return &t, nil
}

// maxUserPage caps user list --limit.
const maxUserPage = 10_000

func userList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newAdminFlags("user list", stderr)
	limit := f.fs.Int("limit", 100, fmt.Sprintf("users per page, 1 to %d", maxUserPage))
	offset := f.fs.Int("offset", 0, "skip this many users (by id)")
	afterID := f.fs.Int("after-id", 0, "list users with an id above this one (faster than --offset on big installs)")
	if err := f.parse(args); err != nil {
		return err
	}
	if *limit < 1 || *limit > maxUserPage {
		return fmt.Errorf("--limit must be 1 to %d", maxUserPage)
	}
	if *offset < 0 || *afterID < 0 {
		return errors.New("--offset and --after-id must not be negative")
	}
	if *offset > 0 && *afterID > 0 {
		return errors.New("--offset and --after-id do not go together")
	}
	sys, client, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer client.Close()
	q := client.User.Query().Order(ent.Asc(user.FieldID)).Limit(*limit + 1)
	if *afterID > 0 {
		q = q.Where(user.IDGT(*afterID))
	}
	if *offset > 0 {
		q = q.Offset(*offset)
	}
	us, err := q.All(sys)
	if err != nil {
		return err
	}
	more := len(us) > *limit
	if more {
		us = us[:*limit]
	}
	ids := make([]int, len(us))
	for i, u := range us {
		ids[i] = u.ID
	}
	links, err := countByOwner(sys, client, ids)
	if err != nil {
		return err
	}
	type row struct {
		adminUser
		Links int `json:"links"`
	}
	out := struct {
		Users []row `json:"users"`
		// NextAfterID is the --after-id of the next page; absent on the last.
		NextAfterID int `json:"nextAfterId,omitempty"`
	}{Users: make([]row, len(us))}
	for i, u := range us {
		out.Users[i] = row{toAdminUser(u), links[u.ID]}
	}
	if more {
		out.NextAfterID = us[len(us)-1].ID
	}
	return f.print(stdout, out, func(w io.Writer) {
		fmt.Fprintln(w, "ID\tEMAIL\tUSERNAME\tPLAN\tADMIN\tDISABLED\tCREATED\tLINKS")
		for _, r := range out.Users {
			fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%d\n", r.ID, r.Email, r.Username, r.Plan,
				yesNo(r.Admin), yesNo(r.Disabled), fmtTime(&r.CreatedAt), r.Links)
		}
		if more {
			fmt.Fprintf(w, "(more: --after-id %d)\n", out.NextAfterID)
		}
	})
}

// countByOwner counts the links of each of ids in one grouped query.
func countByOwner(ctx context.Context, client *ent.Client, ids []int) (map[int]int, error) {
	counts := map[int]int{}
	if len(ids) == 0 {
		return counts, nil
	}
	var rows []struct {
		OwnerID int `json:"owner_id"`
		Count   int `json:"count"`
	}
	if err := client.Link.Query().Where(link.OwnerIDIn(ids...)).
		GroupBy(link.FieldOwnerID).Aggregate(ent.Count()).Scan(ctx, &rows); err != nil {
		return nil, fmt.Errorf("count links: %w", err)
	}
	for _, r := range rows {
		counts[r.OwnerID] = r.Count
	}
	return counts, nil
}

// userPick holds the flags that pick one user: --id, and --email and
// --username where addUserPick's byName is true.
type userPick struct {
	id              *int
	email, username *string
}

func addUserPick(f adminFlags, byName bool) userPick {
	p := userPick{id: f.fs.Int("id", 0, "the user's id")}
	if byName {
		p.email = f.fs.String("email", "", "the user's email address")
		p.username = f.fs.String("username", "", "the user's username")
	}
	return p
}

// find loads the user p names; exactly one of its flags must be given.
func (p userPick) find(ctx context.Context, client *ent.Client) (*ent.User, error) {
	var preds []func(*ent.UserQuery) *ent.UserQuery
	if *p.id != 0 {
		preds = append(preds, func(q *ent.UserQuery) *ent.UserQuery { return q.Where(user.ID(*p.id)) })
	}
	if p.email != nil && *p.email != "" {
		e := strings.ToLower(strings.TrimSpace(*p.email))
		preds = append(preds, func(q *ent.UserQuery) *ent.UserQuery { return q.Where(user.Email(e)) })
	}
	if p.username != nil && *p.username != "" {
		preds = append(preds, func(q *ent.UserQuery) *ent.UserQuery { return q.Where(user.UsernameEqualFold(*p.username)) })
	}
	switch {
	case len(preds) == 0 && p.email == nil:
		return nil, errors.New("--id is required")
	case len(preds) == 0:
		return nil, errors.New("pass one of --id, --email, --username")
	case len(preds) > 1:
		return nil, errors.New("pass only one of --id, --email, --username")
	}
	u, err := preds[0](client.User.Query()).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, fmt.Errorf("no such user")
	}
	return u, err
}

func userShow(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newAdminFlags("user show", stderr)
	pick := addUserPick(f, true)
	if err := f.parse(args); err != nil {
		return err
	}
	sys, client, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer client.Close()
	u, err := pick.find(sys, client)
	if err != nil {
		return err
	}
	now := time.Now()
	var out struct {
		adminUser
		Links      int `json:"links"`
		QRCodes    int `json:"qrCodes"`
		Domains    int `json:"domains"`
		ActiveKeys int `json:"activeKeys"`
	}
	out.adminUser = toAdminUser(u)
	for _, c := range []struct {
		n     *int
		count func() (int, error)
	}{
		{&out.Links, func() (int, error) { return client.Link.Query().Where(link.OwnerID(u.ID)).Count(sys) }},
		{&out.QRCodes, func() (int, error) { return client.QRCode.Query().Where(qrcode.OwnerID(u.ID)).Count(sys) }},
		{&out.Domains, func() (int, error) { return client.Domain.Query().Where(domain.OwnerID(u.ID)).Count(sys) }},
		{&out.ActiveKeys, func() (int, error) {
			return client.APIKey.Query().Where(apikey.OwnerID(u.ID), apikey.RevokedAtIsNil(),
				apikey.Or(apikey.ExpiresAtIsNil(), apikey.ExpiresAtGT(now))).Count(sys)
		}},
	} {
		if *c.n, err = c.count(); err != nil {
			return err
		}
	}
	return f.print(stdout, out, func(w io.Writer) {
		out.adminUser.text(w)
		fmt.Fprintf(w, "links:\t%d\n", out.Links)
		fmt.Fprintf(w, "QR codes:\t%d\n", out.QRCodes)
		fmt.Fprintf(w, "domains:\t%d\n", out.Domains)
		fmt.Fprintf(w, "active keys:\t%d\n", out.ActiveKeys)
	})
}

// userSetDisabled disables (keeping the first time it was disabled) or
// enables a user.
func userSetDisabled(ctx context.Context, args []string, stdout, stderr io.Writer, disable bool) error {
	name := "user enable"
	if disable {
		name = "user disable"
	}
	f := newAdminFlags(name, stderr)
	pick := addUserPick(f, false)
	if err := f.parse(args); err != nil {
		return err
	}
	sys, client, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer client.Close()
	u, err := pick.find(sys, client)
	if err != nil {
		return err
	}
	switch {
	case disable && u.DisabledAt == nil:
		u, err = client.User.UpdateOne(u).SetDisabledAt(time.Now()).Save(sys)
	case !disable && u.DisabledAt != nil:
		u, err = client.User.UpdateOne(u).ClearDisabledAt().Save(sys)
	}
	if err != nil {
		return err
	}
	out := toAdminUser(u)
	return f.print(stdout, out, out.text)
}

func userSetPlan(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newAdminFlags("user set-plan", stderr)
	pick := addUserPick(f, false)
	plan := f.fs.String("plan", "", "free or pro (required)")
	expires := f.fs.String("expires", "", "when a pro plan falls back to free: 2006-01-02 or an RFC 3339 time (default: never)")
	if err := f.parse(args); err != nil {
		return err
	}
	p := user.Plan(strings.ToUpper(*plan))
	if err := user.PlanValidator(p); err != nil {
		return fmt.Errorf("--plan must be free or pro, got %q", *plan)
	}
	until, err := parseDate("expires", *expires)
	if err != nil {
		return err
	}
	if until != nil && p == user.PlanFREE {
		return errors.New("--expires is for a pro plan")
	}
	if until != nil && !until.After(time.Now()) {
		return errors.New("--expires must be in the future")
	}
	sys, client, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer client.Close()
	u, err := pick.find(sys, client)
	if err != nil {
		return err
	}
	upd := client.User.UpdateOne(u).SetPlan(p)
	if until != nil {
		upd.SetPlanExpiresAt(*until)
	} else {
		upd.ClearPlanExpiresAt()
	}
	if u, err = upd.Save(sys); err != nil {
		return err
	}
	out := toAdminUser(u)
	return f.print(stdout, out, out.text)
}

func userSetAdmin(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newAdminFlags("user set-admin", stderr)
	pick := addUserPick(f, false)
	admin := f.fs.Bool("admin", false, "--admin=true or --admin=false (required)")
	if err := f.parse(args); err != nil {
		return err
	}
	if !f.set("admin") {
		return errors.New("--admin=true or --admin=false is required")
	}
	sys, client, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer client.Close()
	u, err := pick.find(sys, client)
	if err != nil {
		return err
	}
	if u, err = client.User.UpdateOne(u).SetAdmin(*admin).Save(sys); err != nil {
		return err
	}
	out := toAdminUser(u)
	return f.print(stdout, out, out.text)
}

// deletedRows counts what user delete removed, by table.
type deletedRows struct {
	Clicks       int `json:"clicks"`
	ChannelItems int `json:"channelItems"`
	Links        int `json:"links"`
	QRCodes      int `json:"qrCodes"`
	Campaigns    int `json:"campaigns"`
	Channels     int `json:"channels"`
	Domains      int `json:"domains"`
	SplashPages  int `json:"splashPages"`
	CTAOverlays  int `json:"ctaOverlays"`
	BioPages     int `json:"bioPages"`
	Pixels       int `json:"pixels"`
	APIKeys      int `json:"apiKeys"`
}

func userDelete(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newAdminFlags("user delete", stderr)
	pick := addUserPick(f, false)
	yes := f.fs.Bool("yes", false, "really delete the user and everything they own")
	if err := f.parse(args); err != nil {
		return err
	}
	if *pick.id == 0 {
		return errors.New("--id is required")
	}
	if !*yes {
		return fmt.Errorf("user delete removes user %d and every link, QR code, domain, page, key and click they own: pass --yes to do it", *pick.id)
	}
	sys, client, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer client.Close()
	u, err := pick.find(sys, client)
	if err != nil {
		return err
	}
	var n deletedRows
	err = store.WithTx(sys, client, func(tx *ent.Client) error {
		return deleteUser(sys, tx, u.ID, &n)
	})
	if err != nil {
		return fmt.Errorf("delete user %d: %w", u.ID, err)
	}
	out := struct {
		ID       int         `json:"id"`
		Username string      `json:"username"`
		Deleted  deletedRows `json:"deleted"`
	}{u.ID, u.Username, n}
	return f.print(stdout, out, func(w io.Writer) {
		fmt.Fprintf(w, "deleted user %d (%s) and:\n", u.ID, u.Username)
		for _, r := range []struct {
			name string
			n    int
		}{
			{"links", n.Links}, {"QR codes", n.QRCodes}, {"clicks", n.Clicks}, {"domains", n.Domains},
			{"campaigns", n.Campaigns}, {"channels", n.Channels}, {"channel items", n.ChannelItems},
			{"splash pages", n.SplashPages}, {"CTA overlays", n.CTAOverlays}, {"bio pages", n.BioPages},
			{"pixels", n.Pixels}, {"API keys", n.APIKeys},
		} {
			fmt.Fprintf(w, "  %s:\t%d\n", r.name, r.n)
		}
	})
}

// deleteUser deletes user id and every row it owns, in an order no foreign
// key objects to: the schema declares no cascade from users (every owner_id
// is NO ACTION), so each table is emptied of the user's rows explicitly,
// the rows that point at others first. Another account's rows that point
// at this user's (a channel item listing its link, a link in its campaign)
// are set to NULL by their foreign keys' ON DELETE SET NULL.
func deleteUser(ctx context.Context, tx *ent.Client, id int, n *deletedRows) error {
	steps := []struct {
		n   *int
		del func() (int, error)
	}{
		// Clicks and channel items point at links, QR codes, channels and bio pages.
		{&n.Clicks, func() (int, error) { return tx.Click.Delete().Where(click.OwnerID(id)).Exec(ctx) }},
		{&n.ChannelItems, func() (int, error) { return tx.ChannelItem.Delete().Where(channelitem.OwnerID(id)).Exec(ctx) }},
		// Links point at domains, campaigns, splash pages and overlays; the
		// link_pixels rows of the user's links and pixels go first (their
		// foreign keys cascade too, but say it).
		{new(int), func() (int, error) { return tx.Link.Update().Where(link.OwnerID(id)).ClearPixels().Save(ctx) }},
		{new(int), func() (int, error) { return tx.Pixel.Update().Where(pixel.OwnerID(id)).ClearLinks().Save(ctx) }},
		{&n.Links, func() (int, error) { return tx.Link.Delete().Where(link.OwnerID(id)).Exec(ctx) }},
		{&n.QRCodes, func() (int, error) { return tx.QRCode.Delete().Where(qrcode.OwnerID(id)).Exec(ctx) }},
		{&n.Campaigns, func() (int, error) { return tx.Campaign.Delete().Where(campaign.OwnerID(id)).Exec(ctx) }},
		{&n.Channels, func() (int, error) { return tx.Channel.Delete().Where(channel.OwnerID(id)).Exec(ctx) }},
		{&n.Domains, func() (int, error) { return tx.Domain.Delete().Where(domain.OwnerID(id)).Exec(ctx) }},
		{&n.SplashPages, func() (int, error) { return tx.SplashPage.Delete().Where(splashpage.OwnerID(id)).Exec(ctx) }},
		{&n.CTAOverlays, func() (int, error) { return tx.CTAOverlay.Delete().Where(ctaoverlay.OwnerID(id)).Exec(ctx) }},
		{&n.BioPages, func() (int, error) { return tx.BioPage.Delete().Where(biopage.OwnerID(id)).Exec(ctx) }},
		{&n.Pixels, func() (int, error) { return tx.Pixel.Delete().Where(pixel.OwnerID(id)).Exec(ctx) }},
		{&n.APIKeys, func() (int, error) { return tx.APIKey.Delete().Where(apikey.OwnerID(id)).Exec(ctx) }},
		{new(int), func() (int, error) { return tx.User.Delete().Where(user.ID(id)).Exec(ctx) }},
	}
	for _, s := range steps {
		c, err := s.del()
		if err != nil {
			return err
		}
		*s.n = c
	}
	return nil
}

// adminKey is an API key as the admin CLI shows it: never the key or its hash.
type adminKey struct {
	ID         int        `json:"id"`
	UserID     int        `json:"userId"`
	Prefix     string     `json:"prefix"`
	Name       string     `json:"name"`
	CreatedAt  time.Time  `json:"createdAt"`
	ExpiresAt  *time.Time `json:"expiresAt"`
	RevokedAt  *time.Time `json:"revokedAt"`
	LastUsedAt *time.Time `json:"lastUsedAt"`
}

func toAdminKey(k *ent.APIKey) adminKey {
	return adminKey{ID: k.ID, UserID: k.OwnerID, Prefix: k.Prefix, Name: k.Name, CreatedAt: k.CreatedAt,
		ExpiresAt: k.ExpiresAt, RevokedAt: k.RevokedAt, LastUsedAt: k.LastUsedAt}
}

func (k adminKey) text(w io.Writer) {
	fmt.Fprintf(w, "id:\t%d\n", k.ID)
	fmt.Fprintf(w, "user:\t%d\n", k.UserID)
	fmt.Fprintf(w, "prefix:\t%s\n", k.Prefix)
	fmt.Fprintf(w, "name:\t%s\n", k.Name)
	fmt.Fprintf(w, "created:\t%s\n", fmtTime(&k.CreatedAt))
	fmt.Fprintf(w, "expires:\t%s\n", fmtTime(k.ExpiresAt))
	fmt.Fprintf(w, "revoked:\t%s\n", fmtTime(k.RevokedAt))
}

func keyList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newAdminFlags("key list", stderr)
	userID := f.fs.Int("user", 0, "the user's id (required)")
	if err := f.parse(args); err != nil {
		return err
	}
	if *userID == 0 {
		return errors.New("--user is required")
	}
	sys, client, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer client.Close()
	if ok, err := client.User.Query().Where(user.ID(*userID)).Exist(sys); err != nil {
		return err
	} else if !ok {
		return fmt.Errorf("no user %d", *userID)
	}
	ks, err := client.APIKey.Query().Where(apikey.OwnerID(*userID)).Order(ent.Asc(apikey.FieldID)).All(sys)
	if err != nil {
		return err
	}
	out := struct {
		Keys []adminKey `json:"keys"`
	}{Keys: make([]adminKey, len(ks))}
	for i, k := range ks {
		out.Keys[i] = toAdminKey(k)
	}
	return f.print(stdout, out, func(w io.Writer) {
		fmt.Fprintln(w, "ID\tPREFIX\tNAME\tCREATED\tEXPIRES\tREVOKED")
		for _, k := range out.Keys {
			fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\n", k.ID, k.Prefix, k.Name, fmtTime(&k.CreatedAt), fmtTime(k.ExpiresAt), fmtTime(k.RevokedAt))
		}
	})
}

func keyCreate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newAdminFlags("key create", stderr)
	userID := f.fs.Int("user", 0, "the user's id (required)")
	name := f.fs.String("name", "default", "the key's name, up to 100 characters")
	expires := f.fs.String("expires", "", "when the key stops working: 2006-01-02 or an RFC 3339 time (default: never)")
	if err := f.parse(args); err != nil {
		return err
	}
	if *userID == 0 {
		return errors.New("--user is required")
	}
	until, err := parseDate("expires", *expires)
	if err != nil {
		return err
	}
	sys, client, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer client.Close()
	u, err := client.User.Get(sys, *userID)
	if ent.IsNotFound(err) {
		return fmt.Errorf("no user %d", *userID)
	} else if err != nil {
		return err
	}
	// The key is the user's own: issue it as the user would, under the
	// same cap of active keys (account.MaxActiveKeys).
	vctx := auth.WithViewer(ctx, &auth.Viewer{UserID: u.ID, Username: u.Username, Plan: string(u.Plan)})
	key, row, err := account.IssueKey(vctx, client, store.DialectOf(*f.db), *name, until, time.Now())
	if err != nil {
		return err
	}
	out := struct {
		adminKey
		APIKey string `json:"apiKey"`
	}{toAdminKey(row), key}
	return f.print(stdout, out, func(w io.Writer) {
		out.adminKey.text(w)
		fmt.Fprintf(w, "key:\t%s\n", key)
		fmt.Fprintln(w, "(the key is shown only now)")
		if u.DisabledAt != nil {
			fmt.Fprintln(w, "(the user is disabled: the key works once they are enabled)")
		}
	})
}

func keyRevoke(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newAdminFlags("key revoke", stderr)
	id := f.fs.Int("id", 0, "the key's id (required; key list shows it)")
	if err := f.parse(args); err != nil {
		return err
	}
	if *id == 0 {
		return errors.New("--id is required")
	}
	sys, client, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer client.Close()
	if ok, err := client.APIKey.Query().Where(apikey.ID(*id)).Exist(sys); err != nil {
		return err
	} else if !ok {
		return fmt.Errorf("no API key %d", *id)
	}
	k, err := account.Revoke(sys, client, *id, time.Now())
	if err != nil {
		return err
	}
	out := toAdminKey(k)
	return f.print(stdout, out, out.text)
}

func domainList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newAdminFlags("domain list", stderr)
	userID := f.fs.Int("user", 0, "only this user's domains")
	if err := f.parse(args); err != nil {
		return err
	}
	sys, client, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer client.Close()
	q := client.Domain.Query().WithOwner(func(q *ent.UserQuery) { q.Select(user.FieldUsername) }).
		Order(ent.Asc(domain.FieldID))
	if *userID != 0 {
		if ok, err := client.User.Query().Where(user.ID(*userID)).Exist(sys); err != nil {
			return err
		} else if !ok {
			return fmt.Errorf("no user %d", *userID)
		}
		q = q.Where(domain.OwnerID(*userID))
	}
	ds, err := q.All(sys)
	if err != nil {
		return err
	}
	type row struct {
		ID         int        `json:"id"`
		Host       string     `json:"host"`
		UserID     int        `json:"userId"`
		Username   string     `json:"username"`
		Verified   bool       `json:"verified"`
		VerifiedAt *time.Time `json:"verifiedAt"`
		CreatedAt  time.Time  `json:"createdAt"`
	}
	out := struct {
		Domains []row `json:"domains"`
	}{Domains: make([]row, len(ds))}
	for i, d := range ds {
		r := row{ID: d.ID, Host: d.Host, UserID: d.OwnerID, Verified: d.VerifiedAt != nil, VerifiedAt: d.VerifiedAt, CreatedAt: d.CreatedAt}
		if d.Edges.Owner != nil {
			r.Username = d.Edges.Owner.Username
		}
		out.Domains[i] = r
	}
	return f.print(stdout, out, func(w io.Writer) {
		fmt.Fprintln(w, "ID\tHOST\tOWNER\tVERIFIED\tCREATED")
		for _, r := range out.Domains {
			fmt.Fprintf(w, "%d\t%s\t%d (%s)\t%s\t%s\n", r.ID, r.Host, r.UserID, r.Username, yesNo(r.Verified), fmtTime(&r.CreatedAt))
		}
	})
}
