package bot

import (
	"context"
	"time"
	"unicode/utf8"

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
	interaction := "shortcut"
	if cb.Type == slack.InteractionTypeMessageAction {
		interaction = "message_shortcut"
	}
	req := b.startRequest(interaction, cb.User.ID)
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
	if meta.Source != nil {
		form.Reason = b.permalink(ctx, req, cb.Channel.ID, cb.Message.Timestamp)
	}
	if err := b.openForm(ctx, req, cb.TriggerID, form, meta); err != nil {
		req.done("open_failed", err, fields)
		return
	}
	req.done("opened", nil, fields)
}

// permalink links the message a form is filled in from, as the request's
// reason; within a second, as the trigger must still open the form.
func (b *Bot) permalink(ctx context.Context, req requestLog, channel, ts string) string {
	ctx, cancel := context.WithDeadline(ctx, req.start.Add(time.Second))
	defer cancel()
	link, err := b.slack.GetPermalinkContext(ctx, &slack.PermalinkParameters{Channel: channel, Ts: ts})
	if err != nil || utf8.RuneCountInString(link) > request.MaxReasonLen {
		b.log.Info().Err(err).Msg("the message's permalink could not be used; the reason is left to the requester")
		return ""
	}
	return link
}

// threadOf is the thread a reply to m goes in: its own, or its parent's.
func threadOf(m slack.Message) string {
	if m.ThreadTimestamp != "" {
		return m.ThreadTimestamp
	}
	return m.Timestamp
}
