package modals

import (
	"github.com/slack-go/slack"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/request"
)

// ParseForm reads a submitted create-client view's state. Missing blocks read
// as empty; validation decides what that means.
func ParseForm(state *slack.ViewState) request.Form {
	if state == nil {
		return request.Form{}
	}
	get := func(block string) slack.BlockAction { return state.Values[block][actionInput] }
	f := request.Form{
		Email:        get(BlockEmail).Value,
		FirstName:    get(BlockFirstName).Value,
		LastName:     get(BlockLastName).Value,
		BusinessName: get(BlockBusinessName).Value,
		Permission:   get(BlockPermission).SelectedOption.Value,
		HideLabels:   get(BlockHideLabels).Value,
		Reason:       get(BlockReason).Value,
		EndsAt:       get(BlockEnds).SelectedDateTime,
	}
	for _, o := range get(BlockWorkspaces).SelectedOptions {
		f.WorkspaceIDs = append(f.WorkspaceIDs, o.Value)
	}
	f.PerWorkspace = len(get(BlockAccessMode).SelectedOptions) > 0
	parseAccess(&f, state)
	return f
}
