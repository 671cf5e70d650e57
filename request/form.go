package request

import (
	"slices"
	"strings"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe"
)

// WorkspaceAccess is one workspace's own access, in a form with access per
// workspace.
type WorkspaceAccess struct {
	Permission string `json:"p,omitempty"`
	HideLabels string `json:"h,omitempty"` // as typed
}

// Grant is what the client gets in one workspace.
type Grant struct {
	ID, Name, Permission string
	Labels               []string
}

// Grants lists each chosen workspace with the access it gets.
func (f Form) Grants(offered []plusvibe.Workspace) []Grant {
	out := make([]Grant, len(f.WorkspaceIDs))
	for i, id := range f.WorkspaceIDs {
		a := f.AccessAt(i)
		out[i] = Grant{ID: id, Name: WorkspaceName(id, offered), Permission: a.Permission, Labels: labels(a.HideLabels)}
	}
	return out
}

// AccessAt is the i-th chosen workspace's access.
func (f Form) AccessAt(i int) WorkspaceAccess {
	if !f.PerWorkspace {
		return WorkspaceAccess{Permission: f.Permission, HideLabels: f.HideLabels}
	}
	if i < len(f.Access) {
		return f.Access[i]
	}
	return WorkspaceAccess{}
}

// FullAccess reports whether any workspace gets Full access.
func (f Form) FullAccess() bool {
	for i := range f.WorkspaceIDs {
		if f.AccessAt(i).Permission == plusvibe.PermissionFullAccess {
			return true
		}
	}
	return !f.PerWorkspace && f.Permission == plusvibe.PermissionFullAccess
}

func WorkspaceName(id string, offered []plusvibe.Workspace) string {
	for _, w := range offered {
		if w.ID == id && strings.TrimSpace(w.Name) != "" {
			return w.Name
		}
	}
	return id
}

// WorkspaceNames names each chosen workspace, falling back to its id.
func WorkspaceNames(ids []string, offered []plusvibe.Workspace) []string {
	names := make([]string, len(ids))
	for i, id := range ids {
		names[i] = WorkspaceName(id, offered)
	}
	return names
}

// Form is what a person typed into the create-client modal.
type Form struct {
	Email        string   `json:"e,omitempty"`
	FirstName    string   `json:"f,omitempty"`
	LastName     string   `json:"l,omitempty"`
	BusinessName string   `json:"b,omitempty"`
	WorkspaceIDs []string `json:"w,omitempty"`
	Permission   string   `json:"p,omitempty"`
	HideLabels   string   `json:"h,omitempty"` // as typed: comma or line separated
	// PerWorkspace gives each workspace its own access: Access, in the
	// order of WorkspaceIDs, instead of Permission and HideLabels.
	PerWorkspace bool              `json:"pw,omitempty"`
	Access       []WorkspaceAccess `json:"a,omitempty"`
	// Reason is why the client is asked for: a ticket or a link.
	Reason string `json:"r,omitempty"`
	// EndsAt is when the access ends, in Unix seconds; 0: it does not.
	EndsAt int64 `json:"end,omitempty"`
}

// Source is a Slack message a request came from.
type Source struct {
	Channel string `json:"c"`
	// TS is the thread to reply in: the message's own, or its parent's.
	TS string `json:"t"`
}

// Labels splits the typed labels on commas and new lines, dropping empty
// entries and repeats.
func (f Form) Labels() []string { return labels(f.HideLabels) }

func labels(typed string) []string {
	out := []string{}
	for _, l := range strings.FieldsFunc(typed, func(r rune) bool { return r == ',' || r == '\n' || r == ';' }) {
		if l = strings.TrimSpace(l); l != "" && !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	return out
}

// Request turns the form into a PlusVibe request; apiWorkspaceID is the
// configured top-level workspace_id. Each chosen workspace gets the access
// typed for all, or its own.
func (f Form) Request(apiWorkspaceID string) plusvibe.CreateClientRequest {
	req := plusvibe.CreateClientRequest{
		WorkspaceID:        apiWorkspaceID,
		ClientEmail:        f.Email,
		ClientFirstName:    f.FirstName,
		ClientLastName:     f.LastName,
		ClientBusinessName: f.BusinessName,
	}
	for _, g := range f.Grants(nil) {
		var perms []string
		if g.Permission != "" {
			perms = []string{g.Permission}
		}
		req.Workspaces = append(req.Workspaces, plusvibe.ClientWorkspacePermission{
			ID: g.ID, Permissions: perms, HideLabels: g.Labels,
		})
	}
	return req.Normalized()
}

// NoLongerValid is an approved form that no longer passes validation: the
// workspaces offered changed since it was typed.
type NoLongerValid struct{ Problems string }

func (e *NoLongerValid) Error() string { return "the approved form is no longer valid: " + e.Problems }
