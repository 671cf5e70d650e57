package bot

import (
	"context"
	"fmt"
	"time"

	"github.com/slack-go/slack"

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
		return changeFailed, modals.Escape(failureText(opList, err, "")) + " Nothing was changed.", err
	case !found:
		return changeFailed, "This client no longer exists in PlusVibe. Nothing was changed.", nil
	case ch.modified != "" && request.Stamp(current) != ch.modified:
		b.metrics.clientChanges.WithLabelValues(changeStale).Inc()
		return changeStale, fmt.Sprintf("*%s* was changed in PlusVibe after you opened it. Nothing was saved: open Edit access again to see their access now.", modals.Escape(current.Email)), nil
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
		return changeFailed, modals.Escape(failureText(opEdit, err, b.findCommand(current.Email))), err
	}
	after := request.AccessForm(current, ch.after)
	entry := auditEntry(ch.requester, after, b.workspaces.get())
	entry.Outcome, entry.Approver, entry.ClientID = modals.AuditAccessChanged, ch.approver, current.ID
	entry.Before = modals.AccessText(request.ClientForm(current).Grants(b.workspaces.get()))
	sctx, cancel := slackapi.Settle(ctx)
	defer cancel()
	b.audit(sctx, entry)
	b.metrics.clientChanges.WithLabelValues(changeApplied).Inc()
	return changeApplied, fmt.Sprintf(":white_check_mark: Access of *%s* changed: %s.", modals.Escape(current.Email), modals.AccessText(after.Grants(b.workspaces.get()))), nil
}

// requestChange posts the change for an approver, as a creation is posted.
func (b *Bot) requestChange(ctx context.Context, ch accessChange, current plusvibe.ClientLogin) (string, string, error) {
	r := request.Record{State: request.Pending, Change: &request.ClientChange{ClientID: current.ID, Modified: request.Stamp(current)},
		Request: request.Approval{Requester: ch.requester, ViewID: ch.viewID, Channel: ch.channel, Form: request.AccessForm(current, ch.after)}}
	postCtx, cancel := context.WithTimeout(ctx, postBudget)
	defer cancel()
	text, blocks := modals.ApprovalMessage(r, b.workspaces.get(), time.Now().Add(b.cfg.ApprovalTTL))
	_, ts, err := b.slack.PostMessageContext(postCtx, b.cfg.ApprovalChannel,
		slack.MsgOptionText(text, false), slack.MsgOptionBlocks(blocks...), slack.MsgOptionMetadata(modals.RecordMetadata(r)))
	if err != nil {
		return changeFailed, fmt.Sprintf("The change gives more access, so it needs an approver, but it could not be posted in <#%s> (%s). Nothing was changed.", b.cfg.ApprovalChannel, slackapi.Hint(err, "")), err
	}
	ref := requestRef{channel: b.cfg.ApprovalChannel, ts: ts}
	link, _ := b.slack.GetPermalinkContext(ctx, &slack.PermalinkParameters{Channel: ref.channel, Ts: ts})
	b.trackRecord(ctx, ref, r, link)
	b.metrics.clientChanges.WithLabelValues(changeRequested).Inc()
	where := fmt.Sprintf("<#%s>", b.cfg.ApprovalChannel)
	if link != "" {
		where = fmt.Sprintf("<%s|the approval channel>", link)
	}
	return changeRequested, fmt.Sprintf(":hourglass_flowing_sand: The change gives *%s* more access, so it waits for an approver in %s. Nothing changes until then.", modals.Escape(current.Email), where), nil
}
