// Command seed fills a database with one user and n links aliased
// l0..l{n-1} (long URL https://example.com/page/{i}), the same aliases the
// baseline server answers, for the redirect benchmark.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"

	"shortener/ent"
	"shortener/internal/auth"
	"shortener/internal/store"
)

func main() {
	db := flag.String("db", "", "database DSN (sqlite://PATH or postgres://...)")
	n := flag.Int("links", 100_000, "number of links")
	flag.Parse()
	ctx := auth.SystemContext(context.Background())
	client, err := store.Open(ctx, *db)
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	u, err := client.User.Create().SetEmail("bench@example.com").SetUsername("bench").SetPasswordHash("x").Save(ctx)
	if err != nil {
		log.Fatal(err)
	}
	const chunk = 1000 // links per insert: within SQLite's parameter limit
	for start := 0; start < *n; start += chunk {
		creates := make([]*ent.LinkCreate, 0, chunk)
		for i := start; i < min(start+chunk, *n); i++ {
			creates = append(creates, client.Link.Create().SetOwnerID(u.ID).
				SetAlias(fmt.Sprintf("l%d", i)).SetLongURL(fmt.Sprintf("https://example.com/page/%d", i)))
		}
		if err := client.Link.CreateBulk(creates...).Exec(ctx); err != nil {
			log.Fatal(err)
		}
	}
	fmt.Printf("seeded %d links\n", *n)
}
