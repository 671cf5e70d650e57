package bot_test

import (
	"strings"
	"testing"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/bot"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/internal/slacktest"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe/plusvibetest"
)

// twice sends the view as shown, filled the same way, twice (a double
// click), to two replicas when there are, and returns both envelopes.
func (w *world) twice(viewID string, fill slacktest.Fill) (string, string) {
	w.t.Helper()
	form := w.slack.View(w.t, viewID)
	first := w.slack.SendSubmissionSeen(w.t, requester, form, fill)
	second := w.slack.SendSubmissionSeen(w.t, requester, form, fill)
	if len(w.replicas) > 0 {
		w.split(first, second)
	}
	w.slack.ApplyAck(w.t, viewID, first, wait)
	w.slack.ApplyAck(w.t, viewID, second, wait)
	return first, second
}

func TestRemoveSubmittedTwiceRemovesOnce(t *testing.T) {
	t.Parallel()
	for name, replicas := range map[string]bool{"one process": false, "two replicas": true} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := setup{cfg: bot.Config{AuditChannel: auditCh}}
			var w *world
			if replicas {
				w, _ = twoReplicas(t, s)
			} else {
				w = start(t, s)
			}
			w.jane()
			viewID := w.openFromFind(w.find(requester, "jane"), modals.ActionRemove, "Type the client's email")
			hold := make(chan struct{})
			w.pv.Script("DELETE", "/client", plusvibetest.Response{Hold: hold})
			first, _ := w.twice(viewID, slacktest.Fill{modals.BlockConfirmEmail: "jane.doe@acme.com"})
			w.pv.Next(t, "DELETE", "/client", wait)
			close(hold)
			w.slack.WaitUntil(t, wait, "the modal saying removed", func() bool {
				return strings.Contains(viewText(w.slack.View(t, viewID)), "was removed")
			})
			// Slack redelivers the first: told what was done, nothing sent.
			w.slack.Resend(t, first)
			if resp := w.slack.ApplyAck(t, viewID, first, wait); resp.Action != "update" || !strings.Contains(string(resp.Ack.Payload), "was removed") {
				t.Errorf("the redelivery was answered %s %s, want the outcome", resp.Action, resp.Ack.Payload)
			}
			w.waitAudit("*removed*")
			if n := w.pv.Count("DELETE", "/client"); n != 1 {
				t.Errorf("%d DELETEs for one removal submitted twice, want 1", n)
			}
			if n := strings.Count(strings.Join(w.auditLines(), "\n"), "*removed*"); n != 1 {
				t.Errorf("%d audit lines for one removal", n)
			}
		})
	}
}

func TestEditSubmittedTwiceActsOnce(t *testing.T) {
	t.Parallel()
	t.Run("applied", func(t *testing.T) {
		t.Parallel()
		w := start(t, setup{})
		w.jane()
		viewID := w.openFromFind(w.find(requester, "jane"), modals.ActionEditAccess, modals.BlockWorkspacePermission(nova.ID))
		hold := make(chan struct{})
		w.pv.Script("PUT", "/client", plusvibetest.Response{Hold: hold})
		first, _ := w.twice(viewID, slacktest.Fill{modals.BlockWorkspacePermission(nova.ID): "Full access"})
		w.pv.Next(t, "PUT", "/client", wait)
		close(hold)
		w.slack.WaitUntil(t, wait, "the modal saying changed", func() bool {
			return strings.Contains(viewText(w.slack.View(t, viewID)), "changed: ")
		})
		w.slack.Resend(t, first)
		if resp := w.slack.ApplyAck(t, viewID, first, wait); !strings.Contains(string(resp.Ack.Payload), "changed: ") {
			t.Errorf("the redelivery was answered %s", resp.Ack.Payload)
		}
		if n := w.pv.Count("PUT", "/client"); n != 1 {
			t.Errorf("%d PUTs for one edit submitted twice, want 1", n)
		}
	})
	t.Run("waiting for approval", func(t *testing.T) {
		t.Parallel()
		w := start(t, fullAccessOnlySetup())
		w.jane()
		viewID := w.openFromFind(w.find(requester, "jane"), modals.ActionEditAccess, modals.BlockWorkspacePermission(nova.ID))
		w.twice(viewID, slacktest.Fill{modals.BlockWorkspacePermission(nova.ID): "Full access"})
		w.slack.WaitUntil(t, wait, "the modal saying it waits", func() bool {
			return strings.Contains(viewText(w.slack.View(t, viewID)), "waits for an approver")
		})
		if n := len(w.slack.Messages(approvals)); n != 1 {
			t.Errorf("%d approval requests for one edit submitted twice, want 1", n)
		}
	})
}

// A redelivered submission whose client now exists is told it was created,
// never "already a client": that answer would replace the modal that may
// show the password.
func TestRedeliveryAfterCreationIsNotADuplicate(t *testing.T) {
	t.Parallel()
	w := start(t, setup{})
	viewID := w.openForm(requester, "")
	env := w.slack.SendSubmission(t, requester, viewID, goodFill())
	w.slack.ApplyAck(t, viewID, env, wait)
	w.finalView()
	w.find(requester, "nova.smith") // the client list, read since, has the new client
	w.slack.Resend(t, env)
	resp := w.slack.ApplyAck(t, viewID, env, wait)
	if got := string(resp.Ack.Payload); strings.Contains(got, "Already a client") || strings.Contains(got, modals.ActionAddAccess) {
		t.Errorf("the redelivery was answered as a duplicate client: %s", got)
	}
	if n := w.pv.Count("POST", "/client"); n != 1 {
		t.Errorf("%d POSTs, want 1", n)
	}
}

// A form sent twice for an email that is already a client's: both copies
// are told so, neither says "creating" (Slack may show either answer).
func TestDuplicateEmailSentTwiceIsToldTwice(t *testing.T) {
	t.Parallel()
	w := start(t, setup{})
	w.jane()
	viewID := w.openForm(requester, "")
	hold := make(chan struct{})
	w.pv.Script("GET", "/client/", plusvibetest.Response{Hold: hold}) // both copies wait on one read
	fill := goodFill()
	fill[modals.BlockEmail] = "jane.doe@acme.com"
	form := w.slack.View(t, viewID)
	first := w.slack.SendSubmissionSeen(t, requester, form, fill)
	second := w.slack.SendSubmissionSeen(t, requester, form, fill)
	w.pv.Next(t, "GET", "/client/", wait)
	close(hold)
	for _, env := range []string{first, second} {
		if resp := w.slack.ApplyAck(t, viewID, env, wait); !strings.Contains(string(resp.Ack.Payload), "already a PlusVibe client") {
			t.Errorf("a copy was answered %s, want the existing client", resp.Ack.Payload)
		}
	}
	if n := w.pv.Count("POST", "/client"); n != 0 {
		t.Errorf("%d POSTs for an existing client", n)
	}
}

// A client the bot has just created is one the duplicate check knows: a
// second form for the same email is offered their access, not a second
// creation, without reading PlusVibe's list again.
func TestAClientJustCreatedIsADuplicateAtOnce(t *testing.T) {
	t.Parallel()
	w := start(t, setup{})
	w.slack.Submit(t, requester, w.openForm(requester, ""), goodFill())
	w.finalView()
	reads := w.pv.Count("GET", "/client/")
	viewID := w.openForm(requester, "")
	if resp := w.slack.Submit(t, requester, viewID, goodFill()); !strings.Contains(string(resp.Ack.Payload), "already a PlusVibe client") {
		t.Errorf("a form for the client just created was answered %s", resp.Ack.Payload)
	}
	if n := w.pv.Count("POST", "/client"); n != 1 {
		t.Errorf("%d POSTs, want 1", n)
	}
	if n := w.pv.Count("GET", "/client/") - reads; n != 0 {
		t.Errorf("%d more reads of the client list, want none", n)
	}
}
