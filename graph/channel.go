package graph

import (
	"context"
	"regexp"

	"shortener/ent"
	"shortener/ent/channelitem"
	"shortener/graph/model"
	"shortener/internal/apperr"
	"shortener/internal/shortlink"
	"shortener/internal/store"
)

var colorRE = regexp.MustCompile(`^#[0-9A-Fa-f]{6}$`)

// checkColor checks the color of a channel or a CTA overlay.
func checkColor(c *string) error {
	if c != nil && !colorRE.MatchString(*c) {
		return apperr.InvalidField("color", "color must be a hex colour such as #FF0000")
	}
	return nil
}

// DeleteChannel deletes a channel; its items are unassigned, not deleted.
func (r *Resolver) DeleteChannel(ctx context.Context, id int) error {
	return store.WithTx(ctx, r.Client, func(tx *ent.Client) error {
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
