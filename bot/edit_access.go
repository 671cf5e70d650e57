package bot

import (
	"context"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/request"
)

// onEditAccess opens a client's access to edit, from a find answer. The
// click's trigger opens a modal at once; the client is read anew from
// PlusVibe, then shown.
func (b *Bot) onEditAccess(ctx context.Context, evt *socketmode.Event, c *socketmode.Client) {
	cb, req := b.clicked(evt, c, "edit_access")
	viewID, client, ok := b.openClient(ctx, req, cb, modals.ActionEditAccess, "Edit access")
	if !ok {
		return
	}
	offered := b.workspaces.get()
	for _, p := range client.Permissions {
		if !offeredID(offered, p.WorkspaceID) {
			b.talk.UpdateView(ctx, viewID, modals.ClientResult("Edit access", modals.UnreachableWorkspace(client.Email, p.WorkspaceID)))
			req.done("unreachable_workspace", nil, nil)
			return
		}
	}
	if len(client.Permissions) > request.MaxWorkspaces {
		b.talk.UpdateView(ctx, viewID, modals.ClientResult("Edit access", modals.TooManyWorkspaces(client.Email, len(client.Permissions), request.MaxWorkspaces)))
		req.done("too_many_workspaces", nil, nil)
		return
	}
	form := request.ClientForm(client)
	if e, found, _ := b.endOf(ctx, client.ID); found {
		form.EndsAt = e.At
	}
	meta := modals.ClientMeta{ID: client.ID, Email: client.Email, Modified: request.Stamp(client), Channel: cb.Channel.ID, Ends: form.EndsAt}
	b.talk.UpdateView(ctx, viewID, modals.EditAccessForm(form, offered, meta, modals.ChangeNote(b.cfg.ApprovalChannel, b.cfg.ApproveFullAccessOnly)))
	req.done("opened", nil, nil)
}

// onEditAccessSubmit saves an edit: checked in the ack, then applied (or
// held for approval) after it, the modal saying how it went.
func (b *Bot) onEditAccessSubmit(ctx context.Context, evt *socketmode.Event, c *socketmode.Client) {
	cb, _ := evt.Data.(slack.InteractionCallback)
	req := b.startRequest("edit_access_submit", cb.User.ID)
	if allowed, err := b.access.allowed(ctx, cb.User.ID); !allowed {
		b.ack(c, evt.Request.EnvelopeID, slack.NewErrorsViewSubmissionResponse(map[string]string{modals.BlockWorkspaces: refusedText(err)}))
		req.done("refused", err, nil)
		return
	}
	f := modals.ParseAccess(cb.View.State)
	meta := modals.DecodeClientMeta(cb.View.PrivateMetadata)
	problems := f.ValidateAccess(b.workspaces.get())
	if msg := b.endEditProblem(f, meta.Ends); msg != "" {
		problems[modals.BlockEnds] = msg
	}
	if len(problems) > 0 {
		b.ack(c, evt.Request.EnvelopeID, slack.NewErrorsViewSubmissionResponse(problems))
		req.done("invalid", nil, nil)
		return
	}
	b.actOnce(ctx, clientSubmission{evt: evt, c: c, req: req, viewID: cb.View.ID, block: modals.BlockWorkspaces, title: "Edit access",
		progress: ":hourglass_flowing_sand: Saving the access of *" + modals.Escape(meta.Email) + "*…", clientID: meta.ID},
		func() (string, string, error) {
			outcome, text, err := b.applyAccess(ctx, accessChange{requester: cb.User.ID, clientID: meta.ID, modified: meta.Modified,
				after: f.Request(b.cfg.APIWorkspaceID).Workspaces, viewID: cb.View.ID, channel: meta.Channel, ends: f.EndsAt})
			if err == nil && outcome != changeStale && outcome != changeFailed && outcome != changeRefused && f.EndsAt != meta.Ends {
				text += " " + b.moveEnd(ctx, cb.User.ID, meta, f)
			}
			return outcome, text, err
		})
}
