package bot

import (
	"context"
	"time"

	"github.com/slack-go/slack"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/bot/slackapi"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/request"
)

// postForApproval posts r in the approval channel, where it waits for an
// approver, and notes it on its requester's Home tab; it returns where it
// is, and its link.
func (b *Bot) postForApproval(ctx context.Context, r request.Record) (requestRef, string, error) {
	postCtx, cancel := context.WithTimeout(ctx, postBudget)
	defer cancel()
	text, blocks := modals.ApprovalMessage(r, b.workspaces.get(), time.Now().Add(b.cfg.ApprovalTTL))
	_, ts, err := b.slack.PostMessageContext(postCtx, b.cfg.ApprovalChannel,
		slack.MsgOptionText(text, false), slack.MsgOptionBlocks(blocks...), slack.MsgOptionMetadata(modals.RecordMetadata(r)))
	if err != nil {
		return requestRef{}, "", err
	}
	ref := requestRef{channel: b.cfg.ApprovalChannel, ts: ts}
	sctx, scancel := slackapi.Settle(ctx)
	defer scancel()
	link, err := b.slack.GetPermalinkContext(sctx, &slack.PermalinkParameters{Channel: ref.channel, Ts: ts})
	if err != nil {
		b.log.Warn().Err(err).Msg("chat.getPermalink failed; linking the channel instead")
	}
	b.trackRecord(sctx, ref, r, link)
	return ref, link, nil
}
