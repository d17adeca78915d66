package rest_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"shortener/internal/app"
	"shortener/internal/app/apptest"
	"shortener/internal/auth"
)

// readCSV decodes an export answer that must be 200 text/csv.
func readCSV(t *testing.T, s *apptest.Server, key, path string) ([][]string, *http.Response) {
	t.Helper()
	resp, body := s.Do(t, http.MethodGet, path, key, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d: %s", path, resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Fatalf("GET %s: Content-Type %q", path, ct)
	}
	rows, err := csv.NewReader(strings.NewReader(string(body))).ReadAll()
	if err != nil {
		t.Fatalf("GET %s: not CSV: %v\n%s", path, err, body)
	}
	return rows, resp
}

type exportLink struct{ RowID int }

func createExportLink(t *testing.T, s *apptest.Server, key, input string) int {
	t.Helper()
	var out struct{ CreateLink exportLink }
	s.MustGraphQL(t, key, `mutation { createLink(input:{`+input+`}) { rowId } }`, nil, &out)
	return out.CreateLink.RowID
}

// addClick stores a click of the link id owned by owner (the writer's job,
// done directly).
func addClick(t *testing.T, s *apptest.Server, owner, linkID int, at time.Time, country, referrer string) {
	t.Helper()
	err := s.App.Client.Click.Create().SetOwnerID(owner).SetLinkID(linkID).SetCreatedAt(at).
		SetCountry(country).SetReferrer(referrer).SetBrowser("Firefox").SetOs("Linux").SetDevice("Desktop").
		SetLanguage("en").SetVisitorHash("secret-hash").Exec(auth.SystemContext(context.Background()))
	if err != nil {
		t.Fatal(err)
	}
}

func userRowID(t *testing.T, s *apptest.Server, key string) int {
	t.Helper()
	var out struct{ Me struct{ RowID int } }
	s.MustGraphQL(t, key, `{ me { rowId } }`, nil, &out)
	return out.Me.RowID
}

// Issue 16: the links export lists the viewer's links only, with every
// column, and a cell that a spreadsheet would evaluate gets an apostrophe.
func TestExportLinks(t *testing.T) {
	s := apptest.New(t, app.Config{})
	alice, bob := s.Signup(t, "alice"), s.Signup(t, "bob")
	var camp struct{ CreateCampaign struct{ ID string } }
	s.MustGraphQL(t, alice, `mutation { createCampaign(input:{name:"Spring"}) { id } }`, nil, &camp)
	a1 := createExportLink(t, s, alice, fmt.Sprintf(`url:"https://example.com/a", custom:"alpha", title:"=HYPERLINK(\"http://evil\")", campaignId:%q`, camp.CreateCampaign.ID))
	a2 := createExportLink(t, s, alice, `url:"https://example.com/b?x=1,2", custom:"beta", title:"-2+3"`)
	createExportLink(t, s, bob, `url:"https://example.com/bob", custom:"bobs"`)

	rows, _ := readCSV(t, s, alice, "/api/export/links.csv")
	want := [][]string{
		{"id", "alias", "short_url", "long_url", "title", "created", "clicks", "unique_clicks", "domain", "campaign"},
		{strconv.Itoa(a1), "alpha", s.URL + "/alpha", "https://example.com/a", `'=HYPERLINK("http://evil")`, "", "0", "0", "", "Spring"},
		{strconv.Itoa(a2), "beta", s.URL + "/beta", "https://example.com/b?x=1,2", "'-2+3", "", "0", "0", "", ""},
	}
	if len(rows) != len(want) {
		t.Fatalf("rows %q, want %d rows", rows, len(want))
	}
	for i := range want {
		if i > 0 {
			if _, err := time.Parse("2006-01-02 15:04:05", rows[i][5]); err != nil {
				t.Errorf("row %d: created %q is not YYYY-MM-DD HH:MM:SS", i, rows[i][5])
			}
			want[i][5] = rows[i][5]
		}
		if strings.Join(rows[i], "|") != strings.Join(want[i], "|") {
			t.Errorf("row %d: %q, want %q", i, rows[i], want[i])
		}
	}
	rows, _ = readCSV(t, s, bob, "/api/export/links.csv")
	if len(rows) != 2 || rows[1][1] != "bobs" {
		t.Errorf("bob's export: %q, want his one link", rows)
	}
}

// Issue 16: the clicks export lists the viewer's clicks only (no IP, no
// visitor hash), filtered by link and dates; another user's link is 404.
func TestExportClicks(t *testing.T) {
	s := apptest.New(t, app.Config{})
	alice, bob := s.Signup(t, "alice"), s.Signup(t, "bob")
	aliceID, bobID := userRowID(t, s, alice), userRowID(t, s, bob)
	a1 := createExportLink(t, s, alice, `url:"https://example.com/a", custom:"alpha"`)
	a2 := createExportLink(t, s, alice, `url:"https://example.com/b", custom:"beta"`)
	b1 := createExportLink(t, s, bob, `url:"https://example.com/bob", custom:"bobs"`)
	day := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	addClick(t, s, aliceID, a1, day, "Canada", "https://news.example/")
	addClick(t, s, aliceID, a2, day.Add(24*time.Hour), "France", "@SUM(1+1)*cmd|' /C calc'!A0")
	addClick(t, s, aliceID, a1, day.Add(48*time.Hour), "Japan", "")
	addClick(t, s, bobID, b1, day, "Brazil", "")

	rows, _ := readCSV(t, s, alice, "/api/export/clicks.csv")
	want := [][]string{
		{"date", "country", "os", "browser", "referrer", "language", "device", "link"},
		{"2026-03-01 10:00:00", "Canada", "Linux", "Firefox", "https://news.example/", "en", "Desktop", "alpha"},
		{"2026-03-02 10:00:00", "France", "Linux", "Firefox", "'@SUM(1+1)*cmd|' /C calc'!A0", "en", "Desktop", "beta"},
		{"2026-03-03 10:00:00", "Japan", "Linux", "Firefox", "", "en", "Desktop", "alpha"},
	}
	if fmt.Sprint(rows) != fmt.Sprint(want) {
		t.Fatalf("alice's clicks:\n%q\nwant\n%q", rows, want)
	}
	for _, r := range rows {
		for _, c := range r {
			if strings.Contains(c, "secret-hash") || strings.Contains(c, "Brazil") {
				t.Fatalf("export shows %q", c)
			}
		}
	}
	rows, _ = readCSV(t, s, alice, fmt.Sprintf("/api/export/clicks.csv?link=%d", a1))
	if len(rows) != 3 || rows[1][7] != "alpha" || rows[2][7] != "alpha" {
		t.Errorf("?link=alpha: %q", rows)
	}
	rows, _ = readCSV(t, s, alice, "/api/export/clicks.csv?from=2026-03-02&to=2026-03-02")
	if len(rows) != 2 || rows[1][1] != "France" {
		t.Errorf("one day: %q", rows)
	}
	rows, _ = readCSV(t, s, alice, "/api/export/clicks.csv?from=2026-03-02T00:00:00Z")
	if len(rows) != 3 || rows[1][1] != "France" || rows[2][1] != "Japan" {
		t.Errorf("from a time: %q", rows)
	}
	// Bob's link is not Alice's: 404 exactly like a missing one.
	api(t, s, alice, http.MethodGet, fmt.Sprintf("/api/export/clicks.csv?link=%d", b1), nil, http.StatusNotFound)
	api(t, s, alice, http.MethodGet, "/api/export/clicks.csv?link=99999", nil, http.StatusNotFound)
	api(t, s, alice, http.MethodGet, "/api/export/clicks.csv?link=x", nil, http.StatusBadRequest)
	api(t, s, alice, http.MethodGet, "/api/export/clicks.csv?from=yesterday", nil, http.StatusBadRequest)
	api(t, s, alice, http.MethodGet, "/api/export/clicks.csv?from=2026-03-02&to=2026-03-01", nil, http.StatusBadRequest)
	api(t, s, "", http.MethodGet, "/api/export/links.csv", nil, http.StatusUnauthorized)
	rows, _ = readCSV(t, s, bob, "/api/export/clicks.csv")
	if len(rows) != 2 || rows[1][1] != "Brazil" || rows[1][7] != "bobs" {
		t.Errorf("bob's clicks: %q", rows)
	}
}

// Issue 16: an export is one request of the budget.
func TestExportChargedOnce(t *testing.T) {
	clock := apptest.NewClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	ten := 10
	s := apptest.New(t, app.Config{Now: clock.Now, RateLimit: &ten})
	alice := s.Signup(t, "alice")
	for i := range 3 {
		createExportLink(t, s, alice, fmt.Sprintf(`url:"https://example.com/%d"`, i))
	}
	_, resp := readCSV(t, s, alice, "/api/export/links.csv")
	if got := resp.Header.Get("X-RateLimit-Remaining"); got != "6" {
		t.Fatalf("after 3 creates and an export: remaining %q, want 6", got)
	}
	_, resp = readCSV(t, s, alice, "/api/export/clicks.csv")
	if got := resp.Header.Get("X-RateLimit-Remaining"); got != "5" {
		t.Fatalf("after a clicks export: remaining %q, want 5", got)
	}
}
