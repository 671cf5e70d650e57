package bot

import (
	"context"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/request"
)

// The store's lists behind the Home tab: each person's recent requests, and
// the requests waiting for a decision.
const (
	pendingList = "pending"
	maxPending  = 200
	// maxRepublish bounds the approvers whose Home tabs are redrawn when the
	// waiting requests change; others see the change when they open it.
	maxRepublish = 50
)

func homeList(user string) string { return "home:" + user }

// seenList marks that user has opened the Home tab: only their tabs are
// redrawn on a change (views.publish is rate-limited per workspace); the
// others are drawn when first opened.
func seenList(user string) string { return "home_seen:" + user }

// homeKeep is how long a person's list outlives its last change: as long as
// a request can wait for a decision and then for its requester.
func (b *Bot) homeKeep() time.Duration { return 2 * b.cfg.ApprovalTTL }

// onHomeOpened draws the Home tab for whoever opens it.
func (b *Bot) onHomeOpened(ctx context.Context, evt *socketmode.Event, c *socketmode.Client) {
	b.ack(c, evt.Request.EnvelopeID, nil)
	outer, _ := evt.Data.(slackevents.EventsAPIEvent)
	opened, ok := outer.InnerEvent.Data.(*slackevents.AppHomeOpenedEvent)
	if !ok || opened.Tab != "home" {
		return
	}
	req := b.startRequest("home", opened.User)
	b.note(ctx, seenList(opened.User), "seen", true, 1)
	if err := b.publishHome(ctx, opened.User); err != nil {
		req.done("publish_failed", err, nil)
		return
	}
	req.done("published", nil, nil)
}

// onHomeCreate opens the form from the Home tab's button.
func (b *Bot) onHomeCreate(ctx context.Context, evt *socketmode.Event, c *socketmode.Client) {
	cb, req := b.clicked(evt, c, "home_create")
	if msg, outcome, err := b.formBlocker(ctx, cb.User.ID); msg != "" {
		b.notice(ctx, req, cb.TriggerID, msg)
		req.done(outcome, err, nil)
		return
	}
	if err := b.openForm(ctx, req, cb.TriggerID, request.Form{}, modals.Metadata{}); err != nil {
		req.done("open_failed", err, nil)
		return
	}
	req.done("opened", nil, nil)
}

// publishHome draws user's Home tab from the store.
func (b *Bot) publishHome(ctx context.Context, user string) error {
	items := decodeAll[modals.HomeItem](b.listed(ctx, homeList(user)))
	approver := false
	if b.cfg.ApprovalChannel != "" {
		approver, _ = b.approvers.allowed(ctx, user)
	}
	if approver && b.cfg.ApproveAll {
		// APPROVERS=* lets every member decide: the requests, emails and
		// businesses are shown only to those who may create clients.
		approver, _ = b.access.allowed(ctx, user)
	}
	var waiting []modals.WaitingItem
	if approver {
		for _, w := range decodeAll[modals.WaitingItem](b.listed(ctx, pendingList)) {
			if w.Requester != user { // nobody decides their own
				waiting = append(waiting, w)
			}
		}
	}
	_, err := b.slack.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: user, View: modals.HomeView(items, waiting, len(waiting), approver)})
	return err
}
