package bot

import (
	"context"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/bot/slackapi"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/request"
)

// accessChange is a change to an existing client's access: from Edit
// access, from "add to their access" on a duplicate, or approved.
type accessChange struct {
	requester string
	clientID  string
	// modified is the client's modified_at when the change was asked; the
	// change applies only if PlusVibe still says so ("" skips the check).
	modified string
	after    []plusvibe.ClientWorkspacePermission
	// add, instead of after, adds its workspaces to the access read now.
	add      *request.Form
	viewID   string // the requester's modal, where they wait for the outcome
	channel  string // where they asked, for the approval's answer
	approver string // set once approved
	// ends is the end asked with the change, shown to its approver.
	ends int64
}

// Outcomes of a change, as logged and counted.
const (
	changeApplied   = "access_changed"
	changeRequested = "access_requested"
	changeStale     = "stale"
	changeFailed    = "failed"
	changeRefused   = "refused" // the requester may no longer manage clients
)

// applyAccess changes a client's access. It reads the client anew, refuses
// if it changed since the change was asked, holds a change that gives more
// access for an approver where the policy says so (less never waits), and
// otherwise sends PUT /client with the client's whole state after it. It
// returns the outcome and what the requester is told.
func (b *Bot) applyAccess(ctx context.Context, ch accessChange) (string, string, error) {
	current, found, err := b.clients.byID(ctx, ch.clientID)
	switch {
	case err != nil:
		return changeFailed, modals.Escape(modals.FailureText(modals.OpList, err, "")) + " Nothing was changed.", err
	case !found:
		return changeFailed, modals.ClientGoneUnchangedText, nil
	case ch.modified != "" && request.Stamp(current) != ch.modified:
		b.metrics.clientChanges.WithLabelValues(changeStale).Inc()
		return changeStale, modals.ChangedMeanwhile(current.Email), nil
	}
	if ch.add != nil {
		ch.after = request.Merged(current, *ch.add)
	}
	if ch.approver == "" && b.policy.ChangeNeedsApproval(current, ch.after) {
		return b.requestChange(ctx, ch, current)
	}
	err = b.pv.UpdateClient(ctx, plusvibe.UpdateClientRequest{WorkspaceID: b.cfg.APIWorkspaceID, ClientID: current.ID,
		ClientFirstName: current.FirstName, ClientLastName: current.LastName, ClientBusinessName: current.BusinessName, Workspaces: ch.after})
	b.clients.forget()
	if err != nil {
		b.metrics.clientChanges.WithLabelValues(changeFailed).Inc()
		return changeFailed, modals.Escape(modals.FailureText(modals.OpEdit, err, modals.FindCommand(b.cfg.Command, current.Email))), err
	}
	b.endFollows(ctx, current.ID, ch.after)
	gains := request.GainsFullAccess(current, ch.after) // who asked for Full access never reviews it
	if gains {
		b.noteAskedBy(ctx, current.ID, ch.requester)
	}
	after := request.AccessForm(current, ch.after)
	entry := auditEntry(ch.requester, after, b.workspaces.get())
	entry.Outcome, entry.Approver, entry.ClientID, entry.AskedFor = modals.AuditAccessChanged, ch.approver, current.ID, gains
	entry.Before = modals.AccessText(request.ClientForm(current).Grants(b.workspaces.get()))
	sctx, cancel := slackapi.Settle(ctx)
	defer cancel()
	b.audit(sctx, entry)
	b.metrics.clientChanges.WithLabelValues(changeApplied).Inc()
	return changeApplied, modals.AccessChanged(current.Email, after.Grants(b.workspaces.get())), nil
}

// requestChange posts the change for an approver, as a creation is posted.
func (b *Bot) requestChange(ctx context.Context, ch accessChange, current plusvibe.ClientLogin) (string, string, error) {
	r := request.Record{State: request.Pending, Change: &request.ClientChange{ClientID: current.ID, Modified: request.Stamp(current)},
		Request: request.Approval{Requester: ch.requester, ViewID: ch.viewID, Channel: ch.channel, Form: request.AccessForm(current, ch.after)}}
	r.Request.Form.EndsAt = ch.ends
	_, link, err := b.postForApproval(ctx, r)
	if err != nil {
		return changeFailed, modals.ChangePostFailed(b.cfg.ApprovalChannel, slackapi.Cause(err)), err
	}
	b.metrics.clientChanges.WithLabelValues(changeRequested).Inc()
	return changeRequested, modals.ChangeWaits(current.Email, b.cfg.ApprovalChannel, link), nil
}
