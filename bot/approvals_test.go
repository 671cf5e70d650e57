package bot_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/bot"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/bot/fakeslack"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe/plusvibetest"
)

const (
	approvals = "C0APPROVALS"
	auditCh   = "C0AUDIT"
	approver  = "U0BOB"
	approver2 = "U0CAROL"
	groupie   = "U0DAVE" // an approver through the user group
	approverG = "S0APPROVERS"
)

// approvalSetup holds every request for approval; the requester is an
// approver too, which four eyes must not let count.
func approvalSetup() setup {
	return setup{cfg: bot.Config{
		ApprovalChannel:    approvals,
		Approvers:          []string{requester, approver, approver2},
		ApproverUsergroups: []string{approverG},
		AuditChannel:       auditCh,
	}}
}

// request fills and submits the form and returns the requester's view and the
// approval message's ts.
func (w *world) request(fill fakeslack.Fill) (string, string) {
	w.t.Helper()
	viewID := w.openForm(requester, "")
	if resp := w.slack.Submit(w.t, requester, viewID, fill); resp.Action != "update" {
		w.t.Fatalf("submission answered %q, want an update", resp.Action)
	}
	w.slack.WaitUntil(w.t, wait, "the waiting view", func() bool {
		return strings.Contains(viewText(w.slack.View(w.t, viewID)), "waiting for an approver")
	})
	msgs := w.slack.Messages(approvals)
	if len(msgs) == 0 {
		w.t.Fatal("no request in the approval channel")
	}
	return viewID, msgs[len(msgs)-1].TS
}

// waitMessage waits until the approval message says want.
func (w *world) waitMessage(ts, want string) fakeslack.Message {
	w.t.Helper()
	w.slack.WaitUntil(w.t, wait, "approval message saying "+want, func() bool {
		return strings.Contains(w.slack.Message(w.t, approvals, ts).Content(), want)
	})
	return w.slack.Message(w.t, approvals, ts)
}

// whispers returns the ephemeral messages user got in channel.
func (w *world) whispers(channel, user string) []string {
	var out []string
	for _, c := range w.slack.Calls("chat.postEphemeral") {
		if c.Params["channel"] == channel && c.Params["user"] == user {
			out = append(out, c.Params["text"])
		}
	}
	return out
}

// waitWhisper waits for an ephemeral answer to user containing want.
func (w *world) waitWhisper(user, want string) {
	w.t.Helper()
	w.slack.WaitUntil(w.t, wait, "a private answer to "+user+" saying "+want, func() bool {
		for _, text := range w.whispers(approvals, user) {
			if strings.Contains(text, want) {
				return true
			}
		}
		return false
	})
}

func (w *world) auditLines() []string {
	var out []string
	for _, m := range w.slack.Messages(auditCh) {
		out = append(out, m.Text)
	}
	return out
}

func (w *world) waitAudit(want string) string {
	w.t.Helper()
	var line string
	w.slack.WaitUntil(w.t, wait, "an audit line with "+want, func() bool {
		for _, l := range w.auditLines() {
			if strings.Contains(l, want) {
				line = l
				return true
			}
		}
		return false
	})
	return line
}

// deny clicks Deny as user and sends the deny form with reason.
func (w *world) deny(user, ts, reason string) fakeslack.ViewResponse {
	w.t.Helper()
	click := w.slack.ClickMessage(w.t, user, approvals, ts, modals.ActionDeny)
	denyView := w.slack.WaitView(w.t, click, wait)
	return w.slack.Submit(w.t, user, denyView, fakeslack.Fill{modals.BlockDenyReason: reason})
}

func fullAccessFill() fakeslack.Fill {
	f := goodFill()
	f[modals.BlockPermission] = "Full access"
	return f
}

func TestApprovalRequestWaitsAndCreatesNothing(t *testing.T) {
	t.Parallel()
	w := start(t, approvalSetup())
	viewID := w.openForm(requester, "")
	if form := viewText(w.slack.View(t, viewID)); !strings.Contains(form, "wait for an approver in \\u003c#"+approvals) &&
		!strings.Contains(form, "wait for an approver in <#"+approvals) {
		t.Errorf("the form does not say the request will wait for approval: %s", form)
	}
	w.slack.Submit(t, requester, viewID, fullAccessFill())
	w.slack.WaitUntil(t, wait, "the waiting view", func() bool {
		return strings.Contains(viewText(w.slack.View(t, viewID)), "waiting for an approver")
	})
	msgs := w.slack.Messages(approvals)
	if len(msgs) != 1 {
		t.Fatalf("%d messages in the approval channel, want 1", len(msgs))
	}
	m := msgs[0]
	for _, want := range []string{"<@" + requester + ">", "Nova", "Smith", "nova.smith@example.com", "Nova Consulting Ltd",
		"Nova Consulting", "Zeta Labs", "Full access", "NOT_INTERESTED, DO_NOT_CONTACT"} {
		if !strings.Contains(m.Content(), want) {
			t.Errorf("request message lacks %q: %s", want, m.Content())
		}
	}
	if got := m.Buttons(); len(got) != 2 || got[0] != modals.ActionApprove || got[1] != modals.ActionDeny {
		t.Errorf("buttons %v, want Approve and Deny", got)
	}
	waiting := viewText(w.slack.View(t, viewID))
	if !strings.Contains(waiting, "https://fake.slack.com/archives/"+approvals+"/p"+strings.ReplaceAll(m.TS, ".", "")) {
		t.Errorf("the waiting view does not link to the request: %s", waiting)
	}
	if n := w.pv.Count("POST", "/client"); n != 0 {
		t.Errorf("%d POSTs before approval, want 0", n)
	}
	assertLogged(t, w, "submit", "awaiting_approval")
}

func TestSelfApprovalRefused(t *testing.T) {
	t.Parallel()
	w := start(t, approvalSetup())
	_, ts := w.request(goodFill())
	w.slack.ClickMessage(t, requester, approvals, ts, modals.ActionApprove)
	w.waitWhisper(requester, "someone else has to approve")
	w.slack.ClickMessage(t, requester, approvals, ts, modals.ActionDeny)
	w.waitWhisper(requester, "someone else has to approve or deny")
	w.waitAudit("refused")
	m := w.slack.Message(t, approvals, ts)
	if m.Edits != 0 || len(m.Buttons()) != 2 {
		t.Errorf("a refused click changed the request: %d edits, buttons %v", m.Edits, m.Buttons())
	}
	if n := w.pv.Count("POST", "/client"); n != 0 || len(w.slack.Calls("views.open")) != 1 {
		t.Errorf("%d POSTs and %d views opened, want none beyond the form", n, len(w.slack.Calls("views.open"))-1)
	}
}

func TestNonApproverRefused(t *testing.T) {
	t.Parallel()
	w := start(t, approvalSetup())
	w.slack.SetUsergroup(approverG, groupie)
	_, ts := w.request(goodFill())
	w.slack.ClickMessage(t, outsider, approvals, ts, modals.ActionApprove)
	w.waitWhisper(outsider, "Only approvers")
	w.slack.ClickMessage(t, outsider, approvals, ts, modals.ActionDeny)
	w.slack.WaitUntil(t, wait, "a second refusal", func() bool { return len(w.whispers(approvals, outsider)) == 2 })
	line := w.waitAudit("refused")
	if !strings.Contains(line, "<@"+outsider+">") || !strings.Contains(line, "nova.smith@example.com") {
		t.Errorf("audit line %q does not say who was refused for what", line)
	}
	if m := w.slack.Message(t, approvals, ts); m.Edits != 0 || len(m.Buttons()) != 2 {
		t.Errorf("a refused click changed the request")
	}
	if n := w.pv.Count("POST", "/client"); n != 0 || len(w.slack.Calls("views.open")) != 1 {
		t.Errorf("a non-approver's click created a client or opened a form")
	}
	if err := w.shutdown(); err != nil {
		t.Fatal(err)
	}
	if v := metric(w.scrape(), `plusvibe_bot_approvals_total{decision="refused"}`); v != 2 {
		t.Errorf("approvals refused = %v, want 2", v)
	}
}

func TestApproverThroughUsergroupCreates(t *testing.T) {
	t.Parallel()
	w := start(t, approvalSetup())
	w.slack.SetUsergroup(approverG, groupie)
	viewID, ts := w.request(fullAccessFill())
	w.slack.ClickMessage(t, groupie, approvals, ts, modals.ActionApprove)
	m := w.waitMessage(ts, "Client created")
	if !strings.Contains(m.Content(), "Approved by <@"+groupie+">") || len(m.Buttons()) != 0 {
		t.Errorf("message after approval: %s, buttons %v", m.Content(), m.Buttons())
	}
	clients := w.pv.Clients()
	if len(clients) != 1 || !strings.Contains(m.Content(), clients[0].ID) {
		t.Fatalf("clients %v; message should name the PlusVibe id", clients)
	}
	// The password goes to the requester, as without approval.
	eph := w.slack.Calls("chat.postEphemeral")
	if len(eph) != 1 || eph[0].Params["channel"] != "D"+requester || eph[0].Params["user"] != requester ||
		!containsAny(eph[0].Params["text"], clients[0].Password) {
		t.Errorf("password deliveries %v, want one to the requester's DM", eph)
	}
	w.slack.WaitUntil(t, wait, "the requester's modal saying created", func() bool {
		return strings.Contains(viewText(w.slack.View(t, viewID)), "created")
	})
	line := w.waitAudit("created")
	if containsAny(strings.Join(w.auditLines(), "\n")+m.Content(), clients[0].Password) {
		t.Error("the password is in the audit channel or the request message")
	}
	for _, want := range []string{"<@" + requester + ">", "approved by <@" + groupie + ">", "nova.smith@example.com",
		"Nova Consulting Ltd", "Nova Consulting, Zeta Labs", clients[0].ID} {
		if !strings.Contains(line, want) {
			t.Errorf("audit line %q lacks %q", line, want)
		}
	}
	assertLogged(t, w, "approve", "created") // the bot has stopped: every count is in
	if v := metric(w.scrape(), `plusvibe_bot_approvals_total{decision="approved"}`); v != 1 {
		t.Errorf("approvals approved = %v, want 1", v)
	}
	if v := metric(w.scrape(), `plusvibe_bot_submissions_total{outcome="awaiting_approval"}`); v != 1 {
		t.Errorf("submissions awaiting approval = %v, want 1", v)
	}
}

func TestApprovalCreatesOnceUnderDoubleAndConcurrentClicks(t *testing.T) {
	t.Parallel()
	w := start(t, approvalSetup())
	hold := make(chan struct{})
	w.pv.Script("POST", "/client", plusvibetest.Response{Hold: hold})
	_, ts := w.request(goodFill())

	// Bob double-clicks while Carol clicks too: all three on the message as
	// their clients show it, before any answer changes it.
	seen := w.slack.Message(t, approvals, ts)
	var clicks []fakeslack.Command
	for _, u := range []string{approver, approver, approver2} {
		clicks = append(clicks, w.slack.ClickSeen(t, u, seen, modals.ActionApprove))
	}
	for _, c := range clicks {
		w.slack.WaitAck(t, c.EnvelopeID, wait)
	}
	w.pv.Next(t, "POST", "/client", wait)
	w.slack.WaitUntil(t, wait, "two clicks told someone is deciding", func() bool {
		return len(w.whispers(approvals, approver))+len(w.whispers(approvals, approver2)) == 2
	})
	close(hold)
	w.waitMessage(ts, "Client created")
	// Slack delivers one click again after the outcome.
	w.slack.Resend(t, clicks[0].EnvelopeID)
	w.slack.WaitUntil(t, wait, "the redelivered click answered", func() bool {
		return len(w.whispers(approvals, approver))+len(w.whispers(approvals, approver2)) == 3
	})
	if n := w.pv.Count("POST", "/client"); n != 1 {
		t.Errorf("%d POSTs, want 1", n)
	}
	if n := len(w.slack.Calls("chat.postEphemeral")) - 3; n != 1 {
		t.Errorf("%d password deliveries, want 1", n)
	}
}

func TestApprovalSurvivesRestart(t *testing.T) {
	t.Parallel()
	w := start(t, approvalSetup())
	_, ts := w.request(goodFill())
	w.restart() // the new process has never seen the request
	w.slack.ClickMessage(t, approver, approvals, ts, modals.ActionApprove)
	w.waitMessage(ts, "Client created")
	if c := w.pv.Clients(); len(c) != 1 || c[0].Email != "nova.smith@example.com" || len(c[0].Request.Workspaces) != 2 {
		t.Errorf("created %+v, want the requested client", c)
	}
	w.waitAudit("created")
}

func TestExpiredRequestRefused(t *testing.T) {
	t.Parallel()
	w := start(t, approvalSetup())
	w.slack.Backdate(73 * time.Hour) // Slack stored the request three days ago
	_, ts := w.request(goodFill())
	w.slack.Backdate(0)
	w.slack.ClickMessage(t, approver, approvals, ts, modals.ActionApprove)
	w.waitWhisper(approver, "older than 3 days and can no longer be approved")
	m := w.waitMessage(ts, "Expired")
	if len(m.Buttons()) != 0 {
		t.Errorf("an expired request still has buttons %v", m.Buttons())
	}
	if n := w.pv.Count("POST", "/client"); n != 0 {
		t.Errorf("%d POSTs for an expired request", n)
	}
	w.waitAudit("refused")
}

func TestDenialWithReasonReachesRequester(t *testing.T) {
	t.Parallel()
	w := start(t, approvalSetup())
	viewID, ts := w.request(goodFill())
	if resp := w.deny(approver, ts, "Already has a login"); resp.Action != "" {
		t.Fatalf("deny form answered %q, want it closed", resp.Action)
	}
	m := w.waitMessage(ts, "Denied by <@"+approver+">: Already has a login")
	if len(m.Buttons()) != 0 {
		t.Errorf("a denied request still has buttons")
	}
	var dm fakeslack.Message
	w.slack.WaitUntil(t, wait, "a DM to the requester", func() bool {
		msgs := w.slack.Messages("D" + requester)
		if len(msgs) > 0 {
			dm = msgs[0]
		}
		return len(msgs) > 0
	})
	if !strings.Contains(dm.Text, "denied") || !strings.Contains(dm.Text, "Already has a login") {
		t.Errorf("requester was told %q", dm.Text)
	}
	w.slack.WaitUntil(t, wait, "the requester's modal saying denied", func() bool {
		return strings.Contains(viewText(w.slack.View(t, viewID)), "denied")
	})
	line := w.waitAudit("denied")
	if !strings.Contains(line, "denied by <@"+approver+">") || !strings.Contains(line, "Already has a login") {
		t.Errorf("audit line %q", line)
	}
	if n := w.pv.Count("POST", "/client"); n != 0 {
		t.Errorf("%d POSTs for a denied request", n)
	}
}

func TestSecondDecisionRefused(t *testing.T) {
	t.Parallel()
	w := start(t, approvalSetup())
	_, ts := w.request(goodFill())
	// Carol opens the deny form, then Bob approves before she sends it.
	click := w.slack.ClickMessage(t, approver2, approvals, ts, modals.ActionDeny)
	denyView := w.slack.WaitView(t, click, wait)
	w.slack.ClickMessage(t, approver, approvals, ts, modals.ActionApprove)
	w.waitMessage(ts, "Client created")
	resp := w.slack.Submit(t, approver2, denyView, fakeslack.Fill{modals.BlockDenyReason: "no"})
	if resp.Action != "errors" || !strings.Contains(resp.Errors[modals.BlockDenyReason], "already approved") {
		t.Errorf("late denial answered %q %v, want an error saying it was approved", resp.Action, resp.Errors)
	}
	if m := w.slack.Message(t, approvals, ts); strings.Contains(m.Content(), "Denied") {
		t.Error("a late denial overwrote the approval")
	}
}

func TestApprovalFailureCanBeRetriedOnce(t *testing.T) {
	t.Parallel()
	w := start(t, approvalSetup())
	w.pv.Script("POST", "/client", plusvibetest.Response{Status: 401})
	viewID, ts := w.request(goodFill())
	w.slack.ClickMessage(t, approver, approvals, ts, modals.ActionApprove)
	m := w.waitMessage(ts, "creating the client failed")
	if !strings.Contains(m.Content(), "API key") || len(m.Buttons()) != 2 {
		t.Errorf("failed request shows %s with buttons %v, want the reason and Try again / Deny", m.Content(), m.Buttons())
	}
	w.slack.WaitUntil(t, wait, "the requester's modal saying it failed", func() bool {
		return strings.Contains(viewText(w.slack.View(t, viewID)), "failed")
	})
	w.waitAudit("failed")
	// Try again, double-clicked.
	failed := w.slack.Message(t, approvals, ts)
	a := w.slack.ClickSeen(t, approver2, failed, modals.ActionApprove)
	b := w.slack.ClickSeen(t, approver2, failed, modals.ActionApprove)
	w.slack.WaitAck(t, a.EnvelopeID, wait)
	w.slack.WaitAck(t, b.EnvelopeID, wait)
	w.waitMessage(ts, "Client created")
	w.slack.WaitUntil(t, wait, "the second click answered", func() bool { return len(w.whispers(approvals, approver2)) == 1 })
	if n := w.pv.Count("POST", "/client"); n != 2 {
		t.Errorf("%d POSTs, want 2 (the failure and one retry)", n)
	}
	if len(w.pv.Clients()) != 1 {
		t.Errorf("%d clients, want 1", len(w.pv.Clients()))
	}
}

func TestApprovalForFullAccessOnly(t *testing.T) {
	t.Parallel()
	s := approvalSetup()
	s.cfg.ApproveFullAccessOnly = true
	w := start(t, s)
	viewID := w.openForm(requester, "")
	if !strings.Contains(viewText(w.slack.View(t, viewID)), "created at once") {
		t.Error("the form does not say which requests wait")
	}
	w.slack.Submit(t, requester, viewID, goodFill()) // Unibox only
	w.finalView()
	if n := w.pv.Count("POST", "/client"); n != 1 || len(w.slack.Messages(approvals)) != 0 {
		t.Errorf("Unibox only: %d POSTs and %d approval requests, want 1 and 0", n, len(w.slack.Messages(approvals)))
	}
	w.waitAudit("created")

	fill := fullAccessFill()
	fill[modals.BlockEmail] = "second@example.com"
	_, ts := w.request(fill)
	if n := w.pv.Count("POST", "/client"); n != 1 {
		t.Errorf("Full access was created before approval")
	}
	w.slack.ClickMessage(t, approver, approvals, ts, modals.ActionApprove)
	w.waitMessage(ts, "Client created")
}

func TestApprovalChannelNotJoined(t *testing.T) {
	t.Parallel()
	w := start(t, approvalSetup())
	w.slack.SetBotChannels(auditCh)
	viewID := w.openForm(requester, "")
	if resp := w.slack.Submit(t, requester, viewID, goodFill()); resp.Action != "update" {
		t.Fatalf("submission answered %q, want an update", resp.Action)
	}
	final := viewText(w.slack.View(t, viewID))
	if !strings.Contains(final, "not_in_channel: invite the bot") || !strings.Contains(final, modals.ActionRetry) {
		t.Errorf("requester sees %s, want the reason and a way to try again", final)
	}
	if n := w.pv.Count("POST", "/client"); n != 0 {
		t.Errorf("%d POSTs", n)
	}
}

func TestApprovalEscapesEverythingTyped(t *testing.T) {
	t.Parallel()
	w := start(t, approvalSetup())
	evil := "<!channel> <@U0EVE> *x*"
	fill := goodFill()
	fill[modals.BlockFirstName] = evil
	fill[modals.BlockLastName] = "<!here>"
	fill[modals.BlockBusinessName] = "<!everyone> & co"
	fill[modals.BlockHideLabels] = "<!subteam^S1>, <https://evil.example|click>"
	_, ts := w.request(fill)
	w.deny(approver, ts, "<!channel> nope")
	w.waitAudit("denied")
	w.slack.WaitUntil(t, wait, "the requester told", func() bool { return len(w.slack.Messages("D"+requester)) == 1 })

	// What Slack renders: message text, and every text object of blocks and
	// views (button values and private_metadata are never shown).
	for _, c := range w.slack.Calls("") {
		shown := []string{c.Params["text"]}
		for _, k := range []string{"blocks", "view"} {
			var v any
			if json.Unmarshal([]byte(c.Params[k]), &v) == nil {
				shown = append(shown, texts(v)...)
			}
		}
		for _, text := range shown {
			for _, bad := range []string{"<!channel>", "<!here>", "<!everyone>", "<!subteam", "<https://evil", "<@U0EVE>"} {
				if strings.Contains(text, bad) {
					t.Errorf("%s shows unescaped %s in %q", c.Method, bad, text)
				}
			}
		}
	}
	if m := w.slack.Message(t, approvals, ts); !strings.Contains(m.Content(), "&lt;!channel&gt; &lt;@U0EVE&gt; *x*") {
		t.Errorf("the request does not show the name as typed: %s", m.Content())
	}
}

// texts collects the "text" strings of decoded Block Kit JSON.
func texts(v any) []string {
	var out []string
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if s, isString := e.(string); isString && k == "text" {
				out = append(out, s)
			} else {
				out = append(out, texts(e)...)
			}
		}
	case []any:
		for _, e := range x {
			out = append(out, texts(e)...)
		}
	}
	return out
}

func TestApprovalTooLargeForAButton(t *testing.T) {
	t.Parallel()
	w := start(t, approvalSetup())
	viewID := w.openForm(requester, "")
	// Quotes take two characters each once encoded: within every input's
	// limit, the whole request no longer fits Slack's 2,000 for a button value.
	q := func(n int) string { return strings.Repeat(`"`, n) }
	fill := goodFill()
	fill[modals.BlockEmail] = strings.Repeat("a", 240) + "@example.com"
	fill[modals.BlockFirstName], fill[modals.BlockLastName], fill[modals.BlockBusinessName] = q(100), q(100), q(150)
	fill[modals.BlockHideLabels] = strings.Join([]string{q(99), q(99), q(99), q(99), q(99)}, ",")
	resp := w.slack.Submit(t, requester, viewID, fill)
	if resp.Action != "errors" || !strings.Contains(resp.Errors[modals.BlockHideLabels], "too long to send for approval") {
		t.Fatalf("answered %q %v, want an error under the labels", resp.Action, resp.Errors)
	}
	if n := len(w.slack.Messages(approvals)); n != 0 {
		t.Errorf("%d requests posted", n)
	}
	// Shortened, the same form goes through.
	fill[modals.BlockHideLabels] = "NOT_INTERESTED"
	w.request(fill)
}
