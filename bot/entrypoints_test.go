package bot_test

import (
	"strings"
	"testing"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/bot"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/internal/slacktest"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"
)

const ticketChannel = "C0TICKETS"

// fromMessage runs the message shortcut on m and returns the form it opened.
func (w *world) fromMessage(user string, m slacktest.Message) string {
	w.t.Helper()
	sc := w.slack.SendMessageShortcut(w.t, user, bot.ShortcutCreateFromMessage, m)
	if ack := w.slack.WaitAck(w.t, sc.EnvelopeID, wait); len(ack.Payload) != 0 && string(ack.Payload) != "{}" {
		w.t.Fatalf("shortcut acked with %s, want an empty ack", ack.Payload)
	}
	return w.slack.WaitView(w.t, sc, wait)
}

func TestMessageShortcutFillsTheFormAndAnswersInTheThread(t *testing.T) {
	t.Parallel()
	w := start(t, setup{})
	asked := w.slack.PostAs(t, "U0AGENT", ticketChannel, "Hi! please give Jane Doe &lt;<mailto:jane.doe@acme.com|jane.doe@acme.com>&gt; access to Zeta &amp; co")
	viewID := w.fromMessage(requester, asked)
	form := viewText(w.slack.View(t, viewID))
	for _, want := range []string{`"initial_value":"jane.doe@acme.com"`, `"initial_value":"Jane"`, `"initial_value":"Doe"`, "taken from the message"} {
		if !strings.Contains(form, want) {
			t.Errorf("the form lacks %s: %s", want, form)
		}
	}
	fill := goodFill()
	delete(fill, modals.BlockEmail) // as filled in
	delete(fill, modals.BlockFirstName)
	delete(fill, modals.BlockLastName)
	w.slack.Submit(t, requester, viewID, fill)
	w.finalView()
	var reply slacktest.Message
	w.slack.WaitUntil(t, wait, "a reply in the message's thread", func() bool {
		for _, m := range w.slack.Messages(ticketChannel) {
			if m.ThreadTS == asked.TS {
				reply = m
				return true
			}
		}
		return false
	})
	client := w.pv.Clients()[0]
	if client.Email != "jane.doe@acme.com" {
		t.Errorf("created %s, want the message's address", client.Email)
	}
	for _, want := range []string{"<@" + requester + ">", "jane.doe@acme.com", "Nova Consulting, Zeta Labs", "Unibox only"} {
		if !strings.Contains(reply.Text, want) {
			t.Errorf("thread reply %q lacks %q", reply.Text, want)
		}
	}
	if containsAny(reply.Text, client.Password) {
		t.Error("the thread reply carries the password")
	}

	// A reply inside a thread: the answer goes to that thread, not a new one.
	inThread := w.slack.PostAs(t, "U0AGENT", ticketChannel, "and bob@acme.com too")
	inThread.ThreadTS = asked.TS
	viewID = w.fromMessage(requester, inThread)
	fill = goodFill()
	delete(fill, modals.BlockEmail)
	w.slack.Submit(t, requester, viewID, fill)
	w.finalView()
	w.slack.WaitUntil(t, wait, "a second reply in the same thread", func() bool {
		n := 0
		for _, m := range w.slack.Messages(ticketChannel) {
			if m.ThreadTS == asked.TS {
				n++
			}
		}
		return n == 2
	})
}

// Where the bot is not in the channel it cannot reply: the client is
// created and its password delivered all the same.
func TestMessageShortcutWhereTheBotCannotPost(t *testing.T) {
	t.Parallel()
	w := start(t, setup{})
	w.slack.SetBotChannels("C0OTHER")
	asked := w.slack.PostAs(t, "U0AGENT", ticketChannel, "new client: <mailto:jane@acme.com|Jane Doe>")
	viewID := w.fromMessage(requester, asked)
	fill := goodFill()
	delete(fill, modals.BlockEmail)
	w.slack.Submit(t, requester, viewID, fill)
	if final := viewText(w.finalView()); !strings.Contains(final, "in your DMs") {
		t.Errorf("final view %s, want the usual success", final)
	}
	w.slack.WaitUntil(t, wait, "the reply to be tried", func() bool {
		for _, c := range w.slack.Calls("chat.postMessage") {
			if c.Params["channel"] == ticketChannel {
				return c.Error == "not_in_channel"
			}
		}
		return false
	})
	if eph := w.slack.Calls("chat.postEphemeral"); len(eph) != 1 || !containsAny(eph[0].Params["text"], w.pv.Clients()[0].Password) {
		t.Errorf("password deliveries %v, want the usual one", eph)
	}
	assertLogged(t, w, "submit", "created")
}

func TestGlobalShortcutOpensTheForm(t *testing.T) {
	t.Parallel()
	w := start(t, setup{})
	sc := w.slack.SendShortcut(t, requester, bot.ShortcutCreate)
	viewID := w.slack.WaitView(t, sc, wait)
	if form := viewText(w.slack.View(t, viewID)); !strings.Contains(form, modals.BlockEmail) || strings.Contains(form, "taken from the message") {
		t.Errorf("the global shortcut opened %s, want the empty form", form)
	}
	w.slack.Submit(t, requester, viewID, goodFill())
	w.finalView()
	if n := w.pv.Count("POST", "/client"); n != 1 {
		t.Errorf("%d POSTs, want 1", n)
	}

	// Someone not allowed is told why in a small modal: a shortcut has no
	// channel to answer in.
	sc = w.slack.SendShortcut(t, "U0STRANGER", bot.ShortcutCreate)
	notice := viewText(w.slack.View(t, w.slack.WaitView(t, sc, wait)))
	if !strings.Contains(notice, "not on the list") || strings.Contains(notice, modals.BlockEmail) {
		t.Errorf("a stranger's shortcut opened %s, want the refusal", notice)
	}
}

// A request from a message that waits for approval is announced in the
// message's thread once the requester collects it.
func TestMessageShortcutThroughApproval(t *testing.T) {
	t.Parallel()
	w := start(t, approvalSetup())
	asked := w.slack.PostAs(t, "U0AGENT", ticketChannel, "Jane Doe &lt;jane@acme.com&gt; needs Full access")
	viewID := w.fromMessage(requester, asked)
	fill := fullAccessFill()
	delete(fill, modals.BlockEmail)
	delete(fill, modals.BlockFirstName)
	delete(fill, modals.BlockLastName)
	w.slack.Submit(t, requester, viewID, fill)
	ts := w.onlyRequest().TS
	dm := w.approve(approver, ts)
	if n := len(w.slack.Messages(ticketChannel)); n != 1 {
		t.Errorf("%d messages in the ticket channel before the client exists, want the question alone", n)
	}
	w.slack.ClickMessage(t, requester, dm.Channel, dm.TS, modals.ActionCollect)
	w.waitMessage(ts, "Created by <@"+requester+">")
	w.slack.WaitUntil(t, wait, "the thread reply", func() bool {
		for _, m := range w.slack.Messages(ticketChannel) {
			if m.ThreadTS == asked.TS && strings.Contains(m.Text, "jane@acme.com") && strings.Contains(m.Text, "Full access") {
				return true
			}
		}
		return false
	})
}

// Every way into the form is counted by where it came from.
func TestFormsOpenedAreCountedByEntryPoint(t *testing.T) {
	t.Parallel()
	w := start(t, setup{})
	w.openForm(requester, "")
	w.slack.WaitView(t, w.slack.SendShortcut(t, requester, bot.ShortcutCreate), wait)
	m := w.slack.PostAs(t, "U0AGENT", ticketChannel, "Please add jane.doe@acme.com")
	w.fromMessage(requester, m)
	w.slack.OpenHome(t, requester)
	w.slack.WaitHome(t, requester, "No requests yet", wait)
	w.slack.WaitView(t, w.slack.ClickHome(t, requester, "home_actions", modals.ActionHomeCreate), wait)
	if err := w.shutdown(); err != nil { // every request counted
		t.Fatal(err)
	}
	got := w.scrape()
	for _, from := range []string{"command", "shortcut", "message_shortcut", "home"} {
		if v := metric(got, `plusvibe_bot_modals_opened_total{from="`+from+`"}`); v != 1 {
			t.Errorf("forms opened from %s = %v, want 1", from, v)
		}
	}
}
