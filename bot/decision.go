package bot

import (
	"context"
	"errors"
	"time"

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
	cb, req := b.clicked(evt, c, interaction)
	d := decision{user: cb.User.ID, triggerID: cb.TriggerID, req: req,
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
	return modals.Unreadable(slackapi.Cause(err))
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
		if why == "" && !b.escalatedTo(ctx, ref, r, user) {
			why = modals.NotEscalatedYetText
		}
	}
	if why != "" {
		b.auditRefused(ctx, ref, b.recordEntry(r, ""), user, why)
	}
	return why
}

// notApprover says why user may not decide on any request, or "" if they may.
func (b *Bot) notApprover(ctx context.Context, user string) string {
	ok, err := b.approvers.allowed(ctx, user)
	if !ok {
		if escalated, eerr := b.escalation.allowed(ctx, user); escalated || err == nil {
			ok, err = escalated, eerr
		}
	}
	switch {
	case err != nil:
		return modals.UncheckedText
	case !ok:
		return modals.NotApproverText
	}
	return ""
}

// escalatedTo reports whether user may decide r: as an approver, or as an
// escalation target once r has waited half of its time.
func (b *Bot) escalatedTo(ctx context.Context, ref requestRef, r request.Record, user string) bool {
	if ok, _ := b.approvers.allowed(ctx, user); ok {
		return true
	}
	posted, _ := postedAt(ref.ts)
	return r.Escalated || b.clock.Escalated(posted, time.Now())
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
