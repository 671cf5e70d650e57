package bot

import (
	"context"

	"github.com/slack-go/slack/socketmode"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/bot/slackapi"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"
)

// onAddAccess adds the workspaces of a form whose email is already a
// client's to that client's access, instead of creating a second one; the
// client is read once, by applyAccess, and its access then is kept.
func (b *Bot) onAddAccess(ctx context.Context, evt *socketmode.Event, c *socketmode.Client) {
	cb, req := b.clicked(evt, c, "add_access")
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
		add: meta.Form, viewID: cb.View.ID, channel: meta.ChannelID, ends: meta.Form.EndsAt})
	if meta.Form.EndsAt != 0 && (outcome == changeApplied || outcome == changeRequested) { // the end typed into the form
		text += " " + b.moveEnd(ctx, cb.User.ID, modals.ClientMeta{ID: clientID, Email: meta.Form.Email}, *meta.Form)
	}
	sctx, cancel := slackapi.Settle(ctx)
	defer cancel()
	b.once.finish(sctx, key, text)
	b.talk.UpdateView(sctx, cb.View.ID, modals.ClientResult(title, text))
	req.done(outcome, err, map[string]any{"client_id": clientID})
}
