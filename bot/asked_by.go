package bot

import (
	"context"
	"encoding/json"
	"time"

	"github.com/slack-go/slack"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/bot/store"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/request"
)

// askedByList keeps who asked for each client the bot created, for the
// access reviews: "who asked for it, when the bot knows".
const askedByList = "asked-by"

// askedByKeep is how long who asked for a client is kept.
const askedByKeep = 400 * 24 * time.Hour

type askedBy struct {
	ClientID  string `json:"id"`
	Requester string `json:"u"`
}

// noteAskedBy notes that requester asked for clientID.
func (b *Bot) noteAskedBy(ctx context.Context, clientID, requester string) {
	v, _ := json.Marshal(askedBy{ClientID: clientID, Requester: requester})
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeTimeout)
	defer cancel()
	err := b.cfg.Store.Note(ctx, askedByList, store.Entry{ID: clientID, Value: string(v), Max: maxKept, Keep: askedByKeep})
	if err != nil {
		b.log.Warn().Err(err).Msg("who asked for a client could not be noted; the reviews will not name them")
	}
}

// askedBy maps each client the bot knows of to who asked for it. Without
// Redis, what a restart lost is read back from the audit channel's lines.
func (b *Bot) askedBy(ctx context.Context) map[string]string {
	out := b.askedInAudit(ctx)
	list, err := listed[askedBy](ctx, b.cfg.Store, askedByList)
	if err != nil {
		b.log.Warn().Err(err).Msg("who asked for the clients could not be read")
	}
	for _, a := range list { // this process's own notes: the newest
		out[a.ClientID] = a.Requester
	}
	return out
}

// askedInAudit reads who asked for each client from the audit channel, the
// newest line first, as far back as the store would keep it; only where no
// Redis keeps it.
func (b *Bot) askedInAudit(ctx context.Context) map[string]string {
	out := map[string]string{}
	if _, inMemory := b.cfg.Store.(*store.Memory); !inMemory || b.cfg.AuditChannel == "" {
		return out
	}
	err := b.readBack(ctx, b.cfg.AuditChannel, time.Now().Add(-askedByKeep), func(m slack.Message) {
		if a, ok := request.AskedFromPayload(m.Metadata.EventType, m.Metadata.EventPayload); ok && out[a.ClientID] == "" {
			out[a.ClientID] = a.Requester // the newest line
		}
	})
	if err != nil {
		b.log.Warn().Err(err).Msg("who asked for the clients could not be read from the audit channel")
	}
	return out
}
