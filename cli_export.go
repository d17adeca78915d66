package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"shortener/ent"
	"shortener/internal/auth"
	"shortener/internal/export"
	"shortener/internal/store"
)

// exportCmd is `shortener export links|clicks --user N [--db DSN] [--out FILE]
// [--base-url URL] [--link ID] [--from T] [--to T]`: the CSV GET
// /api/export/links.csv or clicks.csv answers, for one user, written to FILE
// (or stdout). It reads as that user, so the same ownership rules apply.
func exportCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "links" && args[0] != "clicks") {
		return errors.New("usage: shortener export links|clicks --user N [--db DSN] [--out FILE]")
	}
	what := args[0]
	fs := flag.NewFlagSet("export "+what, flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", env("DATABASE_URL", store.DefaultDSN), "database: sqlite://PATH or postgres://... [DATABASE_URL]")
	baseURL := fs.String("base-url", env("BASE_URL", "http://localhost:8080"), "prefix of every short URL [BASE_URL]")
	userID := fs.Int("user", 0, "the user's id (required)")
	out := fs.String("out", "", "the CSV file to write (replaced if it exists); stdout when absent")
	var linkID *int
	var from, to string
	if what == "clicks" {
		id := fs.Int("link", 0, "only the clicks of this link id")
		fs.StringVar(&from, "from", "", "clicks from this date (YYYY-MM-DD, UTC) or RFC 3339 time")
		fs.StringVar(&to, "to", "", "clicks up to this date (included) or before this RFC 3339 time")
		linkID = id
	}
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if *userID <= 0 {
		return errors.New("--user: a user id is required")
	}
	var f export.ClickFilter
	if linkID != nil && *linkID != 0 {
		f.LinkID = linkID
	}
	var err error
	if f.From, err = export.ParseTime(from, false); err != nil {
		return fmt.Errorf("--from: want YYYY-MM-DD or an RFC 3339 time, got %q", from)
	}
	if f.To, err = export.ParseTime(to, true); err != nil {
		return fmt.Errorf("--to: want YYYY-MM-DD or an RFC 3339 time, got %q", to)
	}
	client, err := store.Open(ctx, *db)
	if err != nil {
		return err
	}
	defer client.Close()
	u, err := client.User.Get(auth.SystemContext(ctx), *userID)
	if ent.IsNotFound(err) {
		return fmt.Errorf("--user: no user %d", *userID)
	} else if err != nil {
		return err
	}
	vctx := auth.WithViewer(ctx, &auth.Viewer{UserID: u.ID, Username: u.Username, Plan: string(u.Plan)})
	ex := &export.Exporter{Client: client, BaseURL: strings.TrimRight(*baseURL, "/")}
	write := func(w io.Writer) error {
		if what == "links" {
			return ex.Links(vctx, w)
		}
		return ex.Clicks(vctx, w, f)
	}
	if *out == "" {
		bw := bufio.NewWriter(stdout)
		if err := write(bw); err != nil {
			return err
		}
		return bw.Flush()
	}
	return writeFileAtomic(*out, write)
}

// writeFileAtomic writes path through a temporary file in its directory and
// a rename: a failed export leaves no partial file.
func writeFileAtomic(path string, write func(io.Writer) error) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".export-*.csv")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	bw := bufio.NewWriter(tmp)
	if err = write(bw); err != nil {
		return err
	}
	if err = bw.Flush(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
