package bot

import (
	"context"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/bot/slackapi"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/request"
)

// stepKey is the once-only key of the step a request waits for: a decision
// while pending, the requester's creation once approved.
func stepKey(ref requestRef, r request.Record) string {
	if r.State == request.Pending || r.AppliedByApproval() { // a change or an extension is applied by its approval
		return "decide:" + ref.String()
	}
	return "collect:" + ref.String()
}

// expire closes a request, or an approval, whose time is up, unless someone
// is acting on it right now.
func (b *Bot) expire(ctx context.Context, ref requestRef, r request.Record) {
	key := stepKey(ref, r)
	if first, _, err := b.once.claim(ctx, key); err == nil && first {
		b.expireHeld(ctx, key, ref, r)
	}
}

// expireHeld closes it, holding its step's key: the channel message, the
// requester's DM and the audit channel say so.
func (b *Bot) expireHeld(ctx context.Context, key string, ref requestRef, r request.Record) {
	ctx, cancel := slackapi.Settle(ctx)
	defer cancel()
	undecided := r.State == request.Pending
	r.State = request.Expired
	if err := b.writeRecord(ctx, ref, r); err != nil {
		b.once.release(ctx, key)
		return
	}
	b.once.finish(ctx, key, modals.Decided(r))
	if undecided {
		b.talk.DMText(ctx, r.Request.Requester, modals.ExpiredText(r.Request.Form.Email))
		b.metrics.approvals.WithLabelValues("expired_undecided").Inc()
	} else {
		b.writeGrant(ctx, ref, r)
		b.metrics.approvals.WithLabelValues("expired_uncollected").Inc()
	}
	e := b.recordEntry(r, modals.AuditExpired)
	e.Detail = "nobody decided in time"
	switch {
	case r.Direct:
		e.Detail = "asked by a workflow, but not created in time"
	case !undecided:
		e.Detail = "approved, but not created in time"
	}
	b.audit(ctx, e)
}

// interrupted marks a creation that never reported back: the client may
// exist. The requester can try again; PlusVibe answers "already exists" if so.
func (b *Bot) interrupted(ctx context.Context, ref requestRef, r request.Record) {
	key := stepKey(ref, r)
	if first, _, err := b.once.claim(ctx, key); err != nil || !first {
		return // running here or elsewhere: not interrupted
	}
	defer b.once.release(ctx, key)
	ctx, cancel := slackapi.Settle(ctx)
	defer cancel()
	r.State, r.Reason = request.Failed, modals.MaybeCreatedText
	if r.Change != nil {
		r.Reason, r.Final = modals.MaybeChangedText, true
	}
	if b.writeRecord(ctx, ref, r) == nil {
		b.writeGrant(ctx, ref, r)
		e := b.recordEntry(r, modals.AuditFailed)
		e.Detail = r.Reason
		b.audit(ctx, e)
	}
}
