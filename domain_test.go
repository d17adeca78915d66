package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"shortener/ent/domain"
	"shortener/internal/auth"
	"shortener/internal/store"
	"shortener/internal/store/storetest"
)

// `shortener domain verify` marks an unverified claim verified.
func TestDomainVerifyCLI(t *testing.T) {
	db := storetest.DSN(t)
	if _, errOut, err := runUserCreate(t, "--db", db, "--email", "d@example.com", "--username", "dee", "--password", "password123"); err != nil {
		t.Fatalf("user create: %v %s", err, errOut)
	}
	ctx := context.Background()
	sys := auth.SystemContext(ctx)
	client, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	d := client.Domain.Create().SetOwnerID(1).SetDomain("https://go.example.com").SetHost("go.example.com").SaveX(sys)
	client.Close()
	if d.VerifiedAt != nil || d.VerificationToken == "" {
		t.Fatalf("new domain: %+v", d)
	}

	var out, errOut bytes.Buffer
	if err := run(ctx, []string{"domain", "verify", "--db", db, "--host", "GO.example.com."}, &out, &errOut); err != nil {
		t.Fatalf("domain verify: %v %s", err, errOut.String())
	}
	if out.String() != `{"id":`+"1"+`,"host":"go.example.com","verified":true}`+"\n" {
		t.Errorf("stdout %q", out.String())
	}
	client, err = store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	if got := client.Domain.Query().Where(domain.HostEQ("go.example.com")).OnlyX(sys); got.VerifiedAt == nil {
		t.Errorf("not verified: %+v", got)
	}

	out.Reset()
	errOut.Reset()
	if err := run(ctx, []string{"domain", "verify", "--db", db, "--host", "missing.example.com"}, &out, &errOut); err == nil ||
		!strings.Contains(errOut.String(), "no domain missing.example.com") {
		t.Errorf("unknown host: %v %q", err, errOut.String())
	}
}

func TestDomainVerificationFlag(t *testing.T) {
	for in, want := range map[string]bool{"on": true, "off": false, "false": false, "true": true, "OFF": false} {
		if got, err := parseOnOff(in); err != nil || got != want {
			t.Errorf("parseOnOff(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := parseOnOff("maybe"); err == nil {
		t.Error("parseOnOff(maybe) accepted")
	}
}

// `shortener stats rebuild` recomputes the rollups and prints the rows read.
func TestStatsRebuildCLI(t *testing.T) {
	db := storetest.DSN(t)
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"stats", "rebuild", "--db", db}, &out, &errOut); err != nil {
		t.Fatalf("stats rebuild: %v %s", err, errOut.String())
	}
	if out.String() != `{"clicks":0}`+"\n" {
		t.Errorf("stdout %q", out.String())
	}
}
