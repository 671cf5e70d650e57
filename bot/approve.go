package bot

import (
	"context"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/bot/slackapi"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/request"
)

// onApprove grants a request: it creates nothing. The requester gets a DM
// with a button that creates the client when they are there to receive its
// password; an ephemeral sent now could reach nobody.
func (b *Bot) onApprove(ctx context.Context, evt *socketmode.Event, c *socketmode.Client) {
	d, ok := b.decisionClick(ctx, evt, c, "approve")
	if !ok {
		return
	}
	key := "decide:" + d.ref.String()
	first, told, err := b.once.claim(ctx, key)
	switch {
	case err != nil:
		b.talk.Note(ctx, d.ref.channel, d.user, modals.StoreDownText)
		d.req.done("store_unreachable", err, d.fields)
		return
	case !first:
		b.talk.Note(ctx, d.ref.channel, d.user, deciding(told))
		d.req.done("duplicate", nil, d.fields)
		return
	}
	r := d.record
	switch {
	case r.Change != nil:
		b.approveChange(ctx, d, key)
		return
	case r.Extend != nil:
		b.approveExtension(ctx, d, key)
		return
	}
	r.State, r.By = request.Approved, d.user
	if err := b.postGrant(ctx, d.ref, &r); err != nil {
		b.once.release(ctx, key)
		b.talk.Note(ctx, d.ref.channel, d.user, modals.GrantUnreachable(slackapi.Cause(err)))
		d.req.done("dm_failed", err, d.fields)
		return
	}
	ctx, cancel := slackapi.Settle(ctx)
	defer cancel()
	if err := b.writeRecord(ctx, d.ref, r); err != nil {
		b.once.release(ctx, key)
		r.State, r.Final, r.Reason = request.Failed, true, modals.ApprovalUnrecordedText
		b.writeGrant(ctx, d.ref, r)
		b.talk.Note(ctx, d.ref.channel, d.user, modals.Unrecorded("approval", slackapi.Cause(err), ""))
		d.req.done("update_failed", err, d.fields)
		return
	}
	b.once.finish(ctx, key, modals.Decided(r))
	if r.Request.ViewID != "" { // their waiting modal, if still open, offers the same button
		b.talk.UpdateView(ctx, r.Request.ViewID, modals.GrantView(r, collectValue(d.ref, r.Request.Requester), b.until(d.ref, r)))
	}
	b.audit(ctx, b.recordEntry(r, modals.AuditApproved))
	b.metrics.approvals.WithLabelValues("approved").Inc()
	b.waited("decision", d.ref.ts)
	d.req.done("approved", nil, d.fields)
}

// postGrant posts the requester's lasting DM with the Create client button,
// and notes it in r.
func (b *Bot) postGrant(ctx context.Context, ref requestRef, r *request.Record) error {
	text, blocks := b.grantMessage(ref, *r, time.Now().Add(b.cfg.ApprovalTTL))
	opts := []slack.MsgOption{slack.MsgOptionText(text, false), slack.MsgOptionBlocks(blocks...)}
	var dm, ts string
	var err error
	if token, found, _ := b.runToken(ctx, *r); found { // a workflow's: its clicks renew the run's token
		dm, ts, err = b.postStepDM(ctx, token, r.Request.Requester, opts...)
	}
	if ts == "" && (err == nil || slackapi.TokenRefused(err)) { // not a workflow's, or its token expired: nothing was posted
		dm, ts, err = b.talk.DM(ctx, r.Request.Requester, opts...)
	}
	if err != nil {
		return err
	}
	r.DM, r.DMTS = dm, ts
	return nil
}

// approveChange applies an approved change to an existing client at once:
// no password is made, so nobody needs to be there to collect it. The
// change applies only if the client is still as it was when asked.
func (b *Bot) approveChange(ctx context.Context, d decision, key string) {
	r := d.record
	r.State, r.By, r.Since = request.Creating, d.user, time.Now().Unix()
	if err := b.writeRecord(ctx, d.ref, r); err != nil { // unrecorded, it could be applied twice
		b.once.release(ctx, key)
		b.talk.Note(ctx, d.ref.channel, d.user, modals.Unrecorded("approval", slackapi.Cause(err), ", so the change was not applied"))
		d.req.done("update_failed", err, d.fields)
		return
	}
	outcome, text, err := changeRefused, "", error(nil)
	if allowed, aerr := b.access.allowed(ctx, r.Request.Requester); !allowed {
		text, err = modals.RequesterNoLongerAllowed(r.Request.Requester, aerr != nil), aerr
	} else {
		outcome, text, err = b.applyAccess(ctx, accessChange{requester: r.Request.Requester, clientID: r.Change.ClientID,
			modified: r.Change.Modified, after: r.Request.Form.Request(b.cfg.APIWorkspaceID).Workspaces, approver: d.user})
	}
	ctx, cancel := slackapi.Settle(ctx)
	defer cancel()
	r.State = request.Created
	if outcome != changeApplied {
		r.State, r.Final, r.Reason = request.Failed, true, text
	}
	b.writeRecord(ctx, d.ref, r)
	b.once.finish(ctx, key, modals.Decided(r))
	b.talk.DMText(ctx, r.Request.Requester, modals.ChangeApproved(d.user, text))
	if r.Request.ViewID != "" {
		b.talk.UpdateView(ctx, r.Request.ViewID, modals.ClientResult("Edit access", text))
	}
	b.metrics.approvals.WithLabelValues("approved").Inc()
	b.waited("decision", d.ref.ts)
	d.req.done("change_"+outcome, err, d.fields)
}
