package bot

import (
	"context"
	"errors"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/bot/slackapi"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/request"
)

// decision is a click on an approval message's Approve or Deny button, with
// the request as Slack holds it now.
type decision struct {
	user      string
	triggerID string
	ref       requestRef
	record    request.Record
	req       requestLog
	fields    map[string]any
}

// readTimeout bounds reading a request's record before a deny form is opened
// with the click's trigger, which lasts 3 s.
const readTimeout = 1500 * time.Millisecond

// decisionClick acks a click on an approval message and confirms where the
// request stands; a clicker who may not decide is told why. ok is false when
// nothing more is to be done.
func (b *Bot) decisionClick(ctx context.Context, evt *socketmode.Event, c *socketmode.Client, interaction string) (decision, bool) {
	cb, _ := evt.Data.(slack.InteractionCallback)
	b.ack(c, evt.Request.EnvelopeID, nil)
	d := decision{user: cb.User.ID, triggerID: cb.TriggerID, req: b.startRequest(interaction, cb.User.ID),
		ref: requestRef{cb.Container.ChannelID, cb.Container.MessageTs}}
	if d.ref.channel == "" {
		d.ref = requestRef{cb.Channel.ID, cb.Message.Timestamp}
	}
	d.fields = map[string]any{"channel": d.ref.channel, "approval_ts": d.ref.ts}
	if why := b.notApprover(ctx, d.user); why != "" {
		b.strangerRefused(ctx, d, why)
		return d, false
	}
	readCtx, cancel := context.WithTimeout(ctx, readTimeout)
	r, err := b.readRecord(readCtx, d.ref)
	cancel()
	if err != nil {
		b.talk.Note(ctx, d.ref.channel, d.user, readFailure(err))
		d.req.done("unreadable", err, d.fields)
		return d, false
	}
	d.record = r
	d.fields["requester"] = r.Request.Requester
	if why := b.refusal(ctx, d.user, d.ref, r); why != "" {
		b.talk.Note(ctx, d.ref.channel, d.user, why)
		d.req.done("refused", nil, d.fields)
		return d, false
	}
	return d, true
}

// readFailure tells a clicker why the request could not be confirmed.
func readFailure(err error) string {
	if errors.Is(err, request.ErrNoRecord) || errors.Is(err, errRequestGone) {
		return modals.RequestUnreadableText
	}
	return modals.Unreadable(slackapi.Hint(err, ""))
}

// refusal says why user may not decide on the request, or "" when they may.
// A request past its time is closed on the way.
func (b *Bot) refusal(ctx context.Context, user string, ref requestRef, r request.Record) string {
	why := ""
	switch request.Decision(r, user, b.lapsed(ref, r)) {
	case request.AlreadyDecided:
		why = modals.Decided(r)
	case request.Lapsed:
		b.expire(ctx, ref, r)
		why = modals.TooOld(b.cfg.ApprovalTTL)
	case request.OwnRequest:
		why = modals.OwnRequestText
	default:
		why = b.notApprover(ctx, user)
	}
	if why != "" {
		b.auditRefused(ctx, ref, b.recordEntry(r, ""), user, why)
	}
	return why
}

// notApprover says why user may not decide on any request, or "" if they may.
func (b *Bot) notApprover(ctx context.Context, user string) string {
	ok, err := b.approvers.allowed(ctx, user)
	switch {
	case err != nil:
		return modals.UncheckedText
	case !ok:
		return modals.NotApproverText
	}
	return ""
}

// strangerRefused answers a click by someone who may not decide before the
// request is read from Slack: their clicks spend none of Slack's rate limit
// but the one read that audits the first of them.
func (b *Bot) strangerRefused(ctx context.Context, d decision, why string) {
	b.talk.Note(ctx, d.ref.channel, d.user, why)
	d.req.done("refused", nil, d.fields)
	b.metrics.approvals.WithLabelValues("refused").Inc()
	if first, _, err := b.once.claim(ctx, refusedKey(d.ref, d.user)); err != nil || !first {
		return
	}
	readCtx, cancel := context.WithTimeout(ctx, readTimeout)
	r, err := b.readRecord(readCtx, d.ref)
	cancel()
	if err == nil {
		b.audit(ctx, refusedEntry(b.recordEntry(r, ""), d.user, why))
	}
}

// deciding is what a click is told while another decision is in flight.
func deciding(told *string) string {
	if told == nil {
		return modals.DecidingText
	}
	return *told
}

// onApprove grants a request: it creates nothing. The requester gets a DM
// with a button that creates the client when they are there to receive its
// password; an ephemeral sent now could reach nobody.
func (b *Bot) onApprove(ctx context.Context, evt *socketmode.Event, c *socketmode.Client) {
	d, ok := b.decisionClick(ctx, evt, c, "approve")
	if !ok {
		return
	}
	key := "decide:" + d.ref.String()
	first, told, err := b.once.claim(ctx, key)
	switch {
	case err != nil:
		b.talk.Note(ctx, d.ref.channel, d.user, modals.StoreDownText)
		d.req.done("store_unreachable", err, d.fields)
		return
	case !first:
		b.talk.Note(ctx, d.ref.channel, d.user, deciding(told))
		d.req.done("duplicate", nil, d.fields)
		return
	}
	r := d.record
	if r.Change != nil {
		b.approveChange(ctx, d, key)
		return
	}
	r.State, r.By = request.Approved, d.user
	if err := b.postGrant(ctx, d.ref, &r); err != nil {
		b.once.release(ctx, key)
		b.talk.Note(ctx, d.ref.channel, d.user, modals.GrantUnreachable(slackapi.Hint(err, "")))
		d.req.done("dm_failed", err, d.fields)
		return
	}
	ctx, cancel := slackapi.Settle(ctx)
	defer cancel()
	if err := b.writeRecord(ctx, d.ref, r); err != nil {
		b.once.release(ctx, key)
		r.State, r.Final, r.Reason = request.Failed, true, modals.ApprovalUnrecordedText
		b.writeGrant(ctx, d.ref, r)
		b.talk.Note(ctx, d.ref.channel, d.user, modals.Unrecorded("approval", slackapi.Hint(err, ""), ""))
		d.req.done("update_failed", err, d.fields)
		return
	}
	b.once.finish(ctx, key, modals.Decided(r))
	if r.Request.ViewID != "" { // their waiting modal, if still open, offers the same button
		b.talk.UpdateView(ctx, r.Request.ViewID, modals.GrantView(r, collectValue(d.ref, r.Request.Requester), b.until(d.ref, r)))
	}
	b.audit(ctx, b.recordEntry(r, modals.AuditApproved))
	b.metrics.approvals.WithLabelValues("approved").Inc()
	d.req.done("approved", nil, d.fields)
}

// postGrant posts the requester's lasting DM with the Create client button,
// and notes it in r.
func (b *Bot) postGrant(ctx context.Context, ref requestRef, r *request.Record) error {
	text, blocks := modals.GrantMessage(*r, collectValue(ref, r.Request.Requester), time.Now().Add(b.cfg.ApprovalTTL))
	dm, ts, err := b.talk.DM(ctx, r.Request.Requester, slack.MsgOptionText(text, false), slack.MsgOptionBlocks(blocks...))
	if err != nil {
		return err
	}
	r.DM, r.DMTS = dm, ts
	return nil
}

// onDeny asks the approver for a reason, in a small modal.
func (b *Bot) onDeny(ctx context.Context, evt *socketmode.Event, c *socketmode.Client) {
	d, ok := b.decisionClick(ctx, evt, c, "deny_click")
	if !ok {
		return
	}
	view := modals.DenyForm(d.record.Request, modals.DenyMeta{Channel: d.ref.channel, TS: d.ref.ts})
	openCtx, cancel := context.WithDeadline(ctx, d.req.start.Add(triggerLife))
	defer cancel()
	if _, err := b.slack.OpenViewContext(openCtx, d.triggerID, view); err != nil {
		b.talk.Note(ctx, d.ref.channel, d.user, modals.DenyFormFailedText)
		d.req.done("open_failed", err, d.fields)
		return
	}
	d.req.done("deny_form_opened", nil, d.fields)
}

// onDenySubmit records a denial: the message, the requester, the audit. The
// request is confirmed from Slack first: a form opened before a decision, or
// before a restart, changes nothing.
func (b *Bot) onDenySubmit(ctx context.Context, evt *socketmode.Event, c *socketmode.Client) {
	cb, _ := evt.Data.(slack.InteractionCallback)
	user := cb.User.ID
	req := b.startRequest("deny", user)
	errorsAck := func(outcome, msg string, err error, fields map[string]any) {
		b.ack(c, evt.Request.EnvelopeID, slack.NewErrorsViewSubmissionResponse(map[string]string{modals.BlockDenyReason: msg}))
		req.done(outcome, err, fields)
	}
	meta, err := modals.DecodeDenyMeta(cb.View.PrivateMetadata)
	if err != nil {
		errorsAck("unreadable", modals.DenyUnreadableText, err, nil)
		return
	}
	ref := requestRef{meta.Channel, meta.TS}
	fields := map[string]any{"channel": ref.channel, "approval_ts": ref.ts}
	reason := modals.DenyReason(cb.View.State)
	if msg := modals.ReasonProblem(reason); msg != "" {
		errorsAck("invalid", msg, nil, fields)
		return
	}
	readCtx, cancel := context.WithDeadline(ctx, req.start.Add(ackBudget))
	r, err := b.readRecord(readCtx, ref)
	cancel()
	if err != nil {
		errorsAck("unreadable", readFailure(err), err, fields)
		return
	}
	fields["requester"] = r.Request.Requester
	if why := b.refusal(ctx, user, ref, r); why != "" {
		errorsAck("refused", why, nil, fields)
		return
	}
	key := "decide:" + ref.String()
	first, told, err := b.once.claim(ctx, key)
	switch {
	case err != nil:
		errorsAck("store_unreachable", modals.StoreDownText, err, fields)
		return
	case !first:
		errorsAck("duplicate", deciding(told), nil, fields)
		return
	}
	b.ack(c, evt.Request.EnvelopeID, nil) // closes the deny form
	b.deny(ctx, key, ref, r, user, reason, req, fields)
}

// deny records the denial and tells the requester.
func (b *Bot) deny(ctx context.Context, key string, ref requestRef, r request.Record, user, reason string, req requestLog, fields map[string]any) {
	ctx, cancel := slackapi.Settle(ctx)
	defer cancel()
	r.State, r.By, r.Reason = request.Denied, user, reason
	if err := b.writeRecord(ctx, ref, r); err != nil {
		b.once.release(ctx, key)
		b.talk.Note(ctx, ref.channel, user, modals.Unrecorded("denial", slackapi.Hint(err, ""), ""))
		req.done("update_failed", err, fields)
		return
	}
	b.once.finish(ctx, key, modals.Decided(r))
	b.tellDenied(ctx, r)
	e := b.recordEntry(r, modals.AuditDenied)
	e.Detail = reason
	b.audit(ctx, e)
	b.metrics.approvals.WithLabelValues("denied").Inc()
	req.done("denied", nil, fields)
}

// tellDenied tells the requester in their DM with the app (a lasting message:
// nothing secret), and in their modal if it is still open.
func (b *Bot) tellDenied(ctx context.Context, r request.Record) {
	a := r.Request
	if a.ViewID != "" {
		b.talk.UpdateView(ctx, a.ViewID, modals.DeniedView(a.Form.Email, r.By, r.Reason))
	}
	b.talk.DMText(ctx, a.Requester, modals.DeniedText(a.Form.Email, r.By, r.Reason))
}

// approveChange applies an approved change to an existing client at once:
// no password is made, so nobody needs to be there to collect it. The
// change applies only if the client is still as it was when asked.
func (b *Bot) approveChange(ctx context.Context, d decision, key string) {
	r := d.record
	r.State, r.By, r.Since = request.Creating, d.user, time.Now().Unix()
	if err := b.writeRecord(ctx, d.ref, r); err != nil { // unrecorded, it could be applied twice
		b.once.release(ctx, key)
		b.talk.Note(ctx, d.ref.channel, d.user, modals.Unrecorded("approval", slackapi.Hint(err, ""), ", so the change was not applied"))
		d.req.done("update_failed", err, d.fields)
		return
	}
	outcome, text, err := changeRefused, "", error(nil)
	if allowed, aerr := b.access.allowed(ctx, r.Request.Requester); !allowed {
		text, err = modals.RequesterNoLongerAllowed(r.Request.Requester, aerr != nil), aerr
	} else {
		outcome, text, err = b.applyAccess(ctx, accessChange{requester: r.Request.Requester, clientID: r.Change.ClientID,
			modified: r.Change.Modified, after: r.Request.Form.Request(b.cfg.APIWorkspaceID).Workspaces, approver: d.user})
	}
	ctx, cancel := slackapi.Settle(ctx)
	defer cancel()
	r.State = request.Created
	if outcome != changeApplied {
		r.State, r.Final, r.Reason = request.Failed, true, text
	}
	b.writeRecord(ctx, d.ref, r)
	b.once.finish(ctx, key, modals.Decided(r))
	b.talk.DMText(ctx, r.Request.Requester, modals.ChangeApproved(d.user, text))
	if r.Request.ViewID != "" {
		b.talk.UpdateView(ctx, r.Request.ViewID, modals.ClientResult("Edit access", text))
	}
	b.metrics.approvals.WithLabelValues("approved").Inc()
	d.req.done("change_"+outcome, err, d.fields)
}
