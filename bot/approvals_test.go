package bot_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/bot"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/internal/slacktest"
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

// fullAccessOnlySetup is approvalSetup with APPROVAL_FOR=FULL_ACCESS.
func fullAccessOnlySetup() setup {
	s := approvalSetup()
	s.cfg.ApproveFullAccessOnly = true
	return s
}

// request fills and submits the form and returns the requester's view and the
// approval message's ts.
func (w *world) request(fill slacktest.Fill) (string, string) {
	w.t.Helper()
	viewID := w.openForm(requester, "")
	before := map[string]bool{}
	for _, m := range w.slack.Messages(approvals) {
		before[m.TS] = true
	}
	if resp := w.slack.Submit(w.t, requester, viewID, fill); resp.Action != "update" {
		w.t.Fatalf("submission answered %q %v, want an update", resp.Action, resp.Errors)
	}
	w.slack.WaitUntil(w.t, wait, "the waiting view", func() bool {
		return strings.Contains(viewText(w.slack.View(w.t, viewID)), "waiting for an approver")
	})
	for _, m := range w.slack.Messages(approvals) {
		if !before[m.TS] {
			return viewID, m.TS
		}
	}
	w.t.Fatal("no request in the approval channel")
	return "", ""
}

// onlyRequest waits for the approval channel's one request.
func (w *world) onlyRequest() slacktest.Message {
	w.t.Helper()
	var m slacktest.Message
	w.slack.WaitUntil(w.t, wait, "the request in the approval channel", func() bool {
		if ms := w.slack.Messages(approvals); len(ms) == 1 {
			m = ms[0]
			return true
		}
		return false
	})
	return m
}

// waitMessage waits until the approval message says want.
func (w *world) waitMessage(ts, want string) slacktest.Message {
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

// waitWhisper waits for an ephemeral answer to user in the approval channel
// containing want.
func (w *world) waitWhisper(user, want string) { w.t.Helper(); w.waitWhisperIn(approvals, user, want) }

// waitWhisperIn waits for an ephemeral answer to user in channel containing want.
func (w *world) waitWhisperIn(channel, user, want string) {
	w.t.Helper()
	w.slack.WaitUntil(w.t, wait, "a private answer to "+user+" saying "+want, func() bool {
		for _, text := range w.whispers(channel, user) {
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
func (w *world) deny(user, ts, reason string) slacktest.ViewResponse {
	w.t.Helper()
	click := w.slack.ClickMessage(w.t, user, approvals, ts, modals.ActionDeny)
	denyView := w.slack.WaitView(w.t, click, wait)
	return w.slack.Submit(w.t, user, denyView, slacktest.Fill{modals.BlockDenyReason: reason})
}

func fullAccessFill() slacktest.Fill {
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
	if n := len(w.auditLines()); n != 1 {
		t.Errorf("%d audit lines for one person's refused clicks, want 1: %v", n, w.auditLines())
	}
	if err := w.shutdown(); err != nil {
		t.Fatal(err)
	}
	if v := metric(w.scrape(), `plusvibe_bot_approvals_total{decision="refused"}`); v != 2 {
		t.Errorf("approvals refused = %v, want 2", v)
	}
}

// approve clicks Approve as user and waits for the requester's DM with the
// Create client button, which it returns.
func (w *world) approve(user, ts string) slacktest.Message {
	w.t.Helper()
	w.slack.ClickMessage(w.t, user, approvals, ts, modals.ActionApprove)
	w.waitMessage(ts, "Waiting for <@"+requester+"> to create the client")
	return w.grant()
}

// grant is the requester's DM from the app that carries the Create client button.
func (w *world) grant() slacktest.Message {
	w.t.Helper()
	var dm slacktest.Message
	w.slack.WaitUntil(w.t, wait, "a DM to the requester with a Create client button", func() bool {
		for _, m := range w.slack.Messages("D" + requester) {
			if slices.Contains(m.Buttons(), modals.ActionCollect) {
				dm = m
				return true
			}
		}
		return false
	})
	return dm
}

// waitDM waits until the requester's grant DM says want.
func (w *world) waitDM(dm slacktest.Message, want string) slacktest.Message {
	w.t.Helper()
	w.slack.WaitUntil(w.t, wait, "the requester's DM saying "+want, func() bool {
		return strings.Contains(w.slack.Message(w.t, dm.Channel, dm.TS).Content(), want)
	})
	return w.slack.Message(w.t, dm.Channel, dm.TS)
}

func TestApprovalGrantsAndTheRequesterCollects(t *testing.T) {
	t.Parallel()
	w := start(t, approvalSetup())
	w.slack.SetUsergroup(approverG, groupie)
	viewID, ts := w.request(fullAccessFill())
	dm := w.approve(groupie, ts)

	// Approval creates nothing: it grants, and says so everywhere.
	if n := w.pv.Count("POST", "/client"); n != 0 {
		t.Fatalf("%d POSTs on approval, want 0: the requester may be away", n)
	}
	if m := w.slack.Message(t, approvals, ts); !strings.Contains(m.Content(), "Approved by <@"+groupie+">") || len(m.Buttons()) != 0 {
		t.Errorf("request after approval: %s, buttons %v", m.Content(), m.Buttons())
	}
	if !strings.Contains(dm.Content(), "<@"+groupie+"> approved your request") || !strings.Contains(dm.Content(), "nova.smith@example.com") {
		t.Errorf("grant DM says %s", dm.Content())
	}
	if len(w.slack.Calls("chat.postEphemeral")) != 0 {
		t.Error("something was sent by ephemeral before the requester clicked")
	}
	w.slack.WaitUntil(t, wait, "the requester's modal offering the button", func() bool {
		return strings.Contains(viewText(w.slack.View(t, viewID)), modals.ActionCollect)
	})
	w.waitAudit("*approved*")

	// The requester comes back and clicks.
	click := w.slack.ClickMessage(t, requester, dm.Channel, dm.TS, modals.ActionCollect)
	created := w.waitMessage(ts, "Created by <@"+requester+">")
	clients := w.pv.Clients()
	if len(clients) != 1 || !strings.Contains(created.Content(), clients[0].ID) {
		t.Fatalf("clients %v; the request should name the PlusVibe id: %s", clients, created.Content())
	}
	eph := w.slack.Calls("chat.postEphemeral")
	if len(eph) != 1 || eph[0].Params["channel"] != dm.Channel || eph[0].Params["user"] != requester ||
		!containsAny(eph[0].Params["text"], clients[0].Password) {
		t.Errorf("password deliveries %v, want one ephemeral in the DM clicked in", eph)
	}
	after := w.waitDM(dm, clients[0].ID)
	if slices.Contains(after.Buttons(), modals.ActionCollect) {
		t.Error("the DM still offers Create client after the client was created")
	}
	// The click opened a modal at once, with its trigger; it ends saying where the password went.
	modal := w.slack.WaitView(t, click, wait)
	w.slack.WaitUntil(t, wait, "the click's modal saying created", func() bool {
		return strings.Contains(viewText(w.slack.View(t, modal)), "in your DMs")
	})
	line := w.waitAudit("*created*")
	for _, want := range []string{"<@" + requester + ">", "approved by <@" + groupie + ">", "nova.smith@example.com",
		"Nova Consulting, Zeta Labs", clients[0].ID} {
		if !strings.Contains(line, want) {
			t.Errorf("audit line %q lacks %q", line, want)
		}
	}
	if containsAny(strings.Join(w.auditLines(), "\n")+created.Content()+after.Content(), clients[0].Password) {
		t.Error("the password is in the audit channel, the request or the DM")
	}
	assertLogged(t, w, "collect", "created") // the bot has stopped: every count is in
	w.wantMetrics(map[string]float64{
		`plusvibe_bot_approvals_total{decision="approved"}`:           1,
		`plusvibe_bot_approvals_total{decision="collected"}`:          1,
		`plusvibe_bot_submissions_total{outcome="awaiting_approval"}`: 1,
	})
}

func TestCollectFromTheWaitingModal(t *testing.T) {
	t.Parallel()
	w := start(t, approvalSetup())
	viewID, ts := w.request(goodFill())
	w.approve(approver, ts)
	w.slack.WaitUntil(t, wait, "the requester's modal offering the button", func() bool {
		return strings.Contains(viewText(w.slack.View(t, viewID)), modals.ActionCollect)
	})
	w.slack.Click(t, requester, viewID, modals.ActionCollect)
	w.waitMessage(ts, "Created by")
	w.slack.WaitUntil(t, wait, "the modal saying created", func() bool {
		return strings.Contains(viewText(w.slack.View(t, viewID)), "in your DMs")
	})
	if eph := w.slack.Calls("chat.postEphemeral"); len(eph) != 1 || eph[0].Params["channel"] != "D"+requester {
		t.Errorf("password deliveries %v, want one ephemeral in the requester's DM", eph)
	}
	if n := len(w.slack.Calls("views.open")); n != 1 {
		t.Errorf("%d views opened, want only the form: the click came from the modal", n)
	}
}

func TestCollectFallsBackToTheClicksModal(t *testing.T) {
	t.Parallel()
	w := start(t, approvalSetup())
	_, ts := w.request(goodFill())
	dm := w.approve(approver, ts)
	w.slack.FailNext("chat.postEphemeral", "user_not_in_channel")
	click := w.slack.ClickMessage(t, requester, dm.Channel, dm.TS, modals.ActionCollect)
	modal := w.slack.WaitView(t, click, wait)
	w.waitMessage(ts, "Created by")
	pw := w.pv.Clients()[0].Password
	w.slack.WaitUntil(t, wait, "the password in the click's modal", func() bool {
		return containsAny(viewText(w.slack.View(t, modal)), pw)
	})
	assertLogged(t, w, "collect", "created_shown_in_modal")
}

func TestCollectOnceUnderConcurrentClicks(t *testing.T) {
	t.Parallel()
	w := start(t, approvalSetup())
	hold := make(chan struct{})
	w.pv.Script("POST", "/client", plusvibetest.Response{Hold: hold})
	viewID, ts := w.request(goodFill())

	// Bob double-clicks Approve while Carol clicks too, all on the message as shown.
	seen := w.slack.Message(t, approvals, ts)
	for _, u := range []string{approver, approver, approver2} {
		w.slack.ClickSeen(t, u, seen, modals.ActionApprove)
	}
	dm := w.grant()
	w.slack.WaitUntil(t, wait, "two approve clicks told it is decided", func() bool {
		return len(w.whispers(approvals, approver))+len(w.whispers(approvals, approver2)) == 2
	})
	if n := len(w.slack.Messages("D" + requester)); n != 1 {
		t.Errorf("%d grant DMs, want 1", n)
	}
	w.slack.WaitUntil(t, wait, "the modal offering the button", func() bool {
		return strings.Contains(viewText(w.slack.View(t, viewID)), modals.ActionCollect)
	})

	// 20 clicks at once on Create client: the DM as shown, and the modal.
	view := w.slack.View(t, viewID)
	var clicks []slacktest.Command
	for i := range 20 {
		if i%5 == 4 {
			clicks = append(clicks, w.slack.ClickViewSeen(t, requester, view, modals.ActionCollect))
		} else {
			clicks = append(clicks, w.slack.ClickSeen(t, requester, dm, modals.ActionCollect))
		}
	}
	for _, c := range clicks {
		w.slack.WaitAck(t, c.EnvelopeID, wait)
	}
	w.pv.Next(t, "POST", "/client", wait)
	close(hold)
	w.waitMessage(ts, "Created by")
	w.slack.Resend(t, clicks[0].EnvelopeID) // and Slack delivers one again afterwards
	w.slack.WaitUntil(t, wait, "every other click answered", func() bool {
		n := 0
		for _, text := range w.whispers(dm.Channel, requester) {
			if strings.Contains(text, "being created") || strings.Contains(text, "already created") {
				n++
			}
		}
		return n == 20
	})
	if n := w.pv.Count("POST", "/client"); n != 1 {
		t.Errorf("%d POSTs for 20 clicks and a redelivery, want 1", n)
	}
}

func TestApprovalSurvivesRestart(t *testing.T) {
	t.Parallel()
	w := start(t, approvalSetup())
	_, ts := w.request(goodFill())
	w.restart() // the new process has never seen the request
	dm := w.approve(approver, ts)
	w.restart() // nor the approval
	w.slack.ClickMessage(t, requester, dm.Channel, dm.TS, modals.ActionCollect)
	w.waitMessage(ts, "Created by")
	if c := w.pv.Clients(); len(c) != 1 || c[0].Email != "nova.smith@example.com" || len(c[0].Request.Workspaces) != 2 {
		t.Errorf("created %+v, want the requested client", c)
	}
	w.waitAudit("*created*")
}

func TestStaleDecisionsAfterRestartChangeNothing(t *testing.T) {
	t.Parallel()
	w := start(t, approvalSetup())
	_, denied := w.request(goodFill())
	fill := goodFill()
	fill[modals.BlockEmail] = "second@example.com"
	_, approved := w.request(fill)
	// Carol opens a deny form on the second before Bob approves it.
	click := w.slack.ClickMessage(t, approver2, approvals, approved, modals.ActionDeny)
	denyView := w.slack.WaitView(t, click, wait)
	staleDenied := w.slack.Message(t, approvals, denied) // as Bob's client still shows it
	w.deny(approver2, denied, "No")
	w.waitMessage(denied, "Denied by")
	w.approve(approver, approved)
	w.restart() // forgets every decision

	w.slack.ClickSeen(t, approver, staleDenied, modals.ActionApprove)
	w.waitWhisper(approver, "<@"+approver2+"> already denied this request.")
	resp := w.slack.Submit(t, approver2, denyView, slacktest.Fill{modals.BlockDenyReason: "late"})
	if resp.Action != "errors" || !strings.Contains(resp.Errors[modals.BlockDenyReason], "<@"+approver+"> already approved") {
		t.Errorf("stale deny form answered %q %v, want an error saying it was approved", resp.Action, resp.Errors)
	}
	if m := w.slack.Message(t, approvals, denied); !strings.Contains(m.Content(), "Denied by <@"+approver2+">: No") {
		t.Errorf("a stale approval changed a denied request: %s", m.Content())
	}
	if m := w.slack.Message(t, approvals, approved); strings.Contains(m.Content(), "Denied") || !strings.Contains(m.Content(), "Approved by") {
		t.Errorf("a stale denial changed an approved request: %s", m.Content())
	}
	if n := w.pv.Count("POST", "/client"); n != 0 {
		t.Errorf("%d POSTs", n)
	}
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
	var dm slacktest.Message
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
	w.approve(approver, ts)
	resp := w.slack.Submit(t, approver2, denyView, slacktest.Fill{modals.BlockDenyReason: "no"})
	if resp.Action != "errors" || !strings.Contains(resp.Errors[modals.BlockDenyReason], "already approved") {
		t.Errorf("late denial answered %q %v, want an error saying it was approved", resp.Action, resp.Errors)
	}
	if m := w.slack.Message(t, approvals, ts); strings.Contains(m.Content(), "Denied") {
		t.Error("a late denial overwrote the approval")
	}
}

func TestCollectFailureCanBeRetriedOnce(t *testing.T) {
	t.Parallel()
	w := start(t, approvalSetup())
	w.pv.Script("POST", "/client", plusvibetest.Response{Status: 500})
	_, ts := w.request(goodFill())
	dm := w.approve(approver, ts)
	w.slack.ClickMessage(t, requester, dm.Channel, dm.TS, modals.ActionCollect)
	m := w.waitMessage(ts, "creating the client failed")
	if !strings.Contains(m.Content(), "may have been created") || len(m.Buttons()) != 0 {
		t.Errorf("failed request shows %s with buttons %v, want the reason and no decision buttons", m.Content(), m.Buttons())
	}
	failed := w.waitDM(dm, "may have been created")
	if !slices.Contains(failed.Buttons(), modals.ActionCollect) {
		t.Errorf("the DM offers no way forward: %s", failed.Content())
	}
	w.waitAudit("*failed*")
	// Try again, double-clicked: PlusVibe says the client exists after all.
	// PlusVibe holds its answer until the second click has been answered,
	// so the two clicks overlap however the machine schedules them.
	hold := make(chan struct{})
	w.pv.Script("POST", "/client", plusvibetest.Response{Status: 400, Body: `{"status":"error","message":"Client already exists"}`, Hold: hold})
	a := w.slack.ClickSeen(t, requester, failed, modals.ActionCollect)
	b := w.slack.ClickSeen(t, requester, failed, modals.ActionCollect)
	w.slack.WaitAck(t, a.EnvelopeID, wait)
	w.slack.WaitAck(t, b.EnvelopeID, wait)
	w.waitWhisperIn(dm.Channel, requester, "being created")
	close(hold)
	w.waitDM(dm, "already exists")
	if n := w.pv.Count("POST", "/client"); n != 2 {
		t.Errorf("%d POSTs, want 2 (the failure and one retry)", n)
	}
}

func TestCollectWithoutUsablePasswordIsFinal(t *testing.T) {
	t.Parallel()
	w := start(t, approvalSetup())
	w.pv.Script("POST", "/client", plusvibetest.Response{Status: 200, Body: `{"client_id":"70218d5e05561a3877dcb77f","email":"nova.smith@example.com"}`})
	_, ts := w.request(goodFill())
	dm := w.approve(approver, ts)
	w.slack.ClickMessage(t, requester, dm.Channel, dm.TS, modals.ActionCollect)
	after := w.waitDM(dm, "no usable password")
	if slices.Contains(after.Buttons(), modals.ActionCollect) {
		t.Error("a client that exists is offered again")
	}
	w.waitMessage(ts, "no usable password")
	w.slack.ClickSeen(t, requester, dm, modals.ActionCollect) // a stale button
	w.slack.WaitUntil(t, wait, "the stale click answered", func() bool { return len(w.whispers(dm.Channel, requester)) == 1 })
	if n := w.pv.Count("POST", "/client"); n != 1 {
		t.Errorf("%d POSTs, want 1", n)
	}
}

func TestApprovalForFullAccessOnly(t *testing.T) {
	t.Parallel()
	w := start(t, fullAccessOnlySetup())
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
	w.approve(approver, ts)
}

func TestApprovalChannelNotJoined(t *testing.T) {
	t.Parallel()
	w := start(t, approvalSetup())
	w.slack.SetBotChannels(auditCh)
	viewID := w.openForm(requester, "")
	if resp := w.slack.Submit(t, requester, viewID, goodFill()); resp.Action != "update" {
		t.Fatalf("submission answered %q, want an update", resp.Action)
	}
	w.slack.WaitUntil(t, wait, "the reason and a way to try again", func() bool {
		final := viewText(w.slack.View(t, viewID))
		return strings.Contains(final, "not_in_channel: invite the bot") && strings.Contains(final, modals.ActionRetry)
	})
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

func TestWorstCaseRequestIsPostedAndDeniable(t *testing.T) {
	t.Parallel()
	w := start(t, approvalSetup())
	// Every input at its limit with the characters that grow most when
	// escaped, for JSON and for mrkdwn.
	fill := goodFill()
	fill[modals.BlockEmail] = strings.Repeat("a", 240) + "@example.com"
	fill[modals.BlockFirstName] = strings.Repeat("<", 100)
	fill[modals.BlockLastName] = strings.Repeat(`"`, 100)
	fill[modals.BlockBusinessName] = strings.Repeat("&", 150)
	var labels []string
	for i := range 5 { // five different labels of 99 characters
		labels = append(labels, strings.Repeat("<", 98)+string(rune('a'+i)))
	}
	fill[modals.BlockHideLabels] = strings.Join(labels, ",")
	_, ts := w.request(fill)
	m := w.slack.Message(t, approvals, ts)
	for _, want := range []string{"Unibox only", "Nova Consulting", "Zeta Labs"} {
		if !strings.Contains(m.Content(), want) {
			t.Errorf("approvers do not see %q", want)
		}
	}
	if resp := w.deny(approver, ts, strings.Repeat("<", modals.MaxReasonLen)); resp.Action != "" {
		t.Fatalf("deny form answered %q %v, want it closed", resp.Action, resp.Errors)
	}
	w.waitMessage(ts, "Denied by")
}

func TestCollectAfterTheApprovalExpired(t *testing.T) {
	t.Parallel()
	w := start(t, approvalSetup())
	_, ts := w.request(goodFill())
	w.slack.Backdate(73 * time.Hour) // Slack sent the approval's DM three days ago
	dm := w.approve(approver, ts)
	w.slack.Backdate(0)
	w.slack.ClickMessage(t, requester, dm.Channel, dm.TS, modals.ActionCollect)
	after := w.waitDM(dm, "expired")
	if slices.Contains(after.Buttons(), modals.ActionCollect) {
		t.Error("an expired approval still offers Create client")
	}
	w.waitMessage(ts, "the approval expired")
	line := w.waitAudit("*expired*")
	if !strings.Contains(line, "not created in time") {
		t.Errorf("audit line %q", line)
	}
	w.slack.WaitUntil(t, wait, "the click answered", func() bool { return len(w.whispers(dm.Channel, requester)) == 1 })
	if n := w.pv.Count("POST", "/client"); n != 0 {
		t.Errorf("%d POSTs after the approval expired", n)
	}
	if err := w.shutdown(); err != nil {
		t.Fatal(err)
	}
	if v := metric(w.scrape(), `plusvibe_bot_approvals_total{decision="expired_uncollected"}`); v != 1 {
		t.Errorf("expired_uncollected = %v, want 1", v)
	}
}

func TestSweepClosesLapsedRequestsUnasked(t *testing.T) {
	t.Parallel()
	s := approvalSetup()
	s.cfg.SweepInterval = 20 * time.Millisecond
	w := start(t, s)
	_, approved := w.request(goodFill())
	w.slack.Backdate(73 * time.Hour)
	dm := w.approve(approver, approved)
	fill := goodFill()
	fill[modals.BlockEmail] = "second@example.com"
	_, undecided := w.request(fill) // posted "three days ago"
	w.slack.Backdate(0)

	w.waitDM(dm, "expired")
	w.waitMessage(approved, "the approval expired")
	w.waitMessage(undecided, "nobody decided in time")
	w.slack.WaitUntil(t, wait, "the requester told their request expired", func() bool {
		for _, m := range w.slack.Messages("D" + requester) {
			if strings.Contains(m.Text, "second@example.com") && strings.Contains(m.Text, "expired") {
				return true
			}
		}
		return false
	})
	w.slack.WaitUntil(t, wait, "two expiry audit lines", func() bool {
		return strings.Count(strings.Join(w.auditLines(), "\n"), "*expired*") == 2
	})
	if m := w.slack.Message(t, approvals, undecided); len(m.Buttons()) != 0 {
		t.Errorf("an expired request still has buttons %v", m.Buttons())
	}
}

func TestCollectRefusedOnceNoLongerAllowed(t *testing.T) {
	t.Parallel()
	w := start(t, approvalSetup())
	_, ts := w.request(goodFill())
	dm := w.approve(approver, ts)
	w.setup.cfg.AllowedUsers = []string{outsider} // the admin took the requester off the list
	w.restart()
	w.slack.ClickMessage(t, requester, dm.Channel, dm.TS, modals.ActionCollect)
	w.waitWhisperIn(dm.Channel, requester, "no longer on the list")
	w.waitAudit("*refused*")
	if n := w.pv.Count("POST", "/client"); n != 0 {
		t.Errorf("%d POSTs for a requester no longer allowed", n)
	}
	if m := w.slack.Message(t, approvals, ts); !strings.Contains(m.Content(), "Waiting for <@"+requester+">") {
		t.Errorf("a refused click changed the request: %s", m.Content())
	}
}

func TestDrainTimeoutMidCreationSaysMayHaveBeenCreated(t *testing.T) {
	t.Parallel()
	s := approvalSetup()
	s.cfg.DrainTimeout = 50 * time.Millisecond
	w := start(t, s)
	hold := make(chan struct{})
	defer close(hold)
	w.pv.Script("POST", "/client", plusvibetest.Response{Hold: hold}) // PlusVibe never answers in time
	_, ts := w.request(goodFill())
	dm := w.approve(approver, ts)
	w.slack.ClickMessage(t, requester, dm.Channel, dm.TS, modals.ActionCollect)
	w.pv.Next(t, "POST", "/client", wait)
	if err := w.shutdown(); err != nil { // SIGTERM: the drain gives up on the creation
		t.Fatal(err)
	}
	for what, text := range map[string]string{
		"the request": w.slack.Message(t, approvals, ts).Content(),
		"the DM":      w.slack.Message(t, dm.Channel, dm.TS).Content(),
		"the audit":   strings.Join(w.auditLines(), "\n"),
	} {
		if !strings.Contains(text, "may have been created") {
			t.Errorf("%s does not say the client may have been created: %s", what, text)
		}
	}
	if !slices.Contains(w.slack.Message(t, dm.Channel, dm.TS).Buttons(), modals.ActionCollect) {
		t.Error("the DM offers no way forward after the interrupted creation")
	}
}

// crashedWhileCreating stops the bot as a crash would after it said
// "creating…" an hour ago: the request's message says so still. Then a new
// process starts.
func (w *world) crashedWhileCreating(ts string) {
	w.t.Helper()
	w.shutdown()
	m := w.slack.Message(w.t, approvals, ts)
	record := m.Metadata["event_payload"].(map[string]any)
	record["state"], record["since"] = "creating", time.Now().Add(-time.Hour).Unix()
	w.slack.Rewrite(w.t, approvals, ts, m.Metadata)
	w.launch()
}

func TestInterruptedCreationIsMarkedBySweep(t *testing.T) {
	t.Parallel()
	s := approvalSetup()
	s.cfg.SweepInterval = 20 * time.Millisecond
	s.cfg.CreationBound = time.Nanosecond // every creation older than now
	w := start(t, s)
	_, ts := w.request(goodFill())
	dm := w.approve(approver, ts)
	w.crashedWhileCreating(ts)
	w.waitMessage(ts, "may have been created")
	after := w.waitDM(dm, "may have been created")
	if !slices.Contains(after.Buttons(), modals.ActionCollect) {
		t.Error("the DM offers no way forward")
	}
}

func TestRequestPostedByThePreviousVersionIsDecided(t *testing.T) {
	t.Parallel()
	w := start(t, approvalSetup())
	// As the previous version posted it: no metadata, the request in the buttons.
	value := `{"u":"` + requester + `","c":"` + slacktest.CommandChannel + `","f":{"e":"old@example.com","f":"Old","l":"Timer","b":"Old Ltd","w":["` +
		plusvibetest.DefaultWorkspaces[1].ID + `"],"p":"UNIBOX_FULL_ACCESS"}}`
	api := slack.New(w.slack.BotToken, slack.OptionAPIURL(w.slack.APIURL()))
	_, ts, err := api.PostMessage(approvals, slack.MsgOptionText("Alice asks for a PlusVibe client", false),
		slack.MsgOptionBlocks(slack.NewActionBlock("decision",
			slack.NewButtonBlockElement(modals.ActionApprove, value, slack.NewTextBlockObject("plain_text", "Approve", false, false)),
			slack.NewButtonBlockElement(modals.ActionDeny, value, slack.NewTextBlockObject("plain_text", "Deny", false, false)))))
	if err != nil {
		t.Fatal(err)
	}
	dm := w.approve(approver, ts)
	w.slack.ClickMessage(t, requester, dm.Channel, dm.TS, modals.ActionCollect)
	w.waitMessage(ts, "Created by")
	if c := w.pv.Clients(); len(c) != 1 || c[0].Email != "old@example.com" {
		t.Errorf("created %+v, want the old request's client", c)
	}
}

func TestCollectBeforeTheApprovalIsRecordedCreatesNothing(t *testing.T) {
	t.Parallel()
	w := start(t, approvalSetup())
	_, ts := w.request(goodFill())
	// The grant DM is out, but recording the approval in the request hangs.
	hang := make(chan struct{})
	w.slack.FaultNext("chat.update", slacktest.Fault{Hang: hang})
	w.slack.ClickMessage(t, approver, approvals, ts, modals.ActionApprove)
	dm := w.grant()
	w.slack.ClickMessage(t, requester, dm.Channel, dm.TS, modals.ActionCollect)
	w.waitWhisperIn(dm.Channel, requester, "not approved yet")
	if n := w.pv.Count("POST", "/client"); n != 0 {
		t.Fatalf("%d POSTs for a request whose approval is not recorded", n)
	}
	close(hang)
	w.waitMessage(ts, "Waiting for <@"+requester+"> to create the client")
	w.slack.ClickMessage(t, requester, dm.Channel, dm.TS, modals.ActionCollect) // now it is
	w.waitMessage(ts, "Created by")
	if n := w.pv.Count("POST", "/client"); n != 1 {
		t.Errorf("%d POSTs, want 1", n)
	}
}

// forge copies the request at ts, buttons and metadata and all, into a
// message posted by someone other than the app (by.User or by.BotID).
func (w *world) forge(ts string, by slacktest.Message) slacktest.Message {
	w.t.Helper()
	m := w.slack.Message(w.t, approvals, ts)
	by.Channel, by.Text, by.Blocks, by.Metadata = approvals, m.Text, m.Blocks, m.Metadata
	return w.slack.PostOther(w.t, by)
}

// lookAlikes are who, besides the app, can post in the approval channel.
var lookAlikes = []slacktest.Message{{BotID: "B0OTHER", User: "U0OTHERBOT"}, {User: outsider}}

// A request posted by another app or a person, however alike, is not the
// bot's: the sweep neither closes it nor tells its "requester".
func TestSweepLeavesLookAlikesAlone(t *testing.T) {
	t.Parallel()
	s := approvalSetup()
	s.cfg.SweepInterval = 20 * time.Millisecond
	w := start(t, s)
	_, genuine := w.request(goodFill())
	w.slack.Backdate(74 * time.Hour) // past its time, were it the bot's
	var forged []string
	for _, by := range lookAlikes {
		forged = append(forged, w.forge(genuine, by).TS)
	}
	w.slack.Backdate(73 * time.Hour)
	fill := goodFill()
	fill[modals.BlockEmail] = "lapsed@example.com"
	_, lapsed := w.request(fill)
	w.slack.Backdate(0)

	w.waitMessage(lapsed, "nobody decided in time")
	// The sweep that closed it may still be going: wait for one whole sweep more.
	n := len(w.slack.Calls("conversations.history"))
	w.slack.WaitUntil(t, wait, "one more whole sweep", func() bool { return len(w.slack.Calls("conversations.history")) >= n+2 })
	for _, c := range w.slack.Calls("chat.update") {
		if slices.Contains(forged, c.Params["ts"]) {
			t.Errorf("the sweep updated a look-alike posted by someone else (ts %s)", c.Params["ts"])
		}
	}
	for _, m := range w.slack.Messages("D" + requester) {
		if strings.Contains(m.Text, "nova.smith@example.com") && strings.Contains(m.Text, "expired") {
			t.Errorf("the requester was told a look-alike expired: %s", m.Text)
		}
	}
	if n := strings.Count(strings.Join(w.auditLines(), "\n"), "*expired*"); n != 1 {
		t.Errorf("%d expiry audit lines, want 1: the bot's own lapsed request", n)
	}
}

// An Approve click on a look-alike is refused and does nothing else: no
// grant, no DM, no update.
func TestApprovingALookAlikeRefused(t *testing.T) {
	t.Parallel()
	w := start(t, approvalSetup())
	_, genuine := w.request(goodFill())
	for i, by := range lookAlikes {
		forged := w.forge(genuine, by)
		posts, updates := len(w.slack.Calls("chat.postMessage")), len(w.slack.Calls("chat.update"))
		w.slack.ClickMessage(t, approver, approvals, forged.TS, modals.ActionApprove)
		w.logs.waitFor(t, `"outcome":"unreadable"`, i+1) // the click's one log line: it is over
		if told := w.whispers(approvals, approver); len(told) != i+1 || !strings.Contains(told[i], "can't be read") {
			t.Errorf("the approver was told %q, want that it can't be read", told)
		}
		if p, u := len(w.slack.Calls("chat.postMessage")), len(w.slack.Calls("chat.update")); p != posts || u != updates {
			t.Errorf("approving a look-alike posted %d messages and made %d updates, want none", p-posts, u-updates)
		}
	}
	if n := w.pv.Count("POST", "/client"); n != 0 {
		t.Errorf("%d clients created", n)
	}
}
