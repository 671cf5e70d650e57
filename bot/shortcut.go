package bot

import (
	"context"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/request"
)

// Shortcut callback ids, as the app's manifest declares them.
const (
	ShortcutCreate            = "plusvibe_new_client"
	ShortcutCreateFromMessage = "plusvibe_new_client_from_message"
)

// onShortcut opens the form from the shortcuts menu, or from a message,
// filled in with what the message says. A shortcut's ack cannot carry an
// answer, so a refusal opens a small modal saying why.
func (b *Bot) onShortcut(ctx context.Context, evt *socketmode.Event, c *socketmode.Client) {
	cb, _ := evt.Data.(slack.InteractionCallback)
	req := b.startRequest("shortcut", cb.User.ID)
	b.ack(c, evt.Request.EnvelopeID, nil)
	var form request.Form
	var meta modals.Metadata
	if cb.Type == slack.InteractionTypeMessageAction {
		form = modals.FromMessage(cb.Message.Text)
		meta = modals.Metadata{ChannelID: cb.Channel.ID, Source: &request.Source{Channel: cb.Channel.ID, TS: threadOf(cb.Message)}}
	}
	fields := map[string]any{"from_message": meta.Source != nil}
	if msg, outcome, err := b.formBlocker(ctx, cb.User.ID); msg != "" {
		b.notice(ctx, req, cb.TriggerID, msg)
		req.done(outcome, err, fields)
		return
	}
	if err := b.openForm(ctx, req, cb.TriggerID, form, meta); err != nil {
		req.done("open_failed", err, fields)
		return
	}
	req.done("opened", nil, fields)
}

// threadOf is the thread a reply to m goes in: its own, or its parent's.
func threadOf(m slack.Message) string {
	if m.ThreadTimestamp != "" {
		return m.ThreadTimestamp
	}
	return m.Timestamp
}

func (b *Bot) notice(ctx context.Context, req requestLog, triggerID, text string) {
	ctx, cancel := context.WithDeadline(ctx, req.start.Add(triggerLife))
	defer cancel()
	if _, err := b.slack.OpenViewContext(ctx, triggerID, modals.Notice(text)); err != nil {
		b.log.Warn().Err(err).Msg("could not say why the form was not opened")
	}
}

// announce replies in the thread of the message a client was asked for in.
// Where the bot may not post (not in the channel), it skips the reply:
// the client and its password are not affected.
func (b *Bot) announce(ctx context.Context, c creation, email string) {
	if c.source == nil {
		return
	}
	text := modals.ThreadReply(c.requester, email, modals.AccessText(c.form.Grants(b.workspaces.get())))
	_, _, err := b.slack.PostMessageContext(ctx, c.source.Channel, slack.MsgOptionText(text, false), slack.MsgOptionTS(c.source.TS))
	if err != nil {
		b.log.Info().Err(err).Str("channel", c.source.Channel).Msg("the new client was not announced in the message's thread")
	}
}
