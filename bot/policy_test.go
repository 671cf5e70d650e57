package bot_test

import (
	"strings"
	"testing"
	"time"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/internal/slacktest"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe/plusvibetest"
)

// Showing a client a label it hides now is more access: under
// APPROVAL_FOR=all it waits for an approver; hiding one more does not.
func TestUnhidingLabelsWaitsForApproval(t *testing.T) {
	t.Parallel()
	w := start(t, approvalSetup())
	w.jane() // Unibox only in Nova Consulting, VIP hidden
	viewID := w.openFromFind(w.find(requester, "jane"), modals.ActionEditAccess, modals.BlockWorkspacePermission(nova.ID))
	w.slack.Submit(t, requester, viewID, slacktest.Fill{modals.BlockWorkspaceLabels(nova.ID): ""})
	w.waitView(viewID, "waits for an approver")
	if n := w.pv.Count("PUT", "/client"); n != 0 || len(w.slack.Messages(approvals)) != 1 {
		t.Fatalf("%d PUTs and %d requests for approval, want none and one", n, len(w.slack.Messages(approvals)))
	}

	viewID = w.openFromFind(w.find(requester, "jane"), modals.ActionEditAccess, modals.BlockWorkspacePermission(nova.ID))
	w.slack.Submit(t, requester, viewID, slacktest.Fill{modals.BlockWorkspaceLabels(nova.ID): "VIP, COLD"})
	w.pv.Next(t, "PUT", "/client", wait)
	if n := len(w.slack.Messages(approvals)); n != 1 {
		t.Errorf("%d requests for approval, want no new one for hiding more", n)
	}
}

// askFullAccessForJane asks, through Edit access, for Full access for an
// existing client, which waits for an approver; it returns the request's ts.
func (w *world) askFullAccessForJane() string {
	w.t.Helper()
	w.jane()
	viewID := w.openFromFind(w.find(requester, "jane"), modals.ActionEditAccess, modals.BlockWorkspacePermission(nova.ID))
	w.slack.Submit(w.t, requester, viewID, slacktest.Fill{modals.BlockWorkspacePermission(nova.ID): "Full access"})
	return w.onlyRequest().TS
}

// An approved change is applied only if its requester may still manage
// clients, and only once the approval is recorded.
func TestApprovedChangeRechecksAndRecordsFirst(t *testing.T) {
	t.Parallel()
	t.Run("requester no longer allowed", func(t *testing.T) {
		t.Parallel()
		w := start(t, fullAccessOnlySetup())
		ts := w.askFullAccessForJane()
		w.setup.cfg.AllowedUsers = []string{outsider} // the admin took the requester off the list
		w.restart()
		w.slack.ClickMessage(t, approver, approvals, ts, modals.ActionApprove)
		w.waitMessage(ts, "no longer on the list")
		if n := w.pv.Count("PUT", "/client"); n != 0 {
			t.Errorf("%d PUTs for a requester no longer allowed", n)
		}
	})
	t.Run("approval not recorded", func(t *testing.T) {
		t.Parallel()
		w := start(t, fullAccessOnlySetup())
		ts := w.askFullAccessForJane()
		w.slack.FailNext("chat.update", "message_not_found")
		w.slack.ClickMessage(t, approver, approvals, ts, modals.ActionApprove)
		w.waitWhisper(approver, "could not be recorded")
		if n := w.pv.Count("PUT", "/client"); n != 0 {
			t.Errorf("%d PUTs for an approval that was not recorded", n)
		}
		// Recorded on the next click, it is applied once.
		w.slack.ClickMessage(t, approver, approvals, ts, modals.ActionApprove)
		w.waitMessage(ts, "The access was changed")
		if n := w.pv.Count("PUT", "/client"); n != 1 {
			t.Errorf("%d PUTs, want 1", n)
		}
	})
}

// A creation's clock starts at the POST: Slack slow to record "creating"
// (longer than a creation may take) never lets the sweep call the running
// creation interrupted, nor a second click create again.
func TestSlowSlackBeforeThePostCreatesOnce(t *testing.T) {
	t.Parallel()
	s := approvalSetup()
	s.cfg.SweepInterval = 20 * time.Millisecond
	s.cfg.CreationBound = time.Second
	w := start(t, s)
	_, ts := w.request(goodFill())
	dm := w.approve(approver, ts)
	holdPost := make(chan struct{})
	w.pv.Script("POST", "/client", plusvibetest.Response{Hold: holdPost})
	slow := make(chan struct{})
	w.slack.FaultNext("chat.update", slacktest.Fault{Hang: slow}) // recording "creating…"
	defer time.AfterFunc(2*time.Second, func() { close(slow) }).Stop()
	w.slack.ClickMessage(t, requester, dm.Channel, dm.TS, modals.ActionCollect)
	w.waitMessage(ts, "is creating the client")
	sweeps := len(w.slack.Calls("conversations.history"))
	w.slack.WaitUntil(t, wait, "two sweeps since", func() bool { return len(w.slack.Calls("conversations.history")) >= sweeps+2 })
	w.slack.ClickSeen(t, requester, dm, modals.ActionCollect) // the DM as it showed a moment ago
	w.waitWhisperIn(dm.Channel, requester, "being created right now")
	close(holdPost)
	w.waitMessage(ts, "Created by <@"+requester+">")
	if n := w.pv.Count("POST", "/client"); n != 1 {
		t.Errorf("%d POSTs, want 1", n)
	}
	for _, c := range w.slack.Calls("chat.update") {
		if strings.Contains(c.Params["blocks"]+c.Params["text"], "may have been created") {
			t.Errorf("a running creation was called interrupted: %s", c.Params["text"])
		}
	}
}

// "Creating" that cannot be recorded creates nothing, and leaves the
// request, the DM and its button as they were: the next click creates.
func TestCreatingThatCannotBeRecordedCreatesNothing(t *testing.T) {
	t.Parallel()
	w := start(t, approvalSetup())
	_, ts := w.request(goodFill())
	dm := w.approve(approver, ts)
	w.slack.FailNext("chat.update", "message_not_found") // recording "creating…"
	w.slack.ClickMessage(t, requester, dm.Channel, dm.TS, modals.ActionCollect)
	w.waitWhisperIn(dm.Channel, requester, "could not be recorded in Slack")
	if n := w.pv.Count("POST", "/client"); n != 0 {
		t.Fatalf("%d POSTs when the creation could not be recorded", n)
	}
	w.waitMessage(ts, "Waiting for <@"+requester+"> to create the client")
	w.slack.ClickMessage(t, requester, dm.Channel, dm.TS, modals.ActionCollect)
	w.waitMessage(ts, "Created by <@"+requester+">")
	if n := w.pv.Count("POST", "/client"); n != 1 {
		t.Errorf("%d POSTs, want 1", n)
	}
}
