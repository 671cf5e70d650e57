package bot

import (
	"context"

	"github.com/slack-go/slack/socketmode"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/request"
)

// onRetry turns a failure view back into the form, with what was typed.
func (b *Bot) onRetry(ctx context.Context, evt *socketmode.Event, c *socketmode.Client) {
	cb, req := b.clicked(evt, c, "retry")
	meta := modals.DecodeMetadata(cb.View.PrivateMetadata)
	var form request.Form
	if meta.Form != nil {
		form = *meta.Form
	}
	meta.Form = nil
	_, err := b.slack.UpdateViewContext(ctx, modals.NewForm(form, b.workspaces.get(), meta, b.approvalNote(), b.policy.Reason), "", cb.View.Hash, cb.View.ID)
	if err != nil {
		req.done("update_failed", err, nil)
		return
	}
	req.done("form_reopened", nil, nil)
}
