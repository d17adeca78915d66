// Command lists measures link lists on a small and a big account in one
// database, through real HTTP (the app in-process on a loopback listener):
//
//	go run -tags sqlite_fts5 ./bench/lists -db sqlite:///tmp/lists.db -small 1000 -big 1000000
//	go run ./bench/lists -db 'postgres://postgres@127.0.0.1:5432/lists?sslmode=disable' ...
//
// It signs up two accounts (API keys kept in -keys, so a second run on the
// same database skips the seeding) and gives them -small and -big links:
// alias {s|b}{i}-w{i%100}, long URL https://example.com/page/{i}, title
// "Item {i} word{i%100}", clicks (i*7919)%10007; five links per account
// also carry "needle" in alias and title. Then each request runs -warm
// times untimed and -n times timed per account, and the table gives the
// median, min and max in ms and big/small of the medians:
//
//   - REST /api/urls (page 1: the count of all links and a page)
//   - REST /api/urls?q=needle (5 matches) and ?q=word37 (1% of the links)
//   - REST /api/urls?order=click
//   - REST /api/urls?page=50 (offset 700)
//   - GraphQL links(where:{aliasContains:"needle"}) and "-w37" (1%), with totalCount
//   - GraphQL links(orderBy:{field:CLICKS,direction:DESC}) with totalCount,
//     and its second page (after: the first page's endCursor)
//   - GraphQL links(first:15) with pageInfo and no totalCount
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"shortener/ent"
	"shortener/ent/user"
	"shortener/internal/app"
	"shortener/internal/auth"
)

func main() {
	db := flag.String("db", "sqlite:///tmp/lists.db", "database DSN")
	keysPath := flag.String("keys", "", "file keeping the two API keys (default: next to an SQLite file, else /tmp/lists-keys.json)")
	small := flag.Int("small", 1000, "links of the small account")
	big := flag.Int("big", 1_000_000, "links of the big account")
	n := flag.Int("n", 20, "timed requests per case and account")
	warm := flag.Int("warm", 3, "untimed requests first")
	flag.Parse()
	if *keysPath == "" {
		*keysPath = "/tmp/lists-keys.json"
		if p, ok := strings.CutPrefix(*db, "sqlite://"); ok {
			*keysPath = p + ".keys.json"
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	off := 0
	a, err := app.New(context.Background(), app.Config{DB: *db, BaseURL: base, RateLimit: &off})
	if err != nil {
		log.Fatal(err)
	}
	go http.Serve(ln, a.Handler())
	keys := map[string]string{}
	if b, err := os.ReadFile(*keysPath); err == nil {
		_ = json.Unmarshal(b, &keys)
	}
	accounts := []struct {
		name   string
		prefix string
		links  int
	}{{"small", "s", *small}, {"big", "b", *big}}
	for _, acc := range accounts {
		if keys[acc.name] != "" {
			continue
		}
		keys[acc.name] = signup(base, "lists"+acc.name)
		t0 := time.Now()
		seed(a.Client, "lists"+acc.name, acc.prefix, acc.links)
		log.Printf("seeded %s: %d links in %s", acc.name, acc.links, time.Since(t0).Round(time.Millisecond))
	}
	b, _ := json.Marshal(keys)
	if err := os.WriteFile(*keysPath, b, 0o600); err != nil {
		log.Fatal(err)
	}

	type request struct {
		name string
		do   func(key string) func() // returns the timed call
	}
	rest := func(path string) func(string) func() {
		return func(key string) func() { return func() { get(base+path, key) } }
	}
	gql := func(q string) func(string) func() {
		return func(key string) func() { return func() { graphql(base, key, q, nil) } }
	}
	const node = `edges { node { id alias longUrl clicks createdAt } }`
	reqs := []request{
		{"REST /api/urls", rest("/api/urls")},
		{"REST q=needle (5)", rest("/api/urls?q=needle")},
		{"REST q=word37 (1%)", rest("/api/urls?q=word37")},
		{"REST order=click", rest("/api/urls?order=click")},
		{"REST page=50", rest("/api/urls?page=50")},
		{"GQL aliasContains needle", gql(`{ links(first: 15, where: {aliasContains: "needle"}) { totalCount ` + node + ` } }`)},
		{"GQL aliasContains -w37 (1%)", gql(`{ links(first: 15, where: {aliasContains: "-w37"}) { totalCount ` + node + ` } }`)},
		{"GQL orderBy CLICKS", gql(`{ links(first: 15, orderBy: {field: CLICKS, direction: DESC}) { totalCount ` + node + ` } }`)},
		{"GQL orderBy CLICKS page 2", func(key string) func() {
			var out struct {
				Links struct{ PageInfo struct{ EndCursor string } }
			}
			q := `query($c: Cursor) { links(first: 15, after: $c, orderBy: {field: CLICKS, direction: DESC}) { totalCount pageInfo { endCursor } ` + node + ` } }`
			graphql(base, key, q, map[string]any{"c": nil}, &out)
			vars := map[string]any{"c": out.Links.PageInfo.EndCursor}
			return func() { graphql(base, key, q, vars) }
		}},
		{"GQL links pageInfo, no totalCount", gql(`{ links(first: 15) { pageInfo { hasNextPage endCursor } ` + node + ` } }`)},
	}
	fmt.Printf("%s, small %d links, big %d links, %d runs each (ms: median [min-max])\n\n", strings.SplitN(*db, ":", 2)[0], *small, *big, *n)
	fmt.Println("| request | small | big | big/small |")
	fmt.Println("|---|---|---|---|")
	for _, r := range reqs {
		var med [2]float64
		var cells [2]string
		for i, acc := range accounts {
			call := r.do(keys[acc.name])
			for range *warm {
				call()
			}
			ds := make([]float64, *n)
			for j := range ds {
				t0 := time.Now()
				call()
				ds[j] = float64(time.Since(t0).Microseconds()) / 1000
			}
			slices.Sort(ds)
			med[i] = ds[len(ds)/2]
			cells[i] = fmt.Sprintf("%.2f [%.2f-%.2f]", med[i], ds[0], ds[len(ds)-1])
		}
		fmt.Printf("| %s | %s | %s | %.1fx |\n", r.name, cells[0], cells[1], med[1]/med[0])
	}
	_ = a.Shutdown(context.Background())
	a.Close()
}

func signup(base, name string) string {
	var out struct {
		Signup struct{ APIKey string }
	}
	graphql(base, "", `mutation($e:String!,$u:String!){ signup(input:{email:$e, username:$u, password:"password123"}) { apiKey } }`,
		map[string]any{"e": name + "@example.com", "u": name}, &out)
	return out.Signup.APIKey
}

func seed(client *ent.Client, username, prefix string, n int) {
	ctx := auth.SystemContext(context.Background())
	u, err := client.User.Query().Where(user.Username(username)).Only(ctx)
	if err != nil {
		log.Fatal(err)
	}
	const chunk = 1000
	for start := 0; start < n; start += chunk {
		creates := make([]*ent.LinkCreate, 0, chunk)
		for i := start; i < min(start+chunk, n); i++ {
			alias := fmt.Sprintf("%s%d-w%d", prefix, i, i%100)
			title := fmt.Sprintf("Item %d word%d", i, i%100)
			if i%(n/5) == 0 { // five needles
				alias += "-needle"
				title += " needle"
			}
			creates = append(creates, client.Link.Create().SetOwnerID(u.ID).SetAlias(alias).SetTitle(title).
				SetLongURL(fmt.Sprintf("https://example.com/page/%d", i)).SetClicks((i*7919)%10007))
		}
		if err := client.Link.CreateBulk(creates...).Exec(ctx); err != nil {
			log.Fatal(err)
		}
	}
}

func get(url, key string) {
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+key)
	do(req)
}

func graphql(base, key, query string, vars map[string]any, out ...any) {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest("POST", base+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	b := do(req)
	var resp struct {
		Data   json.RawMessage
		Errors []any
	}
	if err := json.Unmarshal(b, &resp); err != nil || len(resp.Errors) > 0 {
		log.Fatalf("graphql %s: %s", query, b)
	}
	if len(out) > 0 {
		if err := json.Unmarshal(resp.Data, out[0]); err != nil {
			log.Fatal(err)
		}
	}
}

func do(req *http.Request) []byte {
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		log.Fatalf("%s %s: %d %s", req.Method, req.URL, resp.StatusCode, b)
	}
	return b
}
