package modals_test

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe"
)

func TestApprovalValueRoundTripAndLimit(t *testing.T) {
	t.Parallel()
	ws := manyWorkspaces(30)
	// Everything at its limit except the labels: what a real request can reach.
	f := worstForm(ws)
	f.HideLabels = strings.Repeat("L", 300)
	a := modals.Approval{Requester: "U0123456789", ViewID: "V0123456789", Channel: "C0123456789", Form: f}
	value, err := a.Encode()
	if err != nil {
		t.Fatalf("a large but ordinary request does not fit a button: %v", err)
	}
	if n := utf8.RuneCountInString(value); n > 2000 {
		t.Fatalf("value has %d characters, Slack allows 2000", n)
	}
	back, err := modals.DecodeApproval(value)
	if err != nil || back.Requester != a.Requester || back.ViewID != a.ViewID || back.Form.LastName != f.LastName ||
		len(back.Form.WorkspaceIDs) != modals.MaxWorkspaces || back.Form.HideLabels != f.HideLabels {
		t.Errorf("approval did not survive the button: %+v, %v", back, err)
	}
	// Characters that JSON escapes must not push a request over silently.
	f.HideLabels = strings.Repeat("\"", modals.MaxHideLabelsLen)
	a.Form = f
	if _, err := a.Encode(); !errors.Is(err, modals.ErrTooLarge) {
		t.Errorf("Encode of an oversized request: %v, want ErrTooLarge", err)
	}
	for _, bad := range []string{"", "{}", `{"u":"U1"}`, "not json"} {
		if _, err := modals.DecodeApproval(bad); err == nil {
			t.Errorf("DecodeApproval(%q) accepted it", bad)
		}
	}
}

func TestApprovalMessageWithinLimits(t *testing.T) {
	t.Parallel()
	ws := manyWorkspaces(30)
	f := worstForm(ws)
	f.HideLabels = strings.Repeat("L,", 150)
	a := modals.Approval{Requester: "U1", Form: f}
	value, _ := a.Encode()
	for _, d := range []modals.Decision{
		{State: modals.Pending}, {State: modals.Creating, By: "U2"}, {State: modals.Created, By: "U2", ClientID: "abc"},
		{State: modals.Failed, By: "U2", Reason: strings.Repeat("PlusVibe said no. ", 300)},
		{State: modals.Denied, By: "U2", Reason: strings.Repeat("<!channel>", 50)}, {State: modals.Expired},
	} {
		text, blocks := modals.ApprovalMessage(a, value, ws, d, time.Now())
		if text == "" || len(blocks) > 50 {
			t.Errorf("state %d: text %q, %d blocks", d.State, text, len(blocks))
		}
		for _, b := range blocks {
			switch b := b.(type) {
			case *slack.SectionBlock:
				if utf8.RuneCountInString(b.Text.Text) > 3000 {
					t.Errorf("state %d: section over 3000 characters", d.State)
				}
			case *slack.ContextBlock:
				for _, e := range b.ContextElements.Elements {
					if txt, isText := e.(*slack.TextBlockObject); isText && utf8.RuneCountInString(txt.Text) > 3000 {
						t.Errorf("state %d: context over 3000 characters", d.State)
					}
				}
			case *slack.ActionBlock:
				if d.State != modals.Pending && d.State != modals.Failed {
					t.Errorf("state %d still offers buttons", d.State)
				}
			}
		}
	}
}

func TestApprovalMessageShowsWorkspaceNames(t *testing.T) {
	t.Parallel()
	ws := []plusvibe.Workspace{{ID: "65f99a0dd96fae8ab61130c1", Name: "Acme <Outreach>"}}
	f := modals.Form{Email: "a@b.co", FirstName: "A", LastName: "B", BusinessName: "C",
		WorkspaceIDs: []string{ws[0].ID, "65f99a0dd96fae8ab61130c9"}, Permission: plusvibe.PermissionUniboxAccess}
	_, blocks := modals.ApprovalMessage(modals.Approval{Requester: "U1", Form: f}, "v", ws, modals.Decision{}, time.Now())
	var all strings.Builder
	for _, b := range blocks {
		if s, isSection := b.(*slack.SectionBlock); isSection {
			all.WriteString(s.Text.Text)
		}
	}
	for _, want := range []string{"Acme &lt;Outreach&gt;", "65f99a0dd96fae8ab61130c9", "Unibox only", "*Hidden labels:* none"} {
		if !strings.Contains(all.String(), want) {
			t.Errorf("message lacks %q: %s", want, all.String())
		}
	}
}

func TestDenyFormWithinLimits(t *testing.T) {
	t.Parallel()
	ws := manyWorkspaces(30)
	a := modals.Approval{Requester: "U1", ViewID: "V1", Channel: "C1", Form: worstForm(ws)}
	a.Form.HideLabels = strings.Repeat("L", 300)
	value, err := a.Encode()
	if err != nil {
		t.Fatal(err)
	}
	v := modals.DenyForm(a, modals.DenyMeta{Channel: "C0123456789", TS: "1764300000.000100", Value: value})
	checkLimits(t, v)
	meta, err := modals.DecodeDenyMeta(v.PrivateMetadata)
	if err != nil || meta.Value != value {
		t.Errorf("deny metadata did not round-trip: %v", err)
	}
}

func TestAuditLineEscapesAndNamesEveryone(t *testing.T) {
	t.Parallel()
	line := modals.AuditLine(modals.AuditEntry{Outcome: modals.AuditCreated, Requester: "U1", Approver: "U2",
		Email: "a@b.co", Business: "<!channel>", Workspaces: []string{"Acme", "<Zeta>"},
		Permission: plusvibe.PermissionFullAccess, ClientID: "abc123"})
	for _, want := range []string{"*created*", "<@U1>", "approved by <@U2>", "a@b.co", "&lt;!channel&gt;", "Full access in Acme, &lt;Zeta&gt;", "`abc123`"} {
		if !strings.Contains(line, want) {
			t.Errorf("audit line %q lacks %q", line, want)
		}
	}
	if strings.Contains(line, "\n") {
		t.Error("audit entry spans several lines")
	}
}
