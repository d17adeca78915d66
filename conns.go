package main

import (
	"net"
	"net/http"
	"sync"
	"time"
)

// newHTTPServer is the server's http.Server: every request must arrive
// (headers and body) within readTimeout and be answered within
// writeTimeout of its headers, so a client that trickles its body or
// never reads its answer holds a connection for a bounded time. The
// largest legitimate answers (2048 px QR images, 100-item lists, CSV
// exports) take milliseconds to write on loopback; the default 60 s leaves
// room for slow mobile links.
func newHTTPServer(h http.Handler, readTimeout, writeTimeout time.Duration) *http.Server {
	header := 10 * time.Second
	if readTimeout > 0 && readTimeout < header {
		header = readTimeout
	}
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: header,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       120 * time.Second,
	}
}

// limitConnsPerIP wraps ln so that one remote IP holds at most max open
// connections: a connection past that is closed as soon as it is accepted.
// max <= 0 returns ln unchanged.
func limitConnsPerIP(ln net.Listener, max int) net.Listener {
	if max <= 0 {
		return ln
	}
	return &ipLimitListener{Listener: ln, max: max, open: map[string]int{}}
}

type ipLimitListener struct {
	net.Listener
	max  int
	mu   sync.Mutex
	open map[string]int // open connections by remote IP
}

func (l *ipLimitListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		ip := remoteIP(c)
		l.mu.Lock()
		if l.open[ip] >= l.max {
			l.mu.Unlock()
			_ = c.Close()
			continue
		}
		l.open[ip]++
		l.mu.Unlock()
		return &ipLimitConn{Conn: c, l: l, ip: ip}, nil
	}
}

func (l *ipLimitListener) release(ip string) {
	l.mu.Lock()
	if l.open[ip]--; l.open[ip] <= 0 {
		delete(l.open, ip)
	}
	l.mu.Unlock()
}

func remoteIP(c net.Conn) string {
	if a, ok := c.RemoteAddr().(*net.TCPAddr); ok {
		return a.IP.String()
	}
	host, _, err := net.SplitHostPort(c.RemoteAddr().String())
	if err != nil {
		return c.RemoteAddr().String()
	}
	return host
}

type ipLimitConn struct {
	net.Conn
	l    *ipLimitListener
	ip   string
	once sync.Once
}

func (c *ipLimitConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() { c.l.release(c.ip) })
	return err
}
