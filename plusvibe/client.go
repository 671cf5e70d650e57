// Package plusvibe is a small client for the PlusVibe API endpoints the bot
// uses: creating, listing, editing and deleting client logins (/client), and
// listing the workspaces an API key can use (GET /authenticate).
//
// API reference: https://developer.plusvibe.ai/
package plusvibe

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"time"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/internal/pause"
)

// DefaultRetryWait is the most a call waits between its attempts, in all,
// unless WithRetryBudget says otherwise.
const DefaultRetryWait = 30 * time.Second

// DefaultBaseURL is PlusVibe's production API root.
const DefaultBaseURL = "https://api.plusvibe.ai/api/v1"

const (
	defaultTimeout     = 30 * time.Second
	defaultUserAgent   = "plusvibe-slack-bot"
	defaultMaxAttempts = 3
	defaultMaxWait     = DefaultRetryWait
	// maxBodyBytes caps what is read of any response; PlusVibe's answers are tiny.
	maxBodyBytes = 1 << 20
)

// Client calls the PlusVibe API with one API key. It is safe for concurrent use.
type Client struct {
	apiKey      string
	baseURL     *url.URL
	http        *http.Client
	timeout     time.Duration
	userAgent   string
	maxAttempts int
	maxWait     time.Duration
	// wait pauses between attempts; tests replace it to avoid real delays.
	wait func(ctx context.Context, d time.Duration) error
}

// Option configures a Client.
type Option func(*Client) error

// WithBaseURL points the client at another API root, e.g. a test server.
func WithBaseURL(raw string) Option {
	return func(c *Client) error {
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("plusvibe: base URL %q must be an absolute http(s) URL", raw)
		}
		if u.Scheme == "http" && !isLoopback(u.Hostname()) {
			// The API key would cross the network in clear text.
			return fmt.Errorf("plusvibe: base URL %q must use https (http is only for loopback test servers)", raw)
		}
		// Endpoints are resolved relative to the base, so the path must end in "/"
		// or "/api/v1" would lose its last segment.
		if !strings.HasSuffix(u.Path, "/") {
			u.Path += "/"
		}
		c.baseURL = u
		return nil
	}
}

// WithHTTPClient sets the HTTP client used for every request.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) error {
		if hc == nil {
			return errors.New("plusvibe: HTTP client is nil")
		}
		c.http = hc
		return nil
	}
}

// WithTimeout bounds each single HTTP request (not the retries as a whole).
func WithTimeout(d time.Duration) Option {
	return func(c *Client) error {
		if d <= 0 {
			return fmt.Errorf("plusvibe: timeout must be positive, got %s", d)
		}
		c.timeout = d
		return nil
	}
}

// WithUserAgent sets the User-Agent header.
func WithUserAgent(ua string) Option {
	return func(c *Client) error {
		if strings.TrimSpace(ua) == "" {
			return errors.New("plusvibe: user agent is blank")
		}
		c.userAgent = ua
		return nil
	}
}

// WithRetryBudget bounds retries: at most attempts requests per call, and at most
// maxWait spent waiting between them.
func WithRetryBudget(attempts int, maxWait time.Duration) Option {
	return func(c *Client) error {
		if attempts < 1 || maxWait < 0 {
			return fmt.Errorf("plusvibe: retry budget needs attempts >= 1 and a non-negative wait")
		}
		c.maxAttempts, c.maxWait = attempts, maxWait
		return nil
	}
}

// NewClient returns a Client that authenticates with apiKey.
func NewClient(apiKey string, opts ...Option) (*Client, error) {
	if strings.TrimSpace(apiKey) == "" {
		return nil, errors.New("plusvibe: API key is blank")
	}
	c := &Client{
		apiKey:      apiKey,
		http:        &http.Client{},
		timeout:     defaultTimeout,
		userAgent:   defaultUserAgent,
		maxAttempts: defaultMaxAttempts,
		maxWait:     defaultMaxWait,
		wait:        pause.For,
	}
	if err := WithBaseURL(DefaultBaseURL)(c); err != nil {
		return nil, err
	}
	for _, opt := range opts {
		if err := opt(c); err != nil {
			return nil, err
		}
	}
	// A redirect would carry the x-api-key header to wherever it points, and
	// a POST must not be replayed: answer with the redirect itself instead.
	hc := *c.http
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	c.http = &hc
	return c, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// endpoint describes one API operation and how far it may be retried.
type endpoint struct {
	method string
	path   string // relative to the base URL, no leading slash
	query  url.Values
	// idempotent operations may be retried after a 5xx; POST /client is not,
	// because PlusVibe may have created the client before failing.
	idempotent bool
}

// call sends one operation with retries and decodes a 2xx answer into out.
func (c *Client) call(ctx context.Context, ep endpoint, body, out any) error {
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return fmt.Errorf("plusvibe: encoding %s %s: %w", ep.method, ep.path, err)
		}
	}
	var waited time.Duration
	for attempt := 1; ; attempt++ {
		err := c.attempt(ctx, ep, payload, out)
		if err == nil {
			return nil
		}
		delay, retry := c.retryDelay(ep, err, attempt)
		if !retry || attempt >= c.maxAttempts || waited+delay > c.maxWait {
			return err
		}
		if werr := c.wait(ctx, delay); werr != nil {
			return werr
		}
		waited += delay
	}
}

// retryDelay decides whether err may be retried and after how long.
func (c *Client) retryDelay(ep endpoint, err error, attempt int) (time.Duration, bool) {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		switch {
		case apiErr.StatusCode == http.StatusTooManyRequests:
			if apiErr.RetryAfter > 0 {
				return apiErr.RetryAfter, true
			}
			return backoff(attempt), true
		case apiErr.StatusCode >= 500 && ep.idempotent:
			return backoff(attempt), true
		}
		return 0, false
	}
	var netErr *NetworkError
	if errors.As(err, &netErr) && !netErr.RequestSent && !netErr.Timeout {
		// Nothing reached PlusVibe, so even a POST cannot have taken effect.
		return backoff(attempt), true
	}
	return 0, false
}

func backoff(attempt int) time.Duration {
	return time.Duration(250*(1<<(attempt-1))) * time.Millisecond
}

// newRequest builds ep's request, with the API key and payload as JSON.
func (c *Client) newRequest(ctx context.Context, ep endpoint, payload []byte) (*http.Request, error) {
	u := c.baseURL.ResolveReference(&url.URL{Path: ep.path, RawQuery: ep.query.Encode()})
	var body io.Reader
	if payload != nil {
		body = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, ep.method, u.String(), body)
	if err != nil {
		return nil, fmt.Errorf("plusvibe: building %s %s: %w", ep.method, ep.path, err)
	}
	req.Header.Set("x-api-key", c.apiKey)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req, nil
}

// attempt sends one HTTP request.
func (c *Client) attempt(ctx context.Context, ep endpoint, payload []byte, out any) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	reqCtx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()

	var sent bool
	reqCtx = httptrace.WithClientTrace(reqCtx, &httptrace.ClientTrace{
		WroteHeaders: func() { sent = true },
	})
	req, err := c.newRequest(reqCtx, ep, payload)
	if err != nil {
		return err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		// The caller's own cancellation says more than the transport's error.
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		return &NetworkError{
			Method:      ep.method,
			Path:        "/" + ep.path,
			Timeout:     errors.Is(err, context.DeadlineExceeded) || isTimeout(err),
			RequestSent: sent,
			Err:         unwrapURLError(err),
		}
	}
	defer resp.Body.Close()
	success := resp.StatusCode >= 200 && resp.StatusCode <= 299
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxBodyBytes))
	switch {
	case err != nil && success:
		// PlusVibe acted; what it answered is lost.
		return &IncompleteError{Method: ep.method, Path: "/" + ep.path, StatusCode: resp.StatusCode, What: "the body could not be read"}
	case err != nil:
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		return &NetworkError{Method: ep.method, Path: "/" + ep.path, Timeout: isTimeout(err), RequestSent: true, Err: err}
	case !success:
		return c.newAPIError(ep, resp, raw)
	case out == nil:
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		// Never quote the body: on success it carries the password.
		return &IncompleteError{Method: ep.method, Path: "/" + ep.path, StatusCode: resp.StatusCode, What: "the body is not the expected JSON"}
	}
	return nil
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

// unwrapURLError drops *url.Error's "Post \"https://…\":" prefix, which repeats
// the method and URL the NetworkError already names.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
