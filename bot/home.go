package bot

import (
	"context"
	"encoding/json"
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
	cb, _ := evt.Data.(slack.InteractionCallback)
	req := b.startRequest("home_create", cb.User.ID)
	b.ack(c, evt.Request.EnvelopeID, nil)
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

// trackForm records the outcome of a form that needed no approval.
func (b *Bot) trackForm(ctx context.Context, user, viewID string, f request.Form, state request.State, reason string) {
	b.track(ctx, user, modals.HomeItem{ID: viewID, At: time.Now().Unix(), Email: f.Email, Business: f.BusinessName, State: state, Reason: reason})
}

// trackRecord records where an approval request stands, for its requester
// and, while it waits for a decision, for the approvers.
func (b *Bot) trackRecord(ctx context.Context, ref requestRef, r request.Record, link string) {
	at, _ := postedAt(ref.ts)
	user := r.Request.Requester
	item := modals.HomeItem{ID: ref.String(), At: at.Unix(), Email: r.Request.Form.Email, Business: r.Request.Form.BusinessName,
		State: r.State, Reason: r.Reason, Ref: collectValue(ref, user), Link: link, Change: r.Change != nil}
	if link == "" { // keep the link from when it was posted
		for _, prev := range decodeAll[modals.HomeItem](b.listed(ctx, homeList(user))) {
			if prev.ID == item.ID {
				item.Link = prev.Link
			}
		}
	}
	b.track(ctx, user, item)
	switch r.State {
	case request.Pending:
		w := modals.WaitingItem{Ref: ref.String(), Link: item.Link, Requester: user, Email: item.Email, Business: item.Business, At: item.At}
		b.note(ctx, pendingList, w.Ref, w, maxPending)
	case request.Approved, request.Denied, request.Expired:
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeTimeout)
		err := b.views.store.Forget(fctx, pendingList, ref.String())
		cancel()
		if err != nil {
			b.log.Warn().Err(err).Msg("the store could not drop a decided request from the waiting list")
		}
	default:
		return // the approvers' lists did not change
	}
	b.homes.mark(b.approvers.known(maxRepublish)...)
}

// track notes item in user's list and has their Home tab redrawn.
func (b *Bot) track(ctx context.Context, user string, item modals.HomeItem) {
	b.note(ctx, homeList(user), item.ID, item, modals.HomeRequests)
	b.homes.mark(user)
}

func (b *Bot) note(ctx context.Context, list, id string, v any, max int) {
	raw, _ := json.Marshal(v) // plain strings and numbers: cannot fail
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeTimeout)
	defer cancel()
	if err := b.views.store.Note(ctx, list, id, string(raw), max, b.homeKeep()); err != nil {
		b.log.Warn().Err(err).Str("list", list).Msg("the store could not keep a Home tab entry")
	}
}

// listed reads a list; a store that cannot be reached shows as empty.
func (b *Bot) listed(ctx context.Context, list string) []string {
	ctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	vals, err := b.views.store.List(ctx, list)
	if err != nil {
		b.log.Warn().Err(err).Str("list", list).Msg("the store could not be read for the Home tab")
	}
	return vals
}

func decodeAll[T any](raws []string) []T {
	out := make([]T, 0, len(raws))
	for _, raw := range raws {
		var v T
		if json.Unmarshal([]byte(raw), &v) == nil {
			out = append(out, v)
		}
	}
	return out
}
