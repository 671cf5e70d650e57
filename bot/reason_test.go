package bot_test

import (
	"strings"
	"testing"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/bot"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/internal/slacktest"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"
)

// A request that waits for an approver says why (REQUIRE_REASON=approval,
// the default): shown to approvers first, escaped, kept, audited, and on
// the Home tab.
func TestReasonIsRequiredForApprovalShownAndAudited(t *testing.T) {
	t.Parallel()
	w := start(t, approvalSetup())
	w.slack.OpenHome(t, requester)
	w.slack.WaitHome(t, requester, "No requests yet", wait)
	viewID := w.openForm(requester, "")
	fill := goodFill()
	fill[modals.BlockReason] = ""
	resp := w.slack.Submit(t, requester, viewID, fill)
	if resp.Action != "errors" || !strings.Contains(resp.Errors[modals.BlockReason], "Say why") {
		t.Fatalf("a request for approval without a reason answered %q %v", resp.Action, resp.Errors)
	}
	if n := len(w.slack.Messages(approvals)); n != 0 {
		t.Fatalf("%d requests posted without a reason", n)
	}

	fill[modals.BlockReason] = "<!channel> SUP-7 & <https://evil.example|ticket>"
	w.slack.Submit(t, requester, viewID, fill)
	m := w.onlyRequest()
	if len(m.Blocks) < 2 || !strings.Contains(slacktest.ViewText(map[string]any{"blocks": toAny(m.Blocks[1:2])}), "Why:") {
		t.Errorf("the reason is not the first thing approvers read: %s", m.Content())
	}
	escaped := "&lt;!channel&gt; SUP-7 &amp; &lt;https://evil.example|ticket&gt;"
	if !strings.Contains(m.Content(), escaped) || strings.Contains(m.Content(), "<!channel>") {
		t.Errorf("the reason is not shown escaped: %s", m.Content())
	}
	if r := m.Metadata["event_payload"].(map[string]any)["request"].(map[string]any)["f"].(map[string]any)["r"]; r != fill[modals.BlockReason] {
		t.Errorf("the record keeps the reason as %v", r)
	}
	w.approve(approver, m.TS)
	if line := w.waitAudit("*approved*"); !strings.Contains(line, "why: "+escaped) {
		t.Errorf("the audit line %q does not say why, escaped", line)
	}
	w.slack.WaitHome(t, requester, "why: "+escaped, wait)
}

func TestReasonRules(t *testing.T) {
	t.Parallel()
	noReason := goodFill()
	noReason[modals.BlockReason] = ""
	t.Run("none: not even for approval", func(t *testing.T) {
		t.Parallel()
		s := approvalSetup()
		s.cfg.RequireReason = "none"
		w := start(t, s)
		w.request(noReason)
	})
	t.Run("all: even without approval", func(t *testing.T) {
		t.Parallel()
		w := start(t, setup{cfg: bot.Config{RequireReason: "all"}})
		viewID := w.openForm(requester, "")
		if resp := w.slack.Submit(t, requester, viewID, noReason); resp.Action != "errors" || resp.Errors[modals.BlockReason] == "" {
			t.Fatalf("no reason under REQUIRE_REASON=all answered %q %v", resp.Action, resp.Errors)
		}
		w.slack.Submit(t, requester, viewID, goodFill())
		w.finalView()
	})
	t.Run("approval: not without approval", func(t *testing.T) {
		t.Parallel()
		w := start(t, setup{})
		w.slack.Submit(t, requester, w.openForm(requester, ""), noReason)
		w.finalView()
	})
}

// A form filled in from a message gives the message's link as the reason.
func TestReasonFromAMessageIsItsLink(t *testing.T) {
	t.Parallel()
	w := start(t, approvalSetup())
	asked := w.slack.PostAs(t, "U0AGENT", ticketChannel, "please add jane.doe@acme.com")
	viewID := w.fromMessage(requester, asked)
	want := "https://fake.slack.com/archives/" + ticketChannel + "/p" + strings.ReplaceAll(asked.TS, ".", "")
	if form := viewText(w.slack.View(t, viewID)); !strings.Contains(form, `"initial_value":"`+want+`"`) {
		t.Errorf("the form's reason is not the message's link %s: %s", want, form)
	}
}

func toAny(blocks []map[string]any) []any {
	out := make([]any, len(blocks))
	for i, b := range blocks {
		out[i] = b
	}
	return out
}
