package bot_test

import (
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/bot"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/internal/slacktest"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe/plusvibetest"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/request"
)

// stepInputs are what a workflow feeds the step: a form's answers, say.
func stepInputs(over map[string]any) map[string]any {
	in := map[string]any{
		request.InputRequester: requester, request.InputEmail: "nova.smith@example.com",
		request.InputFirstName: "Nova", request.InputLastName: "Smith", request.InputBusinessName: "Nova Consulting Ltd",
		request.InputWorkspaces: "nova consulting, Zeta Labs", request.InputAccess: "UNIBOX_FULL_ACCESS",
		request.InputHiddenLabels: "NOT_INTERESTED", request.InputReason: "TICKET-42",
	}
	maps.Copy(in, over)
	return in
}

// runStep runs the step and waits for its envelope's ack.
func (w *world) runStep(inputs map[string]any) slacktest.StepRun {
	w.t.Helper()
	run := w.slack.SendStepRun(w.t, request.StepCallbackID, inputs)
	w.slack.WaitAck(w.t, run.EnvelopeID, wait)
	return run
}

// completions are the calls that completed runs, accepted or not.
func (w *world) completions() []slacktest.Call {
	return append(w.slack.Calls("functions.completeSuccess"), w.slack.Calls("functions.completeError")...)
}

// stepNotCompleted checks that run is still running once the bot is idle.
func (w *world) stepNotCompleted(run slacktest.StepRun) {
	w.t.Helper()
	if c := w.slack.Completed(run.ExecutionID); c != nil {
		w.t.Fatalf("the run completed before the requester created the client: %+v", *c)
	}
}

func TestStepWithoutApprovalWaitsForTheRequestersClick(t *testing.T) {
	t.Parallel()
	w := start(t, setup{cfg: bot.Config{AuditChannel: auditCh}})
	run := w.runStep(stepInputs(nil))

	dm := w.grant() // at once, with Create client: nothing is created unasked
	for _, want := range []string{"A Workflow Builder run", "nova.smith@example.com", "Nova Consulting", "Zeta Labs", "Unibox only", "TICKET-42"} {
		if !strings.Contains(dm.Content(), want) {
			t.Errorf("the requester's DM lacks %q: %s", want, dm.Content())
		}
	}
	if n := w.pv.Count("POST", "/client"); n != 0 {
		t.Fatalf("%d POSTs before the requester clicked, want 0", n)
	}
	w.stepNotCompleted(run)

	w.slack.ClickMessage(t, requester, dm.Channel, dm.TS, modals.ActionCollect)
	done := w.slack.WaitCompleted(t, run.ExecutionID, wait)
	clients := w.pv.Clients()
	if len(clients) != 1 {
		t.Fatalf("%d clients, want 1", len(clients))
	}
	want := map[string]any{"client_id": clients[0].ID, "client_email": "nova.smith@example.com", "status": "created"}
	for k, v := range want {
		if done.Outputs[k] != v {
			t.Errorf("output %s = %v, want %v", k, done.Outputs[k], v)
		}
	}
	if _, linked := done.Outputs["request_link"]; linked || !done.Success {
		t.Errorf("completion %+v: a request granted at once has no approval message to link", done)
	}
	eph := w.slack.Calls("chat.postEphemeral")
	if len(eph) != 1 || eph[0].Params["user"] != requester || !containsAny(eph[0].Params["text"], clients[0].Password) {
		t.Errorf("password deliveries %v, want one ephemeral to the requester", eph)
	}
	for _, c := range w.completions() {
		if c.Token == w.slack.BotToken || !slices.Contains(w.slack.RunTokens(), c.Token) {
			t.Errorf("%s called with a token other than the run's", c.Method)
		}
	}
	line := w.waitAudit("*created*")
	if !strings.Contains(line, "from a workflow") {
		t.Errorf("audit line %q does not say a workflow asked", line)
	}
	w.waitDM(dm, clients[0].ID)
	if err := w.shutdown(); err != nil {
		t.Fatal(err)
	}
	w.wantMetrics(map[string]float64{
		`plusvibe_bot_workflow_steps_total{outcome="granted"}`:           1,
		`plusvibe_bot_workflow_steps_total{outcome="completed_success"}`: 1,
	})
	// checkLeaks, at cleanup, finds the password in no completion, log or
	// other call, and the run's token in no log or call content.
}

func TestStepWithApprovalCompletesOnceTheRequesterCollects(t *testing.T) {
	t.Parallel()
	w := start(t, approvalSetup())
	run := w.runStep(stepInputs(nil))
	req := w.onlyRequest()
	if !strings.Contains(req.Content(), "A workflow asks for a PlusVibe client for <@"+requester+">") {
		t.Errorf("the approval request does not say a workflow asked: %s", req.Content())
	}
	w.slack.WaitUntil(t, wait, "the requester told a workflow asked for them", func() bool {
		for _, m := range w.slack.Messages("D" + requester) {
			if strings.Contains(m.Text, "waits for an approver") {
				return true
			}
		}
		return false
	})
	dm := w.approve(approver, req.TS)
	w.stepNotCompleted(run)

	w.slack.ClickMessage(t, requester, dm.Channel, dm.TS, modals.ActionCollect)
	done := w.slack.WaitCompleted(t, run.ExecutionID, wait)
	if !done.Success || done.Outputs["client_id"] != w.pv.Clients()[0].ID {
		t.Errorf("completion %+v, want success with the client's id", done)
	}
	link, _ := done.Outputs["request_link"].(string)
	if !strings.Contains(link, strings.ReplaceAll(req.TS, ".", "")) {
		t.Errorf("request_link %q does not link the approval request %s", link, req.TS)
	}
	if detail, _ := done.Outputs["detail"].(string); !strings.Contains(detail, approver) {
		t.Errorf("detail %q does not name the approver", detail)
	}
	if n := len(w.completions()); n != 1 {
		t.Errorf("%d completion calls, want 1", n)
	}
}

func TestStepEndsWithWhyWhenTheRequestEndsWithoutAClient(t *testing.T) {
	t.Run("denied", func(t *testing.T) {
		t.Parallel()
		w := start(t, approvalSetup())
		run := w.runStep(stepInputs(nil))
		w.deny(approver, w.onlyRequest().TS, "Already has a login")
		done := w.slack.WaitCompleted(t, run.ExecutionID, wait)
		if done.Success || !strings.Contains(done.Error, "Denied") || !strings.Contains(done.Error, "Already has a login") {
			t.Errorf("completion %+v, want an error saying denied and why", done)
		}
	})
}

func TestStepEndsWithWhyWhenTheRequestLapsesOrFails(t *testing.T) {
	t.Run("expired undecided", func(t *testing.T) {
		t.Parallel()
		s := approvalSetup()
		s.cfg.SweepInterval = 20 * time.Millisecond
		w := start(t, s)
		w.slack.Backdate(73 * time.Hour) // the request was posted three days ago
		run := w.runStep(stepInputs(nil))
		done := w.slack.WaitCompleted(t, run.ExecutionID, wait)
		if done.Success || !strings.Contains(done.Error, "Expired: nobody decided") {
			t.Errorf("completion %+v, want an error saying nobody decided in time", done)
		}
	})
	t.Run("expired uncollected, granted at once", func(t *testing.T) {
		t.Parallel()
		w := start(t, setup{cfg: bot.Config{SweepInterval: 20 * time.Millisecond}})
		w.slack.Backdate(73 * time.Hour) // the requester's DM was sent three days ago
		run := w.runStep(stepInputs(nil))
		done := w.slack.WaitCompleted(t, run.ExecutionID, wait)
		if done.Success || !strings.Contains(done.Error, "did not create") {
			t.Errorf("completion %+v, want an error saying the requester did not create it in time", done)
		}
		if n := w.pv.Count("POST", "/client"); n != 0 {
			t.Errorf("%d POSTs for an expired grant", n)
		}
	})
	t.Run("withdrawn, granted at once", func(t *testing.T) {
		t.Parallel()
		w := start(t, setup{})
		run := w.runStep(stepInputs(nil))
		dm := w.grant()
		w.slack.ClickSeen(t, requester, dm, modals.ActionWithdraw)
		done := w.slack.WaitCompleted(t, run.ExecutionID, wait)
		if done.Success || !strings.Contains(done.Error, "Withdrawn") {
			t.Errorf("completion %+v, want an error saying the requester withdrew it", done)
		}
		if after := w.waitDM(dm, "withdrew"); slices.Contains(after.Buttons(), modals.ActionCollect) {
			t.Error("a withdrawn request still offers Create client")
		}
	})
	t.Run("failed for good", func(t *testing.T) {
		t.Parallel()
		w := start(t, setup{})
		run := w.runStep(stepInputs(nil))
		dm := w.grant()
		w.pv.Script("POST", "/client", plusvibetest.Response{Status: 200, Body: `{"client_id":"70218d5e05561a3877dcb77f","email":"nova.smith@example.com"}`})
		w.slack.ClickMessage(t, requester, dm.Channel, dm.TS, modals.ActionCollect)
		done := w.slack.WaitCompleted(t, run.ExecutionID, wait)
		if done.Success || !strings.HasPrefix(done.Error, "Failed:") {
			t.Errorf("completion %+v, want an error saying the creation failed", done)
		}
	})
}

func TestStepRefusesBadInputsAndStrangersPostingNothing(t *testing.T) {
	for _, tt := range []struct {
		name   string
		inputs map[string]any
		want   []string
	}{
		{"invalid inputs", stepInputs(map[string]any{request.InputEmail: "not an email", request.InputWorkspaces: "Nova Consulting, Globex"}),
			[]string{"email: ", `workspaces: No workspace named "Globex"`}},
		{"requester not allowed", stepInputs(map[string]any{request.InputRequester: outsider}),
			[]string{outsider, "may not create PlusVibe clients"}},
		{"reason missing where required", stepInputs(map[string]any{request.InputReason: ""}),
			[]string{"reason: Say why"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := start(t, approvalSetup())
			run := w.runStep(tt.inputs)
			done := w.slack.WaitCompleted(t, run.ExecutionID, wait)
			for _, want := range tt.want {
				if done.Success || !strings.Contains(done.Error, want) {
					t.Errorf("completion %+v, want an error containing %q", done, want)
				}
			}
			if posts := w.slack.Calls("chat.postMessage"); len(posts) != 0 {
				t.Errorf("%d messages posted for a refused run, want none", len(posts))
			}
		})
	}
}

// A run that arrives while the store is down is left unacked, so that Slack
// delivers it again; its last delivery ends it, never left in progress.
func TestStepArrivingWhileTheStoreIsDownEndsOnItsLastDelivery(t *testing.T) {
	t.Parallel()
	st, srv := redisStore(t)
	w := start(t, setup{store: st})
	srv.Stop()
	run := w.slack.SendStepRun(t, request.StepCallbackID, stepInputs(nil))
	for attempt := 1; attempt <= 3; attempt++ {
		w.logs.waitFor(t, `"outcome":"store_unreachable"`, attempt)
		if c := w.slack.Completed(run.ExecutionID); c != nil || w.slack.Acks(run.EnvelopeID) != 0 {
			t.Fatalf("delivery %d was acked or ended the run (%v): Slack would not deliver it again", attempt, c)
		}
		w.slack.Resend(t, run.EnvelopeID)
	}
	w.slack.WaitAck(t, run.EnvelopeID, wait)
	if done := w.slack.WaitCompleted(t, run.ExecutionID, wait); done.Success || done.Error != modals.StepUnrecorded {
		t.Errorf("completion %+v, want the store's failure", done)
	}
	if n := len(w.slack.Calls("chat.postMessage")); n != 0 {
		t.Errorf("%d messages posted for a run that could not be recorded", n)
	}
}

func TestStepRunsOnceWhenDeliveredTwice(t *testing.T) {
	t.Parallel()
	w := start(t, setup{})
	run := w.runStep(stepInputs(nil))
	w.slack.Resend(t, run.EnvelopeID)
	w.slack.WaitAck(t, run.EnvelopeID, wait)
	dm := w.grant()
	w.slack.ClickMessage(t, requester, dm.Channel, dm.TS, modals.ActionCollect)
	w.slack.WaitCompleted(t, run.ExecutionID, wait)
	if err := w.shutdown(); err != nil {
		t.Fatal(err)
	}
	if n := len(w.slack.Messages("D" + requester)); n != 1 {
		t.Errorf("%d DMs for one run delivered twice, want 1", n)
	}
	if n := len(w.completions()); n != 1 {
		t.Errorf("%d completion calls, want 1", n)
	}
}

func TestStepSplitOverReplicasAsksOnceAndCompletesOnce(t *testing.T) {
	t.Parallel()
	w, _ := twoReplicas(t, approvalSetup())
	run := w.slack.SendStepRun(t, request.StepCallbackID, stepInputs(nil))
	w.slack.WaitAck(t, run.EnvelopeID, wait)
	first := w.slack.Route(run.EnvelopeID)
	w.slack.Resend(t, run.EnvelopeID)
	w.slack.WaitAck(t, run.EnvelopeID, wait)
	if w.slack.Route(run.EnvelopeID) == first {
		t.Fatal("the redelivery went to the same replica")
	}
	again := w.slack.SendStepRun(t, request.StepCallbackID, stepInputs(map[string]any{request.InputEmail: "second@example.com"}))
	w.slack.WaitAck(t, again.EnvelopeID, wait)
	req := w.onlyRequestFor("nova.smith@example.com")
	// Approved and collected on either replica: one client, one completion.
	dm := w.approve(approver, req.TS)
	c1 := w.slack.ClickSeen(t, requester, dm, modals.ActionCollect)
	c2 := w.slack.ClickSeen(t, requester, dm, modals.ActionCollect)
	w.split(c1.EnvelopeID, c2.EnvelopeID)
	done := w.slack.WaitCompleted(t, run.ExecutionID, wait)
	if !done.Success {
		t.Errorf("completion %+v, want success", done)
	}
	w.stopReplicas()
	if err := w.shutdown(); err != nil {
		t.Fatal(err)
	}
	if n := w.pv.Count("POST", "/client"); n != 1 {
		t.Errorf("%d POSTs, want 1", n)
	}
	var mine int
	for _, c := range w.completions() {
		if c.Params["function_execution_id"] == run.ExecutionID {
			mine++
		}
	}
	if mine != 1 {
		t.Errorf("%d completion calls for the run, want 1", mine)
	}
}

// onlyRequestFor is the one approval request for email.
func (w *world) onlyRequestFor(email string) slacktest.Message {
	w.t.Helper()
	var found []slacktest.Message
	w.slack.WaitUntil(w.t, wait, "the approval request for "+email, func() bool {
		found = found[:0]
		for _, m := range w.slack.Messages(approvals) {
			if m.ThreadTS == "" && strings.Contains(m.Content(), email) && slices.Contains(m.Buttons(), modals.ActionApprove) {
				found = append(found, m)
			}
		}
		return len(found) > 0
	})
	if len(found) != 1 {
		w.t.Fatalf("%d approval requests for %s, want 1", len(found), email)
	}
	return found[0]
}

// The step the bot serves is the one manifest.yaml declares: the same
// inputs, and outputs of which none could carry a password.
func TestManifestDeclaresTheStepTheBotServes(t *testing.T) {
	readManifest(t)
	step := manifest.steps[request.StepCallbackID]
	var inputs []string
	for name := range step.Inputs.Properties {
		inputs = append(inputs, name)
	}
	served := slices.Clone(request.StepInputs)
	slices.Sort(inputs)
	slices.Sort(served)
	if !slices.Equal(inputs, served) {
		t.Errorf("manifest inputs %v, the bot reads %v", inputs, served)
	}
	if typ := step.Inputs.Properties[request.InputRequester].Type; typ != "slack#/types/user_id" {
		t.Errorf("requester is a %q, want slack#/types/user_id", typ)
	}
	var outputs []string
	for name, p := range step.Outputs.Properties {
		outputs = append(outputs, name)
		if p.Type != "string" || strings.Contains(strings.ToLower(name), "password") {
			t.Errorf("output %s (%s): outputs are strings, and never a password", name, p.Type)
		}
	}
	slices.Sort(outputs)
	want := slices.Sorted(slices.Values(request.StepOutputs))
	if !slices.Equal(outputs, want) {
		t.Errorf("manifest outputs %v, the bot completes with %v", outputs, want)
	}
}

func TestStepCompletionFailingIsMadeAgainBySweep(t *testing.T) {
	t.Parallel()
	s := approvalSetup()
	s.cfg.SweepInterval = 20 * time.Millisecond
	w := start(t, s)
	run := w.runStep(stepInputs(nil))
	dm := w.approve(approver, w.onlyRequest().TS)
	w.slack.FailNext("functions.completeSuccess", "internal_error")
	w.slack.ClickMessage(t, requester, dm.Channel, dm.TS, modals.ActionCollect)
	if done := w.slack.WaitCompleted(t, run.ExecutionID, wait); !done.Success {
		t.Errorf("completion %+v, want success once made again", done)
	}
	if n := len(w.slack.Calls("functions.completeSuccess")); n != 2 {
		t.Errorf("%d completion calls, want 2: one refused, one made by the sweep", n)
	}
}

// A run that ends while nobody clicks has only expired tokens: it is
// completed with the bot's own.
func TestStepEndingWithoutAClickCompletesWithTheBotsToken(t *testing.T) {
	t.Parallel()
	s := approvalSetup()
	s.cfg.SweepInterval = time.Hour // a sweep as each process starts, no other
	s.store, _ = redisStore(t)      // the run outlives the restart
	w := start(t, s)
	w.slack.Backdate(73 * time.Hour) // nobody decided for three days
	run := w.runStep(stepInputs(nil))
	w.onlyRequest()
	w.slack.ExpireRunTokens(run.ExecutionID) // and nobody clicked to bring a new token
	w.restart()                              // its sweep expires the request
	done := w.slack.WaitCompleted(t, run.ExecutionID, wait)
	if done.Success || !strings.Contains(done.Error, "Expired: nobody decided") {
		t.Errorf("completion %+v, want an error saying the request expired", done)
	}
	calls := w.completions()
	if len(calls) != 2 || calls[0].Error != "token_revoked" || calls[1].Token != w.slack.BotToken {
		t.Errorf("completion calls %+v, want the run's token refused, then the bot's taken", calls)
	}
}

// A completion Slack will never take (an error it does not say may pass)
// is not asked again, across restarts.
func TestStepCompletionRefusedForGoodIsNotRetried(t *testing.T) {
	t.Parallel()
	s := approvalSetup()
	s.cfg.SweepInterval = time.Hour // a sweep as each process starts, no other
	s.store, _ = redisStore(t)
	w := start(t, s)
	w.slack.FailAlways("functions.completeError", "not_allowed_token_type")
	w.slack.Backdate(73 * time.Hour)
	w.runStep(stepInputs(nil))
	w.onlyRequest()
	w.restart() // its sweep expires the request
	w.logs.waitFor(t, `"outcome":"completion_refused"`, 1)
	reads := len(w.slack.Calls("conversations.history"))
	w.restart() // and the next process's sweep asks Slack nothing more
	w.slack.WaitUntil(t, wait, "the next sweep", func() bool { return len(w.slack.Calls("conversations.history")) > reads })
	if err := w.shutdown(); err != nil {
		t.Fatal(err)
	}
	if n := len(w.completions()); n != 1 {
		t.Errorf("%d completion calls, want 1: a refused completion is not retried", n)
	}
}

// A run refused at once whose completion fails is completed by the sweep,
// with why it was refused.
func TestStepRefusedRunIsCompletedBySweepWhenCompletingFails(t *testing.T) {
	t.Parallel()
	s := approvalSetup()
	s.cfg.SweepInterval = 20 * time.Millisecond
	w := start(t, s)
	w.slack.FailNext("functions.completeError", "internal_error", "internal_error", "internal_error", "internal_error")
	run := w.runStep(stepInputs(map[string]any{request.InputEmail: "not an email"}))
	done := w.slack.WaitCompleted(t, run.ExecutionID, wait)
	if done.Success || !strings.Contains(done.Error, "email: ") {
		t.Errorf("completion %+v, want the refusal's reason", done)
	}
	if n := len(w.completions()); n < 2 {
		t.Errorf("%d completion calls, want the failed ones and the one that took", n)
	}
}

func TestStepWaitingForPeopleKeepsAWorkingToken(t *testing.T) {
	t.Parallel()
	w := start(t, approvalSetup())
	run := w.runStep(stepInputs(nil))
	req := w.onlyRequest()
	w.slack.ExpireRunTokens(run.ExecutionID) // hours pass before anyone decides
	dm := w.approve(approver, req.TS)
	w.slack.ExpireRunTokens(run.ExecutionID) // and before the requester comes back
	w.slack.ClickMessage(t, requester, dm.Channel, dm.TS, modals.ActionCollect)
	if done := w.slack.WaitCompleted(t, run.ExecutionID, wait); !done.Success {
		t.Fatalf("completion %+v, want success", done)
	}
	for _, m := range []slacktest.Message{req, dm} {
		if got := w.slack.Message(t, m.Channel, m.TS).Run; got != run.ExecutionID {
			t.Errorf("message %s in %s was not posted with the run's token (run %q): its clicks would bring none", m.TS, m.Channel, got)
		}
	}
	if n := len(w.completions()); n != 1 {
		t.Errorf("%d completion calls, want 1: the first with the token the last click brought", n)
	}
}

// Without Redis, the run's token is lost with a restart: the requester
// still creates the client, and the run completes with the bot's token.
func TestStepCompletesAfterARestartWithoutRedis(t *testing.T) {
	t.Parallel()
	w := start(t, setup{})
	run := w.runStep(stepInputs(nil))
	dm := w.grant()
	w.restart() // the token was in this process's memory
	w.slack.ClickMessage(t, requester, dm.Channel, dm.TS, modals.ActionCollect)
	done := w.slack.WaitCompleted(t, run.ExecutionID, wait)
	if n := len(w.pv.Clients()); n != 1 || !done.Success || done.Outputs["client_id"] != w.pv.Clients()[0].ID {
		t.Errorf("%d clients, completion %+v: want the client created and the run completed with it", n, done)
	}
}
