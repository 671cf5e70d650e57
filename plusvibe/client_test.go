package plusvibe_test

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe/plusvibetest"
)

// waits records the pauses the client asks for, instead of sleeping.
type waits struct {
	mu sync.Mutex
	d  []time.Duration
}

func (w *waits) wait(ctx context.Context, d time.Duration) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.d = append(w.d, d)
	return ctx.Err()
}

func (w *waits) all() []time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]time.Duration(nil), w.d...)
}

func newClient(t *testing.T, srv *plusvibetest.Server, opts ...plusvibe.Option) (*plusvibe.Client, *waits) {
	t.Helper()
	c, err := plusvibe.NewClient(srv.APIKey(), append([]plusvibe.Option{plusvibe.WithBaseURL(srv.URL())}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	w := &waits{}
	plusvibe.SetWait(c, w.wait)
	return c, w
}

func validRequest() plusvibe.CreateClientRequest {
	return plusvibe.CreateClientRequest{
		WorkspaceID:        plusvibetest.DefaultWorkspaces[0].ID,
		ClientEmail:        "nova.smith@example.com",
		ClientFirstName:    "Nova",
		ClientLastName:     "Smith",
		ClientBusinessName: "Nova Consulting Ltd",
		Workspaces: []plusvibe.ClientWorkspacePermission{{
			ID:          plusvibetest.DefaultWorkspaces[1].ID,
			Permissions: []string{plusvibe.PermissionUniboxAccess},
		}},
	}
}

func TestCreateClientSendsSpecConformingRequest(t *testing.T) {
	t.Parallel()
	srv := plusvibetest.NewServer(t)
	c, _ := newClient(t, srv)

	req := validRequest()
	req.ClientFirstName = "  Nova " // trimmed before sending
	resp, err := c.CreateClient(t.Context(), req)
	if err != nil {
		t.Fatalf("CreateClient: %v", err)
	}
	reqs := srv.Requests()
	if len(reqs) != 1 {
		t.Fatalf("got %d requests, want 1", len(reqs))
	}
	got := reqs[0]
	if got.SpecError != nil {
		t.Errorf("request does not match the vendor spec: %v", got.SpecError)
	}
	if got.Method != http.MethodPost || got.Path != "/client" || got.APIKey != srv.APIKey() {
		t.Errorf("got %s %s with key set=%v, want POST /client with the API key", got.Method, got.Path, got.APIKey == srv.APIKey())
	}
	var body map[string]any
	if err := json.Unmarshal(got.Body, &body); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"workspace_id":         plusvibetest.DefaultWorkspaces[0].ID,
		"client_email":         "nova.smith@example.com",
		"client_first_name":    "Nova",
		"client_last_name":     "Smith",
		"client_business_name": "Nova Consulting Ltd",
		"workspaces": []any{map[string]any{
			"id":          plusvibetest.DefaultWorkspaces[1].ID,
			"permissions": []any{"UNIBOX_FULL_ACCESS"},
			"hide_labels": []any{}, // present even when empty
		}},
	}
	if diff := cmp.Diff(want, body); diff != "" {
		t.Errorf("body mismatch (-want +got):\n%s", diff)
	}
	created := srv.Clients()
	if len(created) != 1 || resp.ClientID != created[0].ID || resp.Password.Reveal() != created[0].Password {
		t.Errorf("response does not carry the created client's id and password")
	}
}

func TestCreateClientInvalidSendsNothing(t *testing.T) {
	t.Parallel()
	srv := plusvibetest.NewServer(t)
	c, _ := newClient(t, srv)
	req := validRequest()
	req.ClientEmail = "not-an-email"
	_, err := c.CreateClient(t.Context(), req)
	var verrs plusvibe.ValidationErrors
	if !errors.As(err, &verrs) {
		t.Fatalf("got %v, want ValidationErrors", err)
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("%d requests sent for an invalid request, want 0", n)
	}
}

func TestWorkspaces(t *testing.T) {
	t.Parallel()
	srv := plusvibetest.NewServer(t)
	c, _ := newClient(t, srv)
	got, err := c.Workspaces(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(plusvibetest.DefaultWorkspaces, got); diff != "" {
		t.Errorf("workspaces (-want +got):\n%s", diff)
	}
}

func TestStatusKinds(t *testing.T) {
	t.Parallel()
	kinds := []error{plusvibe.ErrUnauthorized, plusvibe.ErrRateLimited, plusvibe.ErrConflict,
		plusvibe.ErrInvalidRequest, plusvibe.ErrServer}
	tests := []struct {
		status int
		body   string
		want   error
	}{
		{401, `{"status":"error","message":"Invalid API key"}`, plusvibe.ErrUnauthorized},
		{403, ``, plusvibe.ErrUnauthorized},
		{429, ``, plusvibe.ErrRateLimited},
		{409, `{"message":"Client exists"}`, plusvibe.ErrConflict},
		{400, `{"status":"error","message":"Client with this email already exists"}`, plusvibe.ErrConflict},
		{400, `{"status":"error","message":"client_email is invalid"}`, plusvibe.ErrInvalidRequest},
		{422, `{"error":"unprocessable"}`, plusvibe.ErrInvalidRequest},
		{500, `<html>Internal Server Error</html>`, plusvibe.ErrServer},
		{503, ``, plusvibe.ErrServer},
	}
	for _, tt := range tests {
		t.Run(http.StatusText(tt.status)+"/"+tt.body, func(t *testing.T) {
			t.Parallel()
			srv := plusvibetest.NewServer(t)
			c, _ := newClient(t, srv, plusvibe.WithRetryBudget(1, 0))
			srv.Script("POST", "/client", plusvibetest.Response{Status: tt.status, Body: tt.body})
			_, err := c.CreateClient(t.Context(), validRequest())
			for _, k := range kinds {
				if got := errors.Is(err, k); got != (k == tt.want) {
					t.Errorf("errors.Is(%v, %v) = %v, want %v", err, k, got, !got)
				}
			}
			var apiErr *plusvibe.APIError
			if !errors.As(err, &apiErr) || apiErr.StatusCode != tt.status || apiErr.Method != "POST" || apiErr.Path != "/client" {
				t.Fatalf("got %#v, want *APIError with status %d for POST /client", err, tt.status)
			}
			msg := err.Error()
			for _, secret := range []string{srv.APIKey(), "nova.smith@example.com", "Nova Consulting"} {
				if strings.Contains(msg, secret) {
					t.Errorf("error text contains request data or the key")
				}
			}
		})
	}
}

func TestErrorMessageKeepsVendorTextButNotTheKey(t *testing.T) {
	t.Parallel()
	srv := plusvibetest.NewServer(t)
	c, _ := newClient(t, srv)
	srv.Script("POST", "/client", plusvibetest.Response{Status: 400,
		Body: `{"message":"api_key ` + srv.APIKey() + ` lacks access to workspace"}`})
	_, err := c.CreateClient(t.Context(), validRequest())
	var apiErr *plusvibe.APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("got %v, want *APIError", err)
	}
	if strings.Contains(err.Error(), srv.APIKey()) {
		t.Error("error text contains the API key")
	}
	if want := "api_key [REDACTED] lacks access to workspace"; apiErr.Message != want {
		t.Errorf("Message = %q, want %q", apiErr.Message, want)
	}
}

func TestRateLimitedIsRetriedAfterRetryAfter(t *testing.T) {
	t.Parallel()
	srv := plusvibetest.NewServer(t)
	c, w := newClient(t, srv)
	srv.Script("POST", "/client", plusvibetest.Response{Status: 429, RetryAfter: "2"})
	if _, err := c.CreateClient(t.Context(), validRequest()); err != nil {
		t.Fatalf("CreateClient: %v", err)
	}
	if n := srv.Count("POST", "/client"); n != 2 {
		t.Errorf("%d POSTs, want 2 (429, then success)", n)
	}
	if diff := cmp.Diff([]time.Duration{2 * time.Second}, w.all()); diff != "" {
		t.Errorf("waits (-want +got):\n%s", diff)
	}
	if n := len(srv.Clients()); n != 1 {
		t.Errorf("%d clients created, want 1", n)
	}
}

func TestRateLimitBeyondBudgetIsReturned(t *testing.T) {
	t.Parallel()
	srv := plusvibetest.NewServer(t)
	c, w := newClient(t, srv, plusvibe.WithRetryBudget(3, 10*time.Second))
	srv.Script("POST", "/client", plusvibetest.Response{Status: 429, RetryAfter: "60"})
	_, err := c.CreateClient(t.Context(), validRequest())
	var apiErr *plusvibe.APIError
	if !errors.Is(err, plusvibe.ErrRateLimited) || !errors.As(err, &apiErr) || apiErr.RetryAfter != time.Minute {
		t.Fatalf("got %v, want ErrRateLimited with RetryAfter 1m", err)
	}
	if n := srv.Count("POST", "/client"); n != 1 || len(w.all()) != 0 {
		t.Errorf("%d POSTs and %d waits, want 1 and 0", n, len(w.all()))
	}
}

func TestRateLimitAttemptsAreBounded(t *testing.T) {
	t.Parallel()
	srv := plusvibetest.NewServer(t)
	c, _ := newClient(t, srv, plusvibe.WithRetryBudget(3, time.Minute))
	for range 5 {
		srv.Script("POST", "/client", plusvibetest.Response{Status: 429, RetryAfter: "1"})
	}
	if _, err := c.CreateClient(t.Context(), validRequest()); !errors.Is(err, plusvibe.ErrRateLimited) {
		t.Fatalf("got %v, want ErrRateLimited", err)
	}
	if n := srv.Count("POST", "/client"); n != 3 {
		t.Errorf("%d POSTs, want 3", n)
	}
}

func TestCreateClientNotRetriedAfterServerError(t *testing.T) {
	t.Parallel()
	srv := plusvibetest.NewServer(t)
	c, w := newClient(t, srv)
	srv.Script("POST", "/client", plusvibetest.Response{Status: 500})
	_, err := c.CreateClient(t.Context(), validRequest())
	if !errors.Is(err, plusvibe.ErrServer) {
		t.Fatalf("got %v, want ErrServer", err)
	}
	if n := srv.Count("POST", "/client"); n != 1 || len(w.all()) != 0 {
		t.Errorf("%d POSTs and %d waits after a 500, want exactly 1 and 0", n, len(w.all()))
	}
}

func TestCreateClientNotRetriedAfterTimeout(t *testing.T) {
	t.Parallel()
	srv := plusvibetest.NewServer(t)
	c, _ := newClient(t, srv, plusvibe.WithTimeout(50*time.Millisecond))
	hold := make(chan struct{})
	defer close(hold)
	srv.Script("POST", "/client", plusvibetest.Response{Status: 200, Hold: hold})
	_, err := c.CreateClient(t.Context(), validRequest())
	var netErr *plusvibe.NetworkError
	if !errors.Is(err, plusvibe.ErrTimeout) || !errors.As(err, &netErr) || !netErr.RequestSent {
		t.Fatalf("got %v, want a timeout after the request was sent", err)
	}
	srv.Next(t, "POST", "/client", 5*time.Second) // the held request, recorded when it ends
	if n := srv.Count("POST", "/client"); n != 1 {
		t.Errorf("%d POSTs after a timeout, want exactly 1", n)
	}
}

func TestRefusedConnectionIsRetried(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now: connections are refused

	c, err := plusvibe.NewClient("k", plusvibe.WithBaseURL("http://"+addr+"/api/v1"), plusvibe.WithRetryBudget(3, time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	w := &waits{}
	plusvibe.SetWait(c, w.wait)
	_, err = c.CreateClient(t.Context(), validRequest())
	var netErr *plusvibe.NetworkError
	if !errors.Is(err, plusvibe.ErrNetwork) || !errors.As(err, &netErr) || netErr.RequestSent {
		t.Fatalf("got %v, want a network error before sending", err)
	}
	if n := len(w.all()); n != 2 {
		t.Errorf("%d retries of a refused connection, want 2 (3 attempts)", n)
	}
}

func TestWorkspacesRetriesServerErrors(t *testing.T) {
	t.Parallel()
	srv := plusvibetest.NewServer(t)
	c, _ := newClient(t, srv)
	srv.Script("GET", "/authenticate", plusvibetest.Response{Status: 502}, plusvibetest.Response{Status: 503})
	ws, err := c.Workspaces(t.Context())
	if err != nil || len(ws) != len(plusvibetest.DefaultWorkspaces) {
		t.Fatalf("Workspaces = %v, %v; want the list after two 5xx", ws, err)
	}
	if n := srv.Count("GET", "/authenticate"); n != 3 {
		t.Errorf("%d GETs, want 3", n)
	}
}

func TestCancelStopsRetryWait(t *testing.T) {
	t.Parallel()
	srv := plusvibetest.NewServer(t)
	// The real wait, not the recorder: the client must give up its timer on cancel.
	c, err := plusvibe.NewClient(srv.APIKey(), plusvibe.WithBaseURL(srv.URL()), plusvibe.WithRetryBudget(3, 2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	srv.Script("POST", "/client", plusvibetest.Response{Status: 429, RetryAfter: "3600"})
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		_, err := c.CreateClient(ctx, validRequest())
		done <- err
	}()
	srv.Next(t, "POST", "/client", 5*time.Second)
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("got %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("CreateClient still waiting after its context was cancelled")
	}
	if n := srv.Count("POST", "/client"); n != 1 {
		t.Errorf("%d POSTs, want 1", n)
	}
}

func TestNewClientOptions(t *testing.T) {
	t.Parallel()
	for name, opts := range map[string][]plusvibe.Option{
		"relative base URL": {plusvibe.WithBaseURL("/api")},
		"zero timeout":      {plusvibe.WithTimeout(0)},
		"nil http client":   {plusvibe.WithHTTPClient(nil)},
		"no attempts":       {plusvibe.WithRetryBudget(0, time.Second)},
		"blank user agent":  {plusvibe.WithUserAgent(" ")},
	} {
		if _, err := plusvibe.NewClient("k", opts...); err == nil {
			t.Errorf("%s: NewClient accepted it", name)
		}
	}
	if _, err := plusvibe.NewClient(" "); err == nil {
		t.Error("NewClient accepted a blank API key")
	}
}

func TestCreateClientSuccessWithoutPasswordIsIncomplete(t *testing.T) {
	t.Parallel()
	for name, body := range map[string]string{
		"no password":    `{"client_id":"70218d5e05561a3877dcb77f","email":"nova.smith@example.com"}`,
		"blank password": `{"client_id":"70218d5e05561a3877dcb77f","email":"nova.smith@example.com","password":"  "}`,
		"not JSON":       `<html>created</html>`,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := plusvibetest.NewServer(t)
			c, w := newClient(t, srv)
			srv.Script("POST", "/client", plusvibetest.Response{Status: 200, Body: body})
			_, err := c.CreateClient(t.Context(), validRequest())
			if !errors.Is(err, plusvibe.ErrIncomplete) {
				t.Fatalf("got %v, want ErrIncomplete", err)
			}
			if strings.Contains(err.Error(), "html") || strings.Contains(err.Error(), "70218d") {
				t.Errorf("the error quotes the body: %v", err)
			}
			if n := srv.Count("POST", "/client"); n != 1 || len(w.all()) != 0 {
				t.Errorf("%d POSTs and %d waits, want 1 and 0: the client exists", n, len(w.all()))
			}
		})
	}
}

func TestCreateClientUnreadableSuccessIsIncomplete(t *testing.T) {
	t.Parallel()
	// A 200 whose body breaks off: PlusVibe created the client, the answer is lost.
	srv := http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "500")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(`{"client_id":"x","password":"sec`))
		w.(http.Flusher).Flush()
		conn, _, _ := w.(http.Hijacker).Hijack()
		conn.Close()
	})}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { srv.Close() })
	c, err := plusvibe.NewClient("k", plusvibe.WithBaseURL("http://"+l.Addr().String()+"/api/v1"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.CreateClient(t.Context(), validRequest())
	if !errors.Is(err, plusvibe.ErrIncomplete) || strings.Contains(err.Error(), "sec") {
		t.Fatalf("got %v, want ErrIncomplete without the body", err)
	}
}

func TestRedirectsAreNotFollowed(t *testing.T) {
	t.Parallel()
	// Another host that would collect the key.
	var mu sync.Mutex
	var stolen []string
	elsewhere := http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		stolen = append(stolen, r.Header.Get("x-api-key"))
		mu.Unlock()
	})}
	l, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = elsewhere.Serve(l) }()
	t.Cleanup(func() { elsewhere.Close() })

	srv := plusvibetest.NewServer(t)
	c, _ := newClient(t, srv)
	srv.Script("POST", "/client", plusvibetest.Response{Status: http.StatusTemporaryRedirect, Body: " ",
		Location: "http://" + l.Addr().String() + "/api/v1/client"})
	_, err = c.CreateClient(t.Context(), validRequest())
	var apiErr *plusvibe.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusTemporaryRedirect || !strings.Contains(err.Error(), "redirect not followed") {
		t.Fatalf("got %v, want the 307 itself", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(stolen) != 0 {
		t.Errorf("the redirect was followed: %d requests reached the other host", len(stolen))
	}
}

func TestBaseURLMustBeHTTPSOffLoopback(t *testing.T) {
	t.Parallel()
	for raw, ok := range map[string]bool{
		"http://api.plusvibe.ai/api/v1":  false,
		"http://10.0.0.5:8080/api/v1":    false,
		"https://api.plusvibe.ai/api/v1": true,
		"http://127.0.0.1:9000/api/v1":   true,
		"http://localhost:9000/api/v1":   true,
		"http://[::1]:9000/api/v1":       true,
	} {
		_, err := plusvibe.NewClient("k", plusvibe.WithBaseURL(raw))
		if (err == nil) != ok {
			t.Errorf("%s: err = %v, want ok=%v", raw, err, ok)
		}
	}
}
