package bot

import (
	"context"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/bot/slackapi"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/request"
)

// stepArrival is one Workflow Builder run of Create PlusVibe client, as it
// arrived, with the token it came with.
type stepArrival struct {
	run    *slackevents.FunctionExecutedEvent
	token  string
	req    requestLog
	key    string
	fields map[string]any
}

// onStepRun takes a run of the step: it checks the inputs and the
// requester as the form would, then asks for the client as the form does,
// except that the requester always creates it with a click: a workflow may
// run while they are away (scheduled, or started by someone else), and the
// password goes to them alone. The run completes when the request ends
// (endStep).
func (b *Bot) onStepRun(ctx context.Context, evt *socketmode.Event, c *socketmode.Client) {
	run := stepRunOf(evt)
	if run == nil || run.Function.CallbackID != request.StepCallbackID {
		b.ack(c, evt.Request.EnvelopeID, nil)
		return
	}
	requester, _ := run.Inputs[request.InputRequester].(string)
	a := stepArrival{run: run, token: run.BotAccessToken, req: b.startRequest("workflow_step", requester),
		key: "step-run:" + run.FunctionExecutionID, fields: map[string]any{"function_execution_id": run.FunctionExecutionID}}
	first, err := b.takeStepRun(ctx, a)
	if err != nil && !first {
		b.refuseRun(evt, c, modals.StepUnrecorded)
		a.req.done("store_unreachable", err, a.fields)
		return
	}
	b.ack(c, evt.Request.EnvelopeID, nil)
	if !first { // redelivered, here or to another replica
		a.req.done("duplicate", nil, a.fields)
		return
	}
	if err != nil {
		b.stepRefused(ctx, a, "store_unreachable", modals.StepUnrecorded)
		return
	}
	r, ok := b.stepRequest(ctx, a)
	if !ok {
		return
	}
	if b.needsApproval(r.Request.Form) {
		b.postStepForApproval(ctx, a, r)
		return
	}
	b.grantStep(ctx, a, r)
}

// takeStepRun claims a run and notes it, with its token, within the ack's
// budget: noted before the ack, a crash right after it leaves the run to the
// sweep. err with first set: claimed, but not noted.
func (b *Bot) takeStepRun(ctx context.Context, a stepArrival) (first bool, err error) {
	ctx, cancel := context.WithTimeout(ctx, ackBudget)
	defer cancel()
	if first, _, err = b.once.claim(ctx, a.key); err != nil || !first {
		return first, err
	}
	if err = b.keepStepToken(ctx, a.run.FunctionExecutionID, a.token); err == nil {
		err = b.keepStepRun(ctx, stepRun{ExecutionID: a.run.FunctionExecutionID, At: time.Now().Unix()})
	}
	return true, err
}

// lastDelivery is Slack's last delivery of an event it was not acked for.
const lastDelivery = 3

// refuseRun answers a run the bot cannot take now (busy, stopping, its
// store unreachable). Left unacked, Slack delivers it again; its last
// delivery is acked and the run ended with why, never left in progress,
// unless it was taken already.
func (b *Bot) refuseRun(evt *socketmode.Event, c *socketmode.Client, why string) {
	if evt.Request.RetryAttempt < lastDelivery {
		return
	}
	run := stepRunOf(evt)
	key := "step-run:" + run.FunctionExecutionID
	ctx, cancel := context.WithTimeout(b.work, ackBudget)
	first, _, err := b.once.claim(ctx, key)
	cancel()
	b.ack(c, evt.Request.EnvelopeID, nil)
	if err == nil && !first {
		return // taken already, here or by another replica
	}
	refused := stepRun{ExecutionID: run.FunctionExecutionID, Why: why, At: time.Now().Unix()}
	b.endings.Go(func() {
		ctx, cancel := slackapi.Settle(b.work)
		defer cancel()
		b.startRequest("workflow_step", "").done("refused_last_delivery", err, map[string]any{"function_execution_id": refused.ExecutionID})
		if err == nil {
			b.once.finish(ctx, key, "refused")
			b.endRefused(ctx, refused, run.BotAccessToken)
			return
		}
		// Nothing can be claimed nor noted: nothing was asked either.
		if cerr := b.runs.Complete(ctx, run.BotAccessToken, slackapi.StepEnd{ExecutionID: refused.ExecutionID, Error: why}); cerr != nil {
			b.log.Error().Err(cerr).Str("function_execution_id", refused.ExecutionID).Msg("a workflow run could not be ended; it stays in progress in Workflow Builder")
		}
	})
}

// stepRunOf is the run an events_api envelope carries, or nil.
func stepRunOf(evt *socketmode.Event) *slackevents.FunctionExecutedEvent {
	outer, _ := evt.Data.(slackevents.EventsAPIEvent)
	run, _ := outer.InnerEvent.Data.(*slackevents.FunctionExecutedEvent)
	return run
}

// stepRequest reads the run's inputs as a request, under the form's rules;
// ok is false when the run was completed with why not.
func (b *Bot) stepRequest(ctx context.Context, a stepArrival) (request.Record, bool) {
	offered := b.workspaces.get()
	requester, form, problems := request.StepForm(a.run.Inputs, offered)
	// The allow-list first, as the form does: whoever builds a workflow
	// learns nothing of the inputs' checks for a requester not allowed.
	if allowed, err := b.access.allowed(ctx, requester); requester != "" && !allowed {
		b.stepRefused(ctx, a, "refused", modals.StepNotAllowed(requester, err != nil))
		return request.Record{}, false
	}
	_, fields := form.Validate(b.cfg.APIWorkspaceID, offered)
	if msg := b.policy.ReasonProblem(form); msg != "" {
		fields[request.FieldReason] = msg
	}
	if msg := b.endRule().Problem(form.EndsAt, form.FullAccess(), time.Now()); msg != "" {
		fields[request.FieldEnds] = msg
	}
	if len(problems)+len(fields) > 0 {
		a.fields["invalid_inputs"] = append(keys(problems), keys(fields)...)
		b.stepRefused(ctx, a, "invalid", modals.StepInvalid(request.StepProblems(problems, fields)))
		return request.Record{}, false
	}
	if _, found := b.existing(ctx, time.Now(), form.Email); found {
		b.stepRefused(ctx, a, "already_a_client", modals.StepAlreadyAClient(form.Email))
		return request.Record{}, false
	}
	step := &request.Step{ExecutionID: a.run.FunctionExecutionID, Workflow: a.run.WorkflowExecutionID}
	return request.Record{State: request.Pending, Request: request.Approval{Requester: requester, Form: form}, Step: step}, true
}

// stepRefused completes a run at once, with why nothing was asked.
func (b *Bot) stepRefused(ctx context.Context, a stepArrival, outcome, why string) {
	ctx, cancel := slackapi.Settle(ctx)
	defer cancel()
	b.once.finish(ctx, a.key, outcome)
	b.endRefused(ctx, stepRun{ExecutionID: a.run.FunctionExecutionID, Why: why, At: time.Now().Unix()}, a.token)
	a.req.done(outcome, nil, a.fields)
}

// postStepForApproval posts the run's request in the approval channel, as
// a form's, and tells the requester a workflow asked on their behalf.
func (b *Bot) postStepForApproval(ctx context.Context, a stepArrival, r request.Record) {
	postCtx, cancel := context.WithTimeout(ctx, postBudget)
	defer cancel()
	text, blocks := modals.ApprovalMessage(r, b.workspaces.get(), time.Now().Add(b.cfg.ApprovalTTL))
	ts, err := b.runs.Post(postCtx, a.token, b.cfg.ApprovalChannel,
		slack.MsgOptionText(text, false), slack.MsgOptionBlocks(blocks...), slack.MsgOptionMetadata(modals.RecordMetadata(r)))
	if err != nil {
		b.stepRefused(ctx, a, "approval_post_failed", modals.StepNotPosted(slackapi.Cause(err)))
		return
	}
	ref := requestRef{b.cfg.ApprovalChannel, ts}
	b.stepPosted(ctx, a, ref, r)
	link, _ := b.slack.GetPermalinkContext(ctx, &slack.PermalinkParameters{Channel: ref.channel, Ts: ts})
	b.trackRecord(ctx, ref, r, link)
	b.talk.DMText(ctx, r.Request.Requester, modals.StepWaiting(r.Request.Form.Email, b.cfg.ApprovalChannel, link))
	a.req.done("requested", nil, a.fields)
}

// stepPosted notes where the run's request lives, for the sweep and for
// completing it; the claim on the run is final from here.
func (b *Bot) stepPosted(ctx context.Context, a stepArrival, ref requestRef, r request.Record) {
	a.fields["channel"], a.fields["ts"] = ref.channel, ref.ts
	run := stepRun{ExecutionID: r.Step.ExecutionID, Channel: ref.channel, TS: ref.ts, Direct: r.Direct, At: time.Now().Unix()}
	if err := b.keepStepRun(ctx, run); err != nil {
		b.log.Warn().Err(err).Msg("where a workflow's request lives could not be noted; the sweep will not see it")
	}
	b.once.finish(ctx, a.key, "posted")
}

// grantStep sends a request that needs no approval straight to its
// requester: their DM, with the Create client button, is the request's
// record. It is posted, then rewritten with a button naming it.
func (b *Bot) grantStep(ctx context.Context, a stepArrival, r request.Record) {
	r.State, r.Direct = request.Approved, true
	dm, ts, err := b.postStepDM(ctx, a.token, r.Request.Requester, slack.MsgOptionText(modals.StepPreparingText, false),
		slack.MsgOptionMetadata(modals.RecordMetadata(r)))
	if err != nil {
		b.stepRefused(ctx, a, "dm_failed", modals.StepNotPosted(slackapi.Cause(err)))
		return
	}
	r.DM = dm
	ref := requestRef{dm, ts}
	b.stepPosted(ctx, a, ref, r)
	if err := b.writeRecord(ctx, ref, r); err != nil {
		r.State, r.Final, r.Reason = request.Failed, true, modals.StepNotPosted(slackapi.Cause(err))
		b.endStep(ctx, ref, r)
		a.req.done("dm_failed", err, a.fields)
		return
	}
	a.req.done("granted", nil, a.fields)
}
