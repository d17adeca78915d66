package store

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync/atomic"
	"testing"
)

// BenchmarkLinkCreate creates links through ent from 16 goroutines (as
// many concurrent requests), without HTTP: the database's share of a
// creation. stmts/commit is the mean group-commit batch.
func BenchmarkLinkCreate(b *testing.B) {
	client, d, _ := openSQLite(b)
	ctx := newUser(b, client, "bench")
	var seq atomic.Int64
	b.SetParallelism(max(1, 16/runtime.GOMAXPROCS(0)))
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			alias := fmt.Sprintf("%08x%d", rand.Uint32(), seq.Add(1)) // random prefix: inserts land all over the index
			if _, err := client.Link.Create().SetAlias(alias).SetLongURL("https://example.com/some/long/path?x=1").Save(ctx); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	if n := d.batch.txs.Load(); n > 0 {
		b.ReportMetric(float64(d.batch.txStmts.Load())/float64(n), "stmts/commit")
	}
}
