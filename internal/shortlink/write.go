package shortlink

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"shortener/ent"
	"shortener/ent/channelitem"
	"shortener/ent/domain"
	"shortener/ent/pixel"
	"shortener/internal/apperr"
	"shortener/internal/auth"
	"shortener/internal/hostname"
	"shortener/internal/store"
)

// Writer creates, changes and deletes the viewer's links. Ownership is the
// store's (ent privacy): every reference a spec names must be the viewer's.
type Writer struct {
	Client *ent.Client
	// BaseHost is the base URL's host in normalised form (hostname).
	BaseHost string
	// Dialect is the store's SQL dialect (ClaimBaseName).
	Dialect string
}

// AliasConflict is the Conflict error of a taken alias on field.
func AliasConflict(field, alias string) error {
	return &apperr.Error{Code: apperr.Conflict, Message: fmt.Sprintf("alias %q is already taken", alias), Field: field}
}

// Create creates a link for the viewer. Errors: Unauthorized, Invalid (bad
// URL, alias, target or reference), Conflict (alias taken).
func (w *Writer) Create(ctx context.Context, s *Spec) (*ent.Link, error) {
	if s.URL == nil {
		s.URL = new("")
	}
	if err := w.check(ctx, s, false); err != nil {
		return nil, err
	}
	if err := w.checkRefs(ctx, s, nil); err != nil {
		return nil, err
	}
	base := s.DomainID == nil || *s.DomainID == 0
	custom := s.Alias != nil && *s.Alias != ""
	hash, err := hashOf(s.Password)
	if err != nil {
		return nil, err
	}
	for attempt := 0; ; attempt++ {
		alias := NewAlias(AliasLength)
		if custom {
			alias = *s.Alias
		}
		l, err := w.insert(ctx, s, alias, hash, base)
		if err == nil {
			return l, nil
		}
		if !ent.IsConstraintError(err) && !errors.Is(err, ErrBaseNameTaken) {
			return nil, err
		}
		if custom || attempt >= 5 {
			return nil, AliasConflict("custom", alias)
		}
	}
}

// insert stores the link; on the base host it claims its alias first.
func (w *Writer) insert(ctx context.Context, s *Spec, alias, hash string, base bool) (*ent.Link, error) {
	if s.ChannelID == 0 && !base {
		// One INSERT (ent adds its own transaction for pixel edges); the
		// (domain, alias) index keeps branded aliases unique.
		c := w.Client.Link.Create()
		s.apply(c.Mutation(), false, alias, hash)
		return c.Save(ctx)
	}
	var l *ent.Link
	err := store.WithTx(ctx, w.Client, func(tx *ent.Client) error {
		if base {
			if err := ClaimBaseName(ctx, tx, w.Dialect, alias, 0, 0); err != nil {
				return err
			}
		}
		c := tx.Link.Create()
		s.apply(c.Mutation(), false, alias, hash)
		var err error
		if l, err = c.Save(ctx); err != nil {
			return err
		}
		return addChannelItem(ctx, tx, s.ChannelID, l.ID)
	})
	if err != nil {
		return nil, err
	}
	// l was loaded inside the committed transaction: unwrap it so the
	// resolvers of its edges (domain, pixels, channels) query the client.
	return l.Unwrap(), nil
}

// Update changes the viewer's link id. Errors: NotFound, Invalid, Conflict.
func (w *Writer) Update(ctx context.Context, id int, s *Spec) (*ent.Link, error) {
	if err := w.check(ctx, s, true); err != nil {
		return nil, err
	}
	cur, err := w.Client.Link.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := w.checkRefs(ctx, s, cur); err != nil {
		return nil, err
	}
	domainID := 0
	if cur.DomainID != nil {
		domainID = *cur.DomainID
	}
	if s.DomainID != nil {
		domainID = *s.DomainID
	}
	alias := cur.Alias
	if s.Alias != nil && *s.Alias != "" {
		alias = *s.Alias
	}
	// A new name on the base host is claimed in the transaction; on a
	// branded domain the (domain, alias) index refuses a taken one.
	claim := domainID == 0 && (alias != cur.Alias || cur.DomainID != nil)
	hash, err := hashOf(s.Password)
	if err != nil {
		return nil, err
	}
	var out *ent.Link
	err = store.WithTx(ctx, w.Client, func(tx *ent.Client) error {
		if claim {
			if err := ClaimBaseName(ctx, tx, w.Dialect, alias, cur.ID, 0); err != nil {
				return err
			}
		}
		u := tx.Link.UpdateOneID(id)
		s.apply(u.Mutation(), true, alias, hash)
		var err error
		if out, err = u.Save(ctx); err != nil {
			return err
		}
		return addChannelItem(ctx, tx, s.ChannelID, id)
	})
	if ent.IsConstraintError(err) || errors.Is(err, ErrBaseNameTaken) {
		return nil, AliasConflict("custom", alias)
	}
	if err != nil {
		return nil, err
	}
	return out.Unwrap(), nil // loaded in the committed transaction
}

// Delete deletes the viewer's link id with its channel memberships; its
// click rows stay for account statistics. Errors: NotFound.
func (w *Writer) Delete(ctx context.Context, id int) error {
	return store.WithTx(ctx, w.Client, func(tx *ent.Client) error {
		if _, err := tx.Link.Get(ctx, id); err != nil {
			return err
		}
		if _, err := tx.ChannelItem.Delete().Where(channelitem.LinkIDEQ(id)).Exec(ctx); err != nil {
			return err
		}
		return tx.Link.DeleteOneID(id).Exec(ctx)
	})
}

// check resolves the spec's domain URL (on update the base host takes the
// link off its branded domain) and checks the spec's own fields.
func (w *Writer) check(ctx context.Context, s *Spec, update bool) error {
	if s.DomainURL != nil && strings.TrimSpace(*s.DomainURL) != "" {
		id, base, err := w.DomainByURL(ctx, *s.DomainURL)
		if err != nil {
			return err
		}
		switch {
		case !base:
			s.DomainID = &id
		case update:
			s.DomainID = new(0)
		}
	}
	return s.Check()
}

// checkRefs fails with Invalid on the field of a reference that is not an
// object the viewer can see (missing and foreign ids look the same), and
// checks the redirect type against the link cur (nil on create).
func (w *Writer) checkRefs(ctx context.Context, s *Spec, cur *ent.Link) error {
	c := w.Client
	one := func(field string, id *int, get func(int) error) error {
		if id == nil || *id == 0 {
			return nil
		}
		if err := get(*id); err != nil {
			if apperr.CodeOf(err) == apperr.NotFound {
				return apperr.InvalidField(field, "%s refers to an object that does not exist", field)
			}
			return err
		}
		return nil
	}
	domainGet := func(id int) error { _, err := c.Domain.Get(ctx, id); return err }
	if s.DomainURL != nil {
		domainGet = func(int) error { return nil } // found by host just now
	}
	if err := one("domainId", s.DomainID, domainGet); err != nil {
		return err
	}
	if err := one("splashPageId", s.SplashPageID, func(id int) error { _, err := c.SplashPage.Get(ctx, id); return err }); err != nil {
		return err
	}
	if err := one("ctaOverlayId", s.CTAOverlayID, func(id int) error { _, err := c.CTAOverlay.Get(ctx, id); return err }); err != nil {
		return err
	}
	if err := one("campaignId", s.CampaignID, func(id int) error { _, err := c.Campaign.Get(ctx, id); return err }); err != nil {
		return err
	}
	if err := one("channelId", &s.ChannelID, func(id int) error { _, err := c.Channel.Get(ctx, id); return err }); err != nil {
		return err
	}
	if len(s.PixelIDs) > 0 {
		n, err := c.Pixel.Query().Where(pixel.IDIn(s.PixelIDs...)).Count(ctx)
		if err != nil {
			return err
		}
		if n != len(s.PixelIDs) {
			return apperr.InvalidField("pixelIds", "pixelIds refers to an object that does not exist")
		}
	}
	return s.checkRedirectType(cur)
}

// DomainByURL finds the viewer's branded domain given as a URL or a bare
// host (the legacy API's "domain" field); base reports the base host.
// Errors: Invalid on field "domain".
func (w *Writer) DomainByURL(ctx context.Context, s string) (id int, base bool, err error) {
	host := strings.TrimSpace(s)
	if strings.Contains(host, "://") {
		u, perr := url.Parse(host)
		if perr != nil {
			return 0, false, apperr.InvalidField("domain", "domain %q is not a valid URL", s)
		}
		host = u.Host
	}
	host, herr := hostname.Normalize(strings.TrimRight(host, "/"))
	if herr != nil {
		return 0, false, apperr.InvalidField("domain", "domain %q is not one of your branded domains", s)
	}
	if host == w.BaseHost {
		return 0, true, nil
	}
	d, err := w.Client.Domain.Query().Where(domain.HostEQ(host)).Only(ctx)
	if ent.IsNotFound(err) {
		return 0, false, apperr.InvalidField("domain", "domain %q is not one of your branded domains", s)
	}
	if err != nil {
		return 0, false, err
	}
	return d.ID, false, nil
}

// hashOf hashes a password that is set; before any transaction, since
// bcrypt takes tens of milliseconds and a SQLite transaction holds the one
// write connection.
func hashOf(pw *string) (string, error) {
	if pw == nil || *pw == "" {
		return "", nil
	}
	return auth.HashPassword(*pw)
}

// addChannelItem puts a link in a channel (0: none) unless it is there.
func addChannelItem(ctx context.Context, tx *ent.Client, channelID, linkID int) error {
	if channelID == 0 {
		return nil
	}
	n, err := tx.ChannelItem.Query().Where(channelitem.ChannelIDEQ(channelID), channelitem.LinkIDEQ(linkID)).Count(ctx)
	if err != nil || n > 0 {
		return err
	}
	return tx.ChannelItem.Create().SetChannelID(channelID).SetType(channelitem.TypeLINK).SetLinkID(linkID).Exec(ctx)
}
