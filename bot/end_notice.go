package bot

import (
	"context"
	"fmt"

	"github.com/slack-go/slack"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/request"
)

// noticeEnd tells the requester, once, that a client's access ends soon,
// with Extend and Let it end.
func (b *Bot) noticeEnd(ctx context.Context, e request.End) {
	key := fmt.Sprintf("end-notice:%s:%d", e.ClientID, e.At)
	if first, _, err := b.once.claim(ctx, key); err != nil || !first {
		return
	}
	e, ok := b.stillDue(ctx, key, e)
	if !ok {
		return
	}
	if e.Noticed {
		b.once.finish(ctx, key, "noticed")
		return
	}
	if e.Requester != "" {
		text, blocks := modals.EndNotice(e, b.endsWith())
		if _, _, err := b.talk.DM(ctx, e.Requester, slack.MsgOptionText(text, false), slack.MsgOptionBlocks(blocks...)); err != nil {
			b.once.release(ctx, key) // told at the next read
			return
		}
	}
	// Noted on the end as it is now: Extend, from this very notice, may
	// have moved it already. The claim keeps the notice from going twice.
	if err := b.updateEnd(ctx, e, func(e *request.End) { e.Noticed = true }); err != nil {
		b.log.Warn().Err(err).Str("client_id", e.ClientID).Msg("an access end's notice could not be noted; it may be sent again")
	}
	b.once.finish(ctx, key, "noticed")
	b.metrics.ends.WithLabelValues("noticed").Inc()
}
