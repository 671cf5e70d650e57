package bot

import (
	"context"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"
)

// onSuggest answers the workspace type-ahead of a form offering more
// workspaces than a Slack select holds, from the cached list: it never waits
// on PlusVibe. Only people allowed to create clients see the names.
func (b *Bot) onSuggest(ctx context.Context, evt *socketmode.Event, c *socketmode.Client) {
	cb, _ := evt.Data.(slack.InteractionCallback)
	opts := []*slack.OptionBlockObject{}
	if cb.BlockID == modals.BlockWorkspaces {
		if allowed, _ := b.access.allowed(ctx, cb.User.ID); allowed {
			opts = modals.WorkspaceSuggestions(b.workspaces.get(), cb.Value)
		}
	}
	b.ack(c, evt.Request.EnvelopeID, map[string]any{"options": opts})
}
