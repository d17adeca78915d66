package graph

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"strings"

	"github.com/99designs/gqlgen/graphql"

	"shortener/ent"
	"shortener/ent/campaign"
	"shortener/ent/channelitem"
	"shortener/ent/domain"
	entlink "shortener/ent/link"
	"shortener/ent/qrcode"
	"shortener/ent/schema/schematype"
	"shortener/graph/model"
	"shortener/internal/analytics"
	"shortener/internal/apperr"
	"shortener/internal/auth"
	"shortener/internal/hostname"
	"shortener/internal/shortlink"
)

var (
	colorRE = regexp.MustCompile(`^#[0-9A-Fa-f]{6}$`)
	slugRE  = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$`)
	tagRE   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$`)
)

// ---- domains ----

// domainHost checks a branded domain URL (scheme and host, nothing else) and
// returns its host in normalised form (hostname.Branded): never an IP
// literal or numeric form, localhost, a dot-less name or the base host in
// any form (port, trailing dot, case).
func (r *Resolver) domainHost(raw string) (string, error) {
	if err := shortlink.ValidateURL("domain", raw); err != nil {
		return "", err
	}
	u, _ := url.Parse(raw)
	if strings.Trim(u.Path, "/") != "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", apperr.InvalidField("domain", "domain must be a scheme and host only, such as https://example.com")
	}
	host, err := hostname.Branded(u.Host)
	switch {
	case errors.Is(err, hostname.ErrIP):
		return "", apperr.InvalidField("domain", "domain must be a host name, not an IP address")
	case errors.Is(err, hostname.ErrLocalhost):
		return "", apperr.InvalidField("domain", "domain must not be localhost")
	case errors.Is(err, hostname.ErrNoDot):
		return "", apperr.InvalidField("domain", "domain must be a full host name, such as links.example.com")
	case err != nil:
		return "", apperr.InvalidField("domain", "domain must be a valid host name")
	}
	if host == r.BaseHost() {
		return "", apperr.InvalidField("domain", "domain is the server's own host")
	}
	return host, nil
}

// BaseHost is the base URL's host in normalised form.
func (r *Resolver) BaseHost() string {
	return BaseHost(r.BaseURL)
}

// BaseHost is the host of baseURL in normalised form ("" if it has none).
func BaseHost(baseURL string) string {
	u, err := url.Parse(baseURL)
	if err != nil {
		return ""
	}
	h, _ := hostname.Normalize(u.Host)
	return h
}

func checkDomainRedirects(root, notFound *string) error {
	if root != nil {
		if err := shortlink.ValidateOptionalURL("redirectRoot", *root); err != nil {
			return err
		}
	}
	if notFound != nil {
		return shortlink.ValidateOptionalURL("redirect404", *notFound)
	}
	return nil
}

// CreateDomain adds a branded domain. Errors: Invalid, Conflict (host
// verified by any user, or already claimed by this one; with verification
// off, claimed by anyone). With verification off the domain is verified at
// once; otherwise it serves only after VerifyDomain (or the operator).
func (r *Resolver) CreateDomain(ctx context.Context, in ent.CreateDomainInput) (*ent.Domain, error) {
	host, err := r.domainHost(in.Domain)
	if err != nil {
		return nil, err
	}
	if err := checkDomainRedirects(in.RedirectRoot, in.Redirect404); err != nil {
		return nil, err
	}
	q := r.Client.Domain.Query().Where(domain.HostEQ(host))
	if r.DomainVerification {
		var uid int
		if v := auth.ViewerFrom(ctx); v != nil {
			uid = v.UserID
		}
		q = q.Where(domain.Or(domain.VerifiedAtNotNil(), domain.OwnerIDEQ(uid)))
	}
	taken, err := q.Exist(auth.SystemContext(ctx))
	if err != nil {
		return nil, err
	}
	if taken {
		return nil, domainTaken(host)
	}
	in.Domain = strings.TrimRight(in.Domain, "/")
	c := r.Client.Domain.Create().SetInput(in).SetHost(host)
	if !r.DomainVerification {
		c.SetVerifiedAt(r.now())
	}
	d, err := c.Save(ctx)
	if ent.IsConstraintError(err) {
		return nil, domainTaken(host)
	}
	return d, err
}

func domainTaken(host string) error {
	return &apperr.Error{Code: apperr.Conflict, Message: fmt.Sprintf("domain %s is already registered", host), Field: "domain"}
}

// UpdateDomain changes a domain's redirects. Errors: NotFound, Invalid.
func (r *Resolver) UpdateDomain(ctx context.Context, id int, in ent.UpdateDomainInput) (*ent.Domain, error) {
	if err := checkDomainRedirects(in.RedirectRoot, in.Redirect404); err != nil {
		return nil, err
	}
	return r.Client.Domain.UpdateOneID(id).SetInput(in).Save(ctx)
}

// DeleteDomain deletes a domain and its links. Errors: NotFound.
func (r *Resolver) DeleteDomain(ctx context.Context, id int) error {
	return withTx(ctx, r.Client, func(tx *ent.Client) error {
		if _, err := tx.Domain.Get(ctx, id); err != nil {
			return err
		}
		ids, err := tx.Link.Query().Where(entlink.DomainIDEQ(id)).IDs(ctx)
		if err != nil {
			return err
		}
		if _, err := tx.ChannelItem.Delete().Where(channelitem.LinkIDIn(ids...)).Exec(ctx); err != nil {
			return err
		}
		if _, err := tx.Link.Delete().Where(entlink.IDIn(ids...)).Exec(ctx); err != nil {
			return err
		}
		return tx.Domain.DeleteOneID(id).Exec(ctx)
	})
}

// ---- channels ----

func checkColor(c *string) error {
	if c != nil && !colorRE.MatchString(*c) {
		return apperr.InvalidField("color", "color must be a hex colour such as #FF0000")
	}
	return nil
}

// DeleteChannel deletes a channel; its items are unassigned, not deleted.
func (r *Resolver) DeleteChannel(ctx context.Context, id int) error {
	return withTx(ctx, r.Client, func(tx *ent.Client) error {
		if _, err := tx.Channel.Get(ctx, id); err != nil {
			return err
		}
		if _, err := tx.ChannelItem.Delete().Where(channelitem.ChannelIDEQ(id)).Exec(ctx); err != nil {
			return err
		}
		return tx.Channel.DeleteOneID(id).Exec(ctx)
	})
}

// AssignChannelItem puts one of the viewer's links, bio pages or QR codes in
// one of the viewer's channels; assigning twice returns the same item.
// Errors: Invalid (bad or foreign ids).
func (r *Resolver) AssignChannelItem(ctx context.Context, in model.AssignChannelItemInput) (*ent.ChannelItem, error) {
	chID, err := decodeID("channelId", "Channel", in.ChannelID)
	if err != nil {
		return nil, err
	}
	if ok, err := exists(r.Client.Channel.Get(ctx, chID)); err != nil || !ok {
		return nil, orInvalid(err, "channelId", "channel not found")
	}
	q := r.Client.ChannelItem.Query().Where(channelitem.ChannelIDEQ(chID))
	c := r.Client.ChannelItem.Create().SetChannelID(chID).SetType(in.Type)
	var found bool
	switch in.Type {
	case channelitem.TypeLINK:
		id, err := decodeID("itemId", "Link", in.ItemID)
		if err != nil {
			return nil, err
		}
		found, err = exists(r.Client.Link.Get(ctx, id))
		if err != nil {
			return nil, err
		}
		q, c = q.Where(channelitem.LinkIDEQ(id)), c.SetLinkID(id)
	case channelitem.TypeBIO:
		id, err := decodeID("itemId", "BioPage", in.ItemID)
		if err != nil {
			return nil, err
		}
		found, err = exists(r.Client.BioPage.Get(ctx, id))
		if err != nil {
			return nil, err
		}
		q, c = q.Where(channelitem.BioPageIDEQ(id)), c.SetBioPageID(id)
	case channelitem.TypeQR:
		id, err := decodeID("itemId", "QRCode", in.ItemID)
		if err != nil {
			return nil, err
		}
		found, err = exists(r.Client.QRCode.Get(ctx, id))
		if err != nil {
			return nil, err
		}
		q, c = q.Where(channelitem.QrCodeIDEQ(id)), c.SetQrCodeID(id)
	default:
		return nil, apperr.InvalidField("type", "type must be LINK, BIO or QR")
	}
	if !found {
		return nil, apperr.InvalidField("itemId", "item not found")
	}
	if it, err := q.Only(ctx); err == nil {
		return it, nil
	} else if !ent.IsNotFound(err) {
		return nil, err
	}
	return c.Save(ctx)
}

func exists[T any](_ T, err error) (bool, error) {
	if err == nil {
		return true, nil
	}
	if apperr.CodeOf(err) == apperr.NotFound {
		return false, nil
	}
	return false, err
}

func orInvalid(err error, field, msg string) error {
	if err != nil {
		return err
	}
	return apperr.InvalidField(field, "%s", msg)
}

// channelItemView is what the legacy channel item shows.
type channelItemView struct{ title, preview, url string }

func (r *Resolver) channelItemView(ctx context.Context, it *ent.ChannelItem) (channelItemView, error) {
	switch {
	case it.LinkID != nil:
		l, err := r.itemLink(ctx, it)
		if err != nil {
			return channelItemView{}, err
		}
		short, err := r.ShortURL(ctx, l)
		title := l.Title
		if title == "" {
			title = l.Alias
		}
		return channelItemView{title, l.LongURL, short}, err
	case it.BioPageID != nil:
		b, err := r.itemBioPage(ctx, it)
		if err != nil {
			return channelItemView{}, err
		}
		u := shortlink.BioURL(r.BaseURL, b.Alias)
		return channelItemView{b.Name, u, u}, nil
	case it.QrCodeID != nil:
		q, err := r.itemQRCode(ctx, it)
		if err != nil {
			return channelItemView{}, err
		}
		u := r.qrLink(q)
		return channelItemView{q.Name, u, u}, nil
	}
	return channelItemView{}, nil
}

// loaded returns an edge loaded with the item (lists load them in one
// query) or queries it.
func loaded[T any](ctx context.Context, edge *T, query func(context.Context) (*T, error)) (*T, error) {
	if edge != nil {
		return edge, nil
	}
	return query(ctx)
}

// ---- campaigns ----

func checkSlug(slug *string) error {
	if slug != nil && *slug != "" && !slugRE.MatchString(*slug) {
		return apperr.InvalidField("slug", "slug must be 1-100 letters, digits, '-' or '_'")
	}
	return nil
}

func (r *Resolver) slugTaken(ctx context.Context, slug *string, except int) error {
	if slug == nil || *slug == "" {
		return nil
	}
	taken, err := r.Client.Campaign.Query().Where(campaign.SlugEQ(*slug), campaign.IDNEQ(except)).Exist(auth.SystemContext(ctx))
	if err != nil {
		return err
	}
	if taken {
		return &apperr.Error{Code: apperr.Conflict, Message: fmt.Sprintf("slug %q is already taken", *slug), Field: "slug"}
	}
	return nil
}

// RotatorURL is {base}/r/{slug}, or nil for a campaign without a slug.
func (r *Resolver) RotatorURL(c *ent.Campaign) *string {
	if c.Slug == nil || *c.Slug == "" {
		return nil
	}
	u := shortlink.RotatorURL(r.BaseURL, *c.Slug)
	return &u
}

// ListURL is {base}/u/{username}/{slug}-{id}; "list" stands in for a
// missing slug, as in the legacy API.
func (r *Resolver) ListURL(ctx context.Context, c *ent.Campaign) (string, error) {
	u, err := loaded(auth.SystemContext(ctx), c.Edges.Owner, c.QueryOwner().Only)
	if err != nil {
		return "", err
	}
	return shortlink.ListURL(r.BaseURL, u.Username, c.Slug, c.ID), nil
}

// DeleteCampaign deletes a campaign; its links stay, without a campaign.
func (r *Resolver) DeleteCampaign(ctx context.Context, id int) error {
	return withTx(ctx, r.Client, func(tx *ent.Client) error {
		if _, err := tx.Campaign.Get(ctx, id); err != nil {
			return err
		}
		if _, err := tx.Link.Update().Where(entlink.CampaignIDEQ(id)).ClearCampaignID().Save(ctx); err != nil {
			return err
		}
		return tx.Campaign.DeleteOneID(id).Exec(ctx)
	})
}

// ---- pages ----

func checkBio(alias *string, avatar *string, links []schematype.BioLink) error {
	if alias != nil {
		if err := shortlink.ValidateAlias("alias", *alias); err != nil {
			return err
		}
	}
	if avatar != nil {
		if err := shortlink.ValidateOptionalURL("avatar", *avatar); err != nil {
			return err
		}
	}
	if len(links) > maxTargets {
		return apperr.InvalidField("links", "at most %d links", maxTargets)
	}
	for _, l := range links {
		if strings.TrimSpace(l.Title) == "" || len(l.Title) > 255 {
			return apperr.InvalidField("links", "a bio link needs a title of at most 255 characters")
		}
		if err := shortlink.ValidateURL("links", l.URL); err != nil {
			return err
		}
	}
	return nil
}

// saveBio runs write (a create when id is 0) in a transaction that first
// claims alias on the base host when it is set (claimBaseName).
func (r *Resolver) saveBio(ctx context.Context, id int, alias *string, write func(tx *ent.Client) (*ent.BioPage, error)) (*ent.BioPage, error) {
	var out *ent.BioPage
	err := withTx(ctx, r.Client, func(tx *ent.Client) error {
		if alias != nil {
			if err := r.claimBaseName(ctx, tx, *alias, 0, id); err != nil {
				return err
			}
		}
		var err error
		out, err = write(tx)
		return err
	})
	if alias != nil && (errors.Is(err, errBaseNameTaken) || ent.IsConstraintError(err)) {
		return nil, aliasConflict("alias", *alias)
	}
	if err != nil {
		return nil, err
	}
	return out.Unwrap(), nil
}

// ---- QR codes ----

type uploadFile = graphql.Upload

func (r *Resolver) qrLink(q *ent.QRCode) string { return shortlink.QRURL(r.BaseURL, q.Alias) }

// maxLogoBytes bounds a QR logo, fetched or uploaded.
const maxLogoBytes = 1 << 20

func readUpload(u io.Reader) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(u, maxLogoBytes+1))
	if err != nil {
		return nil, apperr.InvalidField("logo", "could not read the uploaded logo")
	}
	if len(b) > maxLogoBytes {
		return nil, apperr.InvalidField("logo", "logo is larger than 1 MiB")
	}
	return b, nil
}

// checkQRData validates a payload for its type; without QR hooks only the
// basic shapes are checked.
func (r *Resolver) checkQRData(typ qrcode.Type, data any) (any, error) {
	if r.QR != nil {
		stored, err := r.QR.Validate(string(typ), data)
		if err != nil {
			return nil, err
		}
		// A dynamic code aimed at a QR route of this server would redirect
		// to itself (or chain), counting a scan per hop.
		if s, ok := stored.(string); ok && typ == qrcode.TypeLINK &&
			strings.HasPrefix(strings.ToLower(s), strings.ToLower(shortlink.QRURL(r.BaseURL, ""))) {
			return nil, apperr.InvalidField("data", "data must not be a QR code URL of this server")
		}
		return stored, nil
	}
	s, ok := data.(string)
	switch {
	case typ == qrcode.TypeLINK:
		if !ok {
			return nil, apperr.InvalidField("data", "data of a link QR code is a URL string")
		}
		return s, shortlink.ValidateURL("data", s)
	case ok && strings.TrimSpace(s) == "":
		return nil, apperr.InvalidField("data", "data is required")
	}
	return data, nil
}

func (r *Resolver) checkQRColors(fg, bg string) error {
	if r.QR == nil {
		return nil
	}
	return r.QR.CheckColors(fg, bg)
}

// Default QR colours, as the schema defaults them.
const (
	defaultQRForeground = "rgb(0,0,0)"
	defaultQRBackground = "rgb(255,255,255)"
)

// CreateQRCode creates a QR code for the viewer. Everything is checked
// before anything is written: the payload for its type, the colours, then
// the logo (an upload, or logoUrl fetched once through the guarded client).
// Errors: Invalid on data, type, foreground, background, logo or logoUrl.
func (r *Resolver) CreateQRCode(ctx context.Context, in model.CreateQRCodeInput) (*ent.QRCode, error) {
	data, err := r.checkQRData(in.Type, in.Data)
	if err != nil {
		return nil, err
	}
	fg, bg := defaultQRForeground, defaultQRBackground
	if in.Foreground != nil {
		fg = *in.Foreground
	}
	if in.Background != nil {
		bg = *in.Background
	}
	if err := r.checkQRColors(fg, bg); err != nil {
		return nil, err
	}
	hasURL := in.LogoURL != nil && *in.LogoURL != ""
	if in.Logo != nil && hasURL {
		return nil, apperr.InvalidField("logo", "send either logo or logoUrl, not both")
	}
	logo, err := r.qrLogo(ctx, in.LogoURL, in.Logo)
	if err != nil {
		return nil, err
	}
	c := r.Client.QRCode.Create().SetType(in.Type).SetData(data).SetNillableName(in.Name).
		SetForeground(fg).SetBackground(bg)
	if logo != nil {
		c.SetLogoImage(logo)
		if hasURL {
			c.SetLogo(*in.LogoURL)
		}
	}
	for attempt := 0; ; attempt++ {
		q, err := c.SetAlias(shortlink.NewAlias(aliasLength)).Save(ctx)
		if err == nil || !ent.IsConstraintError(err) || attempt >= 5 {
			return q, err
		}
	}
}

// qrLogo returns the checked bytes of an uploaded logo or of the one at
// logoURL, or nil when neither is given.
func (r *Resolver) qrLogo(ctx context.Context, logoURL *string, upload *uploadFile) ([]byte, error) {
	switch {
	case upload != nil:
		b, err := readUpload(upload.File)
		if err != nil {
			return nil, err
		}
		if r.QR != nil {
			return r.QR.CheckLogo(b)
		}
		return b, nil
	case logoURL != nil && *logoURL != "":
		if err := shortlink.ValidateURL("logoUrl", *logoURL); err != nil {
			return nil, err
		}
		if r.QR == nil {
			return nil, apperr.InvalidField("logoUrl", "logo URLs are not supported by this server")
		}
		return r.QR.FetchLogo(ctx, *logoURL)
	}
	return nil, nil
}

// UpdateQRCode changes one of the viewer's QR codes; its alias (and so its
// image URL and, for a LINK code, the tracking URL the image encodes)
// stays, so new data for a LINK code changes where the printed image leads.
// A logoUrl of "" or clearLogo removes the logo. The type cannot change.
// Errors: NotFound; Invalid as CreateQRCode, and on clearLogo combined with
// a new logo.
func (r *Resolver) UpdateQRCode(ctx context.Context, id int, in model.UpdateQRCodeInput) (*ent.QRCode, error) {
	cur, err := r.Client.QRCode.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	u := r.Client.QRCode.UpdateOne(cur).SetNillableName(in.Name)
	if in.Data != nil {
		data, err := r.checkQRData(cur.Type, in.Data)
		if err != nil {
			return nil, err
		}
		u.SetData(data)
	}
	fg, bg := cur.Foreground, cur.Background
	if in.Foreground != nil {
		fg = *in.Foreground
	}
	if in.Background != nil {
		bg = *in.Background
	}
	if err := r.checkQRColors(fg, bg); err != nil {
		return nil, err
	}
	u.SetForeground(fg).SetBackground(bg)
	clear := in.ClearLogo != nil && *in.ClearLogo
	hasURL := in.LogoURL != nil && *in.LogoURL != ""
	switch {
	case clear && (in.Logo != nil || hasURL):
		return nil, apperr.InvalidField("clearLogo", "clearLogo cannot be combined with a new logo")
	case in.Logo != nil && hasURL:
		return nil, apperr.InvalidField("logo", "send either logo or logoUrl, not both")
	}
	logo, err := r.qrLogo(ctx, in.LogoURL, in.Logo)
	if err != nil {
		return nil, err
	}
	switch {
	case logo != nil:
		u.SetLogoImage(logo).SetLogo("")
		if hasURL {
			u.SetLogo(*in.LogoURL)
		}
	case clear || (in.LogoURL != nil && *in.LogoURL == ""):
		u.ClearLogoImage().SetLogo("")
	}
	return u.Save(ctx)
}

// DeleteQRCode deletes a QR code and its channel memberships.
func (r *Resolver) DeleteQRCode(ctx context.Context, id int) error {
	return withTx(ctx, r.Client, func(tx *ent.Client) error {
		if _, err := tx.QRCode.Get(ctx, id); err != nil {
			return err
		}
		if _, err := tx.ChannelItem.Delete().Where(channelitem.QrCodeIDEQ(id)).Exec(ctx); err != nil {
			return err
		}
		return tx.QRCode.DeleteOneID(id).Exec(ctx)
	})
}

// ---- statistics ----

func (r *Resolver) stats(ctx context.Context, s analytics.Scope) (*analytics.Stats, error) {
	if r.Stats == nil {
		return nil, apperr.Errorf(apperr.Internal, "statistics are not available")
	}
	return r.Stats.Totals(ctx, s)
}

// DeleteSplashPage deletes a splash page; links that used it go direct.
func (r *Resolver) DeleteSplashPage(ctx context.Context, id int) error {
	return withTx(ctx, r.Client, func(tx *ent.Client) error {
		if _, err := tx.SplashPage.Get(ctx, id); err != nil {
			return err
		}
		if _, err := tx.Link.Update().Where(entlink.SplashPageIDEQ(id)).ClearSplashPageID().
			SetRedirectType(entlink.RedirectTypeDIRECT).Save(ctx); err != nil {
			return err
		}
		return tx.SplashPage.DeleteOneID(id).Exec(ctx)
	})
}

// DeleteCTAOverlay deletes an overlay; links that used it go direct.
func (r *Resolver) DeleteCTAOverlay(ctx context.Context, id int) error {
	return withTx(ctx, r.Client, func(tx *ent.Client) error {
		if _, err := tx.CTAOverlay.Get(ctx, id); err != nil {
			return err
		}
		if _, err := tx.Link.Update().Where(entlink.CtaOverlayIDEQ(id)).ClearCtaOverlayID().
			SetRedirectType(entlink.RedirectTypeDIRECT).Save(ctx); err != nil {
			return err
		}
		return tx.CTAOverlay.DeleteOneID(id).Exec(ctx)
	})
}

// DeleteBioPage deletes a bio page and its channel memberships.
func (r *Resolver) DeleteBioPage(ctx context.Context, id int) error {
	return withTx(ctx, r.Client, func(tx *ent.Client) error {
		if _, err := tx.BioPage.Get(ctx, id); err != nil {
			return err
		}
		if _, err := tx.ChannelItem.Delete().Where(channelitem.BioPageIDEQ(id)).Exec(ctx); err != nil {
			return err
		}
		return tx.BioPage.DeleteOneID(id).Exec(ctx)
	})
}
