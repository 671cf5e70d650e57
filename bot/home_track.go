package bot

import (
	"context"
	"encoding/json"
	"time"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/bot/store"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/request"
)

// trackForm records the outcome of a form that needed no approval.
func (b *Bot) trackForm(ctx context.Context, s submission, state request.State, reason string) {
	b.track(ctx, s.user, modals.HomeItem{ID: s.viewID, At: time.Now().Unix(), Email: s.form.Email, Business: s.form.BusinessName,
		State: state, Reason: reason, Why: s.form.Reason, Ends: s.form.EndsAt})
}

// trackRecord records where an approval request stands, for its requester
// and, while it waits for a decision, for the approvers.
func (b *Bot) trackRecord(ctx context.Context, ref requestRef, r request.Record, link string) {
	at, _ := postedAt(ref.ts)
	user := r.Request.Requester
	item := modals.HomeItem{ID: ref.String(), At: at.Unix(), Email: r.Request.Form.Email, Business: r.Request.Form.BusinessName,
		State: r.State, Reason: r.Reason, Ref: collectValue(ref, user), Link: link, Change: r.AppliedByApproval(), Why: r.Request.Form.Reason,
		Ends: r.Request.Form.EndsAt}
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
	case request.Approved, request.Denied, request.Expired, request.Withdrawn:
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
	if err := b.views.store.Note(ctx, list, store.Entry{ID: id, Value: string(raw), Max: max, Keep: b.homeKeep()}); err != nil {
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
