package bot

import (
	"context"
	"errors"
	"time"

	"github.com/slack-go/slack"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/bot/slackapi"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/bot/store"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/request"
)

// stepEnds reports whether r was asked for by a workflow run and has
// ended: its run is to be completed.
func stepEnds(r request.Record) bool {
	status, _ := request.StepStatus(r)
	return r.Step != nil && status != ""
}

// endStepLater completes r's run beside the flow that ended it, so that a
// slow completion never delays that flow's own reports.
func (b *Bot) endStepLater(ref requestRef, r request.Record) {
	b.endings.Go(func() {
		ctx, cancel := slackapi.Settle(b.work)
		defer cancel()
		b.endStep(ctx, ref, r)
	})
}

// endStep completes the Workflow Builder run that asked for r, now that r
// has ended: with its outputs when the requester created the client, with
// why not otherwise.
func (b *Bot) endStep(ctx context.Context, ref requestRef, r request.Record) {
	b.completeRun(ctx, r.Step.ExecutionID, "", func() slackapi.StepEnd { return b.stepEnd(ctx, ref, r) })
}

// completeRun completes run id with what end makes (asked only once the run
// is claimed), once across replicas, with token ("" for the run's newest
// kept) or the bot's own. pending is true when the completion may yet be
// made, and is left for the sweep to make again.
func (b *Bot) completeRun(ctx context.Context, id, token string, end func() slackapi.StepEnd) (pending bool) {
	key := "step-end:" + id
	if first, _, err := b.once.claim(ctx, key); err != nil || !first {
		return err != nil
	}
	req := b.startRequest("workflow_step_end", "")
	fields := map[string]any{"function_execution_id": id}
	if token == "" {
		var err error
		token, _, err = b.stepToken(ctx, id) // none kept (a restart without Redis): the bot's own
		if errors.Is(err, store.ErrUnavailable) {
			b.once.release(ctx, key)
			req.done("store_unreachable", err, fields)
			return true
		}
	}
	e := end()
	err := b.runs.Complete(ctx, token, e)
	outcome := stepOutcome(e, err)
	switch outcome {
	case "completion_refused":
		b.log.Error().Err(err).Str("function_execution_id", id).Msg("Slack refused to complete the workflow run; it stays in progress in Workflow Builder")
	case "completion_failed": // tried again by the sweep
		b.once.release(ctx, key)
		b.metrics.steps.WithLabelValues(outcome).Inc()
		req.done(outcome, err, fields)
		return true
	}
	b.once.finish(ctx, key, outcome)
	b.forgetStepRun(ctx, id)
	b.metrics.steps.WithLabelValues(outcome).Inc()
	req.done(outcome, err, fields)
	return false
}

// stepOutcome names how completing a run with end went.
func stepOutcome(end slackapi.StepEnd, err error) string {
	switch {
	case errors.Is(err, slackapi.ErrRunEnded):
		return "not_running"
	case errors.Is(err, slackapi.ErrRunRefused):
		return "completion_refused"
	case err != nil:
		return "completion_failed"
	case end.Error != "":
		return "completed_error"
	}
	return "completed_success"
}

// stepEnd is how r's run ends: outputs for a client created, never its
// password (whoever edits the workflow sees them), else why not.
func (b *Bot) stepEnd(ctx context.Context, ref requestRef, r request.Record) slackapi.StepEnd {
	status, created := request.StepStatus(r)
	end := slackapi.StepEnd{ExecutionID: r.Step.ExecutionID}
	if !created {
		end.Error = modals.StepEnded(status, r)
		return end
	}
	end.Outputs = map[string]string{"client_id": r.ClientID, "client_email": r.Request.Form.Email,
		"status": status, "detail": modals.StepDetail(r)}
	if !r.Direct {
		link, err := b.slack.GetPermalinkContext(ctx, &slack.PermalinkParameters{Channel: ref.channel, Ts: ref.ts})
		if err == nil {
			end.Outputs["request_link"] = link
		}
	}
	return end
}

// abandonStep ends a run whose arrival never finished (its process stopped
// first): once that arrival's claim has lapsed, the first to take it.
func (b *Bot) abandonStep(ctx context.Context, run stepRun) {
	key := "step-run:" + run.ExecutionID
	if first, _, err := b.once.claim(ctx, key); err != nil || !first {
		return
	}
	b.once.finish(ctx, key, "interrupted")
	b.startRequest("workflow_step", "").done("interrupted", nil, map[string]any{"function_execution_id": run.ExecutionID})
	run.Why = modals.StepInterrupted
	b.endRefused(ctx, run, "")
}

// endRefused completes a run refused (run.Why says why nothing was asked),
// with token as completeRun does. Where that may yet work, the run is noted
// for the sweep to try again, backing off, for as long as a request of its
// could have lived.
func (b *Bot) endRefused(ctx context.Context, run stepRun, token string) {
	end := slackapi.StepEnd{ExecutionID: run.ExecutionID, Error: run.Why}
	if !b.completeRun(ctx, run.ExecutionID, token, func() slackapi.StepEnd { return end }) {
		return
	}
	if time.Since(time.Unix(run.At, 0)) > 2*b.cfg.ApprovalTTL {
		b.forgetStepRun(ctx, run.ExecutionID)
		b.log.Error().Str("function_execution_id", run.ExecutionID).Msg("a workflow run could not be completed in time; it stays in progress in Workflow Builder")
		return
	}
	run.Tries++
	run.Next = time.Now().Add(request.Backoff(run.Tries, b.cfg.SweepInterval)).Unix()
	if err := b.keepStepRun(ctx, run); err != nil {
		b.log.Warn().Err(err).Str("function_execution_id", run.ExecutionID).Msg("a workflow run could not be completed nor noted; it stays in progress in Workflow Builder")
	}
}
