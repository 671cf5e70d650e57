package bot

import (
	"context"
	"time"

	"github.com/slack-go/slack"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/request"
)

// sweepEvery closes lapsed requests and approvals at SweepInterval, so that
// they say so without waiting for someone to click.
func (b *Bot) sweepEvery(ctx context.Context) { every(ctx, b.cfg.SweepInterval, b.sweep) }

// sweep reads back the workflow runs granted at once (sweepSteps), then the
// approval channel as far as a request can still be open (two TTLs: one to
// decide, one to collect), and closes what lapsed. A
// creation that has said "creating" for longer than any creation takes was
// interrupted (a crash): it is marked "may have been created".
func (b *Bot) sweep(ctx context.Context) {
	b.sweepSteps(ctx)
	if b.cfg.ApprovalChannel == "" {
		return
	}
	err := b.readBack(ctx, b.cfg.ApprovalChannel, time.Now().Add(-2*b.cfg.ApprovalTTL-time.Hour), func(m slack.Message) {
		if r, err := modals.RecordFrom(m.Metadata); err == nil {
			b.sweepOne(ctx, requestRef{b.cfg.ApprovalChannel, m.Timestamp}, r)
			b.stepEnded(ctx, requestRef{b.cfg.ApprovalChannel, m.Timestamp}, r)
		}
	})
	if err != nil && ctx.Err() == nil {
		b.log.Warn().Err(err).Msg("reading the approval channel for lapsed requests failed")
	}
}

func (b *Bot) sweepOne(ctx context.Context, ref requestRef, r request.Record) {
	switch b.clock.Swept(r, b.lapsed(ref, r), time.Now()) {
	case request.Expire:
		b.expire(ctx, ref, r)
	case request.MarkInterrupted:
		b.interrupted(ctx, ref, r)
	default:
		b.remindIfDue(ctx, ref, r)
	}
}

// sweepSteps reads back the Workflow Builder runs whose request was granted
// at once: it lives in its requester's DM, which the channel sweep never
// reads. A run refused whose completion failed is completed again, and a
// run whose arrival never finished is ended.
func (b *Bot) sweepSteps(ctx context.Context) {
	runs, err := b.stepRuns(ctx)
	if err != nil {
		b.log.Warn().Err(err).Msg("reading the workflow runs not completed yet failed")
		return
	}
	for _, run := range runs {
		switch {
		case run.Why != "": // refused, and its completion failed
			if time.Now().Unix() >= run.Next {
				b.endRefused(ctx, run, "")
			}
			continue
		case run.TS == "" && time.Since(time.Unix(run.At, 0)) > b.claimHold():
			b.abandonStep(ctx, run) // its arrival never finished
		}
		if !run.Direct || run.TS == "" {
			continue // in the approval channel, or still arriving
		}
		r, err := b.readRecord(ctx, run.ref())
		switch {
		case err != nil:
			continue
		case r.Step == nil || r.Step.ExecutionID != run.ExecutionID:
			b.forgetStepRun(ctx, run.ExecutionID)
			continue
		}
		b.sweepOne(ctx, run.ref(), r)
		b.stepEnded(ctx, run.ref(), r)
	}
}

// stepEnded completes the run of a request that ended, if that did not
// happen yet: its completion failed, or its process stopped first.
func (b *Bot) stepEnded(ctx context.Context, ref requestRef, r request.Record) {
	if stepEnds(r) {
		b.endStep(ctx, ref, r)
	}
}
