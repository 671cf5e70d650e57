package request

import (
	"fmt"
	"slices"
	"unicode"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe"
)

// validatePerWorkspace checks each workspace's own access.
func (f Form) validatePerWorkspace(offered []plusvibe.Workspace, add func(block, msg string)) {
	total := 0
	for i, g := range f.Grants(offered) {
		a := f.AccessAt(i)
		if a.Permission == "" {
			add(FieldWorkspacePermission(g.ID), fmt.Sprintf("Choose Full access or Unibox only for %s.", g.Name))
		}
		if msg := InvisibleProblem(a.HideLabels, true); msg != "" {
			add(FieldWorkspaceLabels(g.ID), msg)
		}
		if total += len([]rune(a.HideLabels)); total > MaxPerWorkspaceLabels {
			add(FieldWorkspaceLabels(g.ID), fmt.Sprintf("Too long: labels for all workspaces together can be at most %d characters.", MaxPerWorkspaceLabels))
		}
	}
}

// ValidateAccess checks an edit of a client's access: the workspaces and
// each one's own access, keyed by input block.
func (f Form) ValidateAccess(offered []plusvibe.Workspace) map[string]string {
	problems := map[string]string{}
	add := func(block, msg string) {
		if _, dup := problems[block]; !dup {
			problems[block] = msg
		}
	}
	switch {
	case len(f.WorkspaceIDs) == 0:
		add(FieldWorkspaces, "Keep at least one workspace. To take every access away, remove the client.")
	case len(f.WorkspaceIDs) > MaxWorkspaces:
		add(FieldWorkspaces, fmt.Sprintf("Choose at most %d workspaces.", MaxWorkspaces))
	}
	for _, id := range f.WorkspaceIDs {
		if WorkspaceName(id, offered) == id {
			add(FieldWorkspaces, fmt.Sprintf("Workspace %s is not available any more; choose again.", id))
		}
	}
	f.validatePerWorkspace(offered, add)
	return problems
}

// Validate checks the form against the workspaces that can be offered and
// PlusVibe's own rules. It returns the request to send, and the problems keyed
// by input block_id (empty when valid), ready for response_action "errors".
func (f Form) Validate(apiWorkspaceID string, offered []plusvibe.Workspace) (plusvibe.CreateClientRequest, map[string]string) {
	req := f.Request(apiWorkspaceID)
	problems := map[string]string{}
	add := func(block, msg string) {
		if _, dup := problems[block]; !dup { // one message per input: the first
			problems[block] = msg
		}
	}
	for block, text := range map[string]string{FieldEmail: f.Email, FieldFirstName: f.FirstName,
		FieldLastName: f.LastName, FieldBusinessName: f.BusinessName} {
		if msg := InvisibleProblem(text, false); msg != "" {
			add(block, msg)
		}
	}
	if f.PerWorkspace {
		f.validatePerWorkspace(offered, add)
	} else if msg := InvisibleProblem(f.HideLabels, true); msg != "" {
		add(FieldHideLabels, msg)
	}
	for _, id := range f.WorkspaceIDs {
		if !slices.ContainsFunc(offered, func(w plusvibe.Workspace) bool { return w.ID == id }) {
			add(FieldWorkspaces, fmt.Sprintf("Workspace %s is not available any more; choose again.", id))
		}
	}
	if len(f.WorkspaceIDs) > MaxWorkspaces {
		add(FieldWorkspaces, fmt.Sprintf("Choose at most %d workspaces at once.", MaxWorkspaces))
	}
	if f.Permission == "" && !f.PerWorkspace {
		add(FieldPermission, "Choose Full access or Unibox only.")
	}
	if n := len([]rune(f.HideLabels)); n > MaxHideLabelsLen {
		add(FieldHideLabels, fmt.Sprintf("Too long: %d characters, the limit is %d.", n, MaxHideLabelsLen))
	}
	if err := req.Validate(); err != nil {
		verrs, _ := err.(plusvibe.ValidationErrors)
		for _, fe := range verrs {
			add(f.fieldFor(fe), fe.Message)
		}
	}
	return req, problems
}

func (f Form) fieldFor(fe plusvibe.FieldError) string {
	if f.PerWorkspace && fe.Index >= 0 && fe.Index < len(f.WorkspaceIDs) {
		switch fe.Field {
		case plusvibe.FieldPermissions:
			return FieldWorkspacePermission(f.WorkspaceIDs[fe.Index])
		case plusvibe.FieldHideLabels:
			return FieldWorkspaceLabels(f.WorkspaceIDs[fe.Index])
		}
	}
	switch fe.Field {
	case plusvibe.FieldEmail:
		return FieldEmail
	case plusvibe.FieldFirstName:
		return FieldFirstName
	case plusvibe.FieldLastName:
		return FieldLastName
	case plusvibe.FieldBusinessName:
		return FieldBusinessName
	case plusvibe.FieldPermissions:
		return FieldPermission
	case plusvibe.FieldHideLabels:
		return FieldHideLabels
	}
	// workspaces, and the configured workspace_id (an admin's mistake, but the
	// person must see something under an input block or Slack shows a generic error)
	return FieldWorkspaces
}

// invisible finds the first control or format character in s: categories
// Cc, Cf (zero-width characters, bidi overrides such as U+202E), Zl and Zp.
// They can make text read differently from what it is. multiline allows line
// breaks. It returns the character and its 1-based position, or ok=false.
func invisible(s string, multiline bool) (r rune, pos int, found bool) {
	pos = 0
	for _, c := range s {
		pos++
		if multiline && (c == '\n' || c == '\r') {
			continue
		}
		if unicode.In(c, unicode.Cc, unicode.Cf, unicode.Zl, unicode.Zp) {
			return c, pos, true
		}
	}
	return 0, 0, false
}

// InvisibleProblem says which character to remove, or "" when s has none.
func InvisibleProblem(s string, multiline bool) string {
	r, pos, found := invisible(s, multiline)
	if !found {
		return ""
	}
	return fmt.Sprintf("Remove the invisible or control character U+%04X (character %d): it can make text read differently from what it is.", r, pos)
}
