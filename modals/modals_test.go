package modals_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/request"
)

const apiWorkspace = "65f99a0dd96fae8ab61130c0"

func manyWorkspaces(n int) []plusvibe.Workspace {
	ws := make([]plusvibe.Workspace, n)
	for i := range ws {
		ws[i] = plusvibe.Workspace{ID: fmt.Sprintf("%024x", i+1), Name: strings.Repeat("Workspace name ", 8) + fmt.Sprint(i)}
	}
	return ws
}

// worstForm fills every field to its limit.
func worstForm(ws []plusvibe.Workspace) request.Form {
	f := request.Form{
		Email:        strings.Repeat("a", plusvibe.MaxEmailLen-12) + "@example.com",
		FirstName:    strings.Repeat("é", plusvibe.MaxNameLen),
		LastName:     strings.Repeat("\"", plusvibe.MaxNameLen), // escapes to two characters in JSON
		BusinessName: strings.Repeat("b", plusvibe.MaxBusinessNameLen),
		Permission:   plusvibe.PermissionFullAccess,
		HideLabels:   strings.Repeat("L", request.MaxHideLabelsLen),
		Reason:       strings.Repeat("\"", request.MaxReasonLen-1) + "<", // two characters each in JSON; "<" one
	}
	for _, w := range ws[:request.MaxWorkspaces] {
		f.WorkspaceIDs = append(f.WorkspaceIDs, w.ID)
	}
	return f
}

// worstPerWorkspace is worstForm with access per workspace: every
// workspace's own, labels to the combined limit in characters JSON doubles.
func worstPerWorkspace(ws []plusvibe.Workspace) request.Form {
	f := worstForm(ws)
	f.PerWorkspace, f.Permission, f.HideLabels = true, "", ""
	each := request.MaxPerWorkspaceLabels / len(f.WorkspaceIDs)
	for range f.WorkspaceIDs {
		f.Access = append(f.Access, request.WorkspaceAccess{Permission: plusvibe.PermissionUniboxAccess, HideLabels: strings.Repeat("\"", each)})
	}
	return f
}

// checkLimits walks a view's JSON for the Block Kit limits Slack enforces.
func checkLimits(t *testing.T, v slack.ModalViewRequest) {
	t.Helper()
	if n := utf8.RuneCountInString(v.Title.Text); n > 24 {
		t.Errorf("title %d characters, limit 24", n)
	}
	for _, b := range []*slack.TextBlockObject{v.Submit, v.Close} {
		if b != nil && utf8.RuneCountInString(b.Text) > 24 {
			t.Errorf("button %q over 24 characters", b.Text)
		}
	}
	if n := utf8.RuneCountInString(v.PrivateMetadata); n > 3000 {
		t.Errorf("private_metadata %d characters, limit 3000", n)
	}
	if n := len(v.Blocks.BlockSet); n > 100 {
		t.Errorf("%d blocks, limit 100", n)
	}
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if len(raw) > 250_000 {
		t.Errorf("view is %d bytes, limit 250 KB", len(raw))
	}
	ids := map[string]bool{}
	for _, b := range v.Blocks.BlockSet {
		if in, isInput := b.(*slack.InputBlock); isInput {
			if ids[in.BlockID] {
				t.Errorf("block_id %s repeated", in.BlockID)
			}
			ids[in.BlockID] = true
			if ms, isMulti := in.Element.(*slack.MultiSelectBlockElement); isMulti {
				if len(ms.Options) > 100 {
					t.Errorf("%d options, limit 100", len(ms.Options))
				}
				for _, o := range ms.Options {
					if utf8.RuneCountInString(o.Text.Text) > 75 || len(o.Value) > 150 {
						t.Errorf("option %q/%q over its limits", o.Text.Text, o.Value)
					}
				}
			}
		}
		if s, isSection := b.(*slack.SectionBlock); isSection && s.Text != nil && utf8.RuneCountInString(s.Text.Text) > 3000 {
			t.Errorf("section text over 3000 characters")
		}
	}
}

func TestFormWithinBlockKitLimits(t *testing.T) {
	t.Parallel()
	ws := manyWorkspaces(150)
	f := worstForm(ws)
	meta := modals.Metadata{ChannelID: "C0123456789", Source: &request.Source{Channel: "C0123456789", TS: "1764300000.000100"}}
	pw := worstPerWorkspace(ws)
	for name, v := range map[string]slack.ModalViewRequest{
		"per-workspace form":     modals.NewForm(pw, ws, meta, modals.ApprovalNote("C0123456789", true), request.ReasonAlways),
		"per-workspace progress": modals.Progress(pw, meta),
		"per-workspace posting":  modals.Posting(pw, meta, "C0123456789"),
		"per-workspace failure":  modals.Failure(pw, meta, strings.Repeat("PlusVibe said no. ", 300)),
		"form":                   modals.NewForm(f, ws, meta, modals.ApprovalNote("C0123456789", true), request.ReasonAlways),
		"progress":               modals.Progress(f, meta),
		"posting":                modals.Posting(f, meta, "C0123456789"),
		"failure":                modals.Failure(f, meta, strings.Repeat("PlusVibe said no. ", 300)),
		"success":                modals.SuccessWithPassword(f.Email, "Xp9#Ld2!ak"),
		"waiting":                modals.Waiting(f.Email, "C0123456789", "https://x.slack.com/archives/C0123456789/p1764300000000100", "C0123456789/1764300000.000100/U0123456789"),
		"collect failed":         modals.CollectFailed(f.Email, strings.Repeat("PlusVibe said no. ", 300), true),
		"collecting":             modals.Collecting(f.Email),
		"grant":                  modals.GrantView(request.Record{State: request.Approved, By: "U0123456789", Request: request.Approval{Requester: "U1", Form: f}}, "C0123456789/1764300000.000100", time.Now()),
		"failure final":          modals.FailureFinal(f.Email, strings.Repeat("PlusVibe said no. ", 300)),
		"already handled":        modals.AlreadyHandled(),
		"denied":                 modals.DeniedView(f.Email, "U0123456789", strings.Repeat("<", modals.MaxReasonLen)),
	} {
		t.Run(name, func(t *testing.T) { checkLimits(t, v) })
	}
}

func TestFormOffersWorkspacesByNameAndKeepsInput(t *testing.T) {
	t.Parallel()
	ws := []plusvibe.Workspace{{ID: "65f99a0dd96fae8ab61130c2", Name: "zeta"}, {ID: "65f99a0dd96fae8ab61130c1", Name: "Acme"}}
	f := request.Form{Email: "a@b.co", WorkspaceIDs: []string{ws[0].ID}, Permission: plusvibe.PermissionUniboxAccess, HideLabels: "X"}
	v := modals.NewForm(f, ws, modals.Metadata{}, "", "")
	raw, _ := json.Marshal(v)
	s := string(raw)
	if strings.Index(s, `"Acme"`) > strings.Index(s, `"zeta"`) {
		t.Error("workspaces not sorted by name")
	}
	for _, want := range []string{`"initial_value":"a@b.co"`, `"initial_options":[{"text":{"type":"plain_text","text":"zeta"`, `"initial_option":{"text":{"type":"plain_text","text":"Unibox only"`, `"initial_value":"X"`} {
		if !strings.Contains(s, want) {
			t.Errorf("form lacks %s", want)
		}
	}
}

func TestValidatePerWorkspace(t *testing.T) {
	t.Parallel()
	ws := manyWorkspaces(3)
	f := request.Form{Email: "a@b.co", FirstName: "A", LastName: "B", BusinessName: "C", PerWorkspace: true,
		WorkspaceIDs: []string{ws[0].ID, ws[1].ID, ws[2].ID},
		Access:       []request.WorkspaceAccess{{Permission: plusvibe.PermissionFullAccess, HideLabels: "VIP"}, {}, {Permission: plusvibe.PermissionUniboxAccess, HideLabels: strings.Repeat("x", request.MaxPerWorkspaceLabels)}}}
	req, problems := f.Validate(apiWorkspace, ws)
	if msg := problems[modals.BlockWorkspacePermission(ws[1].ID)]; !strings.Contains(msg, ws[1].Name) {
		t.Errorf("a workspace without access: %v", problems)
	}
	if msg := problems[modals.BlockWorkspaceLabels(ws[2].ID)]; !strings.Contains(msg, "all workspaces together") {
		t.Errorf("labels over the combined limit: %v", problems)
	}
	if _, common := problems[modals.BlockPermission]; common || len(problems) != 2 {
		t.Errorf("problems %v, want exactly the two, under their workspaces", problems)
	}
	if p := req.Workspaces[0]; p.Permissions[0] != plusvibe.PermissionFullAccess || p.HideLabels[0] != "VIP" {
		t.Errorf("first workspace's request %+v", p)
	}
	// Fewer access entries than workspaces (a forged state): the rest have none.
	f.Access = f.Access[:1]
	if _, problems := f.Validate(apiWorkspace, ws); problems[modals.BlockWorkspacePermission(ws[2].ID)] == "" {
		t.Errorf("a workspace without an access entry passed: %v", problems)
	}
	if !f.FullAccess() {
		t.Error("FullAccess is false with Full access in one workspace")
	}
}

func TestMetadataRoundTrip(t *testing.T) {
	t.Parallel()
	ws := manyWorkspaces(30)
	f := worstForm(ws)
	got := modals.DecodeMetadata(modals.Progress(f, modals.Metadata{ChannelID: "C1"}).PrivateMetadata)
	if got.ChannelID != "C1" || got.Form == nil || !reflect.DeepEqual(*got.Form, f) {
		t.Errorf("metadata did not survive: %+v", got)
	}
	pw := worstPerWorkspace(ws)
	pw.Access[3].Permission = plusvibe.PermissionFullAccess
	if got := modals.DecodeMetadata(modals.Progress(pw, modals.Metadata{}).PrivateMetadata); got.Form == nil || !reflect.DeepEqual(*got.Form, pw) {
		t.Errorf("a per-workspace form did not survive: %+v", got.Form)
	}
	// Written in full by an earlier version: read as it was.
	old := modals.DecodeMetadata(`{"f":{"e":"a@b.c","p":"FULL_ACCESS","pw":true,"a":[{"p":"UNIBOX_FULL_ACCESS"}]}}`)
	if old.Form == nil || old.Form.Permission != plusvibe.PermissionFullAccess || old.Form.Access[0].Permission != plusvibe.PermissionUniboxAccess {
		t.Errorf("an earlier version's metadata read as %+v", old.Form)
	}
	if (modals.DecodeMetadata("not json") != modals.Metadata{}) {
		t.Error("foreign metadata not ignored")
	}
}

func TestValidateMapsProblemsToBlocks(t *testing.T) {
	t.Parallel()
	ws := manyWorkspaces(3)
	good := request.Form{Email: "nova@example.com", FirstName: "Nova", LastName: "Smith", BusinessName: "Nova Ltd",
		WorkspaceIDs: []string{ws[1].ID}, Permission: plusvibe.PermissionFullAccess, HideLabels: "A,\n B ,A"}
	req, problems := good.Validate(apiWorkspace, ws)
	if len(problems) != 0 {
		t.Fatalf("valid form has problems: %v", problems)
	}
	if got := req.Workspaces[0].HideLabels; len(got) != 2 || got[0] != "A" || got[1] != "B" {
		t.Errorf("labels %q, want [A B]", got)
	}
	bad := request.Form{Email: "nope", FirstName: " ", LastName: strings.Repeat("x", 101), BusinessName: "",
		WorkspaceIDs: []string{"ffffffffffffffffffffffff"}, HideLabels: strings.Repeat("y", 501)}
	_, problems = bad.Validate(apiWorkspace, ws)
	for _, block := range []string{modals.BlockEmail, modals.BlockFirstName, modals.BlockLastName, modals.BlockBusinessName,
		modals.BlockWorkspaces, modals.BlockPermission, modals.BlockHideLabels} {
		if problems[block] == "" {
			t.Errorf("no problem reported under %s: %v", block, problems)
		}
	}
}

func TestValidateRejectsInvisibleCharacters(t *testing.T) {
	t.Parallel()
	ws := manyWorkspaces(3)
	good := request.Form{Email: "nova@example.com", FirstName: "Nova", LastName: "Smith", BusinessName: "Nova Ltd",
		WorkspaceIDs: []string{ws[1].ID}, Permission: plusvibe.PermissionFullAccess, HideLabels: "A\r\nB"}
	if _, problems := good.Validate(apiWorkspace, ws); len(problems) != 0 {
		t.Fatalf("line breaks between labels refused: %v", problems)
	}
	for name, c := range map[string]struct {
		edit  func(*request.Form)
		block string
		rune  string
	}{
		"bidi override in the business": {func(f *request.Form) { f.BusinessName = "Nova \u202Edtl" }, modals.BlockBusinessName, "U+202E"},
		"zero-width space in the email": {func(f *request.Form) { f.Email = "no\u200Bva@example.com" }, modals.BlockEmail, "U+200B"},
		"tab in a first name":           {func(f *request.Form) { f.FirstName = "No\tva" }, modals.BlockFirstName, "U+0009"},
		"line separator in a last name": {func(f *request.Form) { f.LastName = "Sm\u2028ith" }, modals.BlockLastName, "U+2028"},
		"paragraph separator in labels": {func(f *request.Form) { f.HideLabels = "A\u2029B" }, modals.BlockHideLabels, "U+2029"},
		"BOM in labels":                 {func(f *request.Form) { f.HideLabels = "\uFEFFA" }, modals.BlockHideLabels, "U+FEFF"},
	} {
		f := good
		c.edit(&f)
		_, problems := f.Validate(apiWorkspace, ws)
		if !strings.Contains(problems[c.block], c.rune) {
			t.Errorf("%s: problems %v, want %s named under %s", name, problems, c.rune, c.block)
		}
	}
}

func TestEscape(t *testing.T) {
	t.Parallel()
	if got := modals.Escape("<!channel> & <@U1>"); got != "&lt;!channel&gt; &amp; &lt;@U1&gt;" {
		t.Errorf("Escape = %q", got)
	}
}

// FuzzParseForm feeds arbitrary view state through parsing and validation: it
// must never panic, and every problem must name an input block of the form.
func FuzzParseForm(f *testing.F) {
	f.Add(`{"values":{"client_email":{"input":{"type":"email_text_input","value":"a@b.co"}},"workspaces":{"input":{"type":"multi_static_select","selected_options":[{"value":"65f99a0dd96fae8ab61130c1"}]}},"permission":{"input":{"type":"radio_buttons","selected_option":{"value":"FULL_ACCESS"}}}}}`)
	f.Add(`{"values":{}}`)
	f.Add(`{"values":{"hide_labels":{"input":{"value":",,\n;"}}}}`)
	ws := manyWorkspaces(3)
	form := modals.NewForm(request.Form{}, ws, modals.Metadata{}, "", "")
	inputs := map[string]bool{}
	for _, b := range form.Blocks.BlockSet {
		if in, isInput := b.(*slack.InputBlock); isInput {
			inputs[in.BlockID] = true
		}
	}
	f.Fuzz(func(t *testing.T, raw string) {
		var state slack.ViewState
		if json.Unmarshal([]byte(raw), &state) != nil {
			return
		}
		parsed := modals.ParseForm(&state)
		_, problems := parsed.Validate(apiWorkspace, ws)
		for block, msg := range problems {
			if !inputs[block] || msg == "" {
				t.Errorf("problem %q under %q, which is not an input block", msg, block)
			}
		}
		// What was typed survives a trip through private_metadata.
		back := modals.DecodeMetadata(modals.Progress(parsed, modals.Metadata{}).PrivateMetadata)
		if back.Form == nil || back.Form.Email != parsed.Email || back.Form.HideLabels != parsed.HideLabels {
			t.Errorf("form lost in metadata round trip")
		}
	})
}
