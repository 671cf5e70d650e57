package bot_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"
)

// The requester withdraws a request that waits for a decision from their
// waiting modal: final, said everywhere, and a stale Approve is refused.
func TestWithdrawFromTheWaitingModal(t *testing.T) {
	t.Parallel()
	w := start(t, approvalSetup())
	viewID, ts := w.request(goodFill())
	asked := w.slack.Message(t, approvals, ts) // as the approver's Slack still shows it
	w.slack.Click(t, requester, viewID, modals.ActionWithdraw)
	m := w.waitMessage(ts, "Withdrawn by <@"+requester+">")
	if len(m.Buttons()) != 0 {
		t.Errorf("a withdrawn request still offers %v", m.Buttons())
	}
	w.waitView(viewID, "You withdrew")
	w.waitAudit("*withdrawn*")
	w.slack.ClickSeen(t, approver, asked, modals.ActionApprove)
	w.waitWhisper(approver, "withdrew this request")
	if n := len(w.slack.Messages("D" + requester)); n != 0 {
		t.Errorf("%d DMs to the requester: an Approve after the withdrawal granted something", n)
	}
	if err := w.shutdown(); err != nil {
		t.Fatal(err)
	}
	if v := metric(w.scrape(), `plusvibe_bot_approvals_total{decision="withdrawn"}`); v != 1 {
		t.Errorf("withdrawals counted %v, want 1", v)
	}
}

// An approved grant not created yet is withdrawn from the DM; a stale
// Create client click creates nothing.
func TestWithdrawAnUncollectedGrantFromTheDM(t *testing.T) {
	t.Parallel()
	w := start(t, approvalSetup())
	_, ts := w.request(goodFill())
	dm := w.approve(approver, ts)
	if !slices.Contains(dm.Buttons(), modals.ActionWithdraw) {
		t.Fatalf("the grant DM offers %v, want Withdraw beside Create client", dm.Buttons())
	}
	w.slack.ClickSeen(t, requester, dm, modals.ActionWithdraw)
	after := w.waitDM(dm, "You withdrew")
	if len(after.Buttons()) != 0 {
		t.Errorf("the DM still offers %v", after.Buttons())
	}
	w.waitMessage(ts, "Withdrawn by <@"+requester+">")
	w.slack.ClickSeen(t, requester, dm, modals.ActionCollect)
	w.waitWhisperIn(dm.Channel, requester, "withdrew this request")
	if n := w.pv.Count("POST", "/client"); n != 0 {
		t.Errorf("%d POSTs after the withdrawal", n)
	}
}

// From the Home tab; and nobody but the requester can withdraw.
func TestWithdrawFromHomeAndOnlyByTheRequester(t *testing.T) {
	t.Parallel()
	w := start(t, approvalSetup())
	w.slack.OpenHome(t, requester)
	w.slack.WaitHome(t, requester, "No requests yet", wait)
	viewID, ts := w.request(goodFill())
	w.slack.WaitHome(t, requester, "waiting for approval", wait)

	// A forged click by someone else, on the requester's own button.
	w.slack.WaitAck(t, w.slack.ClickViewSeen(t, outsider, w.slack.View(t, viewID), modals.ActionWithdraw).EnvelopeID, wait)
	w.waitWhisperIn("D"+outsider, outsider, "Only <@"+requester+">")
	if m := w.slack.Message(t, approvals, ts); strings.Contains(m.Content(), "Withdrawn") {
		t.Fatal("someone else withdrew the request")
	}

	w.slack.ClickHome(t, requester, "request_0", modals.ActionWithdraw)
	w.waitMessage(ts, "Withdrawn by <@"+requester+">")
	w.slack.WaitHome(t, requester, "withdrawn", wait)
}
