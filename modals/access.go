package modals

import (
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe"
)

// The form's switch between one access for every workspace and access per
// workspace, and the per-workspace inputs' block ids.
const (
	BlockAccessMode  = "access_mode"
	optPerWorkspace  = "per_workspace"
	blockPermPrefix  = "perm:"
	blockLabelPrefix = "labels:"
	// MaxPerWorkspaceLabels bounds the labels typed for all workspaces
	// together, so that the whole form still fits in private_metadata.
	MaxPerWorkspaceLabels = 300
)

// BlockWorkspacePermission and BlockWorkspaceLabels are the inputs of one
// workspace's own access.
func BlockWorkspacePermission(id string) string { return blockPermPrefix + id }
func BlockWorkspaceLabels(id string) string     { return blockLabelPrefix + id }

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
		a := f.access(i)
		out[i] = Grant{ID: id, Name: workspaceName(id, offered), Permission: a.Permission, Labels: labels(a.HideLabels)}
	}
	return out
}

// access is the i-th chosen workspace's access.
func (f Form) access(i int) WorkspaceAccess {
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
		if f.access(i).Permission == plusvibe.PermissionFullAccess {
			return true
		}
	}
	return !f.PerWorkspace && f.Permission == plusvibe.PermissionFullAccess
}

// AccessText says in one line what the client gets: "Unibox only in Acme,
// Nova", or each workspace's own access. Escaped for mrkdwn.
func AccessText(grants []Grant) string {
	same := true
	for _, g := range grants {
		same = same && g.Permission == grants[0].Permission
	}
	names := make([]string, len(grants))
	for i, g := range grants {
		names[i] = Escape(g.Name)
		if !same {
			names[i] += " (" + PermissionLabel(g.Permission) + ")"
		}
	}
	if same && len(grants) > 0 {
		return PermissionLabel(grants[0].Permission) + " in " + strings.Join(names, ", ")
	}
	return strings.Join(names, ", ")
}

// perWorkspaceBlocks are one permission and one labels input per chosen
// workspace, filled in with what was typed.
func perWorkspaceBlocks(f Form, offered []plusvibe.Workspace) []slack.Block {
	if len(f.WorkspaceIDs) == 0 {
		return []slack.Block{slack.NewContextBlock("per_workspace_note", mrkdwn("Choose workspaces above, then set each one's access here."))}
	}
	var blocks []slack.Block
	for i, g := range f.Grants(offered) {
		name := truncate(g.Name, maxOptionText)
		perm := slack.NewRadioButtonsBlockElement(actionInput, permissionOptions()...)
		for _, o := range perm.Options {
			if o.Value == g.Permission {
				perm.InitialOption = o
			}
		}
		labels := textInput("e.g. NOT_INTERESTED", f.access(i).HideLabels, MaxPerWorkspaceLabels)
		labelsBlock := slack.NewInputBlock(BlockWorkspaceLabels(g.ID), plainText("Labels to hide in "+name), nil, labels)
		labelsBlock.Optional = true
		blocks = append(blocks, slack.NewInputBlock(BlockWorkspacePermission(g.ID), plainText("Access in "+name), nil, perm), labelsBlock)
	}
	return blocks
}

// accessModeBlock is the switch to access per workspace; changing it, like
// changing the workspaces while it is on, redraws the form.
func accessModeBlock(on bool) slack.Block {
	opt := slack.NewOptionBlockObject(optPerWorkspace, plainText("Different access per workspace"), nil)
	box := slack.NewCheckboxGroupsBlockElement(actionInput, opt)
	if on {
		box.InitialOptions = []*slack.OptionBlockObject{opt}
	}
	b := slack.NewInputBlock(BlockAccessMode, plainText("Access"), nil, box)
	b.Optional, b.DispatchAction = true, true
	return b
}

// validatePerWorkspace checks each workspace's own access.
func (f Form) validatePerWorkspace(offered []plusvibe.Workspace, add func(block, msg string)) {
	total := 0
	for i, g := range f.Grants(offered) {
		a := f.access(i)
		if a.Permission == "" {
			add(BlockWorkspacePermission(g.ID), fmt.Sprintf("Choose Full access or Unibox only for %s.", g.Name))
		}
		if msg := invisibleMessage(a.HideLabels, true); msg != "" {
			add(BlockWorkspaceLabels(g.ID), msg)
		}
		if total += len([]rune(a.HideLabels)); total > MaxPerWorkspaceLabels {
			add(BlockWorkspaceLabels(g.ID), fmt.Sprintf("Too long: labels for all workspaces together can be at most %d characters.", MaxPerWorkspaceLabels))
		}
	}
}

// parseAccess reads the per-workspace inputs. A workspace whose inputs are
// not on the form yet (the switch was just turned on) starts with the access
// typed for all; turned off, the form keeps the first workspace's.
func parseAccess(f *Form, state *slack.ViewState) {
	get := func(block string) (slack.BlockAction, bool) {
		a, shown := state.Values[block][actionInput]
		return a, shown
	}
	if !f.PerWorkspace {
		if _, shown := get(BlockPermission); !shown && len(f.WorkspaceIDs) > 0 {
			perm, _ := get(BlockWorkspacePermission(f.WorkspaceIDs[0]))
			labels, _ := get(BlockWorkspaceLabels(f.WorkspaceIDs[0]))
			f.Permission, f.HideLabels = perm.SelectedOption.Value, labels.Value
		}
		return
	}
	for _, id := range f.WorkspaceIDs {
		perm, shown := get(BlockWorkspacePermission(id))
		labels, _ := get(BlockWorkspaceLabels(id))
		a := WorkspaceAccess{Permission: perm.SelectedOption.Value, HideLabels: labels.Value}
		if !shown {
			a = WorkspaceAccess{Permission: f.Permission, HideLabels: f.HideLabels}
		}
		f.Access = append(f.Access, a)
	}
	f.Permission, f.HideLabels = "", ""
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
		add(BlockWorkspaces, "Keep at least one workspace. To take every access away, remove the client.")
	case len(f.WorkspaceIDs) > MaxWorkspaces:
		add(BlockWorkspaces, fmt.Sprintf("Choose at most %d workspaces.", MaxWorkspaces))
	}
	for _, id := range f.WorkspaceIDs {
		if workspaceName(id, offered) == id {
			add(BlockWorkspaces, fmt.Sprintf("Workspace %s is not available any more; choose again.", id))
		}
	}
	f.validatePerWorkspace(offered, add)
	return problems
}
