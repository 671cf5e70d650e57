package bot_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/bot"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe/plusvibetest"
)

var acme, nova, zeta = plusvibetest.DefaultWorkspaces[0], plusvibetest.DefaultWorkspaces[1], plusvibetest.DefaultWorkspaces[2]

// perWorkspace opens the form, types goodFill, then switches to access per
// workspace and adds Acme Outreach: the form is redrawn each time, keeping
// what was typed. It returns the form's view id.
func (w *world) perWorkspace() string {
	w.t.Helper()
	t := w.t
	viewID := w.openForm(requester, "")
	typed := goodFill()
	typed[modals.BlockAccessMode] = []string{"Different access per workspace"}
	w.slack.WaitAck(t, w.slack.Change(t, requester, viewID, modals.BlockAccessMode, typed).EnvelopeID, wait)
	w.slack.WaitUntil(t, wait, "the form redrawn with access per workspace", func() bool {
		return strings.Contains(viewText(w.slack.View(t, viewID)), modals.BlockWorkspacePermission(nova.ID))
	})
	form := viewText(w.slack.View(t, viewID))
	for _, want := range []string{`"initial_value":"nova.smith@example.com"`, `"initial_value":"Nova Consulting Ltd"`,
		modals.BlockWorkspacePermission(nova.ID), modals.BlockWorkspaceLabels(zeta.ID), `"initial_value":"NOT_INTERESTED, DO_NOT_CONTACT"`} {
		if !strings.Contains(form, want) {
			t.Fatalf("the redrawn form lost or lacks %s: %s", want, form)
		}
	}
	if strings.Contains(form, modals.BlockWorkspacePermission(acme.ID)) || strings.Contains(form, `"block_id":"`+modals.BlockPermission+`"`) {
		t.Fatalf("the redrawn form asks for access it should not: %s", form)
	}
	// Choosing one more workspace adds its own inputs.
	w.slack.WaitAck(t, w.slack.Change(t, requester, viewID, modals.BlockWorkspaces,
		map[string]any{modals.BlockWorkspaces: []string{"Acme Outreach", "Nova Consulting", "Zeta Labs"}}).EnvelopeID, wait)
	w.slack.WaitUntil(t, wait, "the form redrawn with Acme Outreach", func() bool {
		return strings.Contains(viewText(w.slack.View(t, viewID)), modals.BlockWorkspacePermission(acme.ID))
	})
	return viewID
}

func TestAccessPerWorkspace(t *testing.T) {
	t.Parallel()
	w := start(t, setup{cfg: bot.Config{AuditChannel: auditCh}})
	viewID := w.perWorkspace()

	resp := w.slack.Submit(t, requester, viewID, map[string]any{
		modals.BlockWorkspacePermission(acme.ID): "Full access", modals.BlockWorkspaceLabels(acme.ID): "VIP",
		modals.BlockWorkspaceLabels(zeta.ID): ""})
	if resp.Action != "update" {
		t.Fatalf("submission answered %s %v", resp.Action, resp.Errors)
	}
	post := w.pv.Next(t, "POST", "/client", wait)
	if post.SpecError != nil {
		t.Errorf("POST /client breaks the spec: %v", post.SpecError)
	}
	var body struct {
		Workspaces []struct {
			ID          string   `json:"id"`
			Permissions []string `json:"permissions"`
			HideLabels  []string `json:"hide_labels"`
		} `json:"workspaces"`
	}
	if err := json.Unmarshal(post.Body, &body); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, ws := range body.Workspaces {
		got[ws.ID] = strings.Join(ws.Permissions, "+") + " hides " + strings.Join(ws.HideLabels, "+")
	}
	want := map[string]string{acme.ID: "FULL_ACCESS hides VIP", nova.ID: "UNIBOX_FULL_ACCESS hides NOT_INTERESTED+DO_NOT_CONTACT", zeta.ID: "UNIBOX_FULL_ACCESS hides "}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("workspace %s: %q, want %q (body %s)", id, got[id], w, post.Body)
		}
	}
	line := w.waitAudit("*created*")
	if !strings.Contains(line, "access per workspace: Acme Outreach (Full access), Nova Consulting (Unibox only), Zeta Labs (Unibox only)") {
		t.Errorf("audit line %q, want each workspace's access", line)
	}

	// Switched off again: one access for all, the first workspace's.
	viewID = w.perWorkspace()
	w.slack.Change(t, requester, viewID, modals.BlockAccessMode, map[string]any{modals.BlockAccessMode: []string{}})
	w.slack.WaitUntil(t, wait, "the form back to one access", func() bool {
		return strings.Contains(viewText(w.slack.View(t, viewID)), `"block_id":"`+modals.BlockPermission+`"`)
	})
}

// With APPROVAL_FOR=FULL_ACCESS a request waits when any one workspace asks
// for Full access; the approvers see each workspace's own.
func TestAccessPerWorkspaceUnderApproval(t *testing.T) {
	t.Parallel()
	w := start(t, fullAccessOnlySetup())
	viewID := w.perWorkspace()
	w.slack.Submit(t, requester, viewID, map[string]any{modals.BlockWorkspacePermission(acme.ID): "Unibox only"})
	w.pv.Next(t, "POST", "/client", wait) // Unibox only everywhere: no approval
	if n := len(w.slack.Messages(approvals)); n != 0 {
		t.Fatalf("%d requests for approval, want none", n)
	}

	viewID = w.perWorkspace() // for another client: the first exists now
	w.slack.Submit(t, requester, viewID, map[string]any{modals.BlockEmail: "second@example.com", modals.BlockWorkspacePermission(acme.ID): "Full access"})
	msg := w.onlyRequest().Content()
	for _, want := range []string{"Access per workspace", "Acme Outreach: Full access", "Nova Consulting: Unibox only", "Zeta Labs: Unibox only"} {
		if !strings.Contains(msg, want) {
			t.Errorf("the approval request lacks %q: %s", want, msg)
		}
	}
	if n := w.pv.Count("POST", "/client"); n != 1 {
		t.Errorf("%d POSTs, want none more before the approval", n)
	}
}
