package bot_test

import (
	"strings"
	"testing"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/internal/slacktest"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"
)

// openModals opens one of each modal the bot answers: the form, the deny
// form, Edit access and Remove, and returns their view ids.
func (w *world) openModals() map[string]string {
	w.t.Helper()
	w.jane()
	_, ts := w.request(goodFill())
	click := w.slack.ClickMessage(w.t, approver, approvals, ts, modals.ActionDeny)
	answer := w.find(requester, "jane")
	return map[string]string{
		"form":   w.openForm(requester, ""),
		"deny":   w.slack.WaitView(w.t, click, wait),
		"edit":   w.openFromFind(answer, modals.ActionEditAccess, modals.BlockWorkspacePermission(nova.ID)),
		"remove": w.openFromFind(answer, modals.ActionRemove, "Type the client's email"),
	}
}

// fills are what each modal is submitted with.
var fills = map[string]slacktest.Fill{
	"form": goodFill(), "deny": {modals.BlockDenyReason: "no"},
	"edit":   {modals.BlockWorkspacePermission(nova.ID): "Full access"},
	"remove": {modals.BlockConfirmEmail: "jane.doe@acme.com"},
}

// Every modal turned away while the bot is busy keeps what was typed and
// says why under one of its own inputs (the fake Slack fails the test for
// an error under a block the view lacks: Slack would show "We had some
// trouble connecting" instead).
func TestBusyRefusalAnswersOnEveryModalsOwnBlock(t *testing.T) {
	t.Parallel()
	w := start(t, approvalSetup())
	views := w.openModals()
	w.setup.cfg.MaxInFlight = 1 // the modals stay open in Slack across the restart
	w.restart()
	hold := make(chan struct{})
	defer close(hold)
	// A request for approval whose post hangs holds the one slot from its ack on.
	w.slack.FaultNext("chat.postMessage", slacktest.Fault{Hang: hold})
	w.slack.Submit(t, requester, w.openForm(requester, ""), goodFill())
	for name, viewID := range views {
		resp := w.slack.Submit(t, submitter(name), viewID, fills[name])
		if resp.Action != "errors" || !strings.Contains(strings.Join(values(resp.Errors), " "), "busy") {
			t.Errorf("%s: a busy bot answered %q %v, want the reason under an input", name, resp.Action, resp.Errors)
		}
	}
}

// submitter is who submits each modal: the approver denies.
func submitter(modal string) string {
	if modal == "deny" {
		return approver
	}
	return requester
}

func values(m map[string]string) []string {
	var out []string
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// With the store down, every modal keeps what was typed and says why under
// one of its own inputs; nothing is done.
func TestStoreDownRefusalAnswersOnEveryModalsOwnBlock(t *testing.T) {
	t.Parallel()
	w, srv := twoReplicas(t, approvalSetup())
	views := w.openModals()
	srv.Stop()
	for name, viewID := range views {
		resp := w.slack.Submit(t, submitter(name), viewID, fills[name])
		if resp.Action != "errors" || !strings.Contains(strings.Join(values(resp.Errors), " "), "cannot reach its store") {
			t.Errorf("%s: with the store down answered %q %v, want the reason under an input", name, resp.Action, resp.Errors)
		}
	}
	if n := w.pv.Count("PUT", "/client") + w.pv.Count("DELETE", "/client") + w.pv.Count("POST", "/client"); n != 0 {
		t.Errorf("%d changes sent to PlusVibe with the store down", n)
	}
}
