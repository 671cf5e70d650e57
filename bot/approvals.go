package bot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe"
)

// decision is what a late click on an already decided request is told.
type decision struct {
	by    string
	state modals.State
}

func (b *Bot) needsApproval(permission string) bool {
	if b.cfg.ApprovalChannel == "" {
		return false
	}
	return !b.cfg.ApproveFullAccessOnly || permission == plusvibe.PermissionFullAccess
}

func (b *Bot) approvalNote() string {
	return modals.ApprovalNote(b.cfg.ApprovalChannel, b.cfg.ApproveFullAccessOnly)
}

// requestApproval posts a valid submission to the approval channel instead of
// creating it. Everything needed to act on it travels in the message's buttons.
func (b *Bot) requestApproval(ctx context.Context, c *socketmode.Client, envelopeID string, req requestLog, user, viewID string, form modals.Form, meta modals.Metadata) {
	fields := map[string]any{"view_id": viewID}
	a := modals.Approval{Requester: user, ViewID: viewID, Channel: meta.ChannelID, Form: form}
	value, err := a.Encode()
	if err != nil {
		b.claims.release(viewID)
		block := modals.BlockHideLabels
		if form.HideLabels == "" {
			block = modals.BlockBusinessName
		}
		b.ack(c, envelopeID, slack.NewErrorsViewSubmissionResponse(map[string]string{
			block: "This request is too long to send for approval. Shorten the labels or names and submit again.",
		}))
		req.done("too_large", nil, fields)
		return
	}
	// Posted before the ack, so the ack itself shows the outcome: a views.update
	// after it could reach Slack before the ack does, and be overwritten by it.
	postCtx, cancel := context.WithDeadline(ctx, req.start.Add(ackBudget))
	defer cancel()
	text, blocks := modals.ApprovalMessage(a, value, b.workspaces.get(), modals.Decision{}, time.Now().Add(b.cfg.ApprovalTTL))
	_, ts, err := b.slack.PostMessageContext(postCtx, b.cfg.ApprovalChannel,
		slack.MsgOptionText(text, false), slack.MsgOptionBlocks(blocks...))
	if err != nil {
		b.claims.release(viewID)
		msg := fmt.Sprintf("The request could not be posted in the approval channel (%s), so nothing was created.", slackErrorHint(err))
		failure := modals.Failure(form, meta, msg)
		b.ack(c, envelopeID, slack.NewUpdateViewSubmissionResponse(&failure))
		req.done("approval_post_failed", err, fields)
		return
	}
	fields["approval_ts"] = ts
	link, err := b.slack.GetPermalinkContext(postCtx, &slack.PermalinkParameters{Channel: b.cfg.ApprovalChannel, Ts: ts})
	if err != nil {
		b.log.Warn().Err(err).Msg("chat.getPermalink failed; linking the channel instead")
	}
	waiting := modals.Waiting(form.Email, b.cfg.ApprovalChannel, link)
	b.claims.finish(viewID, waiting)
	b.ack(c, envelopeID, slack.NewUpdateViewSubmissionResponse(&waiting))
	req.done("awaiting_approval", nil, fields)
}

// ackBudget is how much of Slack's 3 s a handler may spend before its ack.
const ackBudget = 2500 * time.Millisecond

// slackErrorHint names a Slack error and what an admin does about it.
func slackErrorHint(err error) string {
	var se slack.SlackErrorResponse
	if !errors.As(err, &se) {
		return "Slack could not be reached"
	}
	switch se.Err {
	case "not_in_channel", "channel_not_found":
		return se.Err + ": invite the bot to the approval channel"
	case "missing_scope":
		return "missing_scope: the Slack app needs the " + se.Needed + " scope"
	}
	return se.Err
}

// approvalClick is a click on an approval message's button.
type approvalClick struct {
	user, channel, ts string
	value             string
	approval          modals.Approval
	triggerID         string
}

func readClick(cb slack.InteractionCallback, actionID string) (approvalClick, error) {
	k := approvalClick{user: cb.User.ID, channel: cb.Container.ChannelID, ts: cb.Container.MessageTs, triggerID: cb.TriggerID}
	if k.channel == "" {
		k.channel, k.ts = cb.Channel.ID, cb.Message.Timestamp
	}
	for _, a := range cb.ActionCallback.BlockActions {
		if a.ActionID == actionID {
			k.value = a.Value
		}
	}
	var err error
	k.approval, err = modals.DecodeApproval(k.value)
	return k, err
}

// postedAt reads a message ts ("1700000000.123456") as the time Slack stored it.
func postedAt(ts string) (time.Time, bool) {
	sec, frac, _ := strings.Cut(ts, ".")
	s, err := strconv.ParseInt(sec, 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	us, _ := strconv.ParseInt((frac + "000000")[:6], 10, 64)
	return time.Unix(s, us*1000), true
}

// refusal says why user may not decide on a, or "" when they may.
func (b *Bot) refusal(ctx context.Context, user string, a modals.Approval, ts string) string {
	if user == a.Requester {
		return "You asked for this client, so someone else has to approve or deny it."
	}
	ok, err := b.approvers.allowed(ctx, user)
	switch {
	case err != nil:
		return "Your approver rights could not be checked right now. Try again in a minute."
	case !ok:
		return "Only approvers can approve or deny PlusVibe client requests. Ask your Slack admin if you should be one."
	}
	if b.expired(ts) {
		return fmt.Sprintf("This request is older than %s and can no longer be approved. The requester can ask again.", humanDuration(b.cfg.ApprovalTTL))
	}
	return ""
}

func humanDuration(d time.Duration) string {
	switch {
	case d%(24*time.Hour) == 0:
		return fmt.Sprintf("%d days", d/(24*time.Hour))
	case d%time.Hour == 0:
		return fmt.Sprintf("%d hours", d/time.Hour)
	}
	return d.String()
}

func (b *Bot) expired(ts string) bool {
	at, valid := postedAt(ts)
	return !valid || time.Since(at) > b.cfg.ApprovalTTL
}

// refuseDecision tells the clicker privately why nothing happened, and audits it.
func (b *Bot) refuseDecision(ctx context.Context, k approvalClick, why string) {
	b.whisper(ctx, k.channel, k.user, why)
	entry := auditEntry(k.approval.Requester, k.approval.Form, b.workspaces.get())
	entry.Outcome, entry.Actor, entry.Detail = modals.AuditRefused, k.user, why
	b.audit(ctx, entry)
	if b.expired(k.ts) {
		// Take the buttons away, so nobody else tries.
		b.updateApproval(ctx, k, modals.Decision{State: modals.Expired})
	}
}

// whisper posts an ephemeral message that only user sees.
func (b *Bot) whisper(ctx context.Context, channel, user, text string) {
	if _, err := b.slack.PostEphemeralContext(ctx, channel, user, slack.MsgOptionText(text, false)); err != nil {
		b.log.Warn().Err(err).Str("user", user).Msg("could not answer privately")
	}
}

func (b *Bot) updateApproval(ctx context.Context, k approvalClick, d modals.Decision) error {
	text, blocks := modals.ApprovalMessage(k.approval, k.value, b.workspaces.get(), d, time.Time{})
	_, _, _, err := b.slack.UpdateMessageContext(ctx, k.channel, k.ts,
		slack.MsgOptionText(text, false), slack.MsgOptionBlocks(blocks...))
	if err != nil {
		b.log.Warn().Err(err).Str("channel", k.channel).Str("ts", k.ts).Msg("chat.update of the approval request failed")
	}
	return err
}

// alreadyDecided tells a late clicker who got there first.
func alreadyDecided(d *decision) string {
	if d == nil {
		return "Another approver is deciding on this request right now."
	}
	verb := "approved"
	if d.state == modals.Denied {
		verb = "denied"
	}
	return fmt.Sprintf("<@%s> already %s this request.", d.by, verb)
}

func approvalKey(k approvalClick) string { return k.channel + "/" + k.ts }

// decisionClick acks a click on an approval message and reads it; clickers
// who may not decide are told why. ok is false when nothing more is to be done.
func (b *Bot) decisionClick(ctx context.Context, evt *socketmode.Event, c *socketmode.Client, interaction, actionID string) (approvalClick, requestLog, map[string]any, bool) {
	cb, _ := evt.Data.(slack.InteractionCallback)
	b.ack(c, evt.Request.EnvelopeID, nil)
	req := b.startRequest(interaction, cb.User.ID)
	k, err := readClick(cb, actionID)
	fields := map[string]any{"channel": k.channel, "approval_ts": k.ts}
	if err != nil {
		b.whisper(ctx, k.channel, k.user, "This request can't be read any more. Ask the requester to submit it again.")
		req.done("unreadable", err, fields)
		return k, req, fields, false
	}
	fields["requester"] = k.approval.Requester
	if why := b.refusal(ctx, k.user, k.approval, k.ts); why != "" {
		b.refuseDecision(ctx, k, why)
		req.done("refused", nil, fields)
		return k, req, fields, false
	}
	return k, req, fields, true
}

// onApprove creates the client of an approved request, once, however many
// clicks and redeliveries arrive.
func (b *Bot) onApprove(ctx context.Context, evt *socketmode.Event, c *socketmode.Client) {
	k, req, fields, ok := b.decisionClick(ctx, evt, c, "approve", modals.ActionApprove)
	if !ok {
		return
	}
	key := approvalKey(k)
	if first, d := b.decisions.claim(key); !first {
		b.whisper(ctx, k.channel, k.user, alreadyDecided(d))
		req.done("duplicate", nil, fields)
		return
	}
	// The buttons go first: everybody sees it is taken before anything is created.
	if err := b.updateApproval(ctx, k, modals.Decision{State: modals.Creating, By: k.user}); err != nil {
		b.decisions.release(key)
		b.whisper(ctx, k.channel, k.user, fmt.Sprintf("The request could not be updated (%s), so nothing was created. Try again.", slackErrorHint(err)))
		req.done("update_failed", err, fields)
		return
	}

	a := k.approval
	entry := auditEntry(a.Requester, a.Form, b.workspaces.get())
	entry.Approver = k.user
	fail := func(reason string, err error) {
		b.decisions.release(key) // an approver may try again
		b.updateApproval(ctx, k, modals.Decision{State: modals.Failed, By: k.user, Reason: reason})
		if a.ViewID != "" {
			b.updateView(ctx, a.ViewID, modals.ApprovalFailed(a.Form.Email, k.user, reason))
		}
		entry.Outcome, entry.Detail = modals.AuditFailed, reason
		b.audit(ctx, entry)
		req.done("failed", err, fields)
	}
	create, problems := a.Form.Validate(b.cfg.APIWorkspaceID, b.workspaces.get())
	if len(problems) > 0 {
		var msgs []string
		for _, m := range problems {
			msgs = append(msgs, m)
		}
		slices.Sort(msgs)
		fail(strings.Join(msgs, " "), nil)
		return
	}
	resp, err := b.pv.CreateClient(ctx, create)
	if err != nil {
		fields["plusvibe_error"] = errorKind(err)
		fail(userMessage(err), err)
		return
	}
	b.decisions.finish(key, decision{by: k.user, state: modals.Created})
	fields["client_id"] = resp.ClientID
	outcome, derr := b.deliver(ctx, a.Requester, a.ViewID, a.Channel, create.ClientBusinessName, resp)
	b.updateApproval(ctx, k, modals.Decision{State: modals.Created, By: k.user, ClientID: resp.ClientID,
		Undelivered: outcome == outcomeUndelivered})
	entry.Outcome, entry.ClientID = modals.AuditCreated, resp.ClientID
	if outcome == outcomeUndelivered {
		entry.Detail = "the password could not be delivered"
	}
	b.audit(ctx, entry)
	req.done(outcome, derr, fields)
}

// onDeny asks the approver for a reason, in a small modal.
func (b *Bot) onDeny(ctx context.Context, evt *socketmode.Event, c *socketmode.Client) {
	k, req, fields, ok := b.decisionClick(ctx, evt, c, "deny_click", modals.ActionDeny)
	if !ok {
		return
	}
	view := modals.DenyForm(k.approval, modals.DenyMeta{Channel: k.channel, TS: k.ts, Value: k.value})
	if _, err := b.slack.OpenViewContext(ctx, k.triggerID, view); err != nil {
		b.whisper(ctx, k.channel, k.user, "The deny form could not be opened. Click Deny again.")
		req.done("open_failed", err, fields)
		return
	}
	req.done("deny_form_opened", nil, fields)
}

// onDenySubmit records a denial: the message, the requester, the audit.
func (b *Bot) onDenySubmit(ctx context.Context, evt *socketmode.Event, c *socketmode.Client) {
	cb, _ := evt.Data.(slack.InteractionCallback)
	req := b.startRequest("deny", cb.User.ID)
	errorsAck := func(msg string) {
		b.ack(c, evt.Request.EnvelopeID, slack.NewErrorsViewSubmissionResponse(map[string]string{modals.BlockDenyReason: msg}))
	}
	meta, err := modals.DecodeDenyMeta(cb.View.PrivateMetadata)
	var a modals.Approval
	if err == nil {
		a, err = modals.DecodeApproval(meta.Value)
	}
	if err != nil {
		errorsAck("This request can't be read any more. Close this form.")
		req.done("unreadable", err, nil)
		return
	}
	k := approvalClick{user: cb.User.ID, channel: meta.Channel, ts: meta.TS, value: meta.Value, approval: a}
	fields := map[string]any{"channel": k.channel, "approval_ts": k.ts, "requester": a.Requester}
	reason := modals.DenyReason(cb.View.State)
	if n := len([]rune(reason)); n > modals.MaxReasonLen {
		errorsAck(fmt.Sprintf("Too long: %d characters, the limit is %d.", n, modals.MaxReasonLen))
		req.done("invalid", nil, fields)
		return
	}
	if why := b.refusal(ctx, k.user, a, k.ts); why != "" {
		errorsAck(why)
		req.done("refused", nil, fields)
		return
	}
	key := approvalKey(k)
	if first, d := b.decisions.claim(key); !first {
		errorsAck(alreadyDecided(d))
		req.done("duplicate", nil, fields)
		return
	}
	b.ack(c, evt.Request.EnvelopeID, nil) // closes the deny form
	if err := b.updateApproval(ctx, k, modals.Decision{State: modals.Denied, By: k.user, Reason: reason}); err != nil {
		b.decisions.release(key)
		b.whisper(ctx, k.channel, k.user, fmt.Sprintf("The denial could not be recorded (%s). Try again.", slackErrorHint(err)))
		req.done("update_failed", err, fields)
		return
	}
	b.decisions.finish(key, decision{by: k.user, state: modals.Denied})
	b.tellDenied(ctx, a, k.user, reason)
	entry := auditEntry(a.Requester, a.Form, b.workspaces.get())
	entry.Outcome, entry.Approver, entry.Detail = modals.AuditDenied, k.user, reason
	b.audit(ctx, entry)
	req.done("denied", nil, fields)
}

// tellDenied tells the requester in their DM with the app (a lasting message:
// nothing secret), and in their modal if it is still open.
func (b *Bot) tellDenied(ctx context.Context, a modals.Approval, approver, reason string) {
	if a.ViewID != "" {
		b.updateView(ctx, a.ViewID, modals.DeniedView(a.Form.Email, approver, reason))
	}
	dm, _, _, err := b.slack.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{a.Requester}})
	if err == nil {
		_, _, err = b.slack.PostMessageContext(ctx, dm.ID, slack.MsgOptionText(modals.DeniedText(a.Form.Email, approver, reason), false))
	}
	if err != nil {
		b.log.Warn().Err(err).Str("user", a.Requester).Msg("could not tell the requester about the denial")
	}
}

func auditEntry(requester string, f modals.Form, offered []plusvibe.Workspace) modals.AuditEntry {
	return modals.AuditEntry{Requester: requester, Email: f.Email, Business: f.BusinessName,
		Workspaces: modals.WorkspaceNames(f.WorkspaceIDs, offered), Permission: f.Permission}
}

// audit writes one line to the audit channel, if there is one.
func (b *Bot) audit(ctx context.Context, e modals.AuditEntry) {
	if b.cfg.AuditChannel == "" {
		return
	}
	_, _, err := b.slack.PostMessageContext(ctx, b.cfg.AuditChannel,
		slack.MsgOptionText(modals.AuditLine(e), false), slack.MsgOptionDisableLinkUnfurl())
	if err != nil {
		b.log.Error().Err(err).Str("outcome", e.Outcome).Msg("audit line could not be posted")
	}
}
