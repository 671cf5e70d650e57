package bot_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/bot/store"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/bot/store/redistest"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/internal/slacktest"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe/plusvibetest"
)

// twoReplicas runs two bot processes on one Slack app, sharing a real Redis;
// the fake Slack alternates envelopes between their sockets.
func twoReplicas(t *testing.T, s setup) (*world, *redistest.Server) {
	t.Helper()
	var srv *redistest.Server
	s.store, srv = redisStore(t)
	w := start(t, s)
	w.addReplica()
	return w, srv
}

// redisStore starts a real Redis, and gives each bot process its own
// connection to it.
func redisStore(t testing.TB) (func() store.Store, *redistest.Server) {
	t.Helper()
	srv := redistest.Start(t)
	return func() store.Store {
		st, err := store.OpenRedis(srv.URL(), "plusvibe:"+slacktest.TeamID+":"+slacktest.BotUserID+":")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}, srv
}

// split checks that envelopes reached both replicas.
func (w *world) split(envelopes ...string) {
	w.t.Helper()
	seen := map[int]bool{}
	for _, e := range envelopes {
		seen[w.slack.Route(e)] = true
	}
	if len(seen) < 2 {
		w.t.Fatalf("the envelopes all went to one socket: %v", seen)
	}
}

func TestReplicasCreateOnceForADoubleSubmit(t *testing.T) {
	t.Parallel()
	w, _ := twoReplicas(t, setup{})
	hold := make(chan struct{})
	w.pv.Script("POST", "/client", plusvibetest.Response{Hold: hold})
	viewID := w.openForm(requester, "")
	form := w.slack.View(t, viewID)
	first := w.slack.SendSubmissionSeen(t, requester, form, goodFill())
	second := w.slack.SendSubmissionSeen(t, requester, form, goodFill())
	w.split(first, second)
	w.slack.ApplyAck(t, viewID, first, wait)
	w.slack.ApplyAck(t, viewID, second, wait)
	w.pv.Next(t, "POST", "/client", wait)
	close(hold)
	w.finalView()
	if n := w.pv.Count("POST", "/client"); n != 1 {
		t.Errorf("%d POSTs for one form submitted to two replicas, want 1", n)
	}
}

func TestReplicasGrantOnceAndCreateOnce(t *testing.T) {
	t.Parallel()
	w, _ := twoReplicas(t, approvalSetup())
	_, ts := w.request(goodFill())

	// The first approval's DM hangs a moment: both replicas see the request
	// still pending while it does.
	hang := make(chan struct{})
	w.slack.FaultNext("conversations.open", slacktest.Fault{Hang: hang})
	seen := w.slack.Message(t, approvals, ts)
	a := w.slack.ClickSeen(t, approver, seen, modals.ActionApprove)
	b := w.slack.ClickSeen(t, approver2, seen, modals.ActionApprove)
	w.split(a.EnvelopeID, b.EnvelopeID)
	w.slack.WaitUntil(t, wait, "the second approver told it is being decided", func() bool {
		return len(w.whispers(approvals, approver))+len(w.whispers(approvals, approver2)) == 1
	})
	close(hang)
	dm := w.grant()
	w.waitMessage(ts, "Waiting for <@"+requester+"> to create the client") // the approval is recorded
	if n := len(w.slack.Messages("D" + requester)); n != 1 {
		t.Errorf("%d grant DMs from two replicas, want 1", n)
	}

	// Create client, clicked twice, one click on each replica, PlusVibe slow.
	hold := make(chan struct{})
	w.pv.Script("POST", "/client", plusvibetest.Response{Hold: hold})
	c1 := w.slack.ClickSeen(t, requester, dm, modals.ActionCollect)
	c2 := w.slack.ClickSeen(t, requester, dm, modals.ActionCollect)
	w.split(c1.EnvelopeID, c2.EnvelopeID)
	w.pv.Next(t, "POST", "/client", wait)
	w.waitWhisperIn(dm.Channel, requester, "being created")
	close(hold)
	w.waitMessage(ts, "Created by")
	if n := w.pv.Count("POST", "/client"); n != 1 {
		t.Errorf("%d POSTs from two replicas, want 1", n)
	}
}

// readyz asks a bot's /readyz.
func readyz(b interface{ HealthHandler() http.Handler }) (int, string) {
	rec := httptest.NewRecorder()
	b.HealthHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
	return rec.Code, rec.Body.String()
}

func TestRedisDownRefusesWorkAndRecovers(t *testing.T) {
	t.Parallel()
	w, srv := twoReplicas(t, setup{})
	if code, _ := readyz(w.bot); code != http.StatusOK {
		t.Fatalf("/readyz %d with Redis up", code)
	}
	viewID := w.openForm(requester, "")
	srv.Stop()
	resp := w.slack.Submit(t, requester, viewID, goodFill())
	if resp.Action != "errors" || !strings.Contains(resp.Errors[modals.BlockEmail], "cannot reach its store") {
		t.Errorf("a submission with Redis down answered %q %v, want the form kept with the reason", resp.Action, resp.Errors)
	}
	for _, b := range []interface{ HealthHandler() http.Handler }{w.bot, w.replicas[0].bot} {
		if code, body := readyz(b); code != http.StatusServiceUnavailable || !strings.Contains(body, "store") {
			t.Errorf("/readyz with Redis down: %d %q", code, body)
		}
	}
	for range 2 { // one command to each replica
		cmd := w.slack.SendCommand(t, requester, slacktest.DefaultCommand, "")
		if ack := w.slack.WaitAck(t, cmd.EnvelopeID, wait); !strings.Contains(string(ack.Payload), "cannot reach its store") {
			t.Errorf("a command with Redis down answered %s", ack.Payload)
		}
	}
	if n := w.pv.Count("POST", "/client"); n != 0 {
		t.Errorf("%d POSTs with Redis down", n)
	}

	srv.Restart()
	for _, b := range []interface{ HealthHandler() http.Handler }{w.bot, w.replicas[0].bot} {
		if code, body := readyz(b); code != http.StatusOK {
			t.Errorf("/readyz after Redis came back: %d %q", code, body)
		}
	}
	if resp := w.slack.Submit(t, requester, viewID, goodFill()); resp.Action != "update" {
		t.Errorf("the same form after Redis came back answered %q %v", resp.Action, resp.Errors)
	}
	w.finalView()
	if n := w.pv.Count("POST", "/client"); n != 1 {
		t.Errorf("%d POSTs after Redis came back, want 1", n)
	}
}
