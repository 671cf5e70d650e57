package bot

import (
	"context"
	"errors"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/bot/slackapi"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/request"
)

// collection is a requester's click on Create client, in their DM with the
// app or in their modal.
type collection struct {
	user      string
	triggerID string
	dm        string // the DM clicked in; "" for a click in the modal
	viewID    string // the modal clicked in; "" for a click in the DM
	ref       requestRef
	key       string
	req       requestLog
	fields    map[string]any
}

// onCollect creates an approved client when its requester clicks Create
// client: once, however many clicks on either button, only while the
// approval holds and the requester is still allowed. The password goes to
// them as on the form path: they are there, they just clicked.
func (b *Bot) onCollect(ctx context.Context, evt *socketmode.Event, c *socketmode.Client) {
	cb, req := b.clicked(evt, c, "collect")
	k := collection{user: cb.User.ID, triggerID: cb.TriggerID, req: req}
	switch {
	case cb.View.Type == slack.VTHomeTab: // the Home tab: no modal, no DM clicked in
	case cb.Container.Type == "view":
		k.viewID = cb.View.ID
	default:
		k.dm = cb.Container.ChannelID
	}
	ref, owner, ok := parseCollect(actionValue(cb, modals.ActionCollect))
	k.ref, k.key, k.fields = ref, "collect:"+ref.String(), map[string]any{"channel": ref.channel, "approval_ts": ref.ts}
	switch {
	case !ok:
		b.tell(ctx, k, modals.ButtonUnreadableText)
		k.req.done("unreadable", nil, k.fields)
		return
	case owner != "" && owner != k.user: // before the claim: never stalls the requester's click
		b.tell(ctx, k, modals.NotYours(owner))
		k.req.done("refused", nil, k.fields)
		return
	}
	first, told, err := b.once.claim(ctx, k.key)
	switch {
	case err != nil:
		b.tell(ctx, k, modals.StoreDownText)
		k.req.done("store_unreachable", err, k.fields)
		return
	case !first:
		b.tell(ctx, k, creating(told))
		k.req.done("duplicate", nil, k.fields)
		return
	}
	r, why := b.collectable(ctx, k)
	if why != "" {
		b.tell(ctx, k, why)
		k.req.done("refused", nil, k.fields)
		return
	}
	b.collect(ctx, k, r)
}

// creating is what a click is told while the creation is in flight.
func creating(told *string) string {
	if told == nil {
		return modals.BeingCreatedText
	}
	return *told
}

func actionValue(cb slack.InteractionCallback, actionID string) string {
	for _, a := range cb.ActionCallback.BlockActions {
		if a.ActionID == actionID {
			return a.Value
		}
	}
	return ""
}

// collectable confirms, from the request's message as Slack holds it, that
// k may create it now. It returns the record, or why not; it settles k's
// claim when the answer is final.
func (b *Bot) collectable(ctx context.Context, k collection) (request.Record, string) {
	r, err := b.readRecord(ctx, k.ref)
	if err != nil {
		b.once.release(ctx, k.key)
		return r, readFailure(err)
	}
	k.fields["requester"] = r.Request.Requester
	done := func(why string) string { b.once.finish(ctx, k.key, why); return why }
	switch b.clock.Collect(r, k.user, b.lapsed(k.ref, r), time.Now()) {
	case request.NotTheRequester:
		b.once.release(ctx, k.key)
		return r, modals.NotYours(r.Request.Requester)
	case request.AlreadyCreated:
		return r, done(modals.AlreadyCreated(r.ClientID))
	case request.BeingCreated:
		b.once.release(ctx, k.key) // another process is creating it
		return r, creating(nil)
	case request.WasInterrupted:
		b.once.release(ctx, k.key)
		b.interrupted(ctx, k.ref, r)
		return r, modals.MaybeCreatedText + " Click the button again to try."
	case request.NotApprovedYet: // not recorded yet, or never: nothing to create
		b.once.release(ctx, k.key)
		return r, modals.NotApprovedYetText
	case request.FailedForGood:
		return r, done(r.Reason)
	case request.AlreadyDecided:
		return r, done(modals.Decided(r))
	case request.Lapsed:
		b.expireHeld(ctx, k.key, k.ref, r)
		return r, modals.ApprovalLapsedText
	}
	allowed, err := b.access.allowed(ctx, k.user)
	if !allowed {
		b.once.release(ctx, k.key)
		why := modals.NoLongerAllowedText
		if err != nil {
			why = modals.UncheckedText
		}
		b.auditRefused(ctx, k.ref, b.recordEntry(r, ""), k.user, why)
		return r, why
	}
	return r, ""
}

// collect creates the client of r for k, holding k's claim.
func (b *Bot) collect(ctx context.Context, k collection, r request.Record) {
	viewID, ok := b.startCreating(ctx, k, &r)
	if !ok {
		return
	}
	job := creation{requester: r.Request.Requester, approver: r.By, form: r.Request.Form, viewID: viewID, dm: r.DM, source: r.Request.Source,
		workflow: r.Step != nil, thread: r.Request.Source}
	if !r.Direct {
		job.thread = &request.Source{Channel: k.ref.channel, TS: k.ref.ts}
	}
	var err error
	job.request, err = b.revalidate(r.Request.Form)
	var resp plusvibe.CreateClientResponse
	if err == nil {
		resp, err = b.create(ctx, job)
	}
	if err != nil {
		b.collectFailed(ctx, k, r, viewID, err)
		return
	}
	outcome, derr := b.handOver(ctx, job, resp)
	ctx, cancel := slackapi.Settle(ctx)
	defer cancel()
	r.State, r.ClientID, r.Undelivered = request.Created, resp.ClientID, outcome == outcomeUndelivered
	b.once.finish(ctx, k.key, modals.AlreadyCreated(resp.ClientID))
	b.writeRecord(ctx, k.ref, r)
	b.writeGrant(ctx, k.ref, r)
	b.metrics.approvals.WithLabelValues("collected").Inc()
	b.waited("collection", grantTS(k.ref, r))
	k.fields["client_id"] = resp.ClientID
	k.req.done(outcome, derr, k.fields)
}

// collectFailed reports a failed creation everywhere the requester and the
// approvers look, on a context that outlives the drain.
func (b *Bot) collectFailed(ctx context.Context, k collection, r request.Record, viewID string, err error) {
	ctx, cancel := slackapi.Settle(ctx)
	defer cancel()
	r.State, r.Reason = request.Failed, modals.CreateFailure(err)
	// A client created without a usable password is not created again.
	r.Final = errors.Is(err, plusvibe.ErrIncomplete)
	if r.Final {
		b.once.finish(ctx, k.key, r.Reason)
	} else {
		b.once.release(ctx, k.key)
	}
	b.writeRecord(ctx, k.ref, r)
	b.writeGrant(ctx, k.ref, r)
	if viewID != "" {
		b.talk.UpdateView(ctx, viewID, modals.CollectFailed(r.Request.Form.Email, r.Reason, !r.Final))
	}
	k.fields["plusvibe_error"] = errorKind(err)
	k.req.done("failed", err, k.fields)
}

// collectingView shows "creating…" at once: in the modal clicked in, or in a
// new one opened with the click's trigger, which lasts 3 s where PlusVibe may
// take 30. It is where the password goes if the DM fails; "" if none.
func (b *Bot) collectingView(ctx context.Context, k collection, email string) string {
	view := modals.Collecting(email)
	if k.viewID != "" {
		if b.talk.UpdateView(ctx, k.viewID, view) != nil {
			return ""
		}
		return k.viewID
	}
	ctx, cancel := context.WithDeadline(ctx, k.req.start.Add(triggerLife))
	defer cancel()
	resp, err := b.slack.OpenViewContext(ctx, k.triggerID, view)
	if err != nil {
		b.log.Warn().Err(err).Msg("views.open for the creation failed; the DM is the only way to deliver")
		return ""
	}
	return resp.ID
}

// tell answers the clicker privately in their DM with the app.
func (b *Bot) tell(ctx context.Context, k collection, text string) {
	_ = b.talk.NoteInDM(ctx, k.dm, k.user, text)
}
