package bot_test

import (
	"strings"
	"testing"
	"time"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/bot/store"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/internal/slacktest"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"
)

// homesHang has the requester and the approver open their Home tab, then
// makes every views.publish hang until the test ends. A report that waited
// on a redraw would take at least one Slack call's timeout (10 s), twice
// the bound every wait below has.
func (w *world) homesHang() {
	w.t.Helper()
	for _, u := range []string{requester, approver} {
		before := len(w.slack.Calls("views.publish"))
		w.slack.OpenHome(w.t, u)
		w.slack.WaitUntil(w.t, wait, u+"'s Home tab drawn", func() bool {
			for _, c := range w.slack.Calls("views.publish")[before:] {
				if c.Params["user_id"] == u {
					return true
				}
			}
			return false
		})
	}
	hang := make(chan struct{})
	w.t.Cleanup(func() { close(hang) }) // before the bot stops
	faults := make([]slacktest.Fault, 500)
	for i := range faults {
		faults[i].Hang = hang
	}
	w.slack.FaultNext("views.publish", faults...)
}

func TestHungHomeRedrawNeverHoldsAReport(t *testing.T) {
	t.Parallel()
	t.Run("request posted", func(t *testing.T) {
		t.Parallel()
		w := start(t, approvalSetup())
		w.homesHang()
		w.request(goodFill()) // waits for the requester's modal to say it waits
	})
	t.Run("deny", func(t *testing.T) {
		t.Parallel()
		w := start(t, approvalSetup())
		_, ts := w.request(goodFill())
		w.homesHang()
		w.deny(approver, ts, "not this one")
		w.waitAudit("*denied*")
		w.waitDMText(requester, "not this one")
	})
	t.Run("approve", func(t *testing.T) {
		t.Parallel()
		w := start(t, approvalSetup())
		_, ts := w.request(goodFill())
		w.homesHang()
		w.approve(approver, ts)
		w.waitAudit("*approved*")
	})
	t.Run("collect", func(t *testing.T) {
		t.Parallel()
		w := start(t, approvalSetup())
		_, ts := w.request(goodFill())
		dm := w.approve(approver, ts)
		w.homesHang()
		w.slack.ClickMessage(t, requester, dm.Channel, dm.TS, modals.ActionCollect)
		w.waitMessage(ts, "Created by <@"+requester+">")
		w.waitDM(dm, w.pv.Clients()[0].ID)
		w.waitAudit("*created*")
	})
	t.Run("expire", func(t *testing.T) {
		t.Parallel()
		s := approvalSetup()
		s.cfg.SweepInterval = 20 * time.Millisecond
		w := start(t, s)
		w.homesHang()
		w.slack.Backdate(73 * time.Hour)
		_, ts := w.request(goodFill())
		w.slack.Backdate(0)
		w.waitMessage(ts, "nobody decided in time")
		w.waitAudit("*expired*")
		w.waitDMText(requester, "expired")
	})
	t.Run("interrupted", func(t *testing.T) {
		t.Parallel()
		s := approvalSetup()
		s.cfg.SweepInterval = 20 * time.Millisecond
		s.cfg.CreationBound = time.Nanosecond
		mem := store.NewMemory() // the next process knows who opened their Home tab
		s.store = func() store.Store { return mem }
		w := start(t, s)
		_, ts := w.request(goodFill())
		dm := w.approve(approver, ts)
		w.homesHang()
		w.crashedWhileCreating(ts)
		w.waitMessage(ts, "may have been created")
		w.waitDM(dm, "may have been created")
		w.waitAudit("may have been created")
	})
}

// waitDMText waits for a message to user in their DM with the app saying want.
func (w *world) waitDMText(user, want string) {
	w.t.Helper()
	w.slack.WaitUntil(w.t, wait, "a DM to "+user+" saying "+want, func() bool {
		for _, m := range w.slack.Messages("D" + user) {
			if strings.Contains(m.Content(), want) {
				return true
			}
		}
		return false
	})
}
