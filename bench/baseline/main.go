// Command baseline is the yardstick of the redirect benchmark: a bare
// net/http server that answers GET /l{i} with a 302 from an in-memory map
// and does nothing else (no router, no cache invalidation, no click
// recording). It prints "listening ADDR" once it accepts connections.
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	n := flag.Int("links", 100_000, "number of aliases l0..l{n-1}")
	flag.Parse()
	links := make(map[string]string, *n)
	for i := 0; i < *n; i++ {
		links[fmt.Sprintf("l%d", i)] = fmt.Sprintf("https://example.com/page/%d", i)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("listening %s\n", ln.Addr())
	log.Fatal(http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, ok := links[r.URL.Path[1:]]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Location", u)
		w.WriteHeader(http.StatusFound)
	})))
}
