package app

import (
	"context"

	"github.com/go-chi/chi/v5"

	"shortener/analytics"
	"shortener/auth"
	"shortener/ent"
	"shortener/ent/link"
	"shortener/ent/qrcode"
)

// startAnalytics sets up click recording and statistics.
// TODO(#4): replace the synchronous sink with the buffered recorder and
// batch writer, and set a.Resolver.Stats.
func (a *App) startAnalytics(ctx context.Context) error {
	a.Clicks = syncSink{client: a.Client}
	return nil
}

// syncSink writes each hit at once. It is the stand-in until the buffered
// recorder of the redirect issue lands: it does wait on the database.
type syncSink struct{ client *ent.Client }

func (s syncSink) Record(h analytics.Hit) {
	ctx := auth.SystemContext(context.Background())
	c := s.client.Click.Create().SetOwnerID(h.OwnerID).SetCreatedAt(h.Time).SetCountry(h.Country).SetBot(h.Bot)
	if h.LinkID != 0 {
		c.SetLinkID(h.LinkID)
	}
	if h.QRCodeID != 0 {
		c.SetQrCodeID(h.QRCodeID)
	}
	if err := c.Exec(ctx); err != nil || h.Bot {
		return
	}
	if h.LinkID != 0 {
		_ = s.client.Link.Update().Where(link.IDEQ(h.LinkID)).AddClicks(1).Exec(ctx)
	}
	if h.QRCodeID != 0 {
		_ = s.client.QRCode.Update().Where(qrcode.IDEQ(h.QRCodeID)).AddScans(1).Exec(ctx)
	}
}

// mountPublic mounts the public visitor routes: GET /{alias} on the base
// host and on branded domains, /r/{slug}, /u/{username}/{slug}-{id} and bio
// pages. TODO(#4): the redirect engine mounts here.
func (a *App) mountPublic(r chi.Router) {}
