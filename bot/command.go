package bot

import (
	"context"
	"net/mail"
	"strings"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/request"
)

// onCommand answers the slash command: help, a refusal, or the form. It acks
// first and opens the view after, so a slow views.open never misses the ack
// deadline; both happen within the trigger's 3 seconds.
func (b *Bot) onCommand(ctx context.Context, evt *socketmode.Event, c *socketmode.Client) {
	cmd, _ := evt.Data.(slack.SlashCommand)
	req := b.startRequest("command", cmd.UserID)
	text := strings.TrimSpace(cmd.Text)

	if verb, query, _ := strings.Cut(text, " "); strings.EqualFold(verb, "find") {
		b.onFind(ctx, req, evt, c, cmd, strings.TrimSpace(query))
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

// formBlocker says why the form cannot be opened for user right now ("" if
// it can), with the outcome to log.
func (b *Bot) formBlocker(ctx context.Context, user string) (msg, outcome string, err error) {
	allowed, err := b.access.allowed(ctx, user)
	switch {
	case !allowed && err != nil:
		return modals.UncheckedText, "refused", err
	case !allowed:
		return modals.NotAllowedText, "refused", nil
	case b.storeHealth.down.Load() && b.checkStore(ctx) != nil:
		// Refused while the store is down: the form could not be sent anyway.
		return modals.StoreDownText, "store_unreachable", nil
	case len(b.workspaces.get()) == 0:
		b.workspaces.refreshSoon()
		return modals.NoWorkspacesText, "no_workspaces", nil
	}
	return "", "", nil
}

// openForm opens the form, filled in with form, within the trigger's life.
func (b *Bot) openForm(ctx context.Context, req requestLog, triggerID string, form request.Form, meta modals.Metadata) error {
	view := modals.NewForm(form, b.workspaces.get(), meta, b.approvalNote())
	ctx, cancel := context.WithDeadline(ctx, req.start.Add(triggerLife))
	defer cancel()
	_, err := b.slack.OpenViewContext(ctx, triggerID, view)
	return err
}

// triggerLife is how long a trigger_id can open a view.
const triggerLife = 3 * time.Second
