package bot_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/internal/slacktest"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe/plusvibetest"
)

// reviewSetup reviews every hour in the approval channel: the first review
// posts as the bot starts.
func reviewSetup() setup {
	s := approvalSetup()
	s.cfg.ReviewEvery, s.cfg.SweepInterval = time.Hour, 20*time.Millisecond
	return s
}

// seed adds a client with access p in the first workspace.
func seed(pv *plusvibetest.Server, email, p string) string {
	return pv.AddClient(plusvibe.ClientLogin{Email: email, FirstName: "A", LastName: "B", BusinessName: "Biz",
		Permissions: []plusvibe.ClientPermission{{WorkspaceID: plusvibetest.DefaultWorkspaces[1].ID, Permissions: []string{p}}}})
}

// reviewPages waits for n review pages in the approval channel.
func (w *world) reviewPages(n int) []slacktest.Message {
	w.t.Helper()
	var pages []slacktest.Message
	w.slack.WaitUntil(w.t, 2*wait, fmt.Sprintf("%d review pages", n), func() bool {
		pages = pages[:0]
		for _, m := range w.slack.Messages(approvals) {
			if strings.Contains(m.Text, "Access review") {
				pages = append(pages, m)
			}
		}
		return len(pages) >= n
	})
	return pages
}

// startReview seeds the clients, then starts the bot, whose first review
// lists them.
func startReview(t *testing.T, clients func(*plusvibetest.Server)) *world {
	t.Helper()
	s := reviewSetup()
	s.pvOpts = append(s.pvOpts, plusvibetest.Option(clients))
	return start(t, s)
}

func TestReviewListsFullAccessAndAppliesEachDecisionOnce(t *testing.T) {
	t.Parallel()
	var full, reduce, remove, unibox string
	w := startReview(t, func(pv *plusvibetest.Server) {
		full, reduce, remove = seed(pv, "keep@example.com", plusvibe.PermissionFullAccess),
			seed(pv, "reduce@example.com", plusvibe.PermissionFullAccess), seed(pv, "remove@example.com", plusvibe.PermissionFullAccess)
		unibox = seed(pv, "unibox@example.com", plusvibe.PermissionUniboxAccess)
	})
	page := w.reviewPages(1)[0]
	for _, id := range []string{full, reduce, remove} {
		if !strings.Contains(page.Content(), id) {
			t.Errorf("the review lacks Full access client %s", id)
		}
	}
	if strings.Contains(page.Content(), "unibox@example.com") || strings.Contains(page.Content(), unibox) {
		t.Error("the review lists a Unibox only client")
	}
	w.slack.ClickBlock(t, approver, page, "review:"+full, modals.ActionReviewKeep)
	w.slack.ClickBlock(t, approver, page, "review:"+reduce, modals.ActionReviewReduce)
	w.slack.ClickBlock(t, approver2, page, "review:"+remove, modals.ActionReviewRemove)
	w.slack.ClickBlock(t, approver2, page, "review:"+remove, modals.ActionReviewRemove) // a double click
	w.slack.WaitUntil(t, wait, "three decisions on the page", func() bool {
		c := w.slack.Message(t, approvals, page.TS).Content()
		return strings.Contains(c, "Kept by <@"+approver+">") && strings.Contains(c, "Reduced to Unibox only by <@"+approver+">") &&
			strings.Contains(c, "Removed by <@"+approver2+">")
	})
	if err := w.shutdown(); err != nil {
		t.Fatal(err)
	}
	if p, d := w.pv.Count("PUT", "/client"), w.pv.Count("DELETE", "/client"); p != 1 || d != 1 {
		t.Errorf("%d PUTs and %d DELETEs, want 1 and 1: keep changes nothing, each decision applies once", p, d)
	}
	for _, c := range w.pv.Listed() {
		if c.ID == reduce && c.Permissions[0].Permissions[0] != plusvibe.PermissionUniboxAccess {
			t.Errorf("the reduced client has %v", c.Permissions)
		}
		if c.ID == remove {
			t.Error("the removed client is still listed")
		}
	}
	if n := strings.Count(strings.Join(w.auditLines(), "\n"), "*reviewed*"); n != 3 {
		t.Errorf("%d review audit lines, want 3", n)
	}
	if m := w.slack.Message(t, approvals, page.TS); len(m.Buttons()) != 0 {
		t.Errorf("decided clients still offer %v", m.Buttons())
	}
}

func TestReviewOfTheirOwnClientRefused(t *testing.T) {
	t.Parallel()
	s := reviewSetup()
	s.cfg.ReviewEvery = 0
	w := start(t, s)
	_, id := w.createWithEnd(fullAccessFill(), time.Hour) // asked for by requester, who is also an approver
	if page := w.reviewedByWhoAsked(id); !strings.Contains(page.Content(), "ends") {
		t.Errorf("the review does not say when it ends: %s", page.Content())
	}
}

func TestReviewOfFiveHundredClientsPosts(t *testing.T) {
	t.Parallel()
	w := startReview(t, func(pv *plusvibetest.Server) {
		for i := range 500 {
			seed(pv, fmt.Sprintf("client%03d@example.com", i), plusvibe.PermissionFullAccess)
		}
	})
	pages := w.reviewPages(25)
	listed := 0
	for _, p := range pages {
		listed += strings.Count(p.Content(), "Full access in")
		if len(p.Blocks) > 50 {
			t.Errorf("a page of %d blocks", len(p.Blocks))
		}
	}
	if listed != 500 {
		t.Errorf("%d clients over %d pages, want 500", listed, len(pages))
	}
	if !slices.ContainsFunc(pages, func(m slacktest.Message) bool { return strings.Contains(m.Text, "page 25 of 25") }) {
		t.Error("no page 25 of 25")
	}
}

func TestReviewCutShortIsCompletedNotRepeated(t *testing.T) {
	t.Parallel()
	s := reviewSetup()
	s.pvOpts = append(s.pvOpts, plusvibetest.Option(func(pv *plusvibetest.Server) {
		for i := range 45 {
			seed(pv, fmt.Sprintf("client%02d@example.com", i), plusvibe.PermissionFullAccess)
		}
	}))
	s.beforeStart = func(sl *slacktest.Server) { sl.FailNext("chat.postMessage", "", "internal_error") } // page 2 fails once
	w := start(t, s)
	pages := w.reviewPages(3)
	if err := w.shutdown(); err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, p := range w.reviewPages(3) {
		seen[strings.SplitN(p.Text, ":", 2)[0]]++
	}
	if len(pages) != 3 || len(seen) != 3 {
		t.Errorf("pages %v, want pages 1, 2 and 3 once each", seen)
	}
	if !slices.ContainsFunc(w.slack.Calls("chat.postMessage"), func(c slacktest.Call) bool { return c.Error == "internal_error" }) {
		t.Error("no page failed to post: the test tested nothing")
	}
}

// A decision on a client changed since its review was posted is refused:
// it would act on what is no longer there.
func TestReviewOfAClientChangedSinceIsRefused(t *testing.T) {
	t.Parallel()
	var id string
	w := startReview(t, func(pv *plusvibetest.Server) { id = seed(pv, "changed@example.com", plusvibe.PermissionFullAccess) })
	page := w.reviewPages(1)[0]
	ws := plusvibetest.DefaultWorkspaces[1].ID
	viewID := w.openFromFind(w.find(requester, "changed@"), modals.ActionEditAccess, modals.BlockWorkspacePermission(ws))
	w.slack.Submit(t, requester, viewID, slacktest.Fill{modals.BlockWorkspacePermission(ws): "Unibox only"})
	w.pv.Next(t, "PUT", "/client", wait)
	w.slack.ClickBlock(t, approver, page, "review:"+id, modals.ActionReviewRemove)
	w.waitWhisper(approver, modals.ReviewChangedText)
	if n := w.pv.Count("DELETE", "/client"); n != 0 {
		t.Errorf("%d DELETEs of a client changed since the review", n)
	}
	if m := w.slack.Message(t, approvals, page.TS); !slices.Contains(m.Buttons(), modals.ActionReviewRemove) {
		t.Errorf("the refused decision was recorded: %s", m.Content())
	}
}

// Who asked for Full access through a change is who asked for the client,
// for the review: they may not decide it.
func TestReviewOfFullAccessTheyAskedForByAChangeRefused(t *testing.T) {
	t.Parallel()
	s := reviewSetup()
	s.cfg.ReviewEvery = 0
	s.store, _ = redisStore(t) // who asked outlives the restart
	w := start(t, s)
	id := w.jane() // made in PlusVibe itself, Unibox only
	viewID := w.openFromFind(w.find(requester, "jane"), modals.ActionEditAccess, modals.BlockWorkspacePermission(nova.ID))
	w.slack.Submit(t, requester, viewID, slacktest.Fill{modals.BlockWorkspacePermission(nova.ID): "Full access"})
	ts := w.onlyRequest().TS
	w.slack.ClickMessage(t, approver, approvals, ts, modals.ActionApprove)
	w.waitMessage(ts, "The access was changed")
	w.reviewedByWhoAsked(id)
}

// Without Redis, who asked for a client outlives a restart in the audit
// channel's lines: a client with no end is still not reviewed by them.
func TestReviewKnowsWhoAskedAfterARestartWithoutRedis(t *testing.T) {
	t.Parallel()
	s := reviewSetup()
	s.cfg.ReviewEvery = 0
	w := start(t, s)
	_, ts := w.request(fullAccessFill()) // no end: nothing in the schedule names them
	dm := w.approve(approver, ts)
	w.slack.ClickMessage(t, requester, dm.Channel, dm.TS, modals.ActionCollect)
	w.waitMessage(ts, "Created by")
	w.reviewedByWhoAsked(w.pv.Clients()[0].ID)
}

// reviewedByWhoAsked has the next process post a review, checks it names
// the requester as who asked for client id, and that their Remove is
// refused.
func (w *world) reviewedByWhoAsked(id string) slacktest.Message {
	w.t.Helper()
	w.setup.cfg.ReviewEvery = time.Hour // the next process reviews, its memory empty
	w.restart()
	page := w.reviewPages(1)[0]
	if !strings.Contains(page.Content(), "asked by <@"+requester+">") {
		w.t.Fatalf("the review does not name who asked: %s", page.Content())
	}
	w.slack.ClickBlock(w.t, requester, page, "review:"+id, modals.ActionReviewRemove)
	w.waitWhisper(requester, "another approver reviews it")
	if n := w.pv.Count("DELETE", "/client"); n != 0 {
		w.t.Errorf("%d DELETEs by who asked for the client", n)
	}
	return page
}
