package request

import (
	"slices"
	"strings"
	"time"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe"
)

// Stamp is how a client's modified_at is compared between reads.
func Stamp(c plusvibe.ClientLogin) string { return c.ModifiedAt.UTC().Format(time.RFC3339Nano) }

// ClientForm is a client's access as the form holds it: each workspace its
// own.
func ClientForm(c plusvibe.ClientLogin) Form {
	f := Form{Email: c.Email, FirstName: c.FirstName, LastName: c.LastName, BusinessName: c.BusinessName, PerWorkspace: true}
	for _, p := range c.Permissions {
		a := WorkspaceAccess{HideLabels: strings.Join(p.HideLabels, ", ")}
		if len(p.Permissions) > 0 {
			a.Permission = p.Permissions[0]
		}
		f.WorkspaceIDs, f.Access = append(f.WorkspaceIDs, p.WorkspaceID), append(f.Access, a)
	}
	return f
}

// Merged is c's access with f's workspaces added; those c has keep theirs.
func Merged(c plusvibe.ClientLogin, f Form) []plusvibe.ClientWorkspacePermission {
	out := c.Access()
	for _, g := range f.Grants(nil) {
		if !hasWorkspace(c, g.ID) {
			out = append(out, plusvibe.ClientWorkspacePermission{ID: g.ID, Permissions: []string{g.Permission}, HideLabels: g.Labels})
		}
	}
	return out
}

func hasWorkspace(c plusvibe.ClientLogin, id string) bool {
	for _, p := range c.Permissions {
		if p.WorkspaceID == id {
			return true
		}
	}
	return false
}

// GainsFullAccess reports whether after gives Full access in a workspace
// where c does not have it now.
func GainsFullAccess(c plusvibe.ClientLogin, after []plusvibe.ClientWorkspacePermission) bool {
	for _, w := range after {
		if len(w.Permissions) == 0 || w.Permissions[0] != plusvibe.PermissionFullAccess {
			continue
		}
		full := false
		for _, p := range c.Permissions {
			full = full || (p.WorkspaceID == w.ID && len(p.Permissions) > 0 && p.Permissions[0] == plusvibe.PermissionFullAccess)
		}
		if !full {
			return true
		}
	}
	return false
}

// UnhidesLabels reports whether after shows the client a label, in a
// workspace it keeps, that it hides now: more access, like a new workspace.
func UnhidesLabels(c plusvibe.ClientLogin, after []plusvibe.ClientWorkspacePermission) bool {
	for _, w := range after {
		for _, p := range c.Permissions {
			if p.WorkspaceID != w.ID {
				continue
			}
			for _, hidden := range p.HideLabels {
				if !slices.ContainsFunc(w.HideLabels, func(l string) bool { return strings.EqualFold(l, hidden) }) {
					return true
				}
			}
		}
	}
	return false
}

// AccessForm is a client with the access after, as a form (for approval
// requests and audit lines).
func AccessForm(c plusvibe.ClientLogin, after []plusvibe.ClientWorkspacePermission) Form {
	f := Form{Email: c.Email, FirstName: c.FirstName, LastName: c.LastName, BusinessName: c.BusinessName, PerWorkspace: true}
	for _, w := range after {
		a := WorkspaceAccess{HideLabels: strings.Join(w.HideLabels, ", ")}
		if len(w.Permissions) > 0 {
			a.Permission = w.Permissions[0]
		}
		f.WorkspaceIDs, f.Access = append(f.WorkspaceIDs, w.ID), append(f.Access, a)
	}
	return f
}
