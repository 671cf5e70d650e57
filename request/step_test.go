package request

import (
	"slices"
	"strings"
	"testing"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe"
)

const (
	ws1 = "65f99a0dd96fae8ab61130c0"
	ws2 = "65f99a0dd96fae8ab61130c1"
)

var offered = []plusvibe.Workspace{{ID: ws1, Name: "Acme Outreach"}, {ID: ws2, Name: "Nova Consulting"}}

func stepInputs(over map[string]any) map[string]any {
	in := map[string]any{InputRequester: "U1", InputEmail: "nova@example.com", InputFirstName: "Nova",
		InputLastName: "Smith", InputBusinessName: "Nova Ltd", InputWorkspaces: "acme outreach, " + ws2,
		InputAccess: "UNIBOX_FULL_ACCESS", InputHiddenLabels: "VIP", InputReason: "TICKET-1"}
	for k, v := range over {
		if v == nil {
			delete(in, k)
		} else {
			in[k] = v
		}
	}
	return in
}

func TestStepFormReadsInputsAsTheFormWould(t *testing.T) {
	requester, f, problems := StepForm(stepInputs(nil), offered)
	if len(problems) != 0 {
		t.Fatalf("problems %v for valid inputs", problems)
	}
	if requester != "U1" || f.Email != "nova@example.com" || f.Permission != unibox || f.Reason != "TICKET-1" || f.HideLabels != "VIP" {
		t.Errorf("requester %q, form %+v", requester, f)
	}
	if !slices.Equal(f.WorkspaceIDs, []string{ws1, ws2}) {
		t.Errorf("workspaces %v: a name in any case and an id, want both", f.WorkspaceIDs)
	}
	if _, p := f.Validate(ws1, offered); len(p) != 0 {
		t.Errorf("the form read from valid inputs does not validate: %v", p)
	}
}

func TestStepFormNamesTheInputAtFault(t *testing.T) {
	for _, tt := range []struct {
		name  string
		over  map[string]any
		input string
		want  string
	}{
		{"no requester", map[string]any{InputRequester: nil}, InputRequester, "Choose the person"},
		{"unknown workspace", map[string]any{InputWorkspaces: "Acme Outreach, Globex"}, InputWorkspaces, `No workspace named "Globex"`},
		{"no workspace", map[string]any{InputWorkspaces: " , "}, InputWorkspaces, "at least one workspace"},
		{"unknown access", map[string]any{InputAccess: "ADMIN"}, InputAccess, `"ADMIN" is not an access`},
		{"no access", map[string]any{InputAccess: ""}, InputAccess, "Choose FULL_ACCESS or UNIBOX_FULL_ACCESS"},
		{"not a string", map[string]any{InputRequester: 42}, InputRequester, "Choose the person"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, problems := StepForm(stepInputs(tt.over), offered)
			if !strings.Contains(problems[tt.input], tt.want) || len(problems) != 1 {
				t.Errorf("problems %v, want only %s: %q", problems, tt.input, tt.want)
			}
		})
	}
}

func TestStepFormAccessIsCaseBlind(t *testing.T) {
	_, f, problems := StepForm(stepInputs(map[string]any{InputAccess: "full_access"}), offered)
	if len(problems) != 0 || f.Permission != full {
		t.Errorf("permission %q, problems %v", f.Permission, problems)
	}
}

func TestStepProblemsNameInputsInOrder(t *testing.T) {
	_, f, inputs := StepForm(stepInputs(map[string]any{InputEmail: "not-an-email", InputAccess: "x"}), offered)
	_, fields := f.Validate(ws1, offered)
	got := StepProblems(inputs, fields)
	if !strings.HasPrefix(got, "email: ") || !strings.Contains(got, " access: ") {
		t.Errorf("StepProblems = %q, want the email's problem then the access's", got)
	}
	if strings.Contains(got, FieldEmail) {
		t.Errorf("StepProblems = %q names a form block, not an input", got)
	}
}

func TestStepStatus(t *testing.T) {
	for _, tt := range []struct {
		r      Record
		status string
		ok     bool
	}{
		{Record{State: Created}, "created", true},
		{Record{State: Denied}, "denied", false},
		{Record{State: Expired}, "expired", false},
		{Record{State: Withdrawn}, "withdrawn", false},
		{Record{State: Failed, Final: true}, "failed", false},
		{Record{State: Failed}, "", false}, // may be tried again
		{Record{State: Pending}, "", false},
		{Record{State: Approved}, "", false},
		{Record{State: Creating}, "", false},
	} {
		status, ok := StepStatus(tt.r)
		if status != tt.status || ok != tt.ok {
			t.Errorf("StepStatus(%s, final %v) = %q, %v; want %q, %v", tt.r.State, tt.r.Final, status, ok, tt.status, tt.ok)
		}
	}
}

func TestStepFormReadsAnEnd(t *testing.T) {
	for _, v := range []any{float64(1800000000), "1800000000"} {
		_, f, problems := StepForm(stepInputs(map[string]any{InputEnds: v}), offered)
		if len(problems) != 0 || f.EndsAt != 1800000000 {
			t.Errorf("%T end: EndsAt %d, problems %v", v, f.EndsAt, problems)
		}
	}
	if _, _, problems := StepForm(stepInputs(map[string]any{InputEnds: "next week"}), offered); problems[InputEnds] == "" {
		t.Error("an end that is not a time was taken")
	}
	if _, f, _ := StepForm(stepInputs(nil), offered); f.EndsAt != 0 {
		t.Errorf("no end given: EndsAt %d", f.EndsAt)
	}
}

// A name two workspaces share but for case picks neither: the exact one,
// or an id, does.
func TestStepFormRefusesAnAmbiguousWorkspaceName(t *testing.T) {
	twins := append(slices.Clone(offered), plusvibe.Workspace{ID: "65f99a0dd96fae8ab61130c2", Name: "ACME OUTREACH"})
	_, _, problems := StepForm(stepInputs(map[string]any{InputWorkspaces: "acme outreach"}), twins)
	if !strings.Contains(problems[InputWorkspaces], `More than one workspace is named "acme outreach"`) {
		t.Errorf("problems %v, want the name refused as ambiguous", problems)
	}
	twins = append(twins, plusvibe.Workspace{ID: "65f99a0dd96fae8ab61130c3", Name: "Nova Consulting"})
	if _, _, problems := StepForm(stepInputs(map[string]any{InputWorkspaces: "Nova Consulting"}), twins); problems[InputWorkspaces] == "" {
		t.Error("a name two workspaces share exactly was taken")
	}
	for typed, want := range map[string]string{"ACME OUTREACH": "65f99a0dd96fae8ab61130c2", "Acme Outreach": ws1, ws1: ws1, ws2: ws2} {
		_, f, problems := StepForm(stepInputs(map[string]any{InputWorkspaces: typed}), twins)
		if len(problems) != 0 || !slices.Equal(f.WorkspaceIDs, []string{want}) {
			t.Errorf("%q: workspaces %v, problems %v, want %s", typed, f.WorkspaceIDs, problems, want)
		}
	}
}
