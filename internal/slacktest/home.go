package slacktest

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// PostAs puts a person's message in a channel, as their Slack client would;
// text is as Slack stores it (links as <…|…>, & < > as entities).
func (s *Server) PostAs(t T, user, channel, text string) Message {
	t.Helper()
	m := &Message{Channel: channel, TS: s.ts(), User: user, Text: text}
	s.mu.Lock()
	s.messages[channel+"/"+m.TS] = m
	s.mu.Unlock()
	return m.copy()
}

// PostOther puts m in m.Channel as posted by someone other than the app: a
// person (m.User) or another app (m.BotID), with any blocks and metadata
// they chose, as anyone who may post there can. Its ts is assigned here.
func (s *Server) PostOther(t T, m Message) Message {
	t.Helper()
	if m.User == "" && m.BotID == "" {
		t.Fatal("slacktest: PostOther needs a User or a BotID; without, the message is the app's")
	}
	m.TS, m.Metadata, m.Edits = s.ts(), cloneMap(m.Metadata), 0
	s.mu.Lock()
	s.messages[m.Channel+"/"+m.TS] = &m
	s.mu.Unlock()
	return m.copy()
}

// SendShortcut runs the app's global shortcut callbackID as user, from the
// shortcuts menu: a trigger, no channel and no response_url.
func (s *Server) SendShortcut(t T, user, callbackID string) Command {
	t.Helper()
	payload, c := s.interaction("shortcut", user, map[string]any{"callback_id": callbackID, "action_ts": s.ts()})
	c.EnvelopeID = s.send(t, "interactive", payload, "")
	return c
}

// SendMessageShortcut runs the app's message shortcut callbackID on m as
// user: Slack sends the message, its channel and a response_url.
func (s *Server) SendMessageShortcut(t T, user, callbackID string, m Message) Command {
	t.Helper()
	payload, c := s.interaction("message_action", user, map[string]any{
		"callback_id":  callbackID,
		"action_ts":    s.ts(),
		"channel":      map[string]any{"id": m.Channel, "name": channelName(m.Channel)},
		"message_ts":   m.TS,
		"message":      m.json(),
		"response_url": s.srv.URL + "/response/" + s.nextID("R"),
	})
	c.EnvelopeID = s.send(t, "interactive", payload, "")
	return c
}

// OpenHome opens the app's Home tab as user: Slack sends app_home_opened,
// with the view it shows now if the app published one.
func (s *Server) OpenHome(t T, user string) string {
	t.Helper()
	event := map[string]any{"type": "app_home_opened", "user": user, "channel": "D" + user, "tab": "home", "event_ts": s.ts()}
	s.mu.Lock()
	if v, found := s.homes[user]; found {
		event["view"] = cloneMap(v)
	}
	s.mu.Unlock()
	return s.sendEvent(t, event)
}

// viewsPublish answers views.publish: a Home tab for one user, checked as
// Slack checks it.
func (s *Server) viewsPublish(p map[string]string) map[string]any {
	user := p["user_id"]
	if user == "" {
		return failure("invalid_arguments")
	}
	view, code := parseHome(p["view"])
	if code != "" {
		return failure(code)
	}
	s.mu.Lock()
	old, had := s.homes[user]
	s.mu.Unlock()
	if h := p["hash"]; h != "" && had && h != old["hash"] {
		return failure("hash_conflict")
	}
	view["id"] = "VH" + user
	if had {
		view["id"] = old["id"]
	}
	view["team_id"], view["hash"] = TeamID, s.nextID("hash-")
	s.mu.Lock()
	s.homes[user] = view
	s.mu.Unlock()
	return ok(map[string]any{"view": view})
}

func parseHome(raw string) (map[string]any, string) {
	v, code := parseAnyView(raw)
	if code != "" {
		return nil, code
	}
	if v["type"] != "home" {
		return nil, "invalid_arguments"
	}
	return v, ""
}

// Home returns the Home tab last published for user (nil if none).
func (s *Server) Home(user string) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	if v, found := s.homes[user]; found {
		return cloneMap(v)
	}
	return nil
}

// WaitHome waits until user's Home tab says want, and returns its text.
func (s *Server) WaitHome(t T, user, want string, timeout time.Duration) string {
	t.Helper()
	var text string
	s.WaitUntil(t, timeout, fmt.Sprintf("%s's Home tab to say %q", user, want), func() bool {
		text = ViewText(s.Home(user))
		return strings.Contains(text, want)
	})
	return text
}

// ClickHome presses the button actionID in the block blockID of user's Home
// tab; Slack sends the view as it stands with the click.
func (s *Server) ClickHome(t T, user, blockID, actionID string) Command {
	t.Helper()
	home := s.Home(user)
	if home == nil {
		t.Fatalf("slacktest: %s has no Home tab", user)
	}
	var blocks []map[string]any
	for _, b := range asList(home["blocks"]) {
		if b["block_id"] == blockID {
			blocks = append(blocks, b)
		}
	}
	return s.click(t, user, target{blocks, "Home tab block " + blockID}, actionID, map[string]any{
		"container": map[string]any{"type": "view", "view_id": home["id"]},
		"view":      home,
	})
}

// ViewText is every text a person can read in a view, one per line.
func ViewText(v map[string]any) string {
	var out []string
	var walk func(any)
	walk = func(x any) {
		switch x := x.(type) {
		case map[string]any:
			if t, ok := x["text"].(string); ok {
				out = append(out, t)
			}
			for k, v := range x {
				if k != "text" || fmt.Sprintf("%T", v) != "string" {
					walk(v)
				}
			}
		case []any:
			for _, v := range x {
				walk(v)
			}
		}
	}
	walk(v["blocks"])
	return strings.Join(out, "\n")
}

// viewBlocksFit applies Slack's limits to a view's blocks: at most 100, a
// section's text at most 3,000 characters, its fields as in messages.
func viewBlocksFit(v map[string]any) bool {
	blocks := asList(v["blocks"])
	if len(blocks) > 100 {
		return false
	}
	for _, b := range blocks {
		if t, _ := b["text"].(map[string]any); t != nil && utf8.RuneCountInString(fmt.Sprint(t["text"])) > 3000 {
			return false
		}
		if !fieldsFit(b) {
			return false
		}
	}
	return true
}
