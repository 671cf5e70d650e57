package modals

import (
	"strings"

	"github.com/slack-go/slack"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/request"
)

// The form's switch between one access for every workspace and access per
// workspace, and the per-workspace inputs' block ids.
const (
	BlockAccessMode = "access_mode"
	optPerWorkspace = "per_workspace"
)

// BlockWorkspacePermission and BlockWorkspaceLabels are the inputs of one
// workspace's own access.
func BlockWorkspacePermission(id string) string { return request.FieldWorkspacePermission(id) }
func BlockWorkspaceLabels(id string) string     { return request.FieldWorkspaceLabels(id) }

// AccessText says in one line what the client gets: "Unibox only in Acme,
// Nova", or each workspace's own access. Escaped for mrkdwn.
func AccessText(grants []request.Grant) string {
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
func perWorkspaceBlocks(f request.Form, offered []plusvibe.Workspace) []slack.Block {
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
		labels := textInput("e.g. NOT_INTERESTED", f.AccessAt(i).HideLabels, request.MaxPerWorkspaceLabels)
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

// parseAccess reads the per-workspace inputs. A workspace whose inputs are
// not on the form yet (the switch was just turned on) starts with the access
// typed for all; turned off, the form keeps the first workspace's.
func parseAccess(f *request.Form, state *slack.ViewState) {
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
		a := request.WorkspaceAccess{Permission: perm.SelectedOption.Value, HideLabels: labels.Value}
		if !shown {
			a = request.WorkspaceAccess{Permission: f.Permission, HideLabels: f.HideLabels}
		}
		f.Access = append(f.Access, a)
	}
	f.Permission, f.HideLabels = "", ""
}
