package bot

import (
	"context"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/bot/slackapi"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/request"
)

// requestExtension posts a Full access extension for an approver, as a
// change is posted.
func (b *Bot) requestExtension(ctx context.Context, user string, e request.End, at int64) (string, string, error) {
	form := request.Form{Email: e.Email, BusinessName: e.Business, EndsAt: at}
	if current, found, err := b.clients.byID(ctx, e.ClientID); err == nil && found {
		form = request.ClientForm(current)
		form.EndsAt = at
	}
	r := request.Record{State: request.Pending, Extend: &request.Extension{ClientID: e.ClientID, From: e.At, To: at},
		Request: request.Approval{Requester: user, Form: form}}
	if _, _, err := b.postForApproval(ctx, r); err != nil {
		return "failed", modals.EndNotMoved(slackapi.Cause(err)), err
	}
	b.metrics.ends.WithLabelValues("extension_requested").Inc()
	return "extension_requested", modals.ExtensionWaits(at, b.cfg.ApprovalChannel), nil
}

// approveExtension moves the end an approver agreed to, if it still is as
// it was when asked.
func (b *Bot) approveExtension(ctx context.Context, d decision, key string) {
	r := d.record
	r.State, r.By = request.Created, d.user
	e, found, err := b.endOf(ctx, r.Extend.ClientID)
	allowed, aerr := b.access.allowed(ctx, r.Request.Requester)
	switch {
	case !allowed:
		r.State, r.Final, r.Reason = request.Failed, true, modals.RequesterNoLongerAllowed(r.Request.Requester, aerr != nil)
	case err != nil:
		b.once.release(ctx, key)
		b.talk.Note(ctx, d.ref.channel, d.user, modals.EndsUnreadable(slackapi.Cause(err)))
		d.req.done("unreadable", err, d.fields)
		return
	case !found || e.At != r.Extend.From:
		r.State, r.Final, r.Reason = request.Failed, true, modals.EndGoneText
	default:
		if err := b.moveEndTo(ctx, e, r.Extend.To, r.Request.Requester); err != nil {
			r.State, r.Final, r.Reason = request.Failed, true, modals.EndNotMoved(endCause(err))
		}
	}
	ctx, cancel := slackapi.Settle(ctx)
	defer cancel()
	b.writeRecord(ctx, d.ref, r)
	b.once.finish(ctx, key, modals.Decided(r))
	if r.State == request.Created {
		b.extended(ctx, request.End{ClientID: r.Extend.ClientID, Email: r.Request.Form.Email, Business: r.Request.Form.BusinessName, At: r.Extend.From},
			r.Extend.To, r.Request.Requester, d.user)
		b.talk.DMText(ctx, r.Request.Requester, modals.ExtensionApproved(r.Request.Form.Email, d.user, r.Extend.To))
	} else {
		b.talk.DMText(ctx, r.Request.Requester, modals.ExtensionNotApplied(r.Request.Form.Email, r.Reason))
	}
	b.metrics.approvals.WithLabelValues("approved").Inc()
	d.req.done("extension_"+string(r.State), nil, d.fields)
}
