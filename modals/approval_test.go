package modals_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/slack-go/slack"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/request"
)

func TestRecordRoundTripsThroughMetadata(t *testing.T) {
	t.Parallel()
	ws := manyWorkspaces(30)
	r := request.Record{State: request.Failed, By: "U2", DM: "DU1", DMTS: "1764300000.000100", Since: 1764300001,
		Reason: "PlusVibe <said> no", Request: request.Approval{Requester: "U1", ViewID: "V1", Channel: "C1", Form: worstForm(ws)}}
	// As Slack hands it back: JSON, decoded into slack-go's own type.
	raw, err := json.Marshal(modals.RecordMetadata(r))
	if err != nil {
		t.Fatal(err)
	}
	var m slack.SlackMetadata
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	back, err := modals.RecordFrom(m)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(r, back); diff != "" {
		t.Errorf("record changed on the way (-want +got):\n%s", diff)
	}
	for _, bad := range []slack.SlackMetadata{{}, {EventType: "other", EventPayload: m.EventPayload},
		{EventType: request.RecordEvent, EventPayload: map[string]any{"state": "pending"}}} {
		if _, err := modals.RecordFrom(bad); !errors.Is(err, request.ErrNoRecord) {
			t.Errorf("RecordFrom(%v) = %v, want ErrNoRecord", bad, err)
		}
	}
}

func TestApprovalMessageWithinLimits(t *testing.T) {
	t.Parallel()
	ws := manyWorkspaces(30)
	f := worstForm(ws)
	f.HideLabels = strings.Repeat("L,", 150)
	pw := worstPerWorkspace(ws)
	for i := range pw.Access {
		pw.Access[i].HideLabels = "L,"
	}
	for _, a := range []request.Approval{{Requester: "U1", Form: f}, {Requester: "U1", Form: pw}} {
		for _, r := range []request.Record{
			{State: request.Pending}, {State: request.Approved, By: "U2"}, {State: request.Creating, By: "U2"},
			{State: request.Created, By: "U2", ClientID: "abc"}, {State: request.Created, By: "U2", Undelivered: true},
			{State: request.Failed, By: "U2", Reason: strings.Repeat("PlusVibe said no. ", 300)},
			{State: request.Denied, By: "U2", Reason: strings.Repeat("<!channel>", 50)}, {State: request.Expired},
			{State: request.Expired, By: "U2"},
		} {
			r.Request = a
			text, blocks := modals.ApprovalMessage(r, ws, time.Now())
			if text == "" || len(blocks) > 50 {
				t.Errorf("state %s: text %q, %d blocks", r.State, text, len(blocks))
			}
			for _, b := range blocks {
				switch b := b.(type) {
				case *slack.SectionBlock:
					if b.Text != nil && utf8.RuneCountInString(b.Text.Text) > 3000 {
						t.Errorf("state %s: section over 3000 characters", r.State)
					}
					if len(b.Fields) > 10 {
						t.Errorf("state %s: %d fields", r.State, len(b.Fields))
					}
					for _, f := range b.Fields {
						if utf8.RuneCountInString(f.Text) > 2000 {
							t.Errorf("state %s: field over 2000 characters", r.State)
						}
					}
				case *slack.ContextBlock:
					for _, e := range b.ContextElements.Elements {
						if txt, isText := e.(*slack.TextBlockObject); isText && utf8.RuneCountInString(txt.Text) > 3000 {
							t.Errorf("state %s: context over 3000 characters", r.State)
						}
					}
				case *slack.ActionBlock:
					if r.State != request.Pending {
						t.Errorf("state %s still offers decision buttons", r.State)
					}
				}
			}
			_, grant := modals.GrantMessage(r, "C1/1.2", time.Now())
			if len(grant) > 50 {
				t.Errorf("state %s: grant DM has %d blocks", r.State, len(grant))
			}
		}
	}
}

// Every workspace's access is shown whole, over as many fields as it takes.
func TestApprovalMessageShowsEachWorkspacesAccess(t *testing.T) {
	t.Parallel()
	ws := manyWorkspaces(30)
	f := worstPerWorkspace(ws)
	_, blocks := modals.ApprovalMessage(request.Record{State: request.Pending, Request: request.Approval{Requester: "U1", Form: f}}, ws, time.Now())
	all := strings.Join(fieldTexts(blocks), "\n")
	for _, id := range f.WorkspaceIDs {
		for _, w := range ws {
			if w.ID == id && !strings.Contains(all, w.Name+": Unibox only") {
				t.Errorf("%s's access is not shown whole", w.Name)
			}
		}
	}
	if strings.Contains(all, "…") {
		t.Error("a field was cut")
	}
}

// fieldTexts is the text of every section field, in order.
func fieldTexts(blocks []slack.Block) []string {
	var out []string
	for _, b := range blocks {
		if s, isSection := b.(*slack.SectionBlock); isSection {
			for _, f := range s.Fields {
				out = append(out, f.Text)
			}
		}
	}
	return out
}

func TestApprovalMessageShowsTheGrantFirst(t *testing.T) {
	t.Parallel()
	ws := []plusvibe.Workspace{{ID: "65f99a0dd96fae8ab61130c1", Name: "Acme <Outreach>"}}
	f := request.Form{Email: "a@b.co", FirstName: strings.Repeat("&", 100), LastName: strings.Repeat("&", 100),
		BusinessName: strings.Repeat("&", 150), WorkspaceIDs: []string{ws[0].ID, "65f99a0dd96fae8ab61130c9"},
		Permission: plusvibe.PermissionUniboxAccess}
	_, blocks := modals.ApprovalMessage(request.Record{State: request.Pending, Request: request.Approval{Requester: "U1", Form: f}}, ws, time.Now())
	fields := fieldTexts(blocks)
	if len(fields) < 3 || !strings.Contains(fields[0], "Unibox only") || !strings.Contains(fields[1], "Acme &lt;Outreach&gt;") ||
		!strings.Contains(fields[1], "65f99a0dd96fae8ab61130c9") || !strings.Contains(fields[2], "none") {
		t.Errorf("the access, workspaces and labels do not come first, each in a field: %q", fields)
	}
}

func TestTruncateNeverSplitsAnEntity(t *testing.T) {
	t.Parallel()
	ws := manyWorkspaces(1)
	for n := 1990; n < 2010; n++ { // every cut position around the 2,000 of a field
		f := request.Form{Email: "a@b.co", WorkspaceIDs: []string{ws[0].ID}, Permission: plusvibe.PermissionFullAccess,
			HideLabels: strings.Repeat("x", n%5) + strings.Repeat("&", 500)}
		for _, text := range fieldTexts(modals.RequestFields(f, ws)) {
			body := strings.TrimSuffix(text, "…")
			if i := strings.LastIndexByte(body, '&'); i >= 0 && !strings.Contains(body[i:], ";") {
				t.Fatalf("a field ends inside an entity: …%q", body[max(0, len(body)-12):])
			}
		}
	}
}

func TestEmailForApproversShowsTheDomainAsSent(t *testing.T) {
	t.Parallel()
	for email, want := range map[string]string{
		"nova@example.com":   "nova@example.com",
		"nova@exаmple.com":   "nova@exаmple.com (domain as sent: `xn--exmple-4nf.com`)", // Cyrillic а
		"nova@bücher.de":     "nova@bücher.de (domain as sent: `xn--bcher-kva.de`)",
		"<nova>@example.com": "&lt;nova&gt;@example.com",
	} {
		if got := modals.EmailForApprovers(email); got != want {
			t.Errorf("EmailForApprovers(%q) = %q, want %q", email, got, want)
		}
	}
}

func TestDenyFormFitsTheWorstRequest(t *testing.T) {
	t.Parallel()
	ws := manyWorkspaces(30)
	f := worstForm(ws)
	f.FirstName, f.BusinessName = strings.Repeat("<", 100), strings.Repeat("<", 150)
	v := modals.DenyForm(request.Approval{Requester: "U1", ViewID: "V1", Channel: "C1", Form: f},
		modals.DenyMeta{Channel: "C0123456789", TS: "1764300000.000100"})
	checkLimits(t, v)
	meta, err := modals.DecodeDenyMeta(v.PrivateMetadata)
	if err != nil || meta.Channel != "C0123456789" || meta.TS != "1764300000.000100" {
		t.Errorf("deny metadata did not round-trip: %+v %v", meta, err)
	}
}

func TestReasonProblem(t *testing.T) {
	t.Parallel()
	for reason, want := range map[string]string{
		"Already has a login\nsee ticket": "",
		strings.Repeat("x", 501):          "Too long",
		"fine\u202Eenil":                  "U+202E",
		"zero\u200Bwidth":                 "U+200B",
	} {
		got := modals.ReasonProblem(reason)
		if (want == "") != (got == "") || !strings.Contains(got, want) {
			t.Errorf("ReasonProblem(%q) = %q, want %q", reason, got, want)
		}
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
