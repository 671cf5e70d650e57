package bot

import (
	"context"
	"net/http"
)

// HealthHandler serves /healthz (the process runs), /readyz (the Socket
// Mode connection is up) and /metrics (Prometheus).
func (b *Bot) HealthHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if !b.Ready() {
			http.Error(w, "socket mode not connected", http.StatusServiceUnavailable)
			return
		}
		if err := b.checkStore(r.Context()); err != nil {
			http.Error(w, "the store cannot be reached: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte("ready\n"))
	})
	mux.Handle("GET /metrics", b.metrics.Handler())
	return mux
}

// checkStore pings the store, and remembers the answer.
func (b *Bot) checkStore(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	return b.storeHealth.note(b.views.store.Ping(ctx))
}
