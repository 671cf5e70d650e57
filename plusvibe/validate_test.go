package plusvibe_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe"
)

func TestValidateReportsEachField(t *testing.T) {
	t.Parallel()
	ws := func(id string, perms []string, labels ...string) []plusvibe.ClientWorkspacePermission {
		return []plusvibe.ClientWorkspacePermission{{ID: id, Permissions: perms, HideLabels: labels}}
	}
	full := []string{plusvibe.PermissionFullAccess}
	id := "65f99a0dd96fae8ab61130c1"
	tests := []struct {
		name      string
		edit      func(*plusvibe.CreateClientRequest)
		field     string
		index     int
		wantWords string
	}{
		{"email blank", func(r *plusvibe.CreateClientRequest) { r.ClientEmail = "  " }, plusvibe.FieldEmail, -1, "Enter the client's email"},
		{"email malformed", func(r *plusvibe.CreateClientRequest) { r.ClientEmail = "nova@@example" }, plusvibe.FieldEmail, -1, "is not an email address"},
		{"email with display name", func(r *plusvibe.CreateClientRequest) { r.ClientEmail = "Nova <nova@example.com>" }, plusvibe.FieldEmail, -1, "is not an email address"},
		{"email without domain dot", func(r *plusvibe.CreateClientRequest) { r.ClientEmail = "nova@localhost" }, plusvibe.FieldEmail, -1, "no valid domain"},
		{"email too long", func(r *plusvibe.CreateClientRequest) { r.ClientEmail = strings.Repeat("a", 250) + "@example.com" }, plusvibe.FieldEmail, -1, "limit is 254"},
		{"first name blank", func(r *plusvibe.CreateClientRequest) { r.ClientFirstName = " \t" }, plusvibe.FieldFirstName, -1, "first name cannot be blank"},
		{"last name too long", func(r *plusvibe.CreateClientRequest) { r.ClientLastName = strings.Repeat("é", 101) }, plusvibe.FieldLastName, -1, "101 characters, the limit is 100"},
		{"business blank", func(r *plusvibe.CreateClientRequest) { r.ClientBusinessName = "" }, plusvibe.FieldBusinessName, -1, "business name cannot be blank"},
		{"business too long", func(r *plusvibe.CreateClientRequest) { r.ClientBusinessName = strings.Repeat("b", 151) }, plusvibe.FieldBusinessName, -1, "the limit is 150"},
		{"no workspace", func(r *plusvibe.CreateClientRequest) { r.Workspaces = nil }, plusvibe.FieldWorkspaces, -1, "at least one workspace"},
		{"workspace id not hex", func(r *plusvibe.CreateClientRequest) { r.Workspaces = ws("65f99a0dd96fae8ab61130cz", full) }, plusvibe.FieldWorkspaces, 0, "24 hexadecimal"},
		{"workspace id short", func(r *plusvibe.CreateClientRequest) { r.Workspaces = ws("65f99a", full) }, plusvibe.FieldWorkspaces, 0, "24 hexadecimal"},
		{"duplicate workspace", func(r *plusvibe.CreateClientRequest) {
			r.Workspaces = append(ws(id, full), ws(strings.ToUpper(id), full)...)
		}, plusvibe.FieldWorkspaces, 1, "listed twice"},
		{"no permission", func(r *plusvibe.CreateClientRequest) { r.Workspaces = ws(id, nil) }, plusvibe.FieldPermissions, 0, "exactly one permission"},
		{"two permissions", func(r *plusvibe.CreateClientRequest) {
			r.Workspaces = ws(id, []string{plusvibe.PermissionFullAccess, plusvibe.PermissionUniboxAccess})
		}, plusvibe.FieldPermissions, 0, "exactly one permission"},
		{"unknown permission", func(r *plusvibe.CreateClientRequest) { r.Workspaces = ws(id, []string{"ADMIN"}) }, plusvibe.FieldPermissions, 0, `"ADMIN" is not a permission`},
		{"blank label", func(r *plusvibe.CreateClientRequest) { r.Workspaces = ws(id, full, "INTERESTED", " ") }, plusvibe.FieldHideLabels, 0, "label cannot be blank"},
		{"api workspace id", func(r *plusvibe.CreateClientRequest) { r.WorkspaceID = "" }, plusvibe.FieldWorkspaceID, -1, "24 hexadecimal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req := validRequest()
			tt.edit(&req)
			var verrs plusvibe.ValidationErrors
			if err := req.Validate(); !errors.As(err, &verrs) {
				t.Fatalf("Validate() = %v, want ValidationErrors", err)
			}
			if len(verrs) != 1 {
				t.Fatalf("got %d problems, want 1: %v", len(verrs), verrs)
			}
			got := verrs[0]
			if got.Field != tt.field || got.Index != tt.index || !strings.Contains(got.Message, tt.wantWords) {
				t.Errorf("got %+v, want field %s index %d with %q", got, tt.field, tt.index, tt.wantWords)
			}
		})
	}
}

func TestValidateReportsAllProblemsAtOnce(t *testing.T) {
	t.Parallel()
	req := plusvibe.CreateClientRequest{WorkspaceID: validRequest().WorkspaceID}
	var verrs plusvibe.ValidationErrors
	if !errors.As(req.Validate(), &verrs) {
		t.Fatal("an empty request passed validation")
	}
	fields := map[string]bool{}
	for _, fe := range verrs {
		fields[fe.Field] = true
	}
	for _, f := range []string{plusvibe.FieldEmail, plusvibe.FieldFirstName, plusvibe.FieldLastName, plusvibe.FieldBusinessName, plusvibe.FieldWorkspaces} {
		if !fields[f] {
			t.Errorf("no problem reported for %s in %v", f, verrs)
		}
	}
}

func TestValidateAcceptsValid(t *testing.T) {
	t.Parallel()
	req := validRequest()
	req.Workspaces[0].HideLabels = []string{"NOT_INTERESTED"}
	if err := req.Validate(); err != nil {
		t.Errorf("Validate() = %v, want nil", err)
	}
}
