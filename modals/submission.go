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
	return f
}

// Labels splits the typed labels on commas and new lines, dropping empty
// entries and repeats.
func (f Form) Labels() []string {
	labels := []string{}
	for _, l := range strings.FieldsFunc(f.HideLabels, func(r rune) bool { return r == ',' || r == '\n' || r == ';' }) {
		if l = strings.TrimSpace(l); l != "" && !slices.Contains(labels, l) {
			labels = append(labels, l)
		}
	}
	return labels
}

// Request turns the form into a PlusVibe request; apiWorkspaceID is the
// configured top-level workspace_id. Every chosen workspace gets the same
// permission and hidden labels.
func (f Form) Request(apiWorkspaceID string) plusvibe.CreateClientRequest {
	req := plusvibe.CreateClientRequest{
		WorkspaceID:        apiWorkspaceID,
		ClientEmail:        f.Email,
		ClientFirstName:    f.FirstName,
		ClientLastName:     f.LastName,
		ClientBusinessName: f.BusinessName,
	}
	labels := f.Labels()
	var perms []string
	if f.Permission != "" {
		perms = []string{f.Permission}
	}
	for _, id := range f.WorkspaceIDs {
		req.Workspaces = append(req.Workspaces, plusvibe.ClientWorkspacePermission{
			ID: id, Permissions: perms, HideLabels: labels,
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
	if msg := invisibleMessage(f.HideLabels, true); msg != "" {
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
	if f.Permission == "" {
		add(BlockPermission, "Choose Full access or Unibox only.")
	}
	if n := len([]rune(f.HideLabels)); n > MaxHideLabelsLen {
		add(BlockHideLabels, fmt.Sprintf("Too long: %d characters, the limit is %d.", n, MaxHideLabelsLen))
	}
	if err := req.Validate(); err != nil {
		verrs, _ := err.(plusvibe.ValidationErrors)
		for _, fe := range verrs {
			add(blockFor(fe.Field), fe.Message)
		}
	}
	return req, problems
}

func blockFor(field string) string {
	switch field {
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
