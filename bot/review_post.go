package bot

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/slack-go/slack"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/request"
)

// reviewEvery posts an access review of the Full access clients once per
// REVIEW_EVERY, in REVIEW_CHANNEL.
func (b *Bot) reviewEvery(ctx context.Context) {
	every(ctx, min(b.cfg.SweepInterval, 10*time.Minute), b.reviewIfDue)
}

// reviewIfDue posts this period's review unless it was: once across
// replicas (the claim) and restarts (the channel says so).
func (b *Bot) reviewIfDue(ctx context.Context) {
	period := request.Period(time.Now(), b.cfg.ReviewEvery)
	key := fmt.Sprintf("review:%d", period)
	if first, _, err := b.reviewed.claim(ctx, key); err != nil || !first {
		return
	}
	posted, err := b.reviewPosted(ctx, period)
	if err == nil {
		err = b.postReview(ctx, period, posted)
	}
	if err != nil {
		b.reviewed.release(ctx, key)
		if ctx.Err() == nil {
			b.log.Warn().Err(err).Msg("the access review could not be posted; tried again later")
		}
		return
	}
	b.reviewed.finish(ctx, key, "posted")
}

// reviewPosted lists the pages of period the review channel holds: a
// review cut short (a failed post, a restart) is completed, not repeated.
func (b *Bot) reviewPosted(ctx context.Context, period int64) (map[int]request.ReviewPage, error) {
	start := time.Unix(period*int64(b.cfg.ReviewEvery/time.Second), 0)
	posted := map[int]request.ReviewPage{}
	err := b.readBack(ctx, b.cfg.ReviewChannel, start, func(m slack.Message) {
		if p, isPage := request.ReviewFromPayload(m.Metadata.EventType, m.Metadata.EventPayload); isPage && p.Period == period {
			posted[p.Page] = p
		}
	})
	if err != nil {
		return nil, err
	}
	return posted, nil
}

// postReview lists the Full access clients as PlusVibe has them now, with
// who asked for each and its end when the bot knows, a page per message.
// A review cut short is completed: the clients on the pages posted already
// are left out, the others go on pages after them.
func (b *Bot) postReview(ctx context.Context, period int64, posted map[int]request.ReviewPage) error {
	clients, err := b.clients.get(ctx, 0)
	if err != nil {
		return err
	}
	listed, last := map[string]bool{}, 0
	for n, p := range posted {
		last = max(last, n)
		for _, it := range p.Items {
			listed[it.ClientID] = true
		}
	}
	items := slices.DeleteFunc(request.FullAccessItems(clients, b.workspaces.get()), func(it request.ReviewItem) bool { return listed[it.ClientID] })
	if len(posted) > 0 && len(items) == 0 {
		return nil // all there
	}
	asked, ends := b.askedBy(ctx), b.endsByClient(ctx)
	for i := range items {
		e := ends[items[i].ClientID]
		items[i].Ends, items[i].Requester = e.At, cmp.Or(asked[items[i].ClientID], e.Requester)
	}
	pages := request.Paginate(period, items)
	for _, p := range pages {
		p.Page, p.Pages = last+p.Page, last+p.Pages
		text, blocks := modals.ReviewMessage(p)
		_, _, err := b.slack.PostMessageContext(ctx, b.cfg.ReviewChannel, slack.MsgOptionText(text, false), slack.MsgOptionBlocks(blocks...),
			slack.MsgOptionMetadata(slack.SlackMetadata{EventType: request.ReviewEvent, EventPayload: p.Payload()}))
		if err != nil {
			return err
		}
	}
	b.metrics.reviews.WithLabelValues("posted").Inc()
	return nil
}

// endsByClient reads the schedule once, by client id.
func (b *Bot) endsByClient(ctx context.Context) map[string]request.End {
	out := map[string]request.End{}
	if b.ends == nil {
		return out
	}
	ends, err := b.ends.all(ctx)
	if err != nil {
		b.log.Warn().Err(err).Msg("the access ends could not be read for the review")
	}
	for _, e := range ends {
		out[e.ClientID] = e
	}
	return out
}
