package modals

import (
	"fmt"
	"slices"
	"strings"

	"github.com/slack-go/slack"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe"
)

// ParseForm reads a submitted create-client view's state. Missing blocks read
// as empty; validation decides what that means.
func ParseForm(state *slack.ViewState) Form {
	if state == nil {
		return Form{}
	}
	get := func(block string) slack.BlockAction { return state.Values[block][actionInput] }
	f := Form{
		Email:        get(BlockEmail).Value,
		FirstName:    get(BlockFirstName).Value,
		LastName:     get(BlockLastName).Value,
		BusinessName: get(BlockBusinessName).Value,
		Permission:   get(BlockPermission).SelectedOption.Value,
		HideLabels:   get(BlockHideLabels).Value,
	}
	for _, o := range get(BlockWorkspaces).SelectedOptions {
		f.WorkspaceIDs = append(f.WorkspaceIDs, o.Value)
	}
	f.PerWorkspace = len(get(BlockAccessMode).SelectedOptions) > 0
	parseAccess(&f, state)
	return f
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
	for block, text := range map[string]string{BlockEmail: f.Email, BlockFirstName: f.FirstName,
		BlockLastName: f.LastName, BlockBusinessName: f.BusinessName} {
		if msg := invisibleMessage(text, false); msg != "" {
			add(block, msg)
		}
	}
	if f.PerWorkspace {
		f.validatePerWorkspace(offered, add)
	} else if msg := invisibleMessage(f.HideLabels, true); msg != "" {
		add(BlockHideLabels, msg)
	}
	for _, id := range f.WorkspaceIDs {
		if !slices.ContainsFunc(offered, func(w plusvibe.Workspace) bool { return w.ID == id }) {
			add(BlockWorkspaces, fmt.Sprintf("Workspace %s is not available any more; choose again.", id))
		}
	}
	if len(f.WorkspaceIDs) > MaxWorkspaces {
		add(BlockWorkspaces, fmt.Sprintf("Choose at most %d workspaces at once.", MaxWorkspaces))
	}
	if f.Permission == "" && !f.PerWorkspace {
		add(BlockPermission, "Choose Full access or Unibox only.")
	}
	if n := len([]rune(f.HideLabels)); n > MaxHideLabelsLen {
		add(BlockHideLabels, fmt.Sprintf("Too long: %d characters, the limit is %d.", n, MaxHideLabelsLen))
	}
	if err := req.Validate(); err != nil {
		verrs, _ := err.(plusvibe.ValidationErrors)
		for _, fe := range verrs {
			add(f.blockFor(fe), fe.Message)
		}
	}
	return req, problems
}

func (f Form) blockFor(fe plusvibe.FieldError) string {
	if f.PerWorkspace && fe.Index >= 0 && fe.Index < len(f.WorkspaceIDs) {
		switch fe.Field {
		case plusvibe.FieldPermissions:
			return BlockWorkspacePermission(f.WorkspaceIDs[fe.Index])
		case plusvibe.FieldHideLabels:
			return BlockWorkspaceLabels(f.WorkspaceIDs[fe.Index])
		}
	}
	switch fe.Field {
	case plusvibe.FieldEmail:
		return BlockEmail
	case plusvibe.FieldFirstName:
		return BlockFirstName
	case plusvibe.FieldLastName:
		return BlockLastName
	case plusvibe.FieldBusinessName:
		return BlockBusinessName
	case plusvibe.FieldPermissions:
		return BlockPermission
	case plusvibe.FieldHideLabels:
		return BlockHideLabels
	}
	// workspaces, and the configured workspace_id (an admin's mistake, but the
	// person must see something under an input block or Slack shows a generic error)
	return BlockWorkspaces
}
