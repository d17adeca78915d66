package export_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"strings"
	"testing"
	"time"

	"shortener/internal/account"
	"shortener/internal/auth"
	"shortener/internal/export"
	"shortener/internal/store/storetest"
)

func TestEscape(t *testing.T) {
	for in, want := range map[string]string{
		"": "", "plain": "plain", "=1+1": "'=1+1", "+1": "'+1", "-1": "'-1", "@SUM(A1)": "'@SUM(A1)",
		"\tx": "'\tx", "\rx": "'\rx", "a=b": "a=b", "'quoted": "'quoted", " =x": " =x",
	} {
		if got := export.Escape(in); got != want {
			t.Errorf("Escape(%q) = %q, want %q", in, got, want)
		}
	}
}

// The exports walk the rows in keyset pages: with pages of 2, every row of
// the viewer comes once, in id order, and another user's rows (interleaved
// with them) never do.
func TestPagesAndOwnership(t *testing.T) {
	client := storetest.Open(t)
	ctx := context.Background()
	var viewers [2]context.Context
	var ids [2]int
	for i, name := range []string{"alice", "bob"} {
		u, _, err := account.CreateUser(ctx, client, account.NewUser{Email: name + "@example.com", Username: name, Password: "password123"})
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = u.ID
		viewers[i] = auth.WithViewer(ctx, &auth.Viewer{UserID: u.ID, Username: name, Plan: "FREE"})
	}
	sys := auth.SystemContext(ctx)
	day := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for i := range 7 {
		for u := range 2 {
			l, err := client.Link.Create().SetAlias(fmt.Sprintf("u%dl%d", u, i)).SetLongURL("https://example.com/").Save(viewers[u])
			if err != nil {
				t.Fatal(err)
			}
			if err := client.Click.Create().SetOwnerID(ids[u]).SetLinkID(l.ID).SetCreatedAt(day.Add(time.Duration(i) * time.Hour)).
				SetCountry(fmt.Sprintf("C%d", i)).Exec(sys); err != nil {
				t.Fatal(err)
			}
		}
	}
	pages := 0
	ex := &export.Exporter{Client: client, BaseURL: "https://s.example", PageSize: 2, AfterPage: func() error { pages++; return nil }}
	var b strings.Builder
	if err := ex.Links(viewers[0], &b); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(b.String())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 8 || pages != 4 {
		t.Fatalf("%d rows in %d pages, want 8 (header and 7) in 4", len(rows), pages)
	}
	for i, r := range rows[1:] {
		if r[1] != fmt.Sprintf("u0l%d", i) || r[2] != "https://s.example/"+r[1] {
			t.Errorf("row %d: %q", i+1, r)
		}
	}

	b.Reset()
	pages = 0
	if err := ex.Clicks(viewers[1], &b, export.ClickFilter{}); err != nil {
		t.Fatal(err)
	}
	rows, err = csv.NewReader(strings.NewReader(b.String())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 8 || pages != 4 {
		t.Fatalf("%d click rows in %d pages, want 8 in 4", len(rows), pages)
	}
	for i, r := range rows[1:] {
		if r[0] != day.Add(time.Duration(i)*time.Hour).Format(export.DateFormat) || r[1] != fmt.Sprintf("C%d", i) || r[7] != fmt.Sprintf("u1l%d", i) {
			t.Errorf("click row %d: %q", i+1, r)
		}
	}
	// Exactly a page's worth: the last, empty page ends it.
	ex.PageSize = 7
	b.Reset()
	if err := ex.Clicks(viewers[0], &b, export.ClickFilter{}); err != nil || strings.Count(b.String(), "\n") != 8 {
		t.Fatalf("pages of 7: %v\n%s", err, b.String())
	}
}
