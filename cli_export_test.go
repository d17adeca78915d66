package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"shortener/internal/auth"
	"shortener/internal/store"
	"shortener/internal/store/storetest"
)

func TestExportCommand(t *testing.T) {
	ctx := context.Background()
	dsn := storetest.DSN(t)
	var ids []int
	for _, name := range []string{"alice", "bob"} {
		var out bytes.Buffer
		if err := run(ctx, []string{"user", "create", "--email", name + "@example.com", "--username", name,
			"--password", "password123", "--db", dsn}, &out, &out); err != nil {
			t.Fatalf("user create: %v %s", err, out.String())
		}
		var u struct{ ID int }
		if err := json.Unmarshal(out.Bytes(), &u); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, u.ID)
	}
	client, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	day := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	var links []int
	for i, uid := range ids {
		vctx := auth.WithViewer(ctx, &auth.Viewer{UserID: uid})
		l, err := client.Link.Create().SetAlias(fmt.Sprintf("l%d", i)).SetLongURL("https://example.com/").
			SetTitle("+danger").Save(vctx)
		if err != nil {
			t.Fatal(err)
		}
		links = append(links, l.ID)
		for d := range 3 {
			if err := client.Click.Create().SetOwnerID(uid).SetLinkID(l.ID).SetCreatedAt(day.AddDate(0, 0, d)).
				SetCountry(fmt.Sprintf("U%dD%d", i, d)).Exec(auth.SystemContext(ctx)); err != nil {
				t.Fatal(err)
			}
		}
	}
	client.Close()

	file := filepath.Join(t.TempDir(), "links.csv")
	var stderr bytes.Buffer
	if err := run(ctx, []string{"export", "links", "--user", fmt.Sprint(ids[0]), "--db", dsn, "--out", file,
		"--base-url", "https://s.example/"}, &stderr, &stderr); err != nil {
		t.Fatalf("export links: %v %s", err, stderr.String())
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[1][1] != "l0" || rows[1][2] != "https://s.example/l0" || rows[1][4] != "'+danger" {
		t.Fatalf("alice's links: %q", rows)
	}

	var stdout bytes.Buffer
	if err := run(ctx, []string{"export", "clicks", "--user", fmt.Sprint(ids[1]), "--db", dsn, "--from", "2026-03-02"}, &stdout, &stderr); err != nil {
		t.Fatalf("export clicks: %v %s", err, stderr.String())
	}
	want := "date,country,os,browser,referrer,language,device,link\n" +
		"2026-03-02 12:00:00,U1D1,,,,,,l1\n2026-03-03 12:00:00,U1D2,,,,,,l1\n"
	if stdout.String() != want {
		t.Fatalf("bob's clicks from 2026-03-02:\n%s\nwant\n%s", stdout.String(), want)
	}

	for _, bad := range [][]string{
		{"export", "clicks", "--user", fmt.Sprint(ids[0]), "--db", dsn, "--link", fmt.Sprint(links[1])}, // bob's link
		{"export", "links", "--user", "999", "--db", dsn},
		{"export", "links", "--db", dsn},
		{"export", "links", "--user", fmt.Sprint(ids[0]), "--db", dsn, "--link", "1"}, // clicks only
		{"export", "clicks", "--user", fmt.Sprint(ids[0]), "--db", dsn, "--from", "soon"},
		{"export", "visits", "--user", "1"},
		{"export"},
	} {
		stdout.Reset()
		stderr.Reset()
		out := filepath.Join(t.TempDir(), "x.csv")
		if err := run(ctx, append(bad, "--out", out), &stdout, &stderr); err == nil {
			t.Errorf("%q: no error; stdout %s", bad, stdout.String())
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("%q: left %s behind", bad, out)
		}
		if strings.Contains(stdout.String(), "U1D") {
			t.Errorf("%q: shows bob's clicks", bad)
		}
	}
}
