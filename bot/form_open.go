package bot

import (
	"context"
	"time"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/request"
)

// formBlocker says why the form cannot be opened for user right now ("" if
// it can), with the outcome to log.
func (b *Bot) formBlocker(ctx context.Context, user string) (msg, outcome string, err error) {
	allowed, err := b.access.allowed(ctx, user)
	switch {
	case !allowed && err != nil:
		return modals.UncheckedText, "refused", err
	case !allowed:
		return modals.NotAllowedText, "refused", nil
	case b.storeHealth.down.Load() && b.checkStore(ctx) != nil:
		// Refused while the store is down: the form could not be sent anyway.
		return modals.StoreDownText, "store_unreachable", nil
	case len(b.workspaces.get()) == 0:
		b.workspaces.refreshSoon()
		return modals.NoWorkspacesText, "no_workspaces", nil
	}
	return "", "", nil
}

// openForm opens the form, filled in with form, within the trigger's life.
func (b *Bot) openForm(ctx context.Context, req requestLog, triggerID string, form request.Form, meta modals.Metadata) error {
	view := modals.NewForm(form, b.workspaces.get(), meta, b.approvalNote(), b.policy.Reason)
	ctx, cancel := context.WithDeadline(ctx, req.start.Add(triggerLife))
	defer cancel()
	_, err := b.slack.OpenViewContext(ctx, triggerID, view)
	return err
}

// triggerLife is how long a trigger_id can open a view.
const triggerLife = 3 * time.Second
