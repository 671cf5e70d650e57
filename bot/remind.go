package bot

import (
	"context"
	"time"

	"github.com/slack-go/slack"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/request"
)

// remindIfDue reminds, from the sweep, the approvers of a request nobody
// has decided (in its thread), and the requester of an approval they have
// not used yet (in their DM).
func (b *Bot) remindIfDue(ctx context.Context, ref requestRef, r request.Record) {
	now := time.Now()
	posted, _ := postedAt(ref.ts)
	n, due := b.clock.ReminderDue(r, posted, now)
	escalate := b.escalates() && b.clock.Escalated(posted, now)
	if due || (b.escalates() && b.clock.EscalationDue(r, posted, now)) {
		b.remindApprovers(ctx, ref, n, escalate)
		return
	}
	if b.clock.GrantReminderDue(r, grantedAt(ref, r), now) {
		b.remindRequester(ctx, ref)
	}
}

// escalates reports whether reminders are escalated to anyone.
func (b *Bot) escalates() bool {
	return len(b.cfg.EscalateUsers) > 0 || len(b.cfg.EscalateUsergroups) > 0
}

// noted records a reminder in the request's record and sends it, holding
// the step's claim so that no decision, and no other replica, comes in
// between: due marks the record, send sends it.
func (b *Bot) noted(ctx context.Context, ref requestRef, key string, due func(*request.Record) bool, send func(request.Record)) {
	if first, _, err := b.once.claim(ctx, key); err != nil || !first {
		return
	}
	defer b.once.release(ctx, key)
	r, err := b.readRecord(ctx, ref) // as it is now, not as the sweep read it
	if err != nil || !due(&r) {
		return
	}
	if b.writeRecord(ctx, ref, r) == nil {
		send(r)
	}
}

// remindApprovers posts reminder n in the request's thread, mentioning
// the approvers, and the escalation once half of the time has passed.
func (b *Bot) remindApprovers(ctx context.Context, ref requestRef, n int, escalated bool) {
	first := false
	b.noted(ctx, ref, "decide:"+ref.String(), func(r *request.Record) bool {
		first = r.Reminded == 0 && !r.Escalated
		if r.State != request.Pending || (r.Reminded >= n && (r.Escalated || !escalated)) {
			return false // sent already, here or by another replica
		}
		r.Reminded, r.Escalated = max(r.Reminded, n), r.Escalated || escalated
		return true
	}, func(r request.Record) { b.sendReminder(ctx, ref, r, escalated, first) })
}

// sendReminder posts a reminder in the request's thread.
func (b *Bot) sendReminder(ctx context.Context, ref requestRef, r request.Record, escalated, first bool) {
	posted, _ := postedAt(ref.ts)
	who := modals.Mentions{Users: b.cfg.Approvers, Groups: b.cfg.ApproverUsergroups, Anyone: b.cfg.ApproveAll, Not: r.Request.Requester}
	var escalation *modals.Mentions
	if escalated {
		escalation = &modals.Mentions{Users: b.cfg.EscalateUsers, Groups: b.cfg.EscalateUsergroups, Not: r.Request.Requester}
	}
	text := modals.Reminder(who, escalation, time.Since(posted), b.until(ref, r))
	if _, _, err := b.slack.PostMessageContext(ctx, ref.channel, slack.MsgOptionText(text, false), slack.MsgOptionTS(ref.ts)); err != nil {
		b.log.Warn().Err(err).Str("channel", ref.channel).Msg("a reminder could not be posted in the request's thread")
		return
	}
	kind := "approvers"
	if escalation != nil {
		kind = "escalation"
	}
	b.metrics.reminders.WithLabelValues(kind).Inc()
	if first { // the requester hears the first went out
		b.talk.DMText(ctx, r.Request.Requester, modals.ApproversReminded(r.Request.Form.Email))
	}
}

// remindRequester tells the requester, once, that the approval they have
// not used yet is half gone.
func (b *Bot) remindRequester(ctx context.Context, ref requestRef) {
	b.noted(ctx, ref, "collect:"+ref.String(), func(r *request.Record) bool {
		if r.State != request.Approved || r.GrantReminded {
			return false
		}
		r.GrantReminded = true
		return true
	}, func(r request.Record) {
		b.talk.DMText(ctx, r.Request.Requester, modals.GrantReminder(r.Request.Form.Email, b.until(ref, r)))
		b.metrics.reminders.WithLabelValues("requester").Inc()
	})
}

// waited observes how long a wait that began at ts (Slack's clock) lasted.
func (b *Bot) waited(wait, ts string) {
	if since, ok := postedAt(ts); ok {
		b.metrics.waits.WithLabelValues(wait).Observe(time.Since(since).Seconds())
	}
}
