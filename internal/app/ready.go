package app

import (
	"context"
	"net/http"
	"time"
)

// readyz answers 200 when the database answers a query within 2 s, else
// 503: a load balancer sends no traffic to a node whose store is gone,
// while /healthz (the process is alive) stays 200.
func (a *App) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	rows, err := a.Client.QueryContext(ctx, "SELECT 1")
	if err == nil {
		err = rows.Close()
	}
	if err != nil {
		a.Config.Log.Warn("readyz: the database does not answer", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte("database unavailable\n"))
		return
	}
	_, _ = w.Write([]byte("ready\n"))
}
