package shortlink

import (
	"context"

	"shortener/ent"
	entlink "shortener/ent/link"
)

// CreateOnce is Create made idempotent, as the older generations of the API
// shortened: when s has no custom alias, no password and no targeting, and
// the viewer already has a link to the same long URL on the same domain with
// no password, no expiry and no targeting (and the same redirect type, when s names
// one), that link is returned (created false) instead of a new one.
// Concurrent calls may still create two links; the older API did too.
func (w *Writer) CreateOnce(ctx context.Context, s *Spec) (l *ent.Link, created bool, err error) {
	if s.URL == nil || s.ExpiresAt != nil || (s.Alias != nil && *s.Alias != "") || (s.Password != nil && *s.Password != "") ||
		len(s.GeoTargets) > 0 || len(s.DeviceTargets) > 0 || len(s.LanguageTargets) > 0 {
		l, err = w.Create(ctx, s)
		return l, err == nil, err
	}
	if err := w.check(ctx, s, false); err != nil {
		return nil, false, err
	}
	q := w.Client.Link.Query().Where(entlink.LongURL(*s.URL), entlink.ExpiresAtIsNil(),
		entlink.Or(entlink.PasswordHashIsNil(), entlink.PasswordHashEQ("")))
	if s.DomainID == nil || *s.DomainID == 0 {
		q = q.Where(entlink.DomainIDIsNil())
	} else {
		q = q.Where(entlink.DomainID(*s.DomainID))
	}
	if s.RedirectType != nil {
		q = q.Where(entlink.RedirectTypeEQ(*s.RedirectType))
	}
	// The newest few candidates; targeting is JSON, checked here.
	cands, err := q.Order(ent.Desc(entlink.FieldID)).Limit(20).All(ctx)
	if err != nil {
		return nil, false, err
	}
	for _, c := range cands {
		if len(c.GeoTargets) == 0 && len(c.DeviceTargets) == 0 && len(c.LanguageTargets) == 0 {
			return c, false, nil
		}
	}
	l, err = w.Create(ctx, s)
	return l, err == nil, err
}
