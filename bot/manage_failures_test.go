package bot_test

import (
	"strings"
	"testing"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/bot"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/internal/slacktest"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe/plusvibetest"
)

// Failures of edits, removals and reads speak of what was asked, say how to
// check when PlusVibe may have acted, and show PlusVibe's own words escaped.
func TestManageFailuresSpeakOfTheirOperation(t *testing.T) {
	t.Parallel()
	w := start(t, setup{cfg: bot.Config{AuditChannel: auditCh}})
	w.jane()
	answer := w.find(requester, "jane")

	viewID := w.openFromFind(answer, modals.ActionRemove, "Type the client's email")
	w.pv.Script("DELETE", "/client", plusvibetest.Response{Status: 500})
	w.slack.Submit(t, requester, viewID, slacktest.Fill{modals.BlockConfirmEmail: "jane.doe@acme.com"})
	removal := w.waitView(viewID, "may or may not have been removed")
	if !strings.Contains(removal, "/plusvibe-client find jane.doe@acme.com") || strings.Contains(removal, "creat") {
		t.Errorf("a removal answered 500 says %s", removal)
	}

	viewID = w.openFromFind(answer, modals.ActionEditAccess, modals.BlockWorkspacePermission(nova.ID))
	w.pv.Script("PUT", "/client", plusvibetest.Response{Status: 400, Body: `{"status":"error","message":"<!channel> refused & gone"}`})
	w.slack.Submit(t, requester, viewID, slacktest.Fill{modals.BlockWorkspacePermission(nova.ID): "Full access"})
	edit := w.waitView(viewID, "so nothing was changed")
	if !strings.Contains(edit, "&lt;!channel&gt; refused &amp; gone") || strings.Contains(edit, "<!channel>") {
		t.Errorf("PlusVibe's words are not escaped: %s", edit)
	}

	// Longer than the bot waits: answered at once.
	w.pv.Script("GET", "/client/", plusvibetest.Response{Status: 429, RetryAfter: "120"})
	w.slack.SendCommand(t, requester, slacktest.DefaultCommand, "find nobody-cached")
	w.slack.WaitUntil(t, wait, "the find's failure", func() bool {
		for _, c := range w.slack.Calls("response_url") {
			if strings.Contains(c.Params["text"], "so the client list could not be read") {
				return !strings.Contains(c.Params["text"], "creat")
			}
		}
		return false
	})
}

// waitView waits until the view says want, and returns its text.
func (w *world) waitView(viewID, want string) string {
	w.t.Helper()
	w.slack.WaitUntil(w.t, wait, "the modal saying "+want, func() bool {
		return strings.Contains(slacktest.ViewText(w.slack.View(w.t, viewID)), want)
	})
	return slacktest.ViewText(w.slack.View(w.t, viewID))
}
