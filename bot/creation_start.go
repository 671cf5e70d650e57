package bot

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/bot/slackapi"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/request"
)

// startBudget bounds the Slack calls between saying "creating" and the
// POST. A POST not started by then never starts, so the sweep, which waits
// startBudget + CreationBound, can never call a running creation
// interrupted, nor can a claim lapse while it runs.
const startBudget = 15 * time.Second

// creationWindow is how long after saying "creating" a creation, or an
// approved change (a read, then a PUT: two PlusVibe calls), may still be
// running, its report included.
func (b *Bot) creationWindow() time.Duration {
	return startBudget + 2*b.cfg.CreationBound + slackapi.SettleTimeout
}

// claimHold is how long a step's claim holds: from the click, which comes
// before "creating" is said (a modal opened, the record read).
func (b *Bot) claimHold() time.Duration { return b.creationWindow() + triggerLife + readTimeout }

// startCreating shows "creating…" and records it, within startBudget; ok is
// false when the requester was told why nothing was created.
func (b *Bot) startCreating(ctx context.Context, k collection, r *request.Record) (viewID string, ok bool) {
	email := r.Request.Form.Email
	viewID = b.collectingView(ctx, k, email)
	before := *r
	r.State, r.Since = request.Creating, time.Now().Unix()
	sctx, cancel := context.WithDeadline(ctx, time.Unix(r.Since, 0).Add(startBudget))
	defer cancel()
	err := b.writeRecord(sctx, k.ref, *r)
	if err == nil {
		b.writeGrant(sctx, k.ref, *r)
		err = sctx.Err() // past the budget: the sweep may be about to call it interrupted
	}
	if err == nil {
		return viewID, true
	}
	why := modals.CreatingUnrecorded(slackapi.Cause(err))
	ctx, cancel = slackapi.Settle(ctx)
	defer cancel()
	if b.writeRecord(ctx, k.ref, before) == nil { // the request is as it was
		b.writeGrant(ctx, k.ref, before)
	}
	b.once.release(ctx, k.key)
	b.tell(ctx, k, why)
	if viewID != "" {
		b.talk.UpdateView(ctx, viewID, modals.CollectFailed(email, why, true))
	}
	k.req.done("update_failed", err, k.fields)
	return viewID, false
}

// revalidate checks an approved form again before it is sent: the workspace
// list may have changed since it was typed.
func (b *Bot) revalidate(f request.Form) (plusvibe.CreateClientRequest, error) {
	create, problems := f.Validate(b.cfg.APIWorkspaceID, b.workspaces.get())
	if msg := b.endRule().Problem(f.EndsAt, f.FullAccess(), time.Now()); msg != "" {
		problems[request.FieldEnds] = "Access ends: " + msg
	}
	if len(problems) == 0 {
		return create, nil
	}
	var msgs []string
	for _, m := range problems {
		msgs = append(msgs, m)
	}
	slices.Sort(msgs)
	return create, &request.NoLongerValid{Problems: strings.Join(msgs, " ")}
}
