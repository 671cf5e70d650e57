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
	return &slackEnds{b: b, channel: channel, messages: map[string]string{}}
}

// endsList is the store's list of ends, by client id.
const endsList = "access-ends"

// storeEnds keeps ends in the shared store (Redis).
type storeEnds struct {
	store store.Store
	keep  time.Duration
}

func (s *storeEnds) put(ctx context.Context, e request.End) error {
	v, _ := json.Marshal(e)
	ctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	return s.store.Note(ctx, endsList, store.Entry{ID: e.ClientID, Value: string(v), Max: maxStepRuns, Keep: s.keep})
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
// metadata: people see the schedule, and any replica reads it back.
type slackEnds struct {
	b       *Bot
	channel string

	mu       sync.Mutex
	messages map[string]string // client id → ts of the message keeping its end
}

func (s *slackEnds) put(ctx context.Context, e request.End) error {
	ts, err := s.message(ctx, e.ClientID)
	if err != nil {
		return err
	}
	text := modals.EndScheduled(e, s.b.endsWith())
	meta := slack.MsgOptionMetadata(slack.SlackMetadata{EventType: request.EndEvent, EventPayload: request.EndRecord{End: e}.EndPayload()})
	if ts != "" {
		_, _, _, err = s.b.slack.UpdateMessageContext(ctx, s.channel, ts, slack.MsgOptionText(text, false), meta)
		return err
	}
	_, ts, err = s.b.slack.PostMessageContext(ctx, s.channel, slack.MsgOptionText(text, false), meta, slack.MsgOptionDisableLinkUnfurl())
	if err == nil {
		s.mu.Lock()
		s.messages[e.ClientID] = ts
		s.mu.Unlock()
	}
	return err
}

func (s *slackEnds) drop(ctx context.Context, e request.End, closing string) error {
	ts, err := s.message(ctx, e.ClientID)
	if err != nil || ts == "" {
		return err
	}
	meta := slack.MsgOptionMetadata(slack.SlackMetadata{EventType: request.EndEvent, EventPayload: request.EndRecord{End: e, Closed: true}.EndPayload()})
	_, _, _, err = s.b.slack.UpdateMessageContext(ctx, s.channel, ts, slack.MsgOptionText(closing, false), meta)
	return err
}

// message is the ts of the message keeping the client's open end; "" if
// none. Another replica may have posted it: read the channel if unknown.
func (s *slackEnds) message(ctx context.Context, clientID string) (string, error) {
	s.mu.Lock()
	ts, known := s.messages[clientID]
	s.mu.Unlock()
	if known {
		return ts, nil
	}
	if _, err := s.all(ctx); err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.messages[clientID], nil
}

// all reads the channel back as far as an end can be set ahead: the newest
// message about each client says where its end stands.
func (s *slackEnds) all(ctx context.Context) ([]request.End, error) {
	params := &slack.GetConversationHistoryParameters{ChannelID: s.channel, Limit: 200, IncludeAllMetadata: true,
		Oldest: tsOf(time.Now().Add(-request.MaxEndAhead - 7*24*time.Hour))}
	seen, open, messages := map[string]bool{}, []request.End{}, map[string]string{}
	for {
		resp, err := s.b.slack.GetConversationHistoryContext(ctx, params)
		if err != nil {
			return nil, err
		}
		for _, m := range resp.Messages {
			r, isEnd := request.EndFromPayload(m.Metadata.EventType, m.Metadata.EventPayload)
			if !isEnd || !s.b.ours(m) || seen[r.ClientID] {
				continue
			}
			seen[r.ClientID] = true
			if !r.Closed {
				open, messages[r.ClientID] = append(open, r.End), m.Timestamp
			}
		}
		if !resp.HasMore || resp.ResponseMetaData.NextCursor == "" {
			break
		}
		params.Cursor = resp.ResponseMetaData.NextCursor
	}
	s.mu.Lock()
	s.messages = messages
	s.mu.Unlock()
	return open, nil
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
