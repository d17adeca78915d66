// Command clickinsert measures what storing click rows costs SQLite, the
// way the click writer stores them (multi-row INSERTs in one transaction a
// batch), against a copy of a seeded database: with which index on clicks,
// sorted or not, bound per argument or through json_each. It is how the
// index choice in schema.Click.Indexes was made (bench/README.md).
//
//	go run ./bench/seed -db sqlite:///tmp/c.db -links 100000
//	go run ./bench/clickinsert -dsn 'file:/tmp/c.db?_journal_mode=WAL&_synchronous=NORMAL&_fk=1' \
//	    -prefill 1000000 -n 256000 -sorted -idx link_id
package main

import (
	"database/sql"
	"flag"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"syscall"
	"time"

	_ "github.com/mattn/go-sqlite3"
)

func cpu() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func main() {
	dsn := flag.String("dsn", "", "")
	fk := flag.Bool("fk", true, "")
	batch := flag.Int("batch", 25600, "")
	n := flag.Int("n", 250000, "")
	links := flag.Int("links", 100000, "")
	ts := flag.String("ts", "full", "")
	ckpt := flag.Int("ckpt", 10000, "")
	cache := flag.Int("cache", -2000, "")
	idx := flag.String("idx", "", "index columns to create after prefill")
	prefill := flag.Int("prefill", 0, "")
	sorted := flag.Bool("sorted", false, "")
	mode := flag.String("mode", "bind", "bind or json")
	flag.Parse()
	db, err := sql.Open("sqlite3", *dsn)
	if err != nil {
		panic(err)
	}
	db.SetMaxOpenConns(1)
	db.Exec(fmt.Sprintf("PRAGMA wal_autocheckpoint=%d", *ckpt))
	db.Exec(fmt.Sprintf("PRAGMA cache_size=%d", *cache))
	if !*fk {
		db.Exec("PRAGMA foreign_keys=OFF")
	}
	cols := "owner_id, link_id, qr_code_id, created_at, country, referrer, browser, os, device, language, visitor_hash, bot"
	ph := "(" + strings.TrimSuffix(strings.Repeat("?,", 12), ",") + ")"
	q := "INSERT INTO clicks (" + cols + ") VALUES " + strings.TrimSuffix(strings.Repeat(ph+",", 64), ",")
	rnd := rand.New(rand.NewPCG(1, 2))
	run := func(n int) {
		args := make([]any, 0, 64*12)
		for done := 0; done < n; done += *batch {
			ids := make([]int, *batch)
			for i := range ids {
				ids[i] = 1 + rnd.IntN(*links)
			}
			if *sorted {
				slices.Sort(ids)
			}
			tx, _ := db.Begin()
			st, err := tx.Prepare(q)
			if err != nil {
				panic(err)
			}
			if *mode == "json" {
				jq := "INSERT INTO clicks (" + cols + ") SELECT value->>0, value->>1, value->>2, value->>3, value->>4, value->>5, value->>6, value->>7, value->>8, value->>9, value->>10, value->>11 FROM json_each(?)"
				st, err := tx.Prepare(jq)
				if err != nil {
					panic(err)
				}
				buf := []byte{}
				for i := 0; i < *batch; i += 256 {
					buf = append(buf[:0], '[')
					for j := 0; j < 256; j++ {
						if j > 0 {
							buf = append(buf, ',')
						}
						buf = fmt.Appendf(buf, `[1,%d,null,"%s","","","Chrome","Windows 10","Desktop","en","%032x",0]`, ids[i+j], time.Now().UTC().Format("2006-01-02 15:04:05.999999999-07:00"), rnd.Uint64())
					}
					buf = append(buf, ']')
					if _, err := st.Exec(string(buf)); err != nil {
						panic(err)
					}
				}
				st.Close()
				if err := tx.Commit(); err != nil {
					panic(err)
				}
				continue
			}
			for i := 0; i < *batch; i += 64 {
				args = args[:0]
				for j := 0; j < 64; j++ {
					var t any = time.Now().UTC()
					if *ts == "unix" {
						t = time.Now().UnixMilli()
					}
					args = append(args, 1, ids[i+j], nil, t, "", "", "Chrome", "Windows 10", "Desktop", "en", fmt.Sprintf("%032x", rnd.Uint64()), false)
				}
				if _, err := st.Exec(args...); err != nil {
					panic(err)
				}
			}
			st.Close()
			if err := tx.Commit(); err != nil {
				panic(err)
			}
		}
	}
	if *prefill > 0 {
		db.Exec("DROP INDEX click_link_id_created_at")
		db.Exec("DELETE FROM clicks")
		run(*prefill)
		if *idx != "" {
			if _, err := db.Exec("CREATE INDEX exp_idx ON clicks (" + *idx + ") WHERE link_id IS NOT NULL"); err != nil {
				panic(err)
			}
		}
		db.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
	}
	c0, t0 := cpu(), time.Now()
	run(*n)
	fmt.Printf("idx=%s sorted=%v fk=%v batch=%d ts=%s cache=%d: %.2f us cpu/row, %.2f us wall/row\n", *idx, *sorted, *fk, *batch, *ts, *cache,
		float64(cpu()-c0)/float64(*n)/1000, float64(time.Since(t0))/float64(*n)/1000)
}
