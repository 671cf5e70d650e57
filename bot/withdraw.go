package bot

import (
	"context"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/bot/slackapi"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/request"
)

// onWithdraw takes a request back, when its requester clicks Withdraw in
// their waiting modal, their DM or their Home tab: before a decision, or
// before they create the approved client. It is as final as a decision:
// the channel message says so, its buttons go, and a later Approve or
// Create client click is told it was withdrawn.
func (b *Bot) onWithdraw(ctx context.Context, evt *socketmode.Event, c *socketmode.Client) {
	cb, req := b.clicked(evt, c, "withdraw")
	k := collection{user: cb.User.ID, req: req}
	if cb.Container.Type == "view" && cb.View.Type != slack.VTHomeTab {
		k.viewID = cb.View.ID
	} else if cb.View.Type != slack.VTHomeTab {
		k.dm = cb.Container.ChannelID
	}
	ref, owner, ok := parseCollect(actionValue(cb, modals.ActionWithdraw))
	k.ref, k.fields = ref, map[string]any{"channel": ref.channel, "approval_ts": ref.ts}
	switch {
	case !ok:
		b.tell(ctx, k, modals.ButtonUnreadableText)
		req.done("unreadable", nil, k.fields)
		return
	case owner != k.user: // before anything is read or claimed
		b.tell(ctx, k, modals.NotYoursToWithdraw(owner))
		req.done("refused", nil, k.fields)
		return
	}
	r, err := b.readRecord(ctx, ref)
	if err != nil {
		b.tell(ctx, k, readFailure(err))
		req.done("unreadable", err, k.fields)
		return
	}
	k.key = stepKey(ref, r) // the step it waits for: no decision or creation meanwhile
	first, told, err := b.once.claim(ctx, k.key)
	switch {
	case err != nil:
		b.tell(ctx, k, modals.StoreDownText)
		req.done("store_unreachable", err, k.fields)
		return
	case !first:
		b.tell(ctx, k, deciding(told))
		req.done("duplicate", nil, k.fields)
		return
	}
	b.withdraw(ctx, k, r)
}

// withdraw records it, holding the step's claim, and says so everywhere.
func (b *Bot) withdraw(ctx context.Context, k collection, r request.Record) {
	ctx, cancel := slackapi.Settle(ctx)
	defer cancel()
	if request.Withdraw(r, k.user) != request.Go {
		b.once.release(ctx, k.key)
		b.tell(ctx, k, modals.CannotWithdraw(r))
		k.req.done("refused", nil, k.fields)
		return
	}
	r.State = request.Withdrawn
	if err := b.writeRecord(ctx, k.ref, r); err != nil {
		b.once.release(ctx, k.key)
		b.tell(ctx, k, modals.Unrecorded("withdrawal", slackapi.Cause(err), ""))
		k.req.done("update_failed", err, k.fields)
		return
	}
	b.once.finish(ctx, k.key, modals.Decided(r))
	b.writeGrant(ctx, k.ref, r)
	if id := r.Request.ViewID; id != "" && id != k.viewID {
		b.talk.UpdateView(ctx, id, modals.WithdrawnView(r.Request.Form.Email))
	}
	if k.viewID != "" {
		b.talk.UpdateView(ctx, k.viewID, modals.WithdrawnView(r.Request.Form.Email))
	} else {
		b.tell(ctx, k, modals.WithdrawnText(r.Request.Form.Email))
	}
	b.audit(ctx, b.recordEntry(r, modals.AuditWithdrawn))
	b.metrics.approvals.WithLabelValues("withdrawn").Inc()
	k.req.done("withdrawn", nil, k.fields)
}
