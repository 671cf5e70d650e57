package bot_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/bot"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/internal/slacktest"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe/plusvibetest"
)

// homeCounts says how many of user's Home tab blocks are requests, and
// whether it offers Create client on any of them.
func homeRequests(w *world, user string) (n int, collect bool) {
	for _, b := range asBlocks(w.slack.Home(user)["blocks"]) {
		if id, _ := b["block_id"].(string); strings.HasPrefix(id, "request_") {
			n++
			if acc, _ := b["accessory"].(map[string]any); acc != nil && acc["action_id"] == modals.ActionCollect {
				collect = true
			}
		}
	}
	return n, collect
}

func asBlocks(v any) []map[string]any {
	list, _ := v.([]any)
	var out []map[string]any
	for _, x := range list {
		if m, ok := x.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

func TestHomeTabListsYourRequests(t *testing.T) {
	t.Parallel()
	w := start(t, setup{})
	w.slack.OpenHome(t, requester)
	w.slack.WaitHome(t, requester, "No requests yet", wait)

	// Its button opens the form; what is created shows up at once.
	click := w.slack.ClickHome(t, requester, "home_actions", modals.ActionHomeCreate)
	viewID := w.slack.WaitView(t, click, wait)
	w.slack.Submit(t, requester, viewID, goodFill())
	w.finalView()
	home := w.slack.WaitHome(t, requester, "created", wait)
	if !strings.Contains(home, "nova.smith@example.com") || !strings.Contains(home, "Nova Consulting Ltd") {
		t.Errorf("Home tab after a creation: %s", home)
	}
	if containsAny(home, w.pv.Clients()[0].Password) {
		t.Error("the Home tab shows the password")
	}

	// A failure shows with its reason; the newest request comes first.
	w.pv.Script("POST", "/client", plusvibetest.Response{Status: 500})
	viewID = w.openForm(requester, "")
	fill := goodFill()
	fill[modals.BlockEmail] = "second@example.com"
	w.slack.Submit(t, requester, viewID, fill)
	w.finalView()
	home = w.slack.WaitHome(t, requester, "failed", wait)
	if strings.Index(home, "second@example.com") > strings.Index(home, "nova.smith@example.com") {
		t.Errorf("the newest request is not first: %s", home)
	}

	// Ten at most, within Slack's limits (the fake checks them).
	for i := range 11 {
		viewID := w.openForm(requester, "")
		fill := goodFill()
		fill[modals.BlockEmail] = fmt.Sprintf("client%d@example.com", i)
		w.slack.Submit(t, requester, viewID, fill)
		w.finalView()
	}
	w.slack.WaitHome(t, requester, "client10@example.com", wait)
	if n, _ := homeRequests(w, requester); n != modals.HomeRequests {
		t.Errorf("%d requests in the Home tab, want the newest %d", n, modals.HomeRequests)
	}
	if home := slacktest.ViewText(w.slack.Home(requester)); strings.Contains(home, "nova.smith@example.com") {
		t.Error("the oldest request is still listed")
	}
	// Tabs never opened are not drawn on every change (views.publish is
	// rate-limited): approver2 has none.
	for _, c := range w.slack.Calls("views.publish") {
		if c.Params["user_id"] != requester {
			t.Errorf("views.publish for %s, who never opened the Home tab", c.Params["user_id"])
		}
	}
	// Someone else's Home tab shows none of it.
	w.slack.OpenHome(t, "U0SOMEONE")
	if home := w.slack.WaitHome(t, "U0SOMEONE", "No requests yet", wait); strings.Contains(home, "@example.com") {
		t.Errorf("another person's Home tab shows %s", home)
	}
}

func TestHomeTabFollowsAnApproval(t *testing.T) {
	t.Parallel()
	w := start(t, approvalSetup())
	w.slack.OpenHome(t, approver)
	w.slack.WaitHome(t, approver, "Nothing waits for your decision", wait)
	w.slack.OpenHome(t, requester)
	w.slack.WaitHome(t, requester, "No requests yet", wait)
	_, ts := w.request(fullAccessFill())

	// The requester sees it waiting; the approver sees it waiting for them,
	// linked, without opening the tab again.
	if home := w.slack.WaitHome(t, requester, "waiting for approval", wait); !strings.Contains(home, "<https://") {
		t.Errorf("requester's Home tab: %s, want a link to the request", home)
	}
	mine := w.slack.WaitHome(t, approver, "asked by <@"+requester+">", wait)
	if !strings.Contains(mine, "nova.smith@example.com") || !strings.Contains(mine, "<https://") {
		t.Errorf("approver's Home tab: %s", mine)
	}
	// Nobody is shown their own request as waiting for them.
	if home := slacktest.ViewText(w.slack.Home(requester)); strings.Contains(home, "asked by") {
		t.Errorf("the requester, also an approver, is asked to decide their own request: %s", home)
	}

	w.approve(approver, ts)
	w.slack.WaitHome(t, approver, "Nothing waits for your decision", wait)
	w.slack.WaitHome(t, requester, "approved: create it", wait)
	if _, collect := homeRequests(w, requester); !collect {
		t.Fatal("the approved request has no Create client button in the Home tab")
	}

	// Collected from the Home tab: the password goes to the DM, the tab
	// says created.
	w.slack.ClickHome(t, requester, "request_0", modals.ActionCollect)
	w.waitMessage(ts, "Created by <@"+requester+">")
	eph := w.slack.Calls("chat.postEphemeral")
	if len(eph) != 1 || eph[0].Params["channel"] != "D"+requester || !containsAny(eph[0].Params["text"], w.pv.Clients()[0].Password) {
		t.Errorf("password deliveries %v, want one ephemeral in the requester's DM", eph)
	}
	// Redrawn in the background: the tab comes to say created, and then
	// offers no Create client.
	w.slack.WaitUntil(t, wait, "the Home tab saying created, without Create client", func() bool {
		_, collect := homeRequests(w, requester)
		return !collect && strings.Contains(slacktest.ViewText(w.slack.Home(requester)), ":white_check_mark: created")
	})
}

func TestHomeTabShowsADenialAndCapsTheWaitingList(t *testing.T) {
	t.Parallel()
	w := start(t, approvalSetup())
	w.slack.OpenHome(t, requester)
	w.slack.WaitHome(t, requester, "No requests yet", wait)
	_, ts := w.request(fullAccessFill())
	w.deny(approver, ts, "Not a customer <yet>")
	if home := w.slack.WaitHome(t, requester, "denied", wait); !strings.Contains(home, "Not a customer &lt;yet&gt;") {
		t.Errorf("Home tab after a denial: %s", home)
	}

	for i := range modals.HomeWaiting + 5 {
		fill := fullAccessFill()
		fill[modals.BlockEmail] = fmt.Sprintf("waiting%d@example.com", i)
		w.request(fill)
	}
	w.slack.OpenHome(t, approver)
	home := w.slack.WaitHome(t, approver, fmt.Sprintf("Showing %d of %d", modals.HomeWaiting, modals.HomeWaiting+5), wait)
	if n := strings.Count(home, "asked by"); n != modals.HomeWaiting {
		t.Errorf("%d waiting requests shown, want %d", n, modals.HomeWaiting)
	}
}

// With APPROVERS=* anyone may decide, but the Home tab lists what waits
// (emails, businesses) only to people on the creation allow-list.
func TestHomeTabWaitingListOnlyForTheAllowListUnderApproveAll(t *testing.T) {
	t.Parallel()
	w := start(t, setup{cfg: bot.Config{ApprovalChannel: approvals, ApproveAll: true, AllowedUsers: []string{requester, approver}}})
	w.request(fullAccessFill())

	w.slack.OpenHome(t, outsider)
	if home := w.slack.WaitHome(t, outsider, "No requests yet", wait); strings.Contains(home, "Waiting for you") || strings.Contains(home, "nova.smith@example.com") {
		t.Errorf("an outsider's Home tab shows the waiting requests: %s", home)
	}
	w.slack.OpenHome(t, approver)
	if home := w.slack.WaitHome(t, approver, "Waiting for you", wait); !strings.Contains(home, "asked by <@"+requester+">") {
		t.Errorf("an allowed approver's Home tab: %s, want the waiting request", home)
	}
}
