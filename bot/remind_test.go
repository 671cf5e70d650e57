package bot_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/internal/slacktest"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"
)

const escalator = "U0ESCALATE"

// remindSetup reminds after an hour and sweeps often; escalates to escalator.
func remindSetup() setup {
	s := approvalSetup()
	s.cfg.RemindAfter = time.Hour
	s.cfg.SweepInterval = 20 * time.Millisecond
	s.cfg.EscalateUsers = []string{escalator}
	return s
}

// replies returns the replies in the thread of the request ts.
func (w *world) replies(ts string) []slacktest.Message {
	var out []slacktest.Message
	for _, m := range w.slack.Messages(approvals) {
		if m.ThreadTS == ts {
			out = append(out, m)
		}
	}
	return out
}

// sweeps waits for n more reads of the approval channel by every replica.
func (w *world) sweeps(n int) {
	w.t.Helper()
	before := len(w.slack.Calls("conversations.history"))
	w.slack.WaitUntil(w.t, wait, "more sweeps", func() bool {
		return len(w.slack.Calls("conversations.history")) >= before+n*(1+len(w.replicas))
	})
}

// Two replicas sweep; a request undecided for 90 minutes gets one reminder
// in its thread, mentioning the approvers (not the requester), and the
// requester is told, once.
func TestReminderInTheThreadOnceAcrossReplicas(t *testing.T) {
	t.Parallel()
	w, _ := twoReplicas(t, remindSetup())
	w.slack.Backdate(90 * time.Minute)
	_, ts := w.request(goodFill())
	w.slack.Backdate(0)
	w.slack.WaitUntil(t, wait, "a reminder in the request's thread", func() bool { return len(w.replies(ts)) > 0 })
	w.sweeps(3)
	replies := w.replies(ts)
	if len(replies) != 1 {
		t.Fatalf("%d reminders, want 1 however many replicas sweep", len(replies))
	}
	text := replies[0].Text
	for _, want := range []string{"<@" + approver + ">", "<@" + approver2 + ">", "<!subteam^" + approverG + ">", "waited 1 h"} {
		if !strings.Contains(text, want) {
			t.Errorf("the reminder %q lacks %q", text, want)
		}
	}
	if strings.Contains(text, "<@"+requester+">") || strings.Contains(text, escalator) || strings.Contains(text, "@here") {
		t.Errorf("the reminder %q mentions the requester, the escalation too early, or everyone", text)
	}
	w.waitDMText(requester, "approvers were reminded")
	if n := len(w.slack.Messages("D" + requester)); n != 1 {
		t.Errorf("%d DMs to the requester, want 1", n)
	}
}

// Past half of APPROVAL_TTL the reminder escalates, and the one it goes to
// can approve.
func TestEscalationAtHalfTheTimeCanApprove(t *testing.T) {
	t.Parallel()
	w := start(t, remindSetup())
	w.slack.Backdate(37 * time.Hour)
	_, ts := w.request(goodFill())
	w.slack.Backdate(0)
	w.slack.WaitUntil(t, wait, "an escalated reminder", func() bool {
		for _, m := range w.replies(ts) {
			if strings.Contains(m.Text, "Escalated to <@"+escalator+">") {
				return true
			}
		}
		return false
	})
	w.sweeps(3)
	if n := len(w.replies(ts)); n != 1 {
		t.Errorf("%d reminders for a request 37 h old, want 1: missed ones are not made up", n)
	}
	w.approve(escalator, ts)
	if err := w.shutdown(); err != nil {
		t.Fatal(err)
	}
	got := w.scrape()
	if v := metric(got, `plusvibe_bot_reminders_total{kind="escalation"}`); v != 1 {
		t.Errorf("escalations counted %v, want 1", v)
	}
	if v := metric(got, `plusvibe_bot_wait_seconds_count{wait="decision"}`); v != 1 {
		t.Errorf("decision waits observed %v, want 1", v)
	}
}

// An approval not used when half of its time is left: the requester gets
// one reminder; collecting then times the wait.
func TestRequesterRemindedOfAnUnusedApproval(t *testing.T) {
	t.Parallel()
	w := start(t, remindSetup())
	_, ts := w.request(goodFill())
	w.slack.Backdate(37 * time.Hour) // the grant DM, "37 hours ago"
	dm := w.approve(approver, ts)
	w.slack.Backdate(0)
	w.waitDMText(requester, "is waiting for you")
	w.sweeps(3)
	n := 0
	for _, m := range w.slack.Messages("D" + requester) {
		if strings.Contains(m.Text, "is waiting for you") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d reminders of the unused approval, want 1", n)
	}
	w.slack.ClickMessage(t, requester, dm.Channel, dm.TS, modals.ActionCollect)
	w.waitMessage(ts, "Created by <@"+requester+">")
	if err := w.shutdown(); err != nil {
		t.Fatal(err)
	}
	got := w.scrape()
	if v := metric(got, `plusvibe_bot_reminders_total{kind="requester"}`); v != 1 {
		t.Errorf("requester reminders counted %v, want 1", v)
	}
	if v := metric(got, `plusvibe_bot_wait_seconds_count{wait="collection"}`); v != 1 {
		t.Errorf("collection waits observed %v, want 1", v)
	}
}

// In real time, with two replicas: reminders come at R, 3R and 7R after the
// request (R = 300 ms), one each, never early.
func TestRemindersComeAtTheIntervals(t *testing.T) {
	t.Parallel()
	s := remindSetup()
	s.cfg.RemindAfter = 300 * time.Millisecond
	s.cfg.EscalateUsers = nil
	w, _ := twoReplicas(t, s)
	_, ts := w.request(goodFill())
	posted := tsTime(t, ts)
	w.slack.WaitUntil(t, wait, "three reminders", func() bool { return len(w.replies(ts)) >= 3 })
	replies := w.replies(ts)
	for i, due := range []time.Duration{300 * time.Millisecond, 900 * time.Millisecond, 2100 * time.Millisecond} {
		if at := tsTime(t, replies[i].TS).Sub(posted); at < due {
			t.Errorf("reminder %d came %v after the request, before %v", i+1, at, due)
		}
	}
	if len(replies) != 3 {
		t.Errorf("%d reminders by the third's time, want 3", len(replies))
	}
}

func tsTime(t *testing.T, ts string) time.Time {
	t.Helper()
	sec, frac, _ := strings.Cut(ts, ".")
	s, err1 := strconv.ParseInt(sec, 10, 64)
	us, err2 := strconv.ParseInt((frac + "000000")[:6], 10, 64)
	if err1 != nil || err2 != nil {
		t.Fatalf("ts %q", ts)
	}
	return time.Unix(s, us*1000)
}

// Before half of the time, the escalation cannot decide: the approvers do.
func TestEscalationCannotDecideBeforeItsTime(t *testing.T) {
	t.Parallel()
	w := start(t, remindSetup())
	_, ts := w.request(goodFill())
	w.slack.ClickMessage(t, escalator, approvals, ts, modals.ActionApprove)
	w.waitWhisper(escalator, "not escalated to you yet")
	if m := w.slack.Message(t, approvals, ts); m.Edits != 0 {
		t.Errorf("a click before the escalation changed the request: %s", m.Content())
	}
}

// A reminder and a decision exclude each other: while the reminder is
// being recorded, an Approve is told the request is being decided; then
// there is one reminder, and the approval stands.
func TestReminderAndDecisionExcludeEachOther(t *testing.T) {
	t.Parallel()
	w, _ := twoReplicas(t, remindSetup())
	held := make(chan struct{})
	w.slack.FaultNext("chat.update", slacktest.Fault{Hang: held}) // recording the reminder
	w.slack.Backdate(90 * time.Minute)
	_, ts := w.request(goodFill())
	w.slack.Backdate(0)
	// The reminder has claimed the request: it reads it back before writing.
	w.slack.WaitUntil(t, wait, "the reminder reading the request", func() bool {
		for _, c := range w.slack.Calls("conversations.history") {
			if c.Params["latest"] == ts {
				return true
			}
		}
		return false
	})
	w.slack.ClickMessage(t, approver, approvals, ts, modals.ActionApprove)
	w.waitWhisper(approver, modals.DecidingText)
	close(held)
	w.slack.WaitUntil(t, wait, "the reminder", func() bool { return len(w.replies(ts)) > 0 })
	// As a person would, clicking again until the reminder has let go.
	w.slack.WaitUntil(t, wait, "the approval", func() bool {
		m := w.slack.Message(t, approvals, ts) // one look, as a person's client shows it
		if strings.Contains(m.Content(), "Approved by") {
			return true
		}
		w.slack.ClickSeen(t, approver, m, modals.ActionApprove)
		return false
	})
	w.sweeps(2)
	if n := len(w.replies(ts)); n != 1 {
		t.Errorf("%d reminders, want 1", n)
	}
	if m := w.slack.Message(t, approvals, ts); !strings.Contains(m.Content(), "Approved by <@"+approver+">") {
		t.Errorf("the approval did not stand: %s", m.Content())
	}
}
