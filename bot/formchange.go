package bot

import (
	"context"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"
)

// onFormChange redraws the form when access per workspace is switched on or
// off, or the workspaces change while it is on, keeping everything typed.
// The view's hash makes Slack refuse a redraw of a form changed meanwhile;
// the newer change brings its own.
func (b *Bot) onFormChange(ctx context.Context, evt *socketmode.Event, c *socketmode.Client) {
	cb, _ := evt.Data.(slack.InteractionCallback)
	b.ack(c, evt.Request.EnvelopeID, nil)
	if cb.View.CallbackID != modals.CallbackCreate {
		return
	}
	req := b.startRequest("form_change", cb.User.ID)
	form := modals.ParseForm(cb.View.State)
	meta := modals.DecodeMetadata(cb.View.PrivateMetadata)
	view := modals.NewForm(form, b.workspaces.get(), meta, b.approvalNote())
	if _, err := b.slack.UpdateViewContext(ctx, view, "", cb.View.Hash, cb.View.ID); err != nil {
		req.done("update_failed", err, nil)
		return
	}
	req.done("redrawn", nil, map[string]any{"per_workspace": form.PerWorkspace, "workspaces": len(form.WorkspaceIDs)})
}
