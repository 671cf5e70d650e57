package bot

import (
	"context"
	"fmt"
	"time"

	"github.com/slack-go/slack"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/bot/slackapi"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/request"
)

// stepKey is the once-only key of the step a request waits for: a decision
// while pending, the requester's creation once approved.
func stepKey(ref requestRef, r request.Record) string {
	if r.State == request.Pending || r.Change != nil { // a change is applied by its approval
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
	if !undecided {
		e.Detail = "approved, but not created in time"
	}
	b.audit(ctx, e)
}

// sweepEvery closes lapsed requests and approvals at SweepInterval, so that
// they say so without waiting for someone to click.
func (b *Bot) sweepEvery(ctx context.Context) {
	t := time.NewTicker(b.cfg.SweepInterval)
	defer t.Stop()
	for {
		b.sweep(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// sweep reads the approval channel back as far as a request can still be
// open (two TTLs: one to decide, one to collect) and closes what lapsed. A
// creation that has said "creating" for longer than any creation takes was
// interrupted (a crash): it is marked "may have been created".
func (b *Bot) sweep(ctx context.Context) {
	params := &slack.GetConversationHistoryParameters{ChannelID: b.cfg.ApprovalChannel, Limit: 200, IncludeAllMetadata: true,
		Oldest: tsOf(time.Now().Add(-2*b.cfg.ApprovalTTL - time.Hour))}
	for {
		resp, err := b.slack.GetConversationHistoryContext(ctx, params)
		if err != nil {
			if ctx.Err() == nil {
				b.log.Warn().Err(err).Msg("reading the approval channel for lapsed requests failed")
			}
			return
		}
		for _, m := range resp.Messages {
			if !b.ours(m) {
				continue
			}
			if r, err := modals.RecordFrom(m.Metadata); err == nil {
				b.sweepOne(ctx, requestRef{b.cfg.ApprovalChannel, m.Timestamp}, r)
			}
		}
		if !resp.HasMore || resp.ResponseMetaData.NextCursor == "" {
			return
		}
		params.Cursor = resp.ResponseMetaData.NextCursor
	}
}

func (b *Bot) sweepOne(ctx context.Context, ref requestRef, r request.Record) {
	switch b.clock.Swept(r, b.lapsed(ref, r), time.Now()) {
	case request.Expire:
		b.expire(ctx, ref, r)
	case request.MarkInterrupted:
		b.interrupted(ctx, ref, r)
	}
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

// tsOf is a Slack message timestamp for t.
func tsOf(t time.Time) string {
	us := t.UnixMicro()
	return fmt.Sprintf("%d.%06d", us/1_000_000, us%1_000_000)
}
