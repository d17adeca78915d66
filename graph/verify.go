package graph

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"time"

	entsql "entgo.io/ent/dialect/sql"

	"shortener/ent"
	"shortener/ent/domain"
	"shortener/graph/model"
	"shortener/internal/apperr"
	"shortener/internal/auth"
	"shortener/internal/store"
)

// Domain ownership proof (docs/decisions/0004-domain-verification.md): the
// owner of example.com publishes
//
//	_shortener-verify.example.com. TXT "shortener-verify=<token>"
//
// with the domain's own random token; the first account to verify a host
// owns it, and other accounts' unverified claims of it stay unverified.
const (
	verifyLabel  = "_shortener-verify."
	verifyPrefix = "shortener-verify="
)

// VerificationRecord is the TXT record that proves d's ownership.
func VerificationRecord(d *ent.Domain) *model.DNSRecord {
	return &model.DNSRecord{Name: verifyLabel + d.Host, Type: "TXT", Value: verifyPrefix + d.VerificationToken}
}

// VerifyDomain checks the TXT record of the viewer's domain id now and
// returns the domain with its status (verified or not). Errors: NotFound,
// Conflict (another account verified the host first).
func (r *Resolver) VerifyDomain(ctx context.Context, id int) (*ent.Domain, error) {
	d, err := r.Client.Domain.Get(ctx, id)
	if err != nil || d.VerifiedAt != nil {
		return d, err
	}
	if err := r.checkDomain(ctx, d); err != nil {
		return nil, err
	}
	return r.Client.Domain.Get(ctx, id)
}

// RecheckDomains checks the TXT records of up to batch unverified domains,
// those checked longest ago first, and returns how many became verified.
// Unverified domains without a token (rows older than verification) get
// one first, so their owners can see the record to publish.
func (r *Resolver) RecheckDomains(ctx context.Context, batch int) (int, error) {
	sys := auth.SystemContext(ctx)
	if err := r.issueMissingTokens(sys, batch); err != nil {
		return 0, err
	}
	ds, err := r.Client.Domain.Query().Where(domain.VerifiedAtIsNil()).
		Order(ent.Asc(domain.FieldCheckedAt), ent.Asc(domain.FieldID)).Limit(batch).All(sys)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, d := range ds {
		if ctx.Err() != nil {
			return n, ctx.Err()
		}
		if err := r.checkDomain(ctx, d); err != nil && apperr.CodeOf(err) != apperr.Conflict {
			return n, err
		}
		if d, err := r.Client.Domain.Get(sys, d.ID); err == nil && d.VerifiedAt != nil {
			n++
		}
	}
	return n, nil
}

// checkDomain looks d's TXT record up, notes the check and, when the record
// holds d's token, marks d verified.
func (r *Resolver) checkDomain(ctx context.Context, d *ent.Domain) error {
	sys := auth.SystemContext(ctx)
	ok := r.hasToken(ctx, d)
	now := r.now()
	if !ok {
		return r.Client.Domain.UpdateOneID(d.ID).SetCheckedAt(now).Exec(sys)
	}
	return MarkDomainVerified(sys, r.Client, d.ID, now)
}

func (r *Resolver) hasToken(ctx context.Context, d *ent.Domain) bool {
	if d.VerificationToken == "" {
		return false
	}
	lookup := r.LookupTXT
	if lookup == nil {
		lookup = net.DefaultResolver.LookupTXT
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	txts, err := lookup(ctx, verifyLabel+d.Host+".")
	if err != nil {
		return false
	}
	want := verifyPrefix + d.VerificationToken
	for _, t := range txts {
		if t == want {
			return true
		}
	}
	return false
}

// MarkDomainVerified marks domain id verified at now (the CLI calls it for
// an operator). Errors: NotFound, Conflict (the host is verified for
// another domain row, i.e. another account).
func MarkDomainVerified(ctx context.Context, client *ent.Client, id int, now time.Time) error {
	sys := auth.SystemContext(ctx)
	err := store.WithTx(sys, client, func(tx *ent.Client) error {
		d, err := tx.Domain.Get(sys, id)
		if err != nil {
			return err
		}
		taken, err := tx.Domain.Query().Where(domain.HostEQ(d.Host), domain.VerifiedAtNotNil(), domain.IDNEQ(id)).Exist(sys)
		if err != nil {
			return err
		}
		if taken {
			return conflictVerified(d.Host)
		}
		return tx.Domain.UpdateOneID(id).SetVerifiedAt(now).SetCheckedAt(now).Exec(sys)
	})
	if ent.IsConstraintError(err) {
		d, _ := client.Domain.Get(sys, id)
		host := ""
		if d != nil {
			host = d.Host
		}
		return conflictVerified(host)
	}
	return err
}

func conflictVerified(host string) error {
	return &apperr.Error{Code: apperr.Conflict, Message: fmt.Sprintf("domain %s is already verified by another account", host), Field: "domain"}
}

// issueMissingTokens gives up to batch unverified domains that have no
// verification token a random one. The column is immutable for every other
// write, so this is a plain UPDATE that only fills an empty value.
func (r *Resolver) issueMissingTokens(ctx context.Context, batch int) error {
	ids, err := r.Client.Domain.Query().Where(domain.VerifiedAtIsNil(),
		domain.Or(domain.VerificationTokenIsNil(), domain.VerificationTokenEQ(""))).Limit(batch).IDs(ctx)
	if err != nil {
		return err
	}
	for _, id := range ids {
		b := make([]byte, 16)
		_, _ = rand.Read(b)
		q, args := entsql.Dialect(r.Dialect).Update(domain.Table).Set(domain.FieldVerificationToken, hex.EncodeToString(b)).
			Where(entsql.And(entsql.EQ(domain.FieldID, id),
				entsql.Or(entsql.IsNull(domain.FieldVerificationToken), entsql.EQ(domain.FieldVerificationToken, "")))).Query()
		if _, err := r.Client.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("issue verification token: %w", err)
		}
	}
	return nil
}
