// Package slacktest is an in-process Slack for tests: the Web API methods the bot
// calls, served over HTTP, and Socket Mode served over a real WebSocket. It keeps
// views the way Slack does (ids, hashes, state), so a test can fill in the modal
// the bot opened as a person would, and it records every call and every frame.
package slacktest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/bot/slackapi"
)

// Tokens the server accepts unless changed before the bot starts.
const (
	DefaultBotToken = "xoxb-fake-bot-4f1e2d"
	DefaultAppToken = "xapp-fake-app-9c8b7a"
	TeamID          = "T0FAKE"
	BotUserID       = "U0BOT"
	// BotID is the app's bot id, on auth.test and on every message it posts.
	BotID = "B0BOT"
)

// triggerLifetime is how long Slack honours a trigger_id.
const triggerLifetime = 3 * time.Second

// Call is one recorded Web API call. Params holds the form fields or the JSON
// body's top-level fields, without the token; Token is the credential used.
type Call struct {
	Method string
	Token  string
	Params map[string]string
	At     time.Time
	// Error is the error code answered, empty on success.
	Error string
}

// Frame is one recorded Socket Mode message, either way.
type Frame struct {
	FromApp bool
	Data    string
	At      time.Time
}

// Server is a fake Slack workspace. Methods are safe for concurrent use.
type Server struct {
	t   T
	srv *httptest.Server

	BotToken string
	AppToken string

	mu          sync.Mutex
	calls       []Call
	frames      []Frame
	callCh      chan Call
	tickets     map[string]bool
	conn        *websocket.Conn   // the newest socket
	open        []*websocket.Conn // every open socket, oldest first
	next        int               // round-robin position over open
	connNum     map[*websocket.Conn]int
	route       map[string]int // envelope id → number of the socket it went out on
	connWrite   sync.Mutex
	connections int
	connCh      chan int
	acks        map[string]chan Ack
	sentAt      map[string]time.Time
	submitted   map[string]string // envelope id → view id of a view submission
	awaiting    map[string]bool   // submissions sent and not yet acked
	triggers    map[string]*trigger
	views       map[string]map[string]any
	homes       map[string]map[string]any // user → their published Home tab
	pushed      map[string][]string       // view id → views pushed on top of it
	usergroups  map[string][]string
	failures    map[string][]string
	faults      map[string][]Fault
	down        map[string]string // method → error code answered until Recover
	private     map[string]bool   // private channels
	seq         int
	messages    map[string]*Message // channel/ts → message
	members     map[string]bool     // channels the bot is in; nil: all
	backdate    time.Duration
	lastTS      int64
	changed     chan struct{}          // closed and replaced on every recorded call
	scopes      []string               // granted to the bot token
	runs        map[string]*stepRun    // function_execution_id → Workflow Builder run
	runTokens   map[string]string      // a run's token → its function_execution_id
	stepOutputs map[string]StepOutputs // step callback_id → its output parameters
}

// Ack is an envelope acknowledgement read back from the app.
type Ack struct {
	EnvelopeID string          `json:"envelope_id"`
	Payload    json.RawMessage `json:"payload"`
	At         time.Time       `json:"-"`
}

// New starts a fake Slack, closed when the test ends.
func New(t T) *Server {
	s := &Server{
		t:           t,
		BotToken:    DefaultBotToken,
		AppToken:    DefaultAppToken,
		callCh:      make(chan Call, 4096),
		tickets:     map[string]bool{},
		connCh:      make(chan int, 64),
		acks:        map[string]chan Ack{},
		sentAt:      map[string]time.Time{},
		submitted:   map[string]string{},
		awaiting:    map[string]bool{},
		triggers:    map[string]*trigger{},
		views:       map[string]map[string]any{},
		homes:       map[string]map[string]any{},
		pushed:      map[string][]string{},
		connNum:     map[*websocket.Conn]int{},
		route:       map[string]int{},
		usergroups:  map[string][]string{},
		failures:    map[string][]string{},
		faults:      map[string][]Fault{},
		down:        map[string]string{},
		private:     map[string]bool{},
		messages:    map[string]*Message{},
		changed:     make(chan struct{}),
		runs:        map[string]*stepRun{},
		runTokens:   map[string]string{},
		stepOutputs: map[string]StepOutputs{},
		scopes: []string{"commands", "chat:write", "im:write", "usergroups:read", "users:read",
			"channels:history", "groups:history", "im:history"},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/api/", s.serveAPI)
	mux.HandleFunc("/ws", s.serveSocket)
	mux.HandleFunc("/response/", s.serveResponseURL)
	// Started after s.srv is set: handlers read it, and a client in another
	// process (the built binary) gives the race detector no ordering.
	s.srv = httptest.NewUnstartedServer(mux)
	s.srv.Start()
	t.Cleanup(s.Close)
	return s
}

// APIURL is the Web API base URL, with the trailing slash slack-go needs.
func (s *Server) APIURL() string { return s.srv.URL + "/api/" }

// Close drops the socket and stops the server.
func (s *Server) Close() {
	s.mu.Lock()
	open := slices.Clone(s.open)
	s.mu.Unlock()
	for _, c := range open {
		c.Close()
	}
	s.srv.CloseClientConnections()
	s.srv.Close()
}

// SetScopes sets the scopes granted to the bot token; methods needing
// another answer missing_scope, as Slack does.
func (s *Server) SetScopes(scopes ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.scopes = slices.Clone(scopes)
}

// SetUsergroup sets the members of a user group.
func (s *Server) SetUsergroup(id string, members ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.usergroups[id] = members
}

// FailNext makes the next calls of method answer {"ok":false,"error":code}.
func (s *Server) FailNext(method string, codes ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures[method] = append(s.failures[method], codes...)
}

// SetPrivate marks channels as private: reading their history needs
// groups:history instead of channels:history.
func (s *Server) SetPrivate(ids ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range ids {
		s.private[id] = true
	}
}

// Fault is how Slack misbehaves on one call, beyond an error code.
type Fault struct {
	// Status, when set, is the HTTP status answered: 429 with RetryAfter
	// seconds in Retry-After, as Slack rate-limits; 5xx with an HTML page, as
	// Slack's edge answers when it fails.
	Status     int
	RetryAfter int
	// Hang holds the call until it is closed or the client gives up, then
	// answers as usual.
	Hang <-chan struct{}
}

// FaultNext makes the next calls of method misbehave, one fault each.
func (s *Server) FaultNext(method string, faults ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[method] = append(s.faults[method], faults...)
}

// fault applies the next fault queued for method; it reports whether the
// response was written.
func (s *Server) fault(w http.ResponseWriter, r *http.Request, method string, params map[string]string) bool {
	s.mu.Lock()
	var f Fault
	q := s.faults[method]
	if len(q) > 0 {
		f, s.faults[method] = q[0], q[1:]
	}
	s.mu.Unlock()
	if len(q) == 0 {
		return false
	}
	if f.Hang != nil {
		select {
		case <-f.Hang:
		case <-r.Context().Done():
			s.record(Call{Method: method, Params: params, At: time.Now(), Error: "hung"})
			return true
		}
	}
	switch {
	case f.Status == http.StatusTooManyRequests:
		w.Header().Set("Retry-After", strconv.Itoa(f.RetryAfter))
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = io.WriteString(w, `{"ok":false,"error":"ratelimited"}`)
	case f.Status >= 500:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(f.Status)
		_, _ = io.WriteString(w, "<html><body><h1>Service Unavailable</h1><p>Slack is having trouble.</p></body></html>")
	default:
		return false
	}
	s.record(Call{Method: method, Params: params, At: time.Now(), Error: fmt.Sprintf("http_%d", f.Status)})
	return true
}

// FailAlways makes every call of method answer code until Recover.
func (s *Server) FailAlways(method, code string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.down[method] = code
}

// Recover ends FailAlways for method.
func (s *Server) Recover(method string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.down, method)
}

// Calls returns the recorded Web API calls, optionally of one method.
func (s *Server) Calls(method string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if method == "" || c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// Frames returns every Socket Mode frame sent or received so far.
func (s *Server) Frames() []Frame {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.frames)
}

// NextCall waits up to timeout for the next call of method.
func (s *Server) NextCall(t T, method string, timeout time.Duration) Call {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		select {
		case c := <-s.callCh:
			if c.Method == method {
				return c
			}
		case <-deadline.C:
			t.Fatalf("slacktest: no %s call within %s", method, timeout)
			return Call{}
		}
	}
}

// notifyLocked wakes everyone waiting for a change; s.mu must be held.
func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// WaitUntil waits until cond holds, checking it again after each Web API
// call the fake answers, for at most timeout.
func (s *Server) WaitUntil(t T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	if !s.waitFor(timeout, cond) {
		t.Fatalf("slacktest: %s did not happen within %s", what, timeout)
	}
}

// waitFor waits until cond holds, checking it again on every change the fake
// records (calls, acks); it reports whether cond held within timeout.
func (s *Server) waitFor(timeout time.Duration, cond func() bool) bool {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		changed := s.changed
		s.mu.Unlock()
		if cond() {
			return true
		}
		select {
		case <-changed:
		case <-deadline.C:
			return cond()
		}
	}
}

func (s *Server) nextID(prefix string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.nextIDLocked(prefix)
}

func (s *Server) nextIDLocked(prefix string) string {
	s.seq++
	return fmt.Sprintf("%s%06d", prefix, s.seq)
}

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	method := strings.TrimPrefix(r.URL.Path, "/api/")
	params, token := readParams(r)
	if s.fault(w, r, method, params) {
		return
	}
	s.mu.Lock()
	var fail string
	if q := s.failures[method]; len(q) > 0 {
		fail, s.failures[method] = q[0], q[1:]
	} else if code := s.down[method]; code != "" {
		fail = code
	}
	s.mu.Unlock()

	want, run, revoked := s.wantToken(method, token, params)
	if revoked {
		fail = "token_revoked" // a run's token, expired
	}
	s.mu.Lock()
	granted := slices.Clone(s.scopes)
	s.mu.Unlock()
	need := slackapi.MethodScopes[method]
	s.mu.Lock()
	if method == "conversations.history" {
		need = slackapi.HistoryScope(params["channel"], s.private[params["channel"]])
	}
	s.mu.Unlock()
	var answer map[string]any
	switch {
	case token != want:
		answer = failure("invalid_auth")
	case (token == s.BotToken || run != "") && need != "" && !slices.Contains(granted, need):
		answer = failure("missing_scope")
		answer["needed"], answer["provided"] = need, strings.Join(granted, ",")
	case fail != "":
		answer = failure(fail)
	default:
		answer = s.answer(method, params)
	}
	delete(params, "__run")
	// Recorded once answered, so a test that saw the call also sees its effect.
	call := Call{Method: method, Token: token, Params: params, At: time.Now()}
	if answer["ok"] != true {
		call.Error, _ = answer["error"].(string)
	}
	s.record(call)
	if token == s.BotToken {
		w.Header().Set("X-OAuth-Scopes", strings.Join(granted, ","))
	}
	writeJSON(w, answer)
}

// wantToken is the token method must be called with. A run's token acts
// as the bot (and marks what it posts with the run) until it expires; a
// run completes with a token of its own (Bolt's selectToken) or with the
// bot's (Bolt with attachFunctionToken: false), never another run's.
func (s *Server) wantToken(method, token string, params map[string]string) (want, run string, revoked bool) {
	run, good := s.runOf(token)
	switch {
	case method == "apps.connections.open":
		return s.AppToken, run, false
	case run != "" && !good:
		return token, run, true
	case method == "functions.completeSuccess" || method == "functions.completeError":
		if token == s.BotToken || run != "" && run == params["function_execution_id"] {
			return token, run, false
		}
		return "a token of run " + params["function_execution_id"], run, false
	case run != "":
		params["__run"] = run
		return token, run, false
	}
	return s.BotToken, run, false
}

func (s *Server) record(call Call) {
	s.mu.Lock()
	s.calls = append(s.calls, call)
	s.notifyLocked()
	s.mu.Unlock()
	select {
	case s.callCh <- call:
	default:
	}
}

// answer implements each Web API method the bot may call.
func (s *Server) answer(method string, p map[string]string) map[string]any {
	switch method {
	case "auth.test":
		return ok(map[string]any{"url": "https://fake.slack.com/", "team": "Fake", "user": "plusvibe",
			"team_id": TeamID, "user_id": BotUserID, "bot_id": BotID})
	case "apps.connections.open":
		ticket := s.nextID("ticket-")
		s.mu.Lock()
		s.tickets[ticket] = true
		s.mu.Unlock()
		return ok(map[string]any{"url": "ws" + strings.TrimPrefix(s.srv.URL, "http") + "/ws?ticket=" + ticket})
	case "views.open":
		return s.viewsOpen(p)
	case "views.update":
		return s.viewsUpdate(p)
	case "views.publish":
		return s.viewsPublish(p)
	case "conversations.open":
		users := strings.Split(p["users"], ",")
		if len(users) != 1 || users[0] == "" {
			return failure("not_enough_users")
		}
		return ok(map[string]any{"channel": map[string]any{"id": "D" + users[0], "is_im": true}})
	case "chat.postEphemeral":
		if p["channel"] == "" || p["user"] == "" {
			return failure("channel_not_found")
		}
		return ok(map[string]any{"message_ts": s.ts()})
	case "chat.postMessage":
		return s.postMessage(p)
	case "chat.update":
		return s.updateMessage(p)
	case "chat.getPermalink":
		return s.permalink(p)
	case "conversations.history":
		return s.history(p)
	case "functions.completeSuccess", "functions.completeError":
		return s.complete(method, p)
	case "usergroups.users.list":
		s.mu.Lock()
		members, found := s.usergroups[p["usergroup"]]
		s.mu.Unlock()
		if !found {
			return failure("no_such_subteam")
		}
		return ok(map[string]any{"users": members})
	}
	s.t.Errorf("slacktest: the bot called %s, which this fake does not serve", method)
	return failure("unknown_method")
}

// ts is a message timestamp as Slack makes them: the posting time in
// microseconds, unique (and rising) within the workspace.
func (s *Server) ts() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	us := time.Now().Add(-s.backdate).UnixMicro()
	if us <= s.lastTS {
		us = s.lastTS + 1
	}
	s.lastTS = us
	return fmt.Sprintf("%d.%06d", us/1_000_000, us%1_000_000)
}

func (s *Server) viewsOpen(p map[string]string) map[string]any {
	s.mu.Lock()
	tr, known := s.triggers[p["trigger_id"]]
	usable := known && !tr.used
	if known {
		tr.used = true // a trigger is good for one view
	}
	s.mu.Unlock()
	switch {
	case !known:
		return failure("invalid_trigger_id")
	case !usable:
		return failure("exchanged_trigger_id")
	case time.Since(tr.issued) > triggerLifetime:
		return failure("expired_trigger_id")
	}
	view, errCode := parseView(p["view"])
	if errCode != "" {
		return failure(errCode)
	}
	stored := s.storeView(s.nextID("V"), view)
	s.mu.Lock()
	tr.openedAt = time.Duration(time.Now().UnixNano())
	s.mu.Unlock()
	tr.opened <- stored["id"].(string)
	return ok(map[string]any{"view": stored})
}

func (s *Server) viewsUpdate(p map[string]string) map[string]any {
	id := p["view_id"]
	s.waitAcks(id)
	s.mu.Lock()
	old, found := s.views[id]
	s.mu.Unlock()
	if !found {
		return failure("not_found")
	}
	if h := p["hash"]; h != "" && h != old["hash"] {
		return failure("hash_conflict")
	}
	view, errCode := parseView(p["view"])
	if errCode != "" {
		return failure(errCode)
	}
	return ok(map[string]any{"view": s.storeView(id, view)})
}

// waitAcks holds a views.update while a submission of that view is still
// waiting for its ack. The app wrote that ack to its open socket before it
// made this HTTPS call, so it reaches Slack first; only this fake's socket
// reader can lag behind. Bounded by the ack deadline.
func (s *Server) waitAcks(viewID string) {
	s.waitFor(triggerLifetime, func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		for env := range s.awaiting {
			if s.submitted[env] == viewID {
				return false
			}
		}
		return true
	})
}

func parseView(raw string) (map[string]any, string) {
	v, code := parseAnyView(raw)
	if code == "" && v["type"] != "modal" {
		return nil, "invalid_arguments"
	}
	return v, code
}

// parseAnyView checks what modals and Home tabs share.
func parseAnyView(raw string) (map[string]any, string) {
	var v map[string]any
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		return nil, "invalid_arguments"
	}
	if len(raw) > 250_000 {
		return nil, "view_too_large"
	}
	if md, _ := v["private_metadata"].(string); len(md) > 3000 {
		return nil, "invalid_arguments"
	}
	if !viewBlocksFit(v) {
		return nil, "invalid_arguments"
	}
	return v, ""
}

// storeView keeps a view as Slack would and returns Slack's copy of it.
func (s *Server) storeView(id string, v map[string]any) map[string]any {
	v["id"] = id
	v["team_id"] = TeamID
	v["hash"] = s.nextID("hash-")
	v["state"] = map[string]any{"values": map[string]any{}}
	s.mu.Lock()
	s.views[id] = v
	s.mu.Unlock()
	return v
}

// View returns the current view with that id, as Slack holds it.
func (s *Server) View(t T, id string) map[string]any {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	v, found := s.views[id]
	if !found {
		t.Fatalf("slacktest: no open view %s", id)
	}
	return v
}

// OpenViews returns the ids of the views opened so far and not closed.
func (s *Server) OpenViews() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ids []string
	for id := range s.views {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

func (s *Server) serveResponseURL(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var p map[string]any
	_ = json.Unmarshal(body, &p)
	call := Call{Method: "response_url", Params: flatten(p), At: time.Now()}
	if raw, has := p["blocks"]; has {
		b, _ := json.Marshal(raw)
		if _, code := parseBlocks(string(b)); code != "" {
			call.Error = code // Slack answers 400 and posts nothing
		}
	}
	s.record(call)
	if call.Error != "" {
		http.Error(w, call.Error, http.StatusBadRequest)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// Answered is the private message an app posted through a response_url,
// as the person sees it in the channel.
func Answered(c Call) Message {
	blocks, _ := parseBlocks(c.Params["blocks"])
	return Message{Channel: CommandChannel, Text: c.Params["text"], Blocks: blocks}
}

// ClickBlock presses the button actionID in the block blockID of m, a
// message as the person sees it (a private answer, say).
func (s *Server) ClickBlock(t T, user string, m Message, blockID, actionID string) Command {
	t.Helper()
	var blocks []map[string]any
	for _, b := range m.Blocks {
		if b["block_id"] == blockID {
			blocks = append(blocks, b)
		}
	}
	return s.click(t, user, target{blocks, "block " + blockID}, actionID, map[string]any{
		"container":    map[string]any{"type": "message", "message_ts": m.TS, "channel_id": m.Channel, "is_ephemeral": m.TS == ""},
		"channel":      map[string]any{"id": m.Channel, "name": channelName(m.Channel)},
		"response_url": s.srv.URL + "/response/" + s.nextID("R"),
	})
}

// readParams reads form or JSON parameters and the token from either the
// Authorization header or the form, as Slack accepts both.
func readParams(r *http.Request) (map[string]string, string) {
	token := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	params := map[string]string{}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		body, _ := io.ReadAll(r.Body)
		var m map[string]any
		_ = json.Unmarshal(body, &m)
		params = flatten(m)
	} else {
		body, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(body))
		for k := range r.URL.Query() {
			form.Set(k, r.URL.Query().Get(k))
		}
		for k := range form {
			params[k] = form.Get(k)
		}
	}
	if t, found := params["token"]; found {
		if token == "" {
			token = t
		}
		delete(params, "token")
	}
	return params, token
}

// flatten keeps strings as they are and re-encodes anything else as JSON.
func flatten(m map[string]any) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		if s, isString := v.(string); isString {
			out[k] = s
			continue
		}
		b, _ := json.Marshal(v)
		out[k] = string(b)
	}
	return out
}

func ok(m map[string]any) map[string]any {
	m["ok"] = true
	return m
}

func failure(code string) map[string]any { return map[string]any{"ok": false, "error": code} }

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}
