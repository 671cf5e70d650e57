package bot

import (
	"context"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/bot/slackapi"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/request"
)

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
	b.deny(ctx, decision{user: user, ref: ref, record: r, req: req, fields: fields}, key, reason)
}

// deny records the denial and tells the requester.
func (b *Bot) deny(ctx context.Context, d decision, key, reason string) {
	ctx, cancel := slackapi.Settle(ctx)
	defer cancel()
	r, ref, user, req, fields := d.record, d.ref, d.user, d.req, d.fields
	r.State, r.By, r.Reason = request.Denied, user, reason
	if err := b.writeRecord(ctx, ref, r); err != nil {
		b.once.release(ctx, key)
		b.talk.Note(ctx, ref.channel, user, modals.Unrecorded("denial", slackapi.Cause(err), ""))
		req.done("update_failed", err, fields)
		return
	}
	b.once.finish(ctx, key, modals.Decided(r))
	b.tellDenied(ctx, r)
	e := b.recordEntry(r, modals.AuditDenied)
	e.Detail = reason
	b.audit(ctx, e)
	b.metrics.approvals.WithLabelValues("denied").Inc()
	b.waited("decision", ref.ts)
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
