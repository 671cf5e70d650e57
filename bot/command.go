package bot

import (
	"context"
	"net/mail"
	"strings"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/request"
)

// command is a slash command received, with what answers it.
type command struct {
	evt *socketmode.Event
	c   *socketmode.Client
	cmd slack.SlashCommand
	req requestLog
}

// onCommand answers the slash command: help, a refusal, or the form. It acks
// first and opens the view after, so a slow views.open never misses the ack
// deadline; both happen within the trigger's 3 seconds.
func (b *Bot) onCommand(ctx context.Context, evt *socketmode.Event, c *socketmode.Client) {
	cmd, _ := evt.Data.(slack.SlashCommand)
	req := b.startRequest("command", cmd.UserID)
	text := strings.TrimSpace(cmd.Text)

	if verb, query, _ := strings.Cut(text, " "); strings.EqualFold(verb, "find") {
		b.onFind(ctx, command{evt: evt, c: c, cmd: cmd, req: req}, strings.TrimSpace(query))
		return
	}
	if strings.EqualFold(text, "help") {
		b.ack(c, evt.Request.EnvelopeID, ephemeral(modals.HelpText(b.cfg.Command)))
		req.done("help", nil, nil)
		return
	}
	if msg, outcome, err := b.formBlocker(ctx, cmd.UserID); msg != "" {
		b.ack(c, evt.Request.EnvelopeID, ephemeral(msg))
		req.done(outcome, err, nil)
		return
	}
	b.ack(c, evt.Request.EnvelopeID, nil)

	var form request.Form
	if addr, err := mail.ParseAddress(text); err == nil && addr.Address == text {
		form.Email = text
	}
	if err := b.openForm(ctx, req, cmd.TriggerID, form, modals.Metadata{ChannelID: cmd.ChannelID}); err != nil {
		b.talk.Answer(ctx, cmd.ResponseURL, "The form could not be opened ("+err.Error()+"). Run "+b.cfg.Command+" again.")
		req.done("open_failed", err, nil)
		return
	}
	req.done("opened", nil, nil)
}
