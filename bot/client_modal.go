package bot

import (
	"context"

	"github.com/slack-go/slack"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe"
)

// openClient checks the clicker may manage clients, opens a modal with the
// click's trigger, and reads the client named by the button anew. ok is
// false when the modal already says why not.
func (b *Bot) openClient(ctx context.Context, req requestLog, cb slack.InteractionCallback, action, title string) (string, plusvibe.ClientLogin, bool) {
	if msg, outcome, err := b.formBlocker(ctx, cb.User.ID); msg != "" {
		b.notice(ctx, req, cb.TriggerID, msg)
		req.done(outcome, err, nil)
		return "", plusvibe.ClientLogin{}, false
	}
	openCtx, cancel := context.WithDeadline(ctx, req.start.Add(triggerLife))
	resp, err := b.slack.OpenViewContext(openCtx, cb.TriggerID, modals.ClientResult(title, ":hourglass_flowing_sand: Reading the client from PlusVibe…"))
	cancel()
	if err != nil {
		req.done("open_failed", err, nil)
		return "", plusvibe.ClientLogin{}, false
	}
	client, found, err := b.clients.byID(ctx, actionValue(cb, action))
	switch {
	case err != nil:
		b.talk.UpdateView(ctx, resp.ID, modals.ClientResult(title, modals.Escape(modals.FailureText(modals.OpList, err, ""))))
		req.done("list_failed", err, nil)
		return "", client, false
	case !found:
		b.talk.UpdateView(ctx, resp.ID, modals.ClientResult(title, modals.ClientGoneText))
		req.done("gone", nil, nil)
		return "", client, false
	}
	return resp.ID, client, true
}

func offeredID(offered []plusvibe.Workspace, id string) bool {
	for _, w := range offered {
		if w.ID == id {
			return true
		}
	}
	return false
}
