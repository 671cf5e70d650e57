package bot

import (
	"context"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"
)

func (b *Bot) notice(ctx context.Context, req requestLog, triggerID, text string) {
	ctx, cancel := context.WithDeadline(ctx, req.start.Add(triggerLife))
	defer cancel()
	if _, err := b.slack.OpenViewContext(ctx, triggerID, modals.Notice(text)); err != nil {
		b.log.Warn().Err(err).Msg("could not say why the form was not opened")
	}
}
