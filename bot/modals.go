package bot

import "github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"

// modalFlow is a modal the bot answers the submission of. block is an input
// the modal always has: a submission turned away (busy, restarting, store
// down) is answered under it, as Slack shows an error only under an input
// of the submitted view.
type modalFlow struct {
	callback, block string
	submit          handler
}

// modals lists every modal the bot submits; a new one must name its block.
func (b *Bot) modals() []modalFlow {
	return []modalFlow{
		{modals.CallbackCreate, modals.BlockEmail, b.onSubmit},
		{modals.CallbackDeny, modals.BlockDenyReason, b.onDenySubmit},
		{modals.CallbackEditAccess, modals.BlockWorkspaces, b.onEditAccessSubmit},
		{modals.CallbackRemove, modals.BlockConfirmEmail, b.onRemoveSubmit},
		{modals.CallbackExtend, modals.BlockEnds, b.onExtendSubmit},
	}
}

// refusalBlock is where a turned-away submission of callback is answered.
func (b *Bot) refusalBlock(callback string) string {
	for _, m := range b.modals() {
		if m.callback == callback {
			return m.block
		}
	}
	return modals.BlockEmail
}
