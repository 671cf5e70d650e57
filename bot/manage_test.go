package bot_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/bot"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/internal/slacktest"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe/plusvibetest"
)

func perm(ws plusvibe.Workspace, p string, labels ...string) plusvibe.ClientPermission {
	return plusvibe.ClientPermission{WorkspaceID: ws.ID, Permissions: []string{p}, HideLabels: labels}
}

// jane is an existing client, made in PlusVibe itself.
func (w *world) jane() string {
	return w.pv.AddClient(plusvibe.ClientLogin{Email: "jane.doe@acme.com", FirstName: "Jane", LastName: "Doe", BusinessName: "Acme <Ltd>",
		Permissions: []plusvibe.ClientPermission{perm(nova, plusvibe.PermissionUniboxAccess, "VIP")}})
}

// find runs "<command> find query" as user and returns the private answer.
func (w *world) find(user, query string) slacktest.Message {
	w.t.Helper()
	before := len(w.slack.Calls("response_url"))
	cmd := w.slack.SendCommand(w.t, user, slacktest.DefaultCommand, "find "+query)
	if ack := w.slack.WaitAck(w.t, cmd.EnvelopeID, wait); !strings.Contains(string(ack.Payload), "Looking for") {
		w.t.Fatalf("find acked with %s", ack.Payload)
	}
	var answer slacktest.Call
	w.slack.WaitUntil(w.t, wait, "the find answer", func() bool {
		calls := w.slack.Calls("response_url")
		if len(calls) > before {
			answer = calls[before]
			return true
		}
		return false
	})
	if answer.Error != "" {
		w.t.Fatalf("Slack refused the find answer: %s", answer.Error)
	}
	return slacktest.Answered(answer)
}

// open clicks a find answer's button for its first client and returns the
// modal it opened, once the client is shown in it.
func (w *world) openFromFind(answer slacktest.Message, action, want string) string {
	w.t.Helper()
	click := w.slack.ClickBlock(w.t, requester, answer, "client_0_actions", action)
	viewID := w.slack.WaitView(w.t, click, wait)
	w.slack.WaitUntil(w.t, wait, "the modal showing "+want, func() bool {
		return strings.Contains(viewText(w.slack.View(w.t, viewID)), want)
	})
	return viewID
}

func TestFindClients(t *testing.T) {
	t.Parallel()
	w := start(t, setup{})
	w.jane()
	w.pv.AddClient(plusvibe.ClientLogin{Email: "bob@zeta.io", FirstName: "Bob", LastName: "Roe", BusinessName: "Zeta",
		Permissions: []plusvibe.ClientPermission{perm(acme, plusvibe.PermissionFullAccess), perm(zeta, plusvibe.PermissionUniboxAccess)}})

	got := w.find(requester, "JANE.DOE@acme.com")
	text := got.Content()
	for _, want := range []string{"*1* PlusVibe client", "jane.doe@acme.com", "Jane Doe", "Acme &lt;Ltd&gt;", "ACTIVE",
		"Nova Consulting: Unibox only (hides VIP)", "<!date^", "Edit access", "Remove", "cannot reset a client's password"} {
		if !strings.Contains(text, want) {
			t.Errorf("the answer lacks %q: %s", want, text)
		}
	}
	if strings.Contains(text, "bob@zeta.io") {
		t.Error("the answer lists a client that does not match")
	}
	if text := w.find(requester, "roe").Content(); !strings.Contains(text, "bob@zeta.io") || !strings.Contains(text, "Acme Outreach: Full access") || strings.Contains(text, "jane") {
		t.Errorf("find by part of a name: %s", text)
	}
	if text := w.find(requester, "nobody").Content(); !strings.Contains(text, "No PlusVibe client matches") {
		t.Errorf("find without a match: %s", text)
	}

	// Someone not allowed learns nothing, and PlusVibe is not asked.
	lists := w.pv.Count("GET", "/client/")
	cmd := w.slack.SendCommand(t, "U0STRANGER", slacktest.DefaultCommand, "find jane")
	if ack := w.slack.WaitAck(t, cmd.EnvelopeID, wait); !strings.Contains(string(ack.Payload), "not on the list") {
		t.Errorf("a stranger's find answered %s", ack.Payload)
	}
	if w.pv.Count("GET", "/client/") != lists {
		t.Error("PlusVibe was asked for a stranger")
	}
}

// 500 matching clients, one of them with access to 250 workspaces: the
// answer stays within Slack's limits (the fake refuses it otherwise).
func TestFindWithinSlackLimits(t *testing.T) {
	t.Parallel()
	w := start(t, setup{})
	many := make([]plusvibe.Workspace, 250)
	var perms []plusvibe.ClientPermission
	for i := range many {
		many[i] = plusvibe.Workspace{ID: fmt.Sprintf("%024x", i+1), Name: fmt.Sprintf("Workspace with a rather long name %03d", i)}
		perms = append(perms, perm(many[i], plusvibe.PermissionUniboxAccess, "NOT_INTERESTED", "DO_NOT_CONTACT"))
	}
	w.pv.SetWorkspaces(append(many, acme)...)
	w.pv.AddClient(plusvibe.ClientLogin{Email: "big@bulk.io", FirstName: "Big", LastName: "Client", BusinessName: "Bulk", Permissions: perms})
	for i := range 499 {
		w.pv.AddClient(plusvibe.ClientLogin{Email: fmt.Sprintf("client%03d@bulk.io", i), FirstName: "C", LastName: "L", BusinessName: "Bulk",
			Permissions: []plusvibe.ClientPermission{perm(acme, plusvibe.PermissionUniboxAccess)}})
	}
	text := w.find(requester, "bulk").Content()
	if !strings.Contains(text, "Showing 20 of 500") || !strings.Contains(text, "more workspaces") {
		t.Errorf("the answer for 500 matches: %.600s", text)
	}
}

func TestEditAccess(t *testing.T) {
	t.Parallel()
	w := start(t, setup{cfg: bot.Config{AuditChannel: auditCh}})
	id := w.jane()
	viewID := w.openFromFind(w.find(requester, "jane"), modals.ActionEditAccess, modals.BlockWorkspacePermission(nova.ID))
	// One more workspace: the form grows its inputs, keeping what it had.
	w.slack.WaitAck(t, w.slack.Change(t, requester, viewID, modals.BlockWorkspaces,
		slacktest.Fill{modals.BlockWorkspaces: []string{"Nova Consulting", "Zeta Labs"}}).EnvelopeID, wait)
	w.slack.WaitUntil(t, wait, "the form with Zeta Labs", func() bool {
		return strings.Contains(viewText(w.slack.View(t, viewID)), modals.BlockWorkspacePermission(zeta.ID))
	})
	if form := viewText(w.slack.View(t, viewID)); !strings.Contains(form, `"initial_value":"VIP"`) {
		t.Errorf("Nova's labels were lost in the redraw: %s", form)
	}
	w.slack.Submit(t, requester, viewID, slacktest.Fill{modals.BlockWorkspacePermission(zeta.ID): "Unibox only"})
	put := w.pv.Next(t, "PUT", "/client", wait)
	if put.SpecError != nil {
		t.Errorf("PUT /client breaks the spec: %v", put.SpecError)
	}
	var body plusvibe.UpdateClientRequest
	_ = json.Unmarshal(put.Body, &body)
	if body.ClientID != id || len(body.Workspaces) != 2 || body.Workspaces[0].HideLabels[0] != "VIP" || body.Workspaces[1].ID != zeta.ID || body.ClientBusinessName != "Acme <Ltd>" {
		t.Errorf("PUT /client body %s, want both workspaces, the rest as it was", put.Body)
	}
	w.slack.WaitUntil(t, wait, "the modal saying so", func() bool {
		return strings.Contains(viewText(w.slack.View(t, viewID)), "changed: ")
	})
	if line := w.waitAudit("*access changed*"); !strings.Contains(line, "was: Unibox only in Nova Consulting") || !strings.Contains(line, "Zeta Labs (Unibox only)") {
		t.Errorf("audit line %q, want before and after", line)
	}

	// Changed in PlusVibe while the form was open: refused, nothing sent.
	viewID = w.openFromFind(w.find(requester, "jane"), modals.ActionEditAccess, modals.BlockWorkspacePermission(zeta.ID))
	w.pv.Touch(id)
	w.slack.Submit(t, requester, viewID, slacktest.Fill{modals.BlockWorkspacePermission(zeta.ID): "Full access"})
	w.slack.WaitUntil(t, wait, "the refusal", func() bool {
		return strings.Contains(viewText(w.slack.View(t, viewID)), "was changed in PlusVibe after you opened it")
	})
	if n := w.pv.Count("PUT", "/client"); n != 1 {
		t.Errorf("%d PUTs, want none for the stale form", n)
	}
}

// Under APPROVAL_FOR=FULL_ACCESS, giving Full access waits for an
// approver, who applies it; taking access away does not wait.
func TestEditAccessUnderApproval(t *testing.T) {
	t.Parallel()
	w := start(t, fullAccessOnlySetup())
	id := w.jane()
	viewID := w.openFromFind(w.find(requester, "jane"), modals.ActionEditAccess, modals.BlockWorkspacePermission(nova.ID))
	w.slack.Submit(t, requester, viewID, slacktest.Fill{modals.BlockWorkspacePermission(nova.ID): "Full access"})
	ts := w.onlyRequest().TS
	if msg := w.slack.Message(t, approvals, ts).Content(); !strings.Contains(msg, "change the access of an existing PlusVibe client") || !strings.Contains(msg, "Nova Consulting: Full access") {
		t.Errorf("the approval request says %s", msg)
	}
	w.slack.WaitUntil(t, wait, "the modal saying it waits", func() bool {
		return strings.Contains(viewText(w.slack.View(t, viewID)), "waits for an approver")
	})
	if n := w.pv.Count("PUT", "/client"); n != 0 {
		t.Fatalf("%d PUTs before the approval", n)
	}
	// Nobody approves their own.
	w.slack.ClickMessage(t, requester, approvals, ts, modals.ActionApprove)
	w.waitWhisper(requester, "someone else")
	w.slack.ClickMessage(t, approver, approvals, ts, modals.ActionApprove)
	w.waitMessage(ts, "The access was changed")
	if got := w.pv.Listed()[0]; got.ID != id || got.Permissions[0].Permissions[0] != plusvibe.PermissionFullAccess {
		t.Errorf("after the approval: %+v", got)
	}
	w.slack.WaitUntil(t, wait, "the requester told", func() bool {
		for _, m := range w.slack.Messages("D" + requester) {
			if strings.Contains(m.Text, "approved your change") {
				return true
			}
		}
		return false
	})

	// Back to Unibox only: less access, saved at once.
	viewID = w.openFromFind(w.find(requester, "jane"), modals.ActionEditAccess, modals.BlockWorkspacePermission(nova.ID))
	w.slack.Submit(t, requester, viewID, slacktest.Fill{modals.BlockWorkspacePermission(nova.ID): "Unibox only"})
	w.pv.Next(t, "PUT", "/client", wait)
	if n := len(w.slack.Messages(approvals)); n != 1 {
		t.Errorf("%d requests for approval, want no new one for less access", n)
	}
}

func TestRemoveClient(t *testing.T) {
	t.Parallel()
	w := start(t, setup{cfg: bot.Config{AuditChannel: auditCh}})
	id := w.jane()
	viewID := w.openFromFind(w.find(requester, "jane"), modals.ActionRemove, "Type the client's email")
	resp := w.slack.Submit(t, requester, viewID, slacktest.Fill{modals.BlockConfirmEmail: "jane@acme.com"})
	if resp.Action != "errors" || !strings.Contains(resp.Errors[modals.BlockConfirmEmail], "not this client's email") {
		t.Errorf("a wrong email answered %s %v", resp.Action, resp.Errors)
	}
	if n := w.pv.Count("DELETE", "/client"); n != 0 {
		t.Fatalf("%d DELETEs after a wrong email", n)
	}
	w.slack.Submit(t, requester, viewID, slacktest.Fill{modals.BlockConfirmEmail: " Jane.Doe@acme.com "})
	del := w.pv.Next(t, "DELETE", "/client", wait)
	if del.SpecError != nil || !strings.Contains(string(del.Body), id) {
		t.Errorf("DELETE /client %s: %v", del.Body, del.SpecError)
	}
	w.slack.WaitUntil(t, wait, "the modal saying so", func() bool {
		return strings.Contains(viewText(w.slack.View(t, viewID)), "was removed")
	})
	if len(w.pv.Listed()) != 0 {
		t.Error("the client is still listed")
	}
	w.waitAudit("*removed*")
}

// Someone not on the allow-list who gets hold of a find answer's buttons
// changes nothing.
func TestStrangerCannotManageClients(t *testing.T) {
	t.Parallel()
	w := start(t, setup{})
	w.jane()
	answer := w.find(requester, "jane")
	for _, action := range []string{modals.ActionEditAccess, modals.ActionRemove} {
		click := w.slack.ClickBlock(t, "U0STRANGER", answer, "client_0_actions", action)
		if notice := viewText(w.slack.View(t, w.slack.WaitView(t, click, wait))); !strings.Contains(notice, "not on the list") {
			t.Errorf("%s by a stranger opened %s", action, notice)
		}
	}
	if n := w.pv.Count("PUT", "/client") + w.pv.Count("DELETE", "/client"); n != 0 {
		t.Errorf("%d changes sent for a stranger", n)
	}
}

// A form whose email is already a client's says who it is, and offers to
// add the chosen workspaces to their access: one PUT, no POST.
func TestDuplicateEmailOffersToAddAccess(t *testing.T) {
	t.Parallel()
	w := start(t, setup{})
	w.pv.AddClient(plusvibe.ClientLogin{Email: "nova.smith@example.com", FirstName: "Nova", LastName: "Smith", BusinessName: "Nova Old",
		Permissions: []plusvibe.ClientPermission{perm(acme, plusvibe.PermissionFullAccess), perm(nova, plusvibe.PermissionFullAccess)}})
	viewID := w.openForm(requester, "")
	resp := w.slack.Submit(t, requester, viewID, goodFill())
	answer := string(resp.Ack.Payload)
	for _, want := range []string{"already a PlusVibe client", "Nova Old", "Acme Outreach: Full access", "Add to their access", "Back to the form"} {
		if !strings.Contains(answer, want) {
			t.Errorf("the answer lacks %q: %s", want, answer)
		}
	}
	w.slack.Click(t, requester, viewID, modals.ActionAddAccess)
	put := w.pv.Next(t, "PUT", "/client", wait)
	var body plusvibe.UpdateClientRequest
	_ = json.Unmarshal(put.Body, &body)
	got := map[string]string{}
	for _, ws := range body.Workspaces {
		got[ws.ID] = ws.Permissions[0]
	}
	// Nova keeps its Full access; Zeta is added as asked.
	if put.SpecError != nil || len(got) != 3 || got[acme.ID] != plusvibe.PermissionFullAccess || got[nova.ID] != plusvibe.PermissionFullAccess || got[zeta.ID] != plusvibe.PermissionUniboxAccess {
		t.Errorf("PUT /client %s (%v)", put.Body, put.SpecError)
	}
	w.slack.WaitUntil(t, wait, "the modal saying so", func() bool {
		return strings.Contains(viewText(w.slack.View(t, viewID)), "changed: ")
	})
	if n := w.pv.Count("POST", "/client"); n != 0 {
		t.Errorf("%d POSTs for an existing client", n)
	}
}

// When the client list cannot be read (an error, or no answer in time),
// the form creates as before and PlusVibe's own answer stands.
func TestDuplicateCheckNeverBlocksCreation(t *testing.T) {
	t.Parallel()
	w := start(t, setup{})
	w.pv.Script("GET", "/client/", plusvibetest.Response{Status: 500}, plusvibetest.Response{Status: 500}, plusvibetest.Response{Status: 500})
	viewID := w.openForm(requester, "")
	if resp := w.slack.Submit(t, requester, viewID, goodFill()); resp.Action != "update" || !strings.Contains(string(resp.Ack.Payload), "Creating") {
		t.Fatalf("with the list failing, the form answered %s %s", resp.Action, resp.Ack.Payload)
	}
	w.pv.Next(t, "POST", "/client", wait)

	hold := make(chan struct{})
	t.Cleanup(func() { close(hold) })
	w.pv.Script("GET", "/client/", plusvibetest.Response{Hold: hold})
	viewID = w.openForm(requester, "")
	fill := goodFill()
	fill[modals.BlockEmail] = "second@example.com"
	env := w.slack.SendSubmission(t, requester, viewID, fill)
	ack := w.slack.WaitAck(t, env, wait)
	// Slack's deadline for an ack is 3 s: past it the person sees an error.
	if took := ack.At.Sub(w.slack.SentAt(env)); took > 3*time.Second || !strings.Contains(string(ack.Payload), "Creating") {
		t.Errorf("with the list hanging, the form answered %s after %v", ack.Payload, took)
	}
	w.pv.Next(t, "POST", "/client", wait)
}

// A process that crashed while applying an approved change leaves the
// request saying "changing…": the sweep says it may or may not have been
// applied, and it is not applied again.
func TestInterruptedChangeIsMarkedBySweep(t *testing.T) {
	t.Parallel()
	s := fullAccessOnlySetup()
	s.cfg.SweepInterval = 20 * time.Millisecond
	s.cfg.CreationBound = time.Nanosecond // every change older than now
	w := start(t, s)
	w.jane()
	viewID := w.openFromFind(w.find(requester, "jane"), modals.ActionEditAccess, modals.BlockWorkspacePermission(nova.ID))
	w.slack.Submit(t, requester, viewID, slacktest.Fill{modals.BlockWorkspacePermission(nova.ID): "Full access"})
	ts := w.onlyRequest().TS
	w.shutdown()
	m := w.slack.Message(t, approvals, ts)
	record := m.Metadata["event_payload"].(map[string]any)
	record["state"], record["by"], record["since"] = "creating", approver, time.Now().Add(-time.Hour).Unix()
	w.slack.Rewrite(t, approvals, ts, m.Metadata)
	w.launch()
	w.waitMessage(ts, "may or may not have been applied")
	w.slack.ClickSeen(t, approver2, m, modals.ActionApprove) // a stale button
	w.waitWhisper(approver2, "already approved")
	if n := w.pv.Count("PUT", "/client"); n != 0 {
		t.Errorf("%d PUTs, want none: nobody knows whether it was applied", n)
	}
}

// sendFinds runs n finds at once as requester and waits until each is acked.
func (w *world) sendFinds(n int, query string) {
	w.t.Helper()
	cmds := make([]slacktest.Command, n)
	for i := range cmds {
		cmds[i] = w.slack.SendCommand(w.t, requester, slacktest.DefaultCommand, "find "+query)
	}
	for _, c := range cmds {
		if ack := w.slack.WaitAck(w.t, c.EnvelopeID, wait); !strings.Contains(string(ack.Payload), "Looking for") {
			w.t.Fatalf("find acked with %s", ack.Payload)
		}
	}
}

// waitFindAnswers waits for n find answers after the first `after` and
// checks that each lists want.
func (w *world) waitFindAnswers(after, n int, want string) {
	w.t.Helper()
	w.slack.WaitUntil(w.t, wait, fmt.Sprintf("%d find answers", n), func() bool {
		return len(w.slack.Calls("response_url")) >= after+n
	})
	for _, c := range w.slack.Calls("response_url")[after:] {
		if text := slacktest.Answered(c).Content(); c.Error != "" || !strings.Contains(text, want) {
			w.t.Errorf("a find answered %q (%s), want %s listed", text, c.Error, want)
		}
	}
}

// Finds at the same moment share one read of PlusVibe's list; finds within
// the next minute reuse it; a removal or a creation through the bot makes
// the next find read it again.
func TestConcurrentFindsShareOneRead(t *testing.T) {
	t.Parallel()
	w := start(t, setup{})
	w.jane()
	hold := make(chan struct{})
	w.pv.Script("GET", "/client/", plusvibetest.Response{Hold: hold})
	const finds = 20
	w.sendFinds(finds, "jane")
	w.pv.Next(t, "GET", "/client/", wait)
	close(hold)
	w.waitFindAnswers(0, finds, "jane.doe@acme.com")
	if n := w.pv.Count("GET", "/client/"); n != 1 {
		t.Errorf("%d finds at once read the client list %d times, want once", finds, n)
	}

	w.sendFinds(5, "jane")
	w.waitFindAnswers(finds, 5, "jane.doe@acme.com")
	if n := w.pv.Count("GET", "/client/"); n != 1 {
		t.Errorf("finds within a minute read the list again: %d reads, want 1", n)
	}

	viewID := w.openFromFind(w.find(requester, "jane"), modals.ActionRemove, "Type the client's email")
	w.slack.Submit(t, requester, viewID, slacktest.Fill{modals.BlockConfirmEmail: "jane.doe@acme.com"})
	w.slack.WaitUntil(t, wait, "the modal saying so", func() bool {
		return strings.Contains(viewText(w.slack.View(t, viewID)), "was removed")
	})
	if text := w.find(requester, "jane").Content(); !strings.Contains(text, "No PlusVibe client matches") {
		t.Errorf("a find right after a removal lists the removed client: %s", text)
	}

	viewID = w.openForm(requester, "")
	w.slack.Submit(t, requester, viewID, goodFill())
	w.slack.WaitUntil(t, wait, "the modal saying it was created", func() bool {
		return strings.Contains(viewText(w.slack.View(t, viewID)), "created.")
	})
	if text := w.find(requester, "nova.smith").Content(); !strings.Contains(text, "nova.smith@example.com") {
		t.Errorf("a find right after a creation misses the new client: %s", text)
	}
}

// A reader that gives up on the shared read (the duplicate check, after
// 1.5 s) does not fail the others waiting on it.
func TestGivingUpOnTheSharedReadFailsNoOtherReader(t *testing.T) {
	t.Parallel()
	w := start(t, setup{})
	w.jane()
	hold := make(chan struct{})
	w.pv.Script("GET", "/client/", plusvibetest.Response{Hold: hold})
	viewID := w.openForm(requester, "")
	w.slack.SendSubmission(t, requester, viewID, goodFill())
	w.pv.Next(t, "GET", "/client/", wait) // the duplicate check's read, held
	w.sendFinds(1, "jane")
	w.pv.Next(t, "POST", "/client", wait) // the duplicate check gave up; the creation went ahead
	close(hold)
	w.waitFindAnswers(0, 1, "jane.doe@acme.com")
	if n := w.pv.Count("GET", "/client/"); n != 1 {
		t.Errorf("%d reads of the client list, want the find to join the one in flight", n)
	}
}
