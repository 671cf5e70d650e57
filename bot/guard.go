package bot

import (
	"context"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"
)

type handler func(ctx context.Context, evt *socketmode.Event, c *socketmode.Client)

// guard runs h within MaxInFlight.
func (b *Bot) guard(h handler) socketmode.SocketmodeHandlerFunc { return b.guardIn(b.slots, h) }

// guardIn bounds concurrency by pool and tracks work for the drain. When the
// pool is full or the bot stopping it answers at once instead of making Slack
// wait (a workflow run is left for Slack to deliver again: refuseRun).
func (b *Bot) guardIn(pool chan struct{}, h handler) socketmode.SocketmodeHandlerFunc {
	return func(evt *socketmode.Event, c *socketmode.Client) {
		b.mu.Lock()
		if b.stopping {
			b.mu.Unlock()
			b.refuse(evt, c, modals.RestartingText)
			return
		}
		select {
		case pool <- struct{}{}:
		default:
			b.mu.Unlock()
			b.refuse(evt, c, modals.BusyText)
			return
		}
		b.inFlight.Add(1)
		b.mu.Unlock()
		defer func() { <-pool; b.inFlight.Done() }()
		h(b.work, evt, c)
	}
}

func (b *Bot) refuse(evt *socketmode.Event, c *socketmode.Client, msg string) {
	if evt.Request == nil {
		return
	}
	if stepRunOf(evt) != nil {
		b.refuseRun(evt, c, msg)
		return
	}
	var payload any
	var whisperTo *slack.InteractionCallback
	switch d := evt.Data.(type) {
	case slack.SlashCommand:
		payload = ephemeral(msg)
	case slack.InteractionCallback:
		switch {
		case d.Type == slack.InteractionTypeViewSubmission:
			payload = slack.NewErrorsViewSubmissionResponse(map[string]string{b.refusalBlock(d.View.CallbackID): msg})
		case d.Type == slack.InteractionTypeBlockActions && d.Container.ChannelID != "":
			whisperTo = &d // a button in a channel message: the ack can't answer
		}
	}
	b.ack(c, evt.Request.EnvelopeID, payload)
	if whisperTo != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		b.talk.Note(ctx, whisperTo.Container.ChannelID, whisperTo.User.ID, msg)
	}
}

// ack answers an envelope. A bounded context keeps a dead socket from holding
// a handler forever.
func (b *Bot) ack(c *socketmode.Client, envelopeID string, payload any) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := c.AckCtx(ctx, envelopeID, payload); err != nil {
		b.log.Error().Err(err).Str("envelope_id", envelopeID).Msg("ack failed")
	}
}

func ephemeral(text string) map[string]any {
	return map[string]any{"response_type": "ephemeral", "text": text}
}

// ackBudget is how much of Slack's 3 s a handler may spend before its ack.
const ackBudget = 2500 * time.Millisecond
