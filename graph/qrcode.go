package graph

import (
	"context"
	"io"
	"strings"

	"github.com/99designs/gqlgen/graphql"

	"shortener/ent"
	"shortener/ent/channelitem"
	"shortener/ent/qrcode"
	"shortener/graph/model"
	"shortener/internal/apperr"
	"shortener/internal/qr"
	"shortener/internal/shortlink"
	"shortener/internal/store"
)

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

// checkQRData validates a payload for its type and returns its stored form.
func (r *Resolver) checkQRData(typ qrcode.Type, data any) (any, error) {
	stored, err := qr.Validate(string(typ), data)
	if err != nil {
		return nil, err
	}
	// A dynamic code aimed at a QR route of this server would redirect to
	// itself (or chain), counting a scan per hop.
	if s, ok := stored.(string); ok && typ == qrcode.TypeLINK &&
		strings.HasPrefix(strings.ToLower(s), strings.ToLower(shortlink.QRURL(r.BaseURL, ""))) {
		return nil, apperr.InvalidField("data", "data must not be a QR code URL of this server")
	}
	return stored, nil
}

// qrColors is the colour pair a QR code gets: fg and bg where given, else
// the current (or default) ones, checked for contrast.
func qrColors(fg, bg *string, curFg, curBg string) (string, string, error) {
	f, b := curFg, curBg
	if fg != nil {
		f = *fg
	}
	if bg != nil {
		b = *bg
	}
	return f, b, qr.CheckColors(f, b)
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
	fg, bg, err := qrColors(in.Foreground, in.Background, defaultQRForeground, defaultQRBackground)
	if err != nil {
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
		q, err := c.SetAlias(shortlink.NewAlias(shortlink.AliasLength)).Save(ctx)
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
		return qr.CheckLogo(b)
	case logoURL != nil && *logoURL != "":
		if err := shortlink.ValidateURL("logoUrl", *logoURL); err != nil {
			return nil, err
		}
		return r.FetchLogo(ctx, *logoURL)
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
	fg, bg, err := qrColors(in.Foreground, in.Background, cur.Foreground, cur.Background)
	if err != nil {
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
	return store.WithTx(ctx, r.Client, func(tx *ent.Client) error {
		if _, err := tx.QRCode.Get(ctx, id); err != nil {
			return err
		}
		if _, err := tx.ChannelItem.Delete().Where(channelitem.QrCodeIDEQ(id)).Exec(ctx); err != nil {
			return err
		}
		return tx.QRCode.DeleteOneID(id).Exec(ctx)
	})
}
