package main

// The HTTP clients and servers of the bot, and their timeouts.
//
// The timeout budget, outermost first. Each bound below is at least as long
// as the bound it contains, so that the one that should decide always does:
//
//   - PlusVibe: PLUSVIBE_TIMEOUT bounds one request (plusvibe.WithTimeout, a
//     context deadline); its transport's dial, TLS and header timeouts equal
//     it, never less, so a POST answered after 12 s under 30 s still lands.
//     A call makes at most 3 attempts with at most plusvibe.DefaultRetryWait
//     of 429 waits: bot.Config.CreationBound, which SHUTDOWN_TIMEOUT covers.
//   - Slack Web API: one attempt is bounded by bot.Config.SlackCallTimeout
//     (10 s), retries and 429 waits by 30 s and by the caller's deadline (a
//     trigger's 3 s, an ack's 2.5 s, a report's 10 s settle). Under it, the
//     transport's header timeout is 10 s and the HTTP client's 15 s, so a
//     call's own deadline, not the transport, ends it.
//   - response_url posts use the same client: 15 s, under the caller's deadline.
//   - Redis: each store operation has 1 s (bot.storeTimeout), under go-redis's
//     own 3 s read and write timeouts; a Slack ack needs an answer in 3 s.
//   - The health server: 5 s to read a request, 10 s to write an answer.

import (
	"fmt"
	"net"
	"net/http"
	"time"
)

// healthcheck asks the bot listening on addr (HTTP_ADDR; empty: its default)
// for /healthz, on this machine.
func healthcheck(addr string) error {
	if addr == "" {
		addr = ":8080"
	}
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("HTTP_ADDR is not host:port")
	}
	client := &http.Client{Timeout: 2 * time.Second}
	resp, err := client.Get("http://" + net.JoinHostPort("127.0.0.1", port) + "/healthz")
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("/healthz answered %d", resp.StatusCode)
	}
	return nil
}

// pooledTransport keeps up to perHost idle connections to each host, so that
// as many requests as the bot handles at once reuse connections instead of
// dialling (the default keeps 2).
func pooledTransport(perHost int) *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 2 * perHost
	t.MaxIdleConnsPerHost = perHost
	t.IdleConnTimeout = 90 * time.Second
	t.TLSHandshakeTimeout = 5 * time.Second
	t.ResponseHeaderTimeout = 10 * time.Second
	return t
}

// plusVibeTransport is PlusVibe's own: no phase of it may end a request
// before PLUSVIBE_TIMEOUT does. A POST /client cut short by the transport
// may still create the client, whose password is then lost.
func plusVibeTransport(cfg Config) *http.Transport {
	t := pooledTransport(cfg.MaxInFlight)
	d := max(cfg.PlusVibeTimeout, 5*time.Second)
	t.DialContext = (&net.Dialer{Timeout: d, KeepAlive: 30 * time.Second}).DialContext
	t.TLSHandshakeTimeout = d
	t.ResponseHeaderTimeout = d
	return t
}

// slackHTTPClient is the one HTTP client for Slack: the Web API, Socket
// Mode's connection requests and response URLs. Every phase has a bound, so a
// hung call cannot stall a handler or a reconnect, and enough connections
// stay open to Slack for every interaction handled at once.
func slackHTTPClient(inFlight int) *http.Client {
	return &http.Client{Transport: pooledTransport(inFlight), Timeout: 15 * time.Second}
}

// healthServer serves /healthz, /readyz and /metrics with every phase
// bounded, so that slow or idle clients cannot hold connections open.
func healthServer(h http.Handler) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 5 * time.Second,
		WriteTimeout: 10 * time.Second, IdleTimeout: 60 * time.Second}
}
