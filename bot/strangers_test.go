package bot_test

import (
	"testing"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/internal/slacktest"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"
)

// Someone who may not decide is refused before the request is read from
// Slack: clicking many times spends one read (the audit's), not one each.
func TestStrangersClicksSpendNoSlackReads(t *testing.T) {
	t.Parallel()
	w := start(t, approvalSetup())
	_, ts := w.request(goodFill())
	before := len(w.slack.Calls("conversations.history"))
	for i := range 5 {
		action := modals.ActionApprove
		if i%2 == 1 {
			action = modals.ActionDeny
		}
		w.slack.ClickMessage(t, outsider, approvals, ts, action)
	}
	w.slack.WaitUntil(t, wait, "five refusals", func() bool { return len(w.whispers(approvals, outsider)) == 5 })
	w.waitAudit("refused")
	if n := len(w.slack.Calls("conversations.history")) - before; n != 1 {
		t.Errorf("%d reads of the request for five refused clicks, want 1 (for the audit line)", n)
	}
}

// A stranger's click on Create client claims nothing: while Slack is slow
// to answer anything about it, the requester's own click still creates.
func TestStrangersCreateClickNeverStallsTheRequester(t *testing.T) {
	t.Parallel()
	w := start(t, approvalSetup())
	_, ts := w.request(goodFill())
	dm := w.approve(approver, ts)
	hang := make(chan struct{})
	w.slack.FaultNext("conversations.history", slacktest.Fault{Hang: hang})
	w.slack.ClickMessage(t, outsider, dm.Channel, dm.TS, modals.ActionCollect)
	w.waitWhisperIn(dm.Channel, outsider, "Only <@"+requester+">")
	close(hang)
	w.slack.ClickMessage(t, requester, dm.Channel, dm.TS, modals.ActionCollect)
	w.waitMessage(ts, "Created by <@"+requester+">")
	if n := w.pv.Count("POST", "/client"); n != 1 {
		t.Errorf("%d POSTs, want 1", n)
	}
}
