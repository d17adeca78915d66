package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"shortener/ent/link"
	"shortener/internal/auth"
	"shortener/internal/store"
)

// A backup taken while links are being created holds every link whose
// creation was acknowledged before the backup started, and opens as a
// working database; copying the .db file alone would miss what sits in the
// WAL.
func TestBackupUnderWriteLoad(t *testing.T) {
	var dsn string
	addr, _, stop := startServe(t, func(d string) { dsn = d })
	var out bytes.Buffer
	if err := run(context.Background(), []string{"user", "create", "--email", "b@example.com", "--username", "backer",
		"--password", "password123", "--db", dsn}, &out, &out); err != nil {
		t.Fatalf("user create: %v %s", err, out.String())
	}
	var u struct{ APIKey string }
	if err := json.Unmarshal(out.Bytes(), &u); err != nil {
		t.Fatal(err)
	}
	var acked atomic.Int64 // aliases l0..l(acked-1) are acknowledged
	stopWriting := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stopWriting:
				return
			default:
			}
			req, _ := http.NewRequest("POST", "http://"+addr+"/api/url/add",
				strings.NewReader(fmt.Sprintf(`{"url":"https://example.com/%d","custom":"l%d"}`, i, i)))
			req.Header.Set("Authorization", "Bearer "+u.APIKey)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("url/add %d: %d", i, resp.StatusCode)
				return
			}
			acked.Store(int64(i + 1))
		}
	})
	for acked.Load() < 50 {
		if t.Failed() {
			t.FailNow()
		}
		time.Sleep(time.Millisecond)
	}
	before := acked.Load()
	to := filepath.Join(t.TempDir(), "backup.db")
	out.Reset()
	if err := run(context.Background(), []string{"backup", "--db", dsn, "--to", to}, &out, &out); err != nil {
		t.Fatalf("backup: %v %s", err, out.String())
	}
	for acked.Load() < before+20 { // writes go on during and after the backup
		if t.Failed() {
			t.FailNow()
		}
		time.Sleep(time.Millisecond)
	}
	close(stopWriting)
	wg.Wait()
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if err := run(context.Background(), []string{"backup", "--db", dsn, "--to", to}, &out, &out); err == nil {
		t.Fatal("a second backup overwrote the first")
	}

	// Restore = serve the backup file: it opens, migrates and holds the links.
	client, err := store.Open(context.Background(), "sqlite://"+to)
	if err != nil {
		t.Fatalf("open the backup: %v", err)
	}
	defer client.Close()
	sys := auth.SystemContext(context.Background())
	for i := range before {
		if ok, err := client.Link.Query().Where(link.AliasEQ(fmt.Sprintf("l%d", i))).Exist(sys); err != nil || !ok {
			t.Fatalf("link l%d (acknowledged before the backup) missing from it: %v", i, err)
		}
	}
	if n, _ := client.Link.Query().Count(sys); n > int(acked.Load())+1 { // +1: the seeded link "go"
		t.Fatalf("backup holds %d links, more than were ever made", n)
	}
}
