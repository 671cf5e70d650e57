package slacktest

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Message is a channel message as Slack stores it.
type Message struct {
	Channel string
	TS      string
	// ThreadTS is the thread's parent, for a reply; User, who posted it
	// ("" for the bot).
	ThreadTS, User string
	// BotID is the other app that posted it; "" for a person or this app.
	BotID  string
	Text   string
	Blocks []map[string]any
	// Metadata is the message's metadata (event_type, event_payload), if any.
	Metadata map[string]any
	// Edits counts chat.update calls applied to it.
	Edits int
	// Run is the Workflow Builder run whose token posted it, if any: clicks
	// on it carry the run and a fresh token for it.
	Run string
}

// Backdate makes messages posted from now on look d older, as if Slack had
// stored them that long ago (their ts says so).
func (s *Server) Backdate(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.backdate = d
	s.lastTS = 0
}

// SetBotChannels limits the channels the bot is a member of; posting
// elsewhere answers not_in_channel. DMs are always open to it.
func (s *Server) SetBotChannels(ids ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.members = map[string]bool{}
	for _, id := range ids {
		s.members[id] = true
	}
}

func (s *Server) postMessage(p map[string]string) map[string]any {
	ch := p["channel"]
	s.mu.Lock()
	member := s.members == nil || s.members[ch] || strings.HasPrefix(ch, "D")
	s.mu.Unlock()
	if ch == "" {
		return failure("channel_not_found")
	}
	if !member {
		return failure("not_in_channel")
	}
	blocks, code := parseBlocks(p["blocks"])
	if code != "" {
		return failure(code)
	}
	if p["text"] == "" && len(blocks) == 0 {
		return failure("no_text")
	}
	meta, code := parseMetadata(p["metadata"])
	if code != "" {
		return failure(code)
	}
	m := &Message{Channel: ch, TS: s.ts(), ThreadTS: p["thread_ts"], Text: p["text"], Blocks: blocks, Metadata: meta, Run: p["__run"]}
	s.mu.Lock()
	s.messages[ch+"/"+m.TS] = m
	s.mu.Unlock()
	return ok(map[string]any{"channel": ch, "ts": m.TS, "message": m.json()})
}

func (s *Server) updateMessage(p map[string]string) map[string]any {
	key := p["channel"] + "/" + p["ts"]
	s.mu.Lock()
	m, found := s.messages[key]
	s.mu.Unlock()
	if !found {
		return failure("message_not_found")
	}
	blocks, code := parseBlocks(p["blocks"])
	if code != "" {
		return failure(code)
	}
	meta, code := parseMetadata(p["metadata"])
	if code != "" {
		return failure(code)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if meta != nil { // absent: Slack keeps what the message had
		m.Metadata = meta
	}
	if t, given := p["text"]; given {
		m.Text = t
	}
	if _, given := p["blocks"]; given { // "[]" removes them
		m.Blocks = blocks
	}
	m.Edits++
	return ok(map[string]any{"channel": m.Channel, "ts": m.TS, "text": m.Text})
}

func (s *Server) permalink(p map[string]string) map[string]any {
	s.mu.Lock()
	_, found := s.messages[p["channel"]+"/"+p["message_ts"]]
	s.mu.Unlock()
	if !found {
		return failure("message_not_found")
	}
	return ok(map[string]any{"channel": p["channel"],
		"permalink": "https://fake.slack.com/archives/" + p["channel"] + "/p" + strings.ReplaceAll(p["message_ts"], ".", "")})
}

// parseBlocks reads a message's blocks and checks the Block Kit limits Slack
// answers invalid_blocks for.
func parseBlocks(raw string) ([]map[string]any, string) {
	if raw == "" {
		return nil, ""
	}
	var list []any
	if json.Unmarshal([]byte(raw), &list) != nil {
		return nil, "invalid_blocks_format"
	}
	blocks := asList(list)
	if len(blocks) != len(list) || len(blocks) > 50 {
		return nil, "invalid_blocks"
	}
	for _, b := range blocks {
		if t, _ := b["text"].(map[string]any); t != nil && utf8.RuneCountInString(fmt.Sprint(t["text"])) > 3000 {
			return nil, "invalid_blocks"
		}
		if !fieldsFit(b) {
			return nil, "invalid_blocks"
		}
		for _, e := range asList(b["elements"]) {
			if v, _ := e["value"].(string); utf8.RuneCountInString(v) > 2000 {
				return nil, "invalid_blocks"
			}
			if t, _ := e["text"].(map[string]any); t != nil && b["type"] == "actions" && utf8.RuneCountInString(fmt.Sprint(t["text"])) > 75 {
				return nil, "invalid_blocks"
			}
		}
	}
	return blocks, ""
}

// fieldsFit checks a section's fields: at most 10, each at most 2,000
// characters; a section needs text or fields.
func fieldsFit(b map[string]any) bool {
	fields := asList(b["fields"])
	if b["type"] == "section" && b["text"] == nil && len(fields) == 0 {
		return false
	}
	if len(fields) > 10 {
		return false
	}
	for _, f := range fields {
		if utf8.RuneCountInString(fmt.Sprint(f["text"])) > 2000 {
			return false
		}
	}
	return true
}

// parseMetadata reads message metadata: event_type lowercase [a-z0-9_] and
// an event_payload object.
func parseMetadata(raw string) (map[string]any, string) {
	if raw == "" {
		return nil, ""
	}
	var m map[string]any
	if json.Unmarshal([]byte(raw), &m) != nil {
		return nil, "invalid_metadata_format"
	}
	typ, _ := m["event_type"].(string)
	_, isObject := m["event_payload"].(map[string]any)
	if typ == "" || strings.TrimLeft(typ, "abcdefghijklmnopqrstuvwxyz0123456789_") != "" || !isObject {
		return nil, "invalid_metadata_schema"
	}
	return m, ""
}

func (m *Message) json() map[string]any {
	if m.User != "" || m.BotID != "" {
		j := map[string]any{"type": "message", "ts": m.TS, "text": m.Text}
		if m.User != "" {
			j["user"] = m.User
		}
		if m.BotID != "" {
			j["bot_id"], j["subtype"] = m.BotID, "bot_message"
		}
		if len(m.Blocks) > 0 {
			j["blocks"] = m.Blocks
		}
		if m.ThreadTS != "" {
			j["thread_ts"] = m.ThreadTS
		}
		return j
	}
	j := map[string]any{"type": "message", "user": BotUserID, "bot_id": BotID, "ts": m.TS,
		"text": m.Text, "blocks": m.Blocks}
	if m.ThreadTS != "" {
		j["thread_ts"] = m.ThreadTS
	}
	return j
}

// history answers conversations.history: messages newest first, between
// oldest and latest (inclusive only if asked), at most limit a page, with
// metadata only when include_all_metadata is set.
func (s *Server) history(p map[string]string) map[string]any {
	ch := p["channel"]
	s.mu.Lock()
	member := s.members == nil || s.members[ch]
	s.mu.Unlock()
	if !member {
		return failure("not_in_channel")
	}
	limit, _ := strconv.Atoi(p["limit"])
	if limit <= 0 || limit > 999 {
		limit = 100
	}
	inclusive := p["inclusive"] == "true" || p["inclusive"] == "1"
	in := func(ts string) bool {
		if l := p["latest"]; l != "" && (tsLess(l, ts) || (!inclusive && ts == l)) {
			return false
		}
		if o := p["oldest"]; o != "" && (tsLess(ts, o) || (!inclusive && ts == o)) {
			return false
		}
		return true
	}
	s.mu.Lock()
	var all []*Message // newest first; copied only once on a page
	for _, m := range s.messages {
		if m.Channel == ch {
			all = append(all, m)
		}
	}
	s.mu.Unlock()
	slices.SortFunc(all, func(a, b *Message) int { return strings.Compare(b.TS, a.TS) })
	var page []any
	skip, _ := strconv.Atoi(p["cursor"])
	matched := 0
	for _, m := range all {
		if !in(m.TS) {
			continue
		}
		matched++
		if matched <= skip || len(page) == limit {
			continue
		}
		s.mu.Lock()
		j := m.json()
		if p["include_all_metadata"] == "true" || p["include_all_metadata"] == "1" {
			if m.Metadata != nil {
				j["metadata"] = m.Metadata
			}
		}
		page = append(page, cloneMap(j))
		s.mu.Unlock()
	}
	more := matched > skip+len(page)
	answer := map[string]any{"messages": page, "has_more": more}
	if more {
		answer["response_metadata"] = map[string]any{"next_cursor": strconv.Itoa(skip + len(page))}
	}
	return ok(answer)
}

// tsLess compares message timestamps ("seconds.micros").
func tsLess(a, b string) bool {
	as, af, _ := strings.Cut(a, ".")
	bs, bf, _ := strings.Cut(b, ".")
	if len(as) != len(bs) {
		return len(as) < len(bs)
	}
	if as != bs {
		return as < bs
	}
	return (af + "000000")[:6] < (bf + "000000")[:6]
}

// Rewrite replaces a message's metadata, as another process of the app
// would with chat.update.
func (s *Server) Rewrite(t T, channel, ts string, metadata map[string]any) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.mustMessageLocked(t, channel, ts)
	m.Metadata = cloneMap(metadata)
	m.Edits++
}

// mustMessageLocked finds a message or fails the test; s.mu must be held.
func (s *Server) mustMessageLocked(t T, channel, ts string) *Message {
	t.Helper()
	m, found := s.messages[channel+"/"+ts]
	if !found {
		t.Fatalf("slacktest: no message %s in %s", ts, channel)
	}
	return m
}

// Messages returns the messages of a channel, oldest first.
func (s *Server) Messages(channel string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, m := range s.messages {
		if m.Channel == channel {
			out = append(out, m.copy())
		}
	}
	slices.SortFunc(out, func(a, b Message) int { return strings.Compare(a.TS, b.TS) })
	return out
}

// Message returns one message as it stands now.
func (s *Server) Message(t T, channel, ts string) Message {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.mustMessageLocked(t, channel, ts).copy()
}

// copy is m with its own metadata, for callers outside the lock.
func (m *Message) copy() Message {
	c := *m
	if m.Metadata != nil {
		c.Metadata = cloneMap(m.Metadata)
	}
	return c
}

// Buttons returns the action ids of a message's buttons.
func (m Message) Buttons() []string {
	var ids []string
	for _, b := range m.Blocks {
		for _, e := range asList(b["elements"]) {
			if e["type"] == "button" {
				ids = append(ids, fmt.Sprint(e["action_id"]))
			}
		}
	}
	return ids
}

// Content is the message's text and blocks, for assertions on what people read.
func (m Message) Content() string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(m.Blocks)
	return m.Text + "\n" + b.String()
}

// ClickMessage presses a button of a channel message as user and returns at
// once; Slack sends the message as it stands with the click.
func (s *Server) ClickMessage(t T, user, channel, ts, actionID string) Command {
	t.Helper()
	return s.ClickSeen(t, user, s.Message(t, channel, ts), actionID)
}

// ClickSeen presses a button of m, a message as a person's Slack client still
// shows it, buttons and all, after the app may have changed it: how double
// clicks and two people clicking at once reach an app.
func (s *Server) ClickSeen(t T, user string, m Message, actionID string) Command {
	t.Helper()
	fields := map[string]any{
		"container":    map[string]any{"type": "message", "message_ts": m.TS, "channel_id": m.Channel, "is_ephemeral": false},
		"channel":      map[string]any{"id": m.Channel, "name": channelName(m.Channel)},
		"message":      cloneMap(m.json()),
		"response_url": s.srv.URL + "/response/" + s.nextID("R"),
	}
	if m.Run != "" {
		maps.Copy(fields, s.functionData(m.Run))
	}
	return s.click(t, user, target{m.Blocks, "message " + m.TS}, actionID, fields)
}

func channelName(id string) string {
	if strings.HasPrefix(id, "D") {
		return "directmessage"
	}
	return "approvals"
}
