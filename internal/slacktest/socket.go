package slacktest

import (
	"encoding/json"
	"net/http"
	"slices"
	"time"

	"github.com/gorilla/websocket"
)

// pingInterval is how often the fake sends WebSocket PINGs, as Slack does;
// slack-go drops a connection that hears none for 30 s.
const pingInterval = time.Second

var upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}

func (s *Server) serveSocket(w http.ResponseWriter, r *http.Request) {
	ticket := r.URL.Query().Get("ticket")
	s.mu.Lock()
	valid := s.tickets[ticket]
	delete(s.tickets, ticket) // a socket URL is good for one connection
	s.mu.Unlock()
	if !valid {
		http.Error(w, "invalid ticket", http.StatusUnauthorized)
		return
	}
	conn, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	s.mu.Lock()
	s.conn = conn
	s.open = append(s.open, conn)
	s.connections++
	n := s.connections
	s.connNum[conn] = n
	s.mu.Unlock()

	done := make(chan struct{})
	go s.ping(conn, done)
	if err := s.write(conn, map[string]any{
		"type":            "hello",
		"num_connections": 1,
		"connection_info": map[string]any{"app_id": "A0FAKE"},
		"debug_info":      map[string]any{"host": "fake", "approximate_connection_time": 18060},
	}); err == nil {
		s.connCh <- n
	}
	s.readAcks(conn)
	close(done)
	conn.Close()
	s.mu.Lock()
	s.open = slices.DeleteFunc(s.open, func(c *websocket.Conn) bool { return c == conn })
	s.notifyLocked()
	s.mu.Unlock()
}

// WaitOpen waits until the app holds exactly n open sockets: after a
// replica stops, before envelopes are spread again.
func (s *Server) WaitOpen(t T, n int, timeout time.Duration) {
	t.Helper()
	if !s.waitFor(timeout, func() bool { s.mu.Lock(); defer s.mu.Unlock(); return len(s.open) == n }) {
		t.Fatalf("slacktest: the app does not hold %d open sockets within %s", n, timeout)
	}
}

// pick chooses the socket for the next envelope: Slack spreads envelopes
// over an app's open connections, so consecutive ones alternate here.
// s.mu must be held.
func (s *Server) pickLocked() *websocket.Conn {
	if len(s.open) == 0 {
		return nil
	}
	s.next++
	return s.open[s.next%len(s.open)]
}

func (s *Server) ping(conn *websocket.Conn, done <-chan struct{}) {
	t := time.NewTicker(pingInterval)
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case <-t.C:
			if conn.WriteControl(websocket.PingMessage, []byte("ping"), time.Now().Add(time.Second)) != nil {
				return
			}
		}
	}
}

func (s *Server) readAcks(conn *websocket.Conn) {
	for {
		_, data, err := conn.ReadMessage()
		if err != nil {
			return
		}
		now := time.Now()
		var a Ack
		if json.Unmarshal(data, &a) != nil || a.EnvelopeID == "" {
			s.t.Errorf("slacktest: app sent a frame that is not an ack: %s", data)
			continue
		}
		a.At = now
		s.mu.Lock()
		s.frames = append(s.frames, Frame{FromApp: true, Data: string(data), At: now})
		ch := s.acks[a.EnvelopeID]
		viewID := s.submitted[a.EnvelopeID]
		s.mu.Unlock()
		if viewID != "" {
			// Slack applies a response_action as the ack arrives, before any
			// later views.update from the app.
			s.applyResponse(viewID, a.Payload)
			s.mu.Lock()
			delete(s.awaiting, a.EnvelopeID)
			s.notifyLocked()
			s.mu.Unlock()
		}
		if ch == nil {
			s.t.Errorf("slacktest: ack for unknown envelope %s", a.EnvelopeID)
			continue
		}
		select {
		case ch <- a:
		default:
			s.t.Errorf("slacktest: envelope %s acked twice", a.EnvelopeID)
		}
	}
}

func (s *Server) write(conn *websocket.Conn, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	s.connWrite.Lock()
	defer s.connWrite.Unlock()
	if err := conn.WriteMessage(websocket.TextMessage, data); err != nil {
		return err
	}
	s.mu.Lock()
	s.frames = append(s.frames, Frame{Data: string(data), At: time.Now()})
	s.mu.Unlock()
	return nil
}

// WaitConnected waits until the app has opened its nth socket (1 for the
// first) and been greeted with hello.
func (s *Server) WaitConnected(t T, n int, timeout time.Duration) {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		have := s.connections
		s.mu.Unlock()
		if have >= n {
			return
		}
		select {
		case <-s.connCh:
		case <-deadline.C:
			t.Fatalf("slacktest: app did not open socket #%d within %s (has %d)", n, timeout, have)
		}
	}
}

// Connections is how many sockets the app has opened.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.connections
}

// send delivers an envelope on the current socket and returns its id.
// viewID, for a view submission, names the view its ack applies to.
func (s *Server) send(t T, typ string, payload any, viewID string) string {
	t.Helper()
	return s.sendEnvelope(t, typ, payload, viewID, true)
}

// sendEvent delivers an Events API event, wrapped as Slack wraps it.
func (s *Server) sendEvent(t T, event map[string]any) string {
	t.Helper()
	return s.sendEnvelope(t, "events_api", map[string]any{
		"token": "deprecated-verification-token", "team_id": TeamID, "api_app_id": "A0FAKE",
		"event": event, "type": "event_callback", "event_id": s.nextID("Ev"), "event_time": time.Now().Unix(),
	}, "", false)
}

func (s *Server) sendEnvelope(t T, typ string, payload any, viewID string, acceptsResponse bool) string {
	t.Helper()
	id := s.nextID("env-")
	s.mu.Lock()
	if viewID != "" {
		s.submitted[id] = viewID
		s.awaiting[id] = true
	}
	conn := s.pickLocked()
	s.route[id] = s.connNum[conn]
	s.acks[id] = make(chan Ack, 1)
	s.sentAt[id] = time.Now()
	s.mu.Unlock()
	if conn == nil {
		t.Fatal("slacktest: no socket to send on")
	}
	err := s.write(conn, map[string]any{
		"envelope_id":              id,
		"type":                     typ,
		"payload":                  payload,
		"accepts_response_payload": acceptsResponse, // commands and interactions; not events
		"retry_attempt":            0,
		"retry_reason":             "",
	})
	if err != nil {
		t.Fatalf("slacktest: sending %s: %v", typ, err)
	}
	return id
}

// Resend delivers an envelope again, with the same id and the next
// retry_attempt, as Slack does when it thinks an ack was lost (up to 3 times).
func (s *Server) Resend(t T, envelopeID string) {
	t.Helper()
	var frame map[string]any // its latest delivery, which says its attempt
	for _, f := range s.Frames() {
		var m map[string]any
		if !f.FromApp && json.Unmarshal([]byte(f.Data), &m) == nil && m["envelope_id"] == envelopeID {
			frame = m
		}
	}
	if frame == nil {
		t.Fatalf("slacktest: no envelope %s to resend", envelopeID)
	}
	attempt, _ := frame["retry_attempt"].(float64)
	frame["retry_attempt"] = attempt + 1
	frame["retry_reason"] = "timeout"
	s.mu.Lock()
	conn := s.pickLocked()
	s.route[envelopeID] = s.connNum[conn]
	s.acks[envelopeID] = make(chan Ack, 1)
	if s.submitted[envelopeID] != "" {
		s.awaiting[envelopeID] = true
	}
	s.mu.Unlock()
	if err := s.write(conn, frame); err != nil {
		t.Fatalf("slacktest: resending: %v", err)
	}
}

// WaitAck waits for the app's ack of an envelope.
func (s *Server) WaitAck(t T, envelopeID string, timeout time.Duration) Ack {
	t.Helper()
	s.mu.Lock()
	ch := s.acks[envelopeID]
	s.mu.Unlock()
	select {
	case a := <-ch:
		return a
	case <-time.After(timeout):
		t.Fatalf("slacktest: envelope %s not acked within %s", envelopeID, timeout)
		return Ack{}
	}
}

// Acks counts the app's acks of an envelope so far, over all its deliveries.
func (s *Server) Acks(envelopeID string) int {
	n := 0
	for _, f := range s.Frames() {
		var m map[string]any
		if f.FromApp && json.Unmarshal([]byte(f.Data), &m) == nil && m["envelope_id"] == envelopeID {
			n++
		}
	}
	return n
}

// Route is the number of the socket (1 for the app's first) an envelope
// last went out on: which replica received it.
func (s *Server) Route(envelopeID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.route[envelopeID]
}

// SentAt is when an envelope was sent.
func (s *Server) SentAt(envelopeID string) time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sentAt[envelopeID]
}

// Disconnect sends a disconnect envelope, as Slack does before a refresh.
func (s *Server) Disconnect(t T, reason string) {
	t.Helper()
	s.mu.Lock()
	conn := s.conn
	s.mu.Unlock()
	if err := s.write(conn, map[string]any{"type": "disconnect", "reason": reason,
		"debug_info": map[string]any{"host": "fake"}}); err != nil {
		t.Fatalf("slacktest: sending disconnect: %v", err)
	}
}

// Drop closes the socket abruptly, with no close frame.
func (s *Server) Drop() {
	s.mu.Lock()
	conn := s.conn
	s.mu.Unlock()
	if conn != nil {
		conn.NetConn().Close()
	}
}
