// Package plusvibetest is a fake PlusVibe API for tests: a stateful in-process
// HTTP server that keeps the clients it creates (listed, edited, deleted),
// checks every POST /client against the vendor's OpenAPI spec and every
// list, edit and delete against the spec written from PlusVibe's reference,
// records every request, and can be scripted to fail, stall or rate-limit.
package plusvibetest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe"
)

// DefaultAPIKey is the key the server accepts unless WithAPIKey says otherwise.
const DefaultAPIKey = "pv-test-key-7f3a9c1e"

// DefaultWorkspaces are served by GET /authenticate unless WithWorkspaces says otherwise.
var DefaultWorkspaces = []plusvibe.Workspace{
	{ID: "65f99a0dd96fae8ab61130c0", Name: "Acme Outreach"},
	{ID: "65f99a0dd96fae8ab61130c1", Name: "Nova Consulting"},
	{ID: "65f99a0dd96fae8ab61130c2", Name: "Zeta Labs"},
}

// Response is a scripted answer to one request. With Status 0 the request is
// held (if Hold is set) and then answered as the fake normally would.
type Response struct {
	Status     int
	Body       string // sent as is; a JSON error body when empty and Status >= 400
	RetryAfter string // Retry-After header value, if any
	Location   string // Location header value, for a redirect
	// Hold, when set, keeps the request open until it is closed or the client
	// goes away, to stage slow or in-flight requests.
	Hold <-chan struct{}
}

// Request is a recorded request.
type Request struct {
	Method string
	Path   string // without the /api/v1 prefix
	APIKey string
	Body   []byte
	// SpecError is the spec validation failure, if any.
	SpecError error
	// Status is what the server answered; 0 while in flight or abandoned.
	Status int
}

// CreatedClient is a client the fake created.
type CreatedClient struct {
	ID       string
	Email    string
	Password string
	Request  plusvibe.CreateClientRequest
}

// listed is a client as the fake keeps it for GET /client/: created
// through it, or seeded with AddClient; edited by PUT, gone after DELETE.
type listed struct {
	login   plusvibe.ClientLogin
	deleted bool
}

// Server is a fake PlusVibe. All methods are safe for concurrent use.
type Server struct {
	t       T
	srv     *httptest.Server
	apiKey  string
	latency time.Duration

	mu         sync.Mutex
	workspaces []plusvibe.Workspace
	script     map[string][]Response
	requests   []Request
	clients    []CreatedClient
	logins     []*listed // every client, as GET /client/ lists them
	seen       chan Request
}

// Option configures a Server.
type Option func(*Server)

// WithAPIKey sets the one API key the server accepts.
func WithAPIKey(k string) Option { return func(s *Server) { s.apiKey = k } }

// WithWorkspaces sets the workspaces GET /authenticate lists.
func WithWorkspaces(ws ...plusvibe.Workspace) Option {
	return func(s *Server) { s.workspaces = slices.Clone(ws) }
}

// WithLatency delays every answer by d (or until the client gives up).
func WithLatency(d time.Duration) Option { return func(s *Server) { s.latency = d } }

const prefix = "/api/v1"

// NewServer starts a fake PlusVibe that is closed when the test ends.
func NewServer(t T, opts ...Option) *Server {
	t.Helper()
	if _, err := Spec(); err != nil {
		t.Fatalf("plusvibetest: %v", err)
	}
	s := &Server{
		t:          t,
		apiKey:     DefaultAPIKey,
		workspaces: slices.Clone(DefaultWorkspaces),
		script:     make(map[string][]Response),
		seen:       make(chan Request, 1024),
	}
	for _, o := range opts {
		o(s)
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

// URL is the API base URL, including the /api/v1 prefix.
func (s *Server) URL() string { return s.srv.URL + prefix }

// APIKey is the key the server accepts.
func (s *Server) APIKey() string { return s.apiKey }

// Close stops the server; later requests fail to connect.
func (s *Server) Close() { s.srv.Close() }

// Script queues answers for the next requests to method and path (e.g.
// "POST", "/client"), used in order before the normal behaviour resumes.
func (s *Server) Script(method, path string, rs ...Response) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := method + " " + path
	s.script[key] = append(s.script[key], rs...)
}

// SetWorkspaces replaces the workspace list.
func (s *Server) SetWorkspaces(ws ...plusvibe.Workspace) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.workspaces = slices.Clone(ws)
}

// Requests returns every request recorded so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// Count returns how many requests were made to method and path.
func (s *Server) Count(method, path string) int {
	n := 0
	for _, r := range s.Requests() {
		if r.Method == method && r.Path == path {
			n++
		}
	}
	return n
}

// Clients returns the clients created so far, with their passwords.
func (s *Server) Clients() []CreatedClient {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.clients)
}

// Next waits up to timeout for the next request to arrive that matches method
// and path, failing the test if none comes.
func (s *Server) Next(t T, method, path string, timeout time.Duration) Request {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		select {
		case r := <-s.seen:
			if r.Method == method && r.Path == path {
				return r
			}
		case <-deadline.C:
			t.Fatalf("plusvibetest: no %s %s within %s", method, path, timeout)
			return Request{}
		}
	}
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	rec := Request{
		Method: r.Method,
		Path:   strings.TrimPrefix(r.URL.Path, prefix),
		APIKey: r.Header.Get("x-api-key"),
		Body:   body,
	}
	// Recorded on arrival, so tests can wait for a request that is being held.
	s.mu.Lock()
	idx := len(s.requests)
	s.requests = append(s.requests, rec)
	s.mu.Unlock()
	select {
	case s.seen <- rec:
	default: // nobody is waiting on more than the buffer holds
	}

	status, out, header := s.answer(r, &rec)
	s.mu.Lock()
	s.requests[idx].Status, s.requests[idx].SpecError = status, rec.SpecError
	s.mu.Unlock()

	if status == 0 { // client went away while held
		return
	}
	for k, v := range header {
		w.Header().Set(k, v)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(out)
}

// answer decides the response; status 0 means the client disconnected.
func (s *Server) answer(r *http.Request, rec *Request) (int, []byte, map[string]string) {
	if !strings.HasPrefix(r.URL.Path, prefix+"/") {
		s.t.Errorf("plusvibetest: request outside %s: %s %s", prefix, r.Method, r.URL.Path)
		return http.StatusNotFound, errBody("Not found"), nil
	}
	if s.latency > 0 && !wait(r.Context(), time.After(s.latency)) {
		return 0, nil, nil
	}
	if rec.APIKey != s.apiKey {
		return http.StatusUnauthorized, errBody("Invalid API key"), nil
	}
	resp, scripted := s.scripted(rec.Method + " " + rec.Path)
	if scripted && resp.Hold != nil && !wait(r.Context(), resp.Hold) {
		return 0, nil, nil
	}
	if scripted && resp.Status != 0 {
		// Scripted answers still count as seen by the spec check.
		if rec.Method == http.MethodPost && rec.Path == "/client" {
			rec.SpecError = s.checkSpec(r, rec.Body)
		}
		body := []byte(resp.Body)
		if len(body) == 0 && resp.Status >= 400 {
			body = errBody(http.StatusText(resp.Status))
		}
		h := map[string]string{}
		if resp.RetryAfter != "" {
			h["Retry-After"] = resp.RetryAfter
		}
		if resp.Location != "" {
			h["Location"] = resp.Location
		}
		return resp.Status, body, h
	}

	switch rec.Method + " " + rec.Path {
	case "GET /authenticate":
		s.mu.Lock()
		ws := slices.Clone(s.workspaces)
		s.mu.Unlock()
		b, _ := json.Marshal(map[string]any{"status": "success", "workspaces": ws})
		return http.StatusOK, b, nil
	case "POST /client":
		return s.createClient(r, rec)
	case "GET /client/", "PUT /client", "DELETE /client":
		return s.access(r, rec)
	}
	s.t.Errorf("plusvibetest: unexpected request %s %s", r.Method, r.URL.Path)
	return http.StatusNotFound, errBody("Not found"), nil
}

func wait[T any](ctx context.Context, ch <-chan T) bool {
	select {
	case <-ch:
		return true
	case <-ctx.Done():
		return false
	}
}

func (s *Server) scripted(key string) (Response, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.script[key]
	if len(q) == 0 {
		return Response{}, false
	}
	s.script[key] = q[1:]
	return q[0], true
}

func (s *Server) createClient(r *http.Request, rec *Request) (int, []byte, map[string]string) {
	if err := s.checkSpec(r, rec.Body); err != nil {
		rec.SpecError = err
		s.t.Errorf("plusvibetest: POST /client body does not match the vendor spec: %v", err)
		return http.StatusBadRequest, errBody("Invalid request body"), nil
	}
	var req plusvibe.CreateClientRequest
	_ = json.Unmarshal(rec.Body, &req) // the spec check passed, so it decodes
	if msg := s.businessRules(req); msg != "" {
		return http.StatusBadRequest, errBody(msg), nil
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.clients {
		if strings.EqualFold(c.Email, req.ClientEmail) {
			return http.StatusBadRequest, errBody("Client with this email already exists"), nil
		}
	}
	for _, l := range s.logins {
		if !l.deleted && strings.EqualFold(l.login.Email, req.ClientEmail) {
			return http.StatusBadRequest, errBody("Client with this email already exists"), nil
		}
	}
	c := CreatedClient{ID: randomHex(12), Email: req.ClientEmail, Password: randomPassword(), Request: req}
	s.clients = append(s.clients, c)
	now := time.Now().UTC()
	s.logins = append(s.logins, &listed{login: plusvibe.ClientLogin{ID: c.ID, FirstName: req.ClientFirstName, LastName: req.ClientLastName,
		Email: req.ClientEmail, BusinessName: req.ClientBusinessName, Status: "ACTIVE", Permissions: s.permissionsLocked(req.Workspaces),
		CreatedAt: now, ModifiedAt: now}})
	b, _ := json.Marshal(map[string]string{"client_id": c.ID, "email": c.Email, "password": c.Password})
	return http.StatusOK, b, nil
}

// businessRules are what PlusVibe checks beyond the schema, per its
// descriptions: one permission of two, workspaces the key can use.
func (s *Server) businessRules(req plusvibe.CreateClientRequest) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	known := func(id string) bool {
		return slices.ContainsFunc(s.workspaces, func(w plusvibe.Workspace) bool { return w.ID == id })
	}
	if !known(req.WorkspaceID) {
		return "workspace_id is not a workspace of this API key"
	}
	if len(req.Workspaces) == 0 {
		return "workspaces must not be empty"
	}
	for _, w := range req.Workspaces {
		if !known(w.ID) {
			return fmt.Sprintf("workspace %s not found", w.ID)
		}
		if len(w.Permissions) != 1 ||
			(w.Permissions[0] != plusvibe.PermissionFullAccess && w.Permissions[0] != plusvibe.PermissionUniboxAccess) {
			return "permissions must contain exactly one of FULL_ACCESS, UNIBOX_FULL_ACCESS"
		}
	}
	return ""
}

// checkSpec validates a POST /client against the vendor spec.
func (s *Server) checkSpec(r *http.Request, body []byte) error {
	doc, err := Spec()
	if err != nil {
		return err
	}
	return validateAgainst(doc, "/client", r, body)
}

// validateAgainst validates a request against the operation at path in doc,
// and rejects JSON properties the spec does not define (a misspelt field
// would otherwise pass).
func validateAgainst(doc *openapi3.T, path string, r *http.Request, body []byte) error {
	item := doc.Paths.Find(path)
	if item == nil || item.GetOperation(r.Method) == nil {
		return fmt.Errorf("no %s %s in the spec", r.Method, path)
	}
	op := item.GetOperation(r.Method)
	req := r.Clone(context.Background())
	req.Body = io.NopCloser(bytes.NewReader(body))
	input := &openapi3filter.RequestValidationInput{
		Request:     req,
		QueryParams: r.URL.Query(),
		Route:       &routers.Route{Spec: doc, Path: path, PathItem: item, Method: r.Method, Operation: op},
		Options: &openapi3filter.Options{
			MultiError: true,
			AuthenticationFunc: func(_ context.Context, in *openapi3filter.AuthenticationInput) error {
				if in.RequestValidationInput.Request.Header.Get("x-api-key") == "" {
					return fmt.Errorf("no x-api-key header")
				}
				return nil
			},
		},
	}
	if err := openapi3filter.ValidateRequest(context.Background(), input); err != nil {
		return err
	}
	if op.RequestBody == nil {
		return nil
	}
	return unknownFields(body, op.RequestBody.Value.Content.Get("application/json").Schema.Value)
}

func unknownProperties(body []byte, itemProps, props map[string]*openapi3.SchemaRef) error {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil {
		return err
	}
	for k := range top {
		if _, ok := props[k]; !ok {
			return fmt.Errorf("property %q is not in the spec", k)
		}
	}
	var items []map[string]json.RawMessage
	if err := json.Unmarshal(top["workspaces"], &items); err != nil {
		return err
	}
	for _, it := range items {
		for k := range it {
			if _, ok := itemProps[k]; !ok {
				return fmt.Errorf("workspaces[] property %q is not in the spec", k)
			}
		}
	}
	return nil
}

func errBody(msg string) []byte {
	b, _ := json.Marshal(map[string]string{"status": "error", "message": msg})
	return b
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// randomPassword looks like PlusVibe's: short, with symbols that need escaping
// in mrkdwn and JSON.
func randomPassword() string {
	return "Pw<" + randomHex(6) + ">&#!"
}
