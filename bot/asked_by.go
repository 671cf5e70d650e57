package bot

import (
	"context"
	"encoding/json"
	"time"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/bot/store"
)

// askedByList keeps who asked for each client the bot created, for the
// access reviews: "who asked for it, when the bot knows".
const askedByList = "asked-by"

type askedBy struct {
	ClientID  string `json:"id"`
	Requester string `json:"u"`
}

// noteAskedBy notes that requester asked for clientID.
func (b *Bot) noteAskedBy(ctx context.Context, clientID, requester string) {
	v, _ := json.Marshal(askedBy{ClientID: clientID, Requester: requester})
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeTimeout)
	defer cancel()
	err := b.cfg.Store.Note(ctx, askedByList, store.Entry{ID: clientID, Value: string(v), Max: maxKept, Keep: 400 * 24 * time.Hour})
	if err != nil {
		b.log.Warn().Err(err).Msg("who asked for a client could not be noted; the reviews will not name them")
	}
}

// askedBy maps each client the bot knows of to who asked for it.
func (b *Bot) askedBy(ctx context.Context) map[string]string {
	list, err := listed[askedBy](ctx, b.cfg.Store, askedByList)
	if err != nil {
		b.log.Warn().Err(err).Msg("who asked for the clients could not be read")
	}
	out := make(map[string]string, len(list))
	for _, a := range list {
		out[a.ClientID] = a.Requester
	}
	return out
}
