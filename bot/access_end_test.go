package bot_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/bot"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/internal/slacktest"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe/plusvibetest"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/request"
)

// endSetup is approvalSetup with ends read often and a notice of an hour:
// an end a few seconds away is noticed at once, then happens.
func endSetup() setup {
	s := approvalSetup()
	s.cfg.SweepInterval = 20 * time.Millisecond
	s.cfg.EndNotice = time.Hour
	return s
}

// createWithEnd asks for a client whose access ends in, approves it and
// has the requester create it; it returns the approval message's ts and
// the client's id.
func (w *world) createWithEnd(fill slacktest.Fill, in time.Duration) (string, string) {
	w.t.Helper()
	fill[modals.BlockEnds] = time.Now().Add(in)
	_, ts := w.request(fill)
	dm := w.approve(approver, ts)
	w.slack.ClickMessage(w.t, requester, dm.Channel, dm.TS, modals.ActionCollect)
	w.waitMessage(ts, "Created by")
	clients := w.pv.Clients()
	return ts, clients[len(clients)-1].ID
}

// endedOnce waits for the client's removal at its end, stops the bot, and
// checks it was removed once.
func (w *world) endedOnce() {
	w.t.Helper()
	w.pv.Next(w.t, "DELETE", "/client", wait)
	w.waitAudit("*access ended*")
	w.stopReplicas()
	if err := w.shutdown(); err != nil {
		w.t.Fatal(err)
	}
	if n := w.pv.Count("DELETE", "/client"); n != 1 {
		w.t.Errorf("%d DELETEs, want 1", n)
	}
}

// waitDMSaying waits for a DM to the requester saying want.
func (w *world) waitDMSaying(want string) slacktest.Message {
	w.t.Helper()
	var found slacktest.Message
	w.slack.WaitUntil(w.t, wait, "a DM saying "+want, func() bool {
		for _, m := range w.slack.Messages("D" + requester) {
			if strings.Contains(m.Content(), want) {
				found = m
				return true
			}
		}
		return false
	})
	return found
}

// threadReplies are the replies in a request's thread.
func (w *world) threadReplies(ts string) string {
	var out []string
	for _, m := range w.slack.Messages(approvals) {
		if m.ThreadTS == ts {
			out = append(out, m.Text)
		}
	}
	return strings.Join(out, "\n")
}

func TestAccessEndsOnceWithANoticeFirst(t *testing.T) {
	t.Parallel()
	w := start(t, endSetup())
	ts, id := w.createWithEnd(goodFill(), 3*time.Second)
	if req := w.slack.Message(t, approvals, ts); !strings.Contains(req.Content(), "Access ends") {
		t.Errorf("the approvers were not shown the end: %s", req.Content())
	}
	if line := w.waitAudit("*created*"); !strings.Contains(line, "access ends") {
		t.Errorf("the creation's audit line does not say the end: %q", line)
	}
	notice := w.waitDMSaying("ends")
	if !slices.Contains(notice.Buttons(), modals.ActionExtend) || !slices.Contains(notice.Buttons(), modals.ActionLetItEnd) {
		t.Errorf("the notice offers %v, want Extend and Let it end", notice.Buttons())
	}
	w.pv.Next(t, "DELETE", "/client", wait)
	line := w.waitAudit("*access ended*")
	if !strings.Contains(line, id) || !strings.Contains(line, "removed") {
		t.Errorf("audit line %q", line)
	}
	w.waitDMSaying("the client was removed")
	w.slack.WaitUntil(t, wait, "the end told in the request's thread", func() bool {
		return strings.Contains(w.threadReplies(ts), "the client was removed")
	})
	// Many reads of the schedule later, nothing more happens.
	reads := len(w.slack.Calls("conversations.history"))
	w.slack.WaitUntil(t, wait, "ten more reads", func() bool { return len(w.slack.Calls("conversations.history")) >= reads+10 })
	if err := w.shutdown(); err != nil {
		t.Fatal(err)
	}
	if n := w.pv.Count("DELETE", "/client"); n != 1 {
		t.Errorf("%d DELETEs, want 1", n)
	}
	if n := strings.Count(strings.Join(w.auditLines(), "\n"), "*access ended*"); n != 1 {
		t.Errorf("%d audit lines for the end, want 1", n)
	}
	w.wantMetrics(map[string]float64{
		`plusvibe_bot_access_ends_total{outcome="scheduled"}`: 1,
		`plusvibe_bot_access_ends_total{outcome="noticed"}`:   1,
		`plusvibe_bot_access_ends_total{outcome="applied"}`:   1,
	})
}

func TestAccessEndReducesFullAccessUnderUnibox(t *testing.T) {
	t.Parallel()
	s := endSetup()
	s.cfg.EndAction = string(request.EndUnibox)
	w := start(t, s)
	_, id := w.createWithEnd(fullAccessFill(), 2*time.Second)
	put := w.pv.Next(t, "PUT", "/client", wait)
	var body plusvibe.UpdateClientRequest
	if err := json.Unmarshal(put.Body, &body); err != nil {
		t.Fatal(err)
	}
	if body.ClientID != id || len(body.Workspaces) != 2 {
		t.Fatalf("PUT %+v", body)
	}
	for _, ws := range body.Workspaces {
		if !slices.Equal(ws.Permissions, []string{plusvibe.PermissionUniboxAccess}) {
			t.Errorf("workspace %s keeps %v, want Unibox only", ws.ID, ws.Permissions)
		}
	}
	w.waitAudit("Full access reduced to Unibox only")
	if err := w.shutdown(); err != nil {
		t.Fatal(err)
	}
	if n, d := w.pv.Count("PUT", "/client"), w.pv.Count("DELETE", "/client"); n != 1 || d != 0 {
		t.Errorf("%d PUTs and %d DELETEs, want 1 and 0", n, d)
	}
}

func TestAccessEndSurvivesARestart(t *testing.T) {
	t.Parallel()
	s := endSetup()
	s.cfg.EndNotice = 0
	w := start(t, s)
	w.createWithEnd(goodFill(), 2*time.Second)
	w.restart() // the end is kept in the audit channel, not in the process
	w.endedOnce()
}

func TestAccessEndOnceOverTwoReplicas(t *testing.T) {
	t.Parallel()
	s := endSetup()
	s.cfg.EndNotice = 0
	w, _ := twoReplicas(t, s) // ends kept in Redis, read by both
	w.createWithEnd(goodFill(), 2*time.Second)
	w.endedOnce()
}

func TestAccessEndOfAClientRemovedByHandTouchesNothing(t *testing.T) {
	t.Parallel()
	s := endSetup()
	s.cfg.EndNotice = 0
	w := start(t, s)
	_, id := w.createWithEnd(goodFill(), 2*time.Second)
	w.pv.Remove(id) // someone removed it in PlusVibe
	w.waitDMSaying("no longer exists")
	line := w.waitAudit("*access ended*")
	if !strings.Contains(line, "no longer existed") {
		t.Errorf("audit line %q", line)
	}
	if n := w.pv.Count("DELETE", "/client"); n != 0 {
		t.Errorf("%d DELETEs for a client already gone", n)
	}
}

func TestFullAccessMaxDaysRefusesFullAccessWithoutAnEnd(t *testing.T) {
	t.Parallel()
	s := approvalSetup()
	s.cfg.FullAccessMaxDays = 30
	w := start(t, s)
	viewID := w.openForm(requester, "")
	resp := w.slack.Submit(t, requester, viewID, fullAccessFill())
	if !strings.Contains(resp.Errors[modals.BlockEnds], "Full access needs an end, at most 30 days ahead") {
		t.Fatalf("errors %v, want one under Access ends", resp.Errors)
	}
	fill := fullAccessFill()
	fill[modals.BlockEnds] = time.Now().Add(40 * 24 * time.Hour)
	resp = w.slack.Submit(t, requester, viewID, fill)
	if !strings.Contains(resp.Errors[modals.BlockEnds], "at most 30 days") {
		t.Fatalf("errors %v for an end 40 days ahead", resp.Errors)
	}
	if len(w.slack.Messages(approvals)) != 0 {
		t.Error("a refused request was posted")
	}
}

func TestEndsRefusedWhereTheyCannotBeKept(t *testing.T) {
	t.Parallel()
	w := start(t, setup{cfg: bot.Config{}}) // no Redis, no channel
	viewID := w.openForm(requester, "")
	fill := goodFill()
	fill[modals.BlockEnds] = time.Now().Add(24 * time.Hour)
	resp := w.slack.Submit(t, requester, viewID, fill)
	if !strings.Contains(resp.Errors[modals.BlockEnds], "cannot be kept") {
		t.Fatalf("errors %v, want the end refused under its input", resp.Errors)
	}
	if n := w.pv.Count("POST", "/client"); n != 0 {
		t.Errorf("%d POSTs", n)
	}
}

// extend clicks Extend on the notice and submits a new end.
func (w *world) extend(notice slacktest.Message, to time.Time) slacktest.ViewResponse {
	w.t.Helper()
	click := w.slack.ClickSeen(w.t, requester, notice, modals.ActionExtend)
	viewID := w.slack.WaitView(w.t, click, wait)
	return w.slack.Submit(w.t, requester, viewID, slacktest.Fill{modals.BlockEnds: to})
}

// createDirect creates a client from the form, no approval involved, with
// an end in; it returns the client's id.
func (w *world) createDirect(fill slacktest.Fill, in time.Duration) string {
	w.t.Helper()
	if in != 0 {
		fill[modals.BlockEnds] = time.Now().Add(in)
	}
	viewID := w.openForm(requester, "")
	if resp := w.slack.Submit(w.t, requester, viewID, fill); len(resp.Errors) != 0 {
		w.t.Fatalf("the form answered %v", resp.Errors)
	}
	w.slack.WaitUntil(w.t, wait, "the form saying created", func() bool {
		return strings.Contains(viewText(w.slack.View(w.t, viewID)), "created")
	})
	return w.pv.Clients()[0].ID
}

// readPast waits until t has passed and the schedule was read three times
// since: whatever was due at t has happened by then.
func (w *world) readPast(t time.Time) {
	w.t.Helper()
	reads := 0
	w.slack.WaitUntil(w.t, 2*wait, "the schedule read past "+t.Format(time.TimeOnly), func() bool {
		if time.Now().Before(t) {
			reads = len(w.slack.Calls("conversations.history"))
			return false
		}
		return len(w.slack.Calls("conversations.history")) >= reads+3
	})
}

func TestExtendMovesTheEnd(t *testing.T) {
	t.Parallel()
	s := fullAccessOnlySetup() // Unibox only is created at once, and extended without an approver
	s.cfg.SweepInterval, s.cfg.EndNotice = 20*time.Millisecond, time.Hour
	w := start(t, s)
	w.createDirect(goodFill(), 4*time.Second)
	was := time.Now().Add(4 * time.Second)
	notice := w.waitDMSaying("Extend it if it is still needed")
	if resp := w.extend(notice, time.Now().Add(time.Hour)); len(resp.Errors) != 0 {
		t.Fatalf("extend answered %v", resp.Errors)
	}
	w.waitAudit("*access end moved*")
	w.slack.WaitUntil(t, wait, "the notice answered", func() bool {
		m := w.slack.Message(t, notice.Channel, notice.TS)
		return strings.Contains(m.Content(), "extended until") && len(m.Buttons()) == 0
	})
	w.readPast(was.Add(time.Second))
	if n := w.pv.Count("DELETE", "/client"); n != 0 {
		t.Errorf("%d DELETEs at the end that was moved", n)
	}
}

func TestExtendingFullAccessWaitsForAnApprover(t *testing.T) {
	t.Parallel()
	s := endSetup()
	w := start(t, s)
	ts, _ := w.createWithEnd(fullAccessFill(), 4*time.Second)
	notice := w.waitDMSaying("Extend it if it is still needed")
	to := time.Now().Add(2 * time.Hour)
	if resp := w.extend(notice, to); len(resp.Errors) != 0 {
		t.Fatalf("extend answered %v", resp.Errors)
	}
	var ext slacktest.Message
	w.slack.WaitUntil(t, wait, "the extension posted for approval", func() bool {
		for _, m := range w.slack.Messages(approvals) {
			if m.TS != ts && strings.Contains(m.Content(), "asks to extend") {
				ext = m
				return true
			}
		}
		return false
	})
	if n := strings.Count(strings.Join(w.auditLines(), "\n"), "*access end moved*"); n != 0 {
		t.Fatal("the end moved before an approver agreed")
	}
	w.slack.ClickMessage(t, approver, approvals, ext.TS, modals.ActionApprove)
	w.waitMessage(ext.TS, "The access now ends")
	w.waitAudit("*access end moved*")
	w.waitDMSaying("approved extending")
	w.readPast(time.Now().Add(4 * time.Second))
	if n := w.pv.Count("DELETE", "/client"); n != 0 {
		t.Errorf("%d DELETEs at the end that was moved", n)
	}
}

func TestEditAccessSetsAnEndThatFindShows(t *testing.T) {
	t.Parallel()
	s := fullAccessOnlySetup()
	s.cfg.SweepInterval = 20 * time.Millisecond
	w := start(t, s)
	w.createDirect(goodFill(), 0) // no end
	viewID := w.openFromFind(w.find(requester, "nova"), modals.ActionEditAccess, "Access ends")
	w.slack.Submit(t, requester, viewID, slacktest.Fill{modals.BlockEnds: time.Now().Add(2 * time.Second)})
	w.slack.WaitUntil(t, wait, "the modal saying the end", func() bool {
		return strings.Contains(viewText(w.slack.View(t, viewID)), "access ends")
	})
	if answer := w.find(requester, "nova"); !strings.Contains(answer.Content(), "access ends") {
		t.Errorf("find does not show the end: %s", answer.Content())
	}
	w.endedOnce()
}

// An end someone else moves into the notice's window is still told to the
// requester, with Extend: only their own choice counts as told.
func TestEndMovedNearBySomeoneElseIsNoticed(t *testing.T) {
	t.Parallel()
	s := fullAccessOnlySetup()
	s.cfg.SweepInterval, s.cfg.EndNotice = 20*time.Millisecond, time.Hour
	s.cfg.AllowedUsers = []string{requester, approver}
	w := start(t, s)
	w.createDirect(goodFill(), 3*time.Hour) // past the notice's window
	viewID := w.openFromFind(w.find(approver, "nova"), modals.ActionEditAccess, "Access ends")
	w.slack.Submit(t, approver, viewID, slacktest.Fill{modals.BlockEnds: time.Now().Add(30 * time.Minute)})
	w.waitAudit("*access end moved*")
	notice := w.waitDMSaying("Extend it if it is still needed")
	if !slices.Contains(notice.Buttons(), modals.ActionExtend) {
		t.Errorf("the notice has no Extend: %v", notice.Buttons())
	}
}

func TestWorkflowStepSetsAnEnd(t *testing.T) {
	t.Parallel()
	w := start(t, setup{cfg: bot.Config{AuditChannel: auditCh, SweepInterval: 20 * time.Millisecond}})
	run := w.runStep(stepInputs(map[string]any{request.InputEnds: float64(time.Now().Add(2 * time.Second).Unix())}))
	dm := w.grant()
	w.slack.ClickMessage(t, requester, dm.Channel, dm.TS, modals.ActionCollect)
	w.slack.WaitCompleted(t, run.ExecutionID, wait)
	w.pv.Next(t, "DELETE", "/client", wait)
	if line := w.waitAudit("*access ended*"); !strings.Contains(line, "removed") {
		t.Errorf("audit line %q", line)
	}
}

func TestAccessEndFailingIsRetriedAndAppliedOnce(t *testing.T) {
	t.Parallel()
	s := endSetup()
	s.cfg.EndNotice, s.cfg.EndRetry = 0, 100*time.Millisecond
	w := start(t, s)
	w.createWithEnd(goodFill(), 2*time.Second)
	w.pv.Script("DELETE", "/client", plusvibetest.Response{Status: 503})
	w.waitDMSaying("tried again")
	w.waitAudit("*access end failed*")
	w.waitAudit("*access ended*")
	if err := w.shutdown(); err != nil {
		t.Fatal(err)
	}
	if n := w.pv.Count("DELETE", "/client"); n != 2 {
		t.Errorf("%d DELETEs, want 2: the one that failed, the one that removed it", n)
	}
	if len(w.pv.Listed()) != 0 {
		t.Error("the client is still there")
	}
	w.wantMetrics(map[string]float64{
		`plusvibe_bot_access_ends_total{outcome="failed"}`:  1,
		`plusvibe_bot_access_ends_total{outcome="applied"}`: 1,
	})
}

// An end set with a change that waits for an approver ends the access the
// client has: the change is not there yet, so it is not "changed meanwhile".
func TestEndSetWithAPendingWideningStillEnds(t *testing.T) {
	t.Parallel()
	s := fullAccessOnlySetup()
	s.cfg.SweepInterval = 20 * time.Millisecond
	w := start(t, s)
	w.jane()
	viewID := w.openFromFind(w.find(requester, "jane"), modals.ActionEditAccess, "Access ends")
	w.slack.Submit(t, requester, viewID, slacktest.Fill{modals.BlockWorkspacePermission(nova.ID): "Full access",
		modals.BlockEnds: time.Now().Add(2 * time.Second)})
	w.slack.WaitUntil(t, wait, "the change waiting for an approver", func() bool {
		return strings.Contains(viewText(w.slack.View(t, viewID)), "approver")
	})
	w.pv.Next(t, "DELETE", "/client", wait)
	if line := w.waitAudit("*access ended*"); !strings.Contains(line, "removed") {
		t.Errorf("audit line %q", line)
	}
}

// Taking away the end of a client that has Full access now waits like the
// widening it is, even when the edit would leave it Unibox only.
func TestFullAccessEndIsNotTakenAwayWhileItsChangeWaits(t *testing.T) {
	t.Parallel()
	s := approvalSetup()
	s.cfg.SweepInterval = 20 * time.Millisecond
	w := start(t, s)
	w.pv.AddClient(plusvibe.ClientLogin{Email: "jane.doe@acme.com", FirstName: "Jane", LastName: "Doe", BusinessName: "Acme",
		Permissions: []plusvibe.ClientPermission{perm(nova, plusvibe.PermissionFullAccess)}})
	viewID := w.openFromFind(w.find(requester, "jane"), modals.ActionEditAccess, "Access ends")
	w.slack.Submit(t, requester, viewID, slacktest.Fill{modals.BlockEnds: time.Now().Add(time.Hour)})
	w.waitAudit("end set")
	viewID = w.openFromFind(w.find(requester, "jane"), modals.ActionEditAccess, "Access ends")
	w.slack.WaitAck(t, w.slack.Change(t, requester, viewID, modals.BlockWorkspaces,
		slacktest.Fill{modals.BlockWorkspaces: []string{"Nova Consulting", "Zeta Labs"}}).EnvelopeID, wait)
	w.slack.WaitUntil(t, wait, "the form with Zeta Labs", func() bool {
		return strings.Contains(viewText(w.slack.View(t, viewID)), modals.BlockWorkspacePermission(zeta.ID))
	})
	w.slack.Submit(t, requester, viewID, slacktest.Fill{modals.BlockWorkspacePermission(nova.ID): "Unibox only",
		modals.BlockWorkspacePermission(zeta.ID): "Unibox only", modals.BlockEnds: nil})
	w.slack.WaitUntil(t, wait, "the edit answered", func() bool {
		return strings.Contains(viewText(w.slack.View(t, viewID)), "keeps an end")
	})
	if answer := w.find(requester, "jane"); !strings.Contains(answer.Content(), "access ends") {
		t.Errorf("the end was taken away while the change waits: %s", answer.Content())
	}
}
