package bot

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/bot/store"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/request"
)

// endSchedule is where access ends are kept: somewhere a restart cannot
// lose them and every replica reads, never this process's memory alone.
type endSchedule interface {
	// put adds the client's end, or replaces the one it had.
	put(ctx context.Context, e request.End) error
	// all lists the ends still to come, or still to be applied.
	all(ctx context.Context) ([]request.End, error)
	// drop closes the client's end; closing says how, where people see it.
	drop(ctx context.Context, e request.End, closing string) error
}

// newEndSchedule keeps ends in the shared store when it is Redis, else in a
// channel's messages (the audit channel's, or the approval channel's); nil
// when there is neither: the form then says ends are unavailable.
func newEndSchedule(b *Bot) endSchedule {
	if _, inMemory := b.cfg.Store.(*store.Memory); !inMemory {
		return &storeEnds{store: b.cfg.Store, keep: request.MaxEndAhead + 30*24*time.Hour}
	}
	channel := b.cfg.AuditChannel
	if channel == "" {
		channel = b.cfg.ApprovalChannel
	}
	if channel == "" {
		return nil
	}
	return &slackEnds{b: b, channel: channel, messages: map[string]endMessage{}}
}

// endsList is the store's list of ends, by client id.
const endsList = "access-ends"

// maxKept bounds the ends, and the clients known to have been asked for:
// far past any agency's clients, so that none is dropped.
const maxKept = 1_000_000

// storeEnds keeps ends in the shared store (Redis).
type storeEnds struct {
	store store.Store
	keep  time.Duration
}

func (s *storeEnds) put(ctx context.Context, e request.End) error {
	v, _ := json.Marshal(e)
	ctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	return s.store.Note(ctx, endsList, store.Entry{ID: e.ClientID, Value: string(v), Max: maxKept, Keep: s.keep})
}

func (s *storeEnds) all(ctx context.Context) ([]request.End, error) {
	return listed[request.End](ctx, s.store, endsList)
}

func (s *storeEnds) drop(ctx context.Context, e request.End, _ string) error {
	ctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	return s.store.Forget(ctx, endsList, e.ClientID)
}

// slackEnds keeps each end in a message of channel, with the end in its
// metadata: people see the schedule, and the bot reads it back. Kept in
// Slack only without Redis: one replica, so its cache of where each end's
// message is stays true.
type slackEnds struct {
	b       *Bot
	channel string

	mu       sync.Mutex
	messages map[string]endMessage // client id → its open end's message
	// loaded: messages holds every open end as of the last read, so a
	// client missing from it has none (a new client: no read needed);
	// readAt is when the channel was last read.
	loaded bool
	readAt time.Time
	seq    int64
}

// endsFresh is how long a read of the channel serves: this process writes
// every change to the schedule (one replica without Redis), so reads only
// catch up with what it could not see.
const endsFresh = 30 * time.Second

// endMessage is the message keeping an end still to come, and that end.
type endMessage struct {
	ts  string
	end request.End
	// seq orders this process's own writes against its reads.
	seq int64
}

// put rewrites the client's end in place when only its state changes (a
// notice, a failure), and posts it anew when its time moves: the channel is
// read back a year at most, and the message must be as new as its end.
func (s *slackEnds) put(ctx context.Context, e request.End) error {
	old, err := s.message(ctx, e.ClientID)
	if err != nil {
		return err
	}
	text := modals.EndScheduled(e, s.b.endsWith())
	meta := slack.MsgOptionMetadata(slack.SlackMetadata{EventType: request.EndEvent, EventPayload: request.EndRecord{End: e}.EndPayload()})
	if old.ts != "" && old.end.At == e.At {
		_, _, _, err = s.b.slack.UpdateMessageContext(ctx, s.channel, old.ts, slack.MsgOptionText(text, false), meta)
		if err == nil {
			s.remember(e.ClientID, endMessage{ts: old.ts, end: e})
		}
		return err
	}
	_, ts, err := s.b.slack.PostMessageContext(ctx, s.channel, slack.MsgOptionText(text, false), meta, slack.MsgOptionDisableLinkUnfurl())
	if err != nil {
		return err
	}
	s.remember(e.ClientID, endMessage{ts: ts, end: e})
	if old.ts != "" { // the newer message stands; this one only says where it went
		s.close(ctx, old.ts, old.end, modals.EndMoved(old.end, e.At))
	}
	return nil
}

func (s *slackEnds) drop(ctx context.Context, e request.End, closing string) error {
	old, err := s.message(ctx, e.ClientID)
	if err != nil || old.ts == "" {
		return err
	}
	if err := s.close(ctx, old.ts, e, closing); err != nil {
		return err
	}
	s.remember(e.ClientID, endMessage{})
	return nil
}

// close rewrites a schedule message as closed, saying closing.
func (s *slackEnds) close(ctx context.Context, ts string, e request.End, closing string) error {
	meta := slack.MsgOptionMetadata(slack.SlackMetadata{EventType: request.EndEvent, EventPayload: request.EndRecord{End: e, Closed: true}.EndPayload()})
	_, _, _, err := s.b.slack.UpdateMessageContext(ctx, s.channel, ts, slack.MsgOptionText(closing, false), meta)
	return err
}

func (s *slackEnds) remember(clientID string, m endMessage) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	m.seq = s.seq
	s.messages[clientID] = m
}

// message is the client's open end's message; ts "" if none. Read the
// channel if this process has not seen it yet.
func (s *slackEnds) message(ctx context.Context, clientID string) (endMessage, error) {
	s.mu.Lock()
	m, known := s.messages[clientID]
	loaded := s.loaded
	s.mu.Unlock()
	if known || loaded {
		return m, nil
	}
	if _, err := s.all(ctx); err != nil {
		return endMessage{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.messages[clientID], nil
}

// all reads the channel back as far as an end can be set ahead: the newest
// message about each client says where its end stands.
func (s *slackEnds) all(ctx context.Context) ([]request.End, error) {
	if open, fresh := s.cached(); fresh {
		return open, nil
	}
	s.mu.Lock()
	since := s.seq
	s.mu.Unlock()
	seen, messages := map[string]bool{}, map[string]endMessage{}
	err := s.b.readBack(ctx, s.channel, time.Now().Add(-request.MaxEndAhead-7*24*time.Hour), func(m slack.Message) {
		r, isEnd := request.EndFromPayload(m.Metadata.EventType, m.Metadata.EventPayload)
		if !isEnd || seen[r.ClientID] {
			return
		}
		seen[r.ClientID] = true
		if !r.Closed {
			messages[r.ClientID] = endMessage{ts: m.Timestamp, end: r.End}
		}
	})
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	for id, m := range s.messages { // written while it was read: newer than the read
		if m.seq > since {
			messages[id] = m
		}
	}
	s.messages, s.loaded, s.readAt = messages, true, time.Now()
	s.mu.Unlock()
	open, _ := s.cached()
	return open, nil
}

// cached is the open ends as this process last read and wrote them, if
// that read is fresh.
func (s *slackEnds) cached() ([]request.End, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.loaded || time.Since(s.readAt) > endsFresh {
		return nil, false
	}
	open := []request.End{}
	for _, m := range s.messages {
		if m.ts != "" {
			open = append(open, m.end)
		}
	}
	return open, true
}

// errNoSchedule: the bot has nowhere safe to keep ends.
var errNoSchedule = errors.New("no Redis and no audit or approval channel to keep access ends in")

// knownEnds is the schedule as last read, by client id: what find answers
// and the Home tab show, without reading the schedule for each.
type knownEnds struct {
	mu   sync.Mutex
	ends map[string]request.End
}

func (k *knownEnds) set(ends []request.End) {
	m := make(map[string]request.End, len(ends))
	for _, e := range ends {
		m[e.ClientID] = e
	}
	k.mu.Lock()
	k.ends = m
	k.mu.Unlock()
}

func (k *knownEnds) put(e request.End) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.ends == nil {
		k.ends = map[string]request.End{}
	}
	k.ends[e.ClientID] = e
}

func (k *knownEnds) drop(clientID string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	delete(k.ends, clientID)
}

// all is every known end, by client id.
func (k *knownEnds) all() map[string]int64 {
	k.mu.Lock()
	defer k.mu.Unlock()
	out := make(map[string]int64, len(k.ends))
	for id, e := range k.ends {
		out[id] = e.At
	}
	return out
}

// get is the client's end as last read.
func (k *knownEnds) get(clientID string) (request.End, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	e, found := k.ends[clientID]
	return e, found
}
