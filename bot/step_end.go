package bot

import (
	"context"
	"errors"

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
// why not otherwise. Once per run, across replicas; a completion that could
// not be made is left for the sweep to make again.
func (b *Bot) endStep(ctx context.Context, ref requestRef, r request.Record) {
	id := r.Step.ExecutionID
	key := "step-end:" + id
	if first, _, err := b.once.claim(ctx, key); err != nil || !first {
		return
	}
	req := b.startRequest("workflow_step_end", r.Request.Requester)
	fields := map[string]any{"function_execution_id": id}
	token, found, err := b.stepToken(ctx, id)
	switch {
	case errors.Is(err, store.ErrUnavailable):
		b.once.release(ctx, key)
		req.done("store_unreachable", err, fields)
		return
	case !found: // kept in the memory of a process since restarted, or sealed under another bot token
		b.once.finish(ctx, key, "")
		b.forgetStepRun(ctx, id)
		b.metrics.steps.WithLabelValues("token_lost").Inc()
		req.done("token_lost", err, fields)
		return
	}
	end := b.stepEnd(ctx, ref, r)
	err = b.runs.Complete(ctx, token, end)
	outcome := "completed_success"
	if end.Error != "" {
		outcome = "completed_error"
	}
	switch {
	case errors.Is(err, slackapi.ErrRunEnded):
		outcome = "not_running"
	case errors.Is(err, slackapi.ErrRunRefused):
		outcome = "completion_refused"
		b.log.Error().Err(err).Str("function_execution_id", id).Msg("Slack refused to complete the workflow run; it stays in progress in Workflow Builder")
	case err != nil: // tried again by the sweep
		b.once.release(ctx, key)
		b.metrics.steps.WithLabelValues("completion_failed").Inc()
		req.done("completion_failed", err, fields)
		return
	}
	b.once.finish(ctx, key, outcome)
	b.forgetStepRun(ctx, id)
	b.metrics.steps.WithLabelValues(outcome).Inc()
	req.done(outcome, err, fields)
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
	var err error
	if token, found, _ := b.stepToken(ctx, run.ExecutionID); found {
		err = b.runs.Complete(ctx, token, slackapi.StepEnd{ExecutionID: run.ExecutionID, Error: modals.StepInterrupted})
	}
	b.once.finish(ctx, key, "interrupted")
	b.forgetStepRun(ctx, run.ExecutionID)
	b.startRequest("workflow_step", "").done("interrupted", err, map[string]any{"function_execution_id": run.ExecutionID})
}
