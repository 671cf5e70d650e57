package bot

import (
	"context"

	"github.com/slack-go/slack"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"
)

// announce replies in the thread of the message a client was asked for in.
// Where the bot may not post (not in the channel), it skips the reply:
// the client and its password are not affected.
func (b *Bot) announce(ctx context.Context, c creation, email string) {
	if c.source == nil {
		return
	}
	text := modals.ThreadReply(c.requester, email, modals.AccessText(c.form.Grants(b.workspaces.get())))
	if c.form.EndsAt != 0 {
		text += " Its " + modals.EndsLine(c.form.EndsAt) + "."
	}
	_, _, err := b.slack.PostMessageContext(ctx, c.source.Channel, slack.MsgOptionText(text, false), slack.MsgOptionTS(c.source.TS))
	if err != nil {
		b.log.Info().Err(err).Str("channel", c.source.Channel).Msg("the new client was not announced in the message's thread")
	}
}
