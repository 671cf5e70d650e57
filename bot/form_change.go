package bot

import (
	"context"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/request"
)

// onFormChange redraws the form when access per workspace is switched on or
// off, or the workspaces change while it is on, keeping everything typed.
// The view's hash makes Slack refuse a redraw of a form changed meanwhile;
// the newer change brings its own.
func (b *Bot) onFormChange(ctx context.Context, evt *socketmode.Event, c *socketmode.Client) {
	cb, req := b.clicked(evt, c, "form_change")
	var form request.Form
	var view slack.ModalViewRequest
	switch cb.View.CallbackID {
	case modals.CallbackCreate:
		form = modals.ParseForm(cb.View.State)
		view = modals.NewForm(form, b.workspaces.get(), modals.DecodeMetadata(cb.View.PrivateMetadata), b.approvalNote(), b.policy.Reason)
	case modals.CallbackEditAccess:
		form = modals.ParseAccess(cb.View.State)
		view = modals.EditAccessForm(form, b.workspaces.get(), modals.DecodeClientMeta(cb.View.PrivateMetadata), modals.ChangeNote(b.cfg.ApprovalChannel, b.cfg.ApproveFullAccessOnly))
	default:
		return
	}
	if _, err := b.slack.UpdateViewContext(ctx, view, "", cb.View.Hash, cb.View.ID); err != nil {
		req.done("update_failed", err, nil)
		return
	}
	req.done("redrawn", nil, map[string]any{"per_workspace": form.PerWorkspace, "workspaces": len(form.WorkspaceIDs)})
}
