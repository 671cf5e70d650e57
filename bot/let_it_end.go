package bot

import (
	"context"
	"fmt"

	"github.com/slack-go/slack/socketmode"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"
)

// onLetItEnd answers the notice: the end stands, and the notice says so.
func (b *Bot) onLetItEnd(ctx context.Context, evt *socketmode.Event, c *socketmode.Client) {
	cb, req, e, ok := b.noticeClick(ctx, evt, c, modals.ActionLetItEnd)
	if !ok {
		return
	}
	b.answerNotice(ctx, fmt.Sprintf("%s|%s", cb.Container.ChannelID, cb.Container.MessageTs), e, modals.LettingItEnd(e.At))
	req.done("let_it_end", nil, map[string]any{"client_id": e.ClientID})
}
