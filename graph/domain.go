package graph

// Branded domains: the host check, create, update and delete. Ownership
// proof (verifyDomain) is in verify.go.

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"shortener/ent"
	"shortener/ent/channelitem"
	"shortener/ent/domain"
	entlink "shortener/ent/link"
	"shortener/internal/apperr"
	"shortener/internal/auth"
	"shortener/internal/hostname"
	"shortener/internal/shortlink"
	"shortener/internal/store"
)

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
	return store.WithTx(ctx, r.Client, func(tx *ent.Client) error {
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
