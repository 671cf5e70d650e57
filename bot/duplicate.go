package bot

import (
	"context"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/bot/slackapi"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe"
)

// duplicateBudget bounds reading the client list inside a submission's ack,
// and duplicateBy is how far into the ack's budget it may go (after a cold
// user group lookup, say); past either, or if PlusVibe cannot be read,
// creation goes ahead and PlusVibe's own answer stands.
const (
	duplicateBudget = 1500 * time.Millisecond
	duplicateBy     = 2 * time.Second
)

// existing returns the client that already has the form's email, if the
// list can be read in time. started is when the submission arrived.
func (b *Bot) existing(ctx context.Context, started time.Time, email string) (plusvibe.ClientLogin, bool) {
	ctx, cancel := context.WithDeadline(ctx, minTime(time.Now().Add(duplicateBudget), started.Add(duplicateBy)))
	defer cancel()
	list, err := b.clients.get(ctx, clientsFresh)
	if err != nil {
		b.log.Info().Err(err).Msg("the client list could not be read; creating without the duplicate check")
		return plusvibe.ClientLogin{}, false
	}
	return byEmail(list, email)
}

// onAddAccess adds the workspaces of a form whose email is already a
// client's to that client's access, instead of creating a second one; the
// client is read once, by applyAccess, and its access then is kept.
func (b *Bot) onAddAccess(ctx context.Context, evt *socketmode.Event, c *socketmode.Client) {
	cb, _ := evt.Data.(slack.InteractionCallback)
	req := b.startRequest("add_access", cb.User.ID)
	b.ack(c, evt.Request.EnvelopeID, nil)
	const title = "Already a client"
	if allowed, err := b.access.allowed(ctx, cb.User.ID); !allowed {
		b.talk.UpdateView(ctx, cb.View.ID, modals.ClientResult(title, refusedText(err)))
		req.done("refused", err, nil)
		return
	}
	key := "add:" + cb.View.ID
	first, told, err := b.once.claim(ctx, key)
	switch {
	case err != nil:
		b.talk.UpdateView(ctx, cb.View.ID, modals.ClientResult(title, modals.StoreDownText))
		req.done("store_unreachable", err, nil)
		return
	case !first:
		req.done("duplicate", nil, map[string]any{"told": told != nil})
		return
	}
	meta := modals.DecodeMetadata(cb.View.PrivateMetadata)
	if meta.Form == nil {
		b.once.release(ctx, key)
		b.talk.UpdateView(ctx, cb.View.ID, modals.ClientResult(title, modals.FormUnreadableText))
		req.done("unreadable", nil, nil)
		return
	}
	b.talk.UpdateView(ctx, cb.View.ID, modals.ClientResult(title, ":hourglass_flowing_sand: Adding the workspaces to *"+modals.Escape(meta.Form.Email)+"*…"))
	clientID := actionValue(cb, modals.ActionAddAccess)
	outcome, text, err := b.applyAccess(ctx, accessChange{requester: cb.User.ID, clientID: clientID,
		add: meta.Form, viewID: cb.View.ID, channel: meta.ChannelID})
	sctx, cancel := slackapi.Settle(ctx)
	defer cancel()
	b.once.finish(sctx, key, text)
	b.talk.UpdateView(sctx, cb.View.ID, modals.ClientResult(title, text))
	req.done(outcome, err, map[string]any{"client_id": clientID})
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
