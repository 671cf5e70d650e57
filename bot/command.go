package bot

import (
	"context"
	"net/mail"
	"strings"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"
)

// onCommand answers the slash command: help, a refusal, or the form. It acks
// first and opens the view after, so a slow views.open never misses the ack
// deadline; both happen within the trigger's 3 seconds.
func (b *Bot) onCommand(ctx context.Context, evt *socketmode.Event, c *socketmode.Client) {
	cmd, _ := evt.Data.(slack.SlashCommand)
	req := b.startRequest("command", cmd.UserID)
	text := strings.TrimSpace(cmd.Text)

	if strings.EqualFold(text, "help") {
		b.ack(c, evt.Request.EnvelopeID, ephemeral(modals.HelpText(b.cfg.Command)))
		req.done("help", nil, nil)
		return
	}
	allowed, err := b.access.allowed(ctx, cmd.UserID)
	if !allowed {
		msg := modals.NotAllowedText
		if err != nil {
			msg = uncheckedText
		}
		b.ack(c, evt.Request.EnvelopeID, ephemeral(msg))
		req.done("refused", err, nil)
		return
	}
	// Refused while the store is down: the form could not be sent anyway.
	if b.storeHealth.down.Load() && b.checkStore(ctx) != nil {
		b.ack(c, evt.Request.EnvelopeID, ephemeral(storeDownText))
		req.done("store_unreachable", nil, nil)
		return
	}
	workspaces := b.workspaces.get()
	if len(workspaces) == 0 {
		b.workspaces.refreshSoon()
		b.ack(c, evt.Request.EnvelopeID, ephemeral(modals.NoWorkspacesText))
		req.done("no_workspaces", nil, nil)
		return
	}
	b.ack(c, evt.Request.EnvelopeID, nil)

	var form modals.Form
	if addr, err := mail.ParseAddress(text); err == nil && addr.Address == text {
		form.Email = text
	}
	view := modals.NewForm(form, workspaces, modals.Metadata{ChannelID: cmd.ChannelID}, b.approvalNote())
	openCtx, cancel := context.WithDeadline(ctx, req.start.Add(triggerLife))
	defer cancel()
	if _, err := b.slack.OpenViewContext(openCtx, cmd.TriggerID, view); err != nil {
		b.tellViaResponseURL(ctx, cmd.ResponseURL, "The form could not be opened ("+err.Error()+"). Run "+b.cfg.Command+" again.")
		req.done("open_failed", err, nil)
		return
	}
	req.done("opened", nil, nil)
}

// triggerLife is how long a trigger_id can open a view.
const triggerLife = 3 * time.Second

// tellViaResponseURL answers privately in the channel of a command.
func (b *Bot) tellViaResponseURL(ctx context.Context, url, text string) {
	if url == "" {
		return
	}
	err := slack.PostWebhookCustomHTTPContext(ctx, url, b.cfg.HTTPClient, &slack.WebhookMessage{Text: text, ResponseType: "ephemeral"})
	if err != nil {
		b.log.Warn().Err(err).Msg("answering through response_url failed")
	}
}
