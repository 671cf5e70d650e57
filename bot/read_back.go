package bot

import (
	"context"
	"time"

	"github.com/slack-go/slack"
)

// readBack reads back the messages the bot posted in channel since since,
// newest first, metadata and all, handing each to each: how records, ends,
// review pages and who asked are found again.
func (b *Bot) readBack(ctx context.Context, channel string, since time.Time, each func(slack.Message)) error {
	params := &slack.GetConversationHistoryParameters{ChannelID: channel, Limit: 200, IncludeAllMetadata: true, Oldest: tsOf(since)}
	for {
		resp, err := b.slack.GetConversationHistoryContext(ctx, params)
		if err != nil {
			return err
		}
		for _, m := range resp.Messages {
			if b.ours(m) {
				each(m)
			}
		}
		if !resp.HasMore || resp.ResponseMetaData.NextCursor == "" {
			return nil
		}
		params.Cursor = resp.ResponseMetaData.NextCursor
	}
}
