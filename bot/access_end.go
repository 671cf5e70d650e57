package bot

import (
	"context"
	"time"

	"github.com/slack-go/slack"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/bot/slackapi"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/request"
)

// endsEvery reads the schedule of access ends often enough for an end to
// happen within a minute of its time.
func (b *Bot) endsEvery(ctx context.Context) {
	every(ctx, min(b.cfg.SweepInterval, time.Minute), b.sweepEnds)
}

// sweepEnds acts on what is due in the schedule: the requester's notice
// before an end, and the end itself.
func (b *Bot) sweepEnds(ctx context.Context) {
	ends, err := b.ends.all(ctx)
	if err != nil {
		if ctx.Err() == nil {
			b.log.Warn().Err(err).Msg("reading the access ends failed")
		}
		return
	}
	b.known.set(ends)
	now := time.Now()
	for _, e := range ends {
		switch e.Due(now, b.cfg.EndNotice) {
		case request.EndNotice:
			b.noticeEnd(ctx, e)
		case request.EndApply:
			b.applyEnd(ctx, e)
		}
	}
}

// applyEnd ends a client's access, once across replicas and restarts: it
// reads the client anew, and leaves it alone if it is gone or its access
// changed since the end was set.
func (b *Bot) applyEnd(ctx context.Context, e request.End) {
	key := endKey(e)
	if first, _, err := b.once.claim(ctx, key); err != nil || !first {
		return
	}
	e, ok := b.stillDue(ctx, key, e)
	if !ok {
		return
	}
	current, found, err := b.clients.byID(ctx, e.ClientID)
	v := request.AtEnd(e, current, found, b.endsWith())
	if err == nil && (v == request.EndDelete || v == request.EndReduce) {
		e = b.tryingEnd(ctx, e)
		err = b.endAction(ctx, v, current)
	}
	if err != nil {
		b.endFailed(ctx, key, e, err)
		return
	}
	b.endDone(ctx, key, e, request.TookEffect(e, v, current, b.endsWith()))
}

// tryingEnd notes, before its action is sent, that e is being tried: if a
// crash cuts the try short, the next one knows it may have been applied.
func (b *Bot) tryingEnd(ctx context.Context, e request.End) request.End {
	if e.Tried {
		return e
	}
	e.Tried = true
	if err := b.ends.put(ctx, e); err != nil {
		b.log.Warn().Err(err).Str("client_id", e.ClientID).Msg("an access end's try could not be noted; if it is cut short, the next try may say the client changed")
	}
	return e
}

// endAction does to current what the end decided.
func (b *Bot) endAction(ctx context.Context, v request.EndVerdict, current plusvibe.ClientLogin) error {
	defer b.clients.forget()
	switch v {
	case request.EndDelete:
		return b.pv.DeleteClient(ctx, b.cfg.APIWorkspaceID, current.ID)
	case request.EndReduce:
		return b.pv.UpdateClient(ctx, plusvibe.UpdateClientRequest{WorkspaceID: b.cfg.APIWorkspaceID, ClientID: current.ID,
			ClientFirstName: current.FirstName, ClientLastName: current.LastName, ClientBusinessName: current.BusinessName,
			Workspaces: request.Reduced(current)})
	}
	return nil
}

// endDone says what the end did everywhere: the schedule, the requester,
// the request's thread, the audit channel.
func (b *Bot) endDone(ctx context.Context, key string, e request.End, v request.EndVerdict) {
	ctx, cancel := slackapi.Settle(ctx)
	defer cancel()
	text := modals.EndOutcome(e, v)
	b.once.finish(ctx, key, text)
	if err := b.ends.drop(ctx, e, text); err != nil {
		b.log.Warn().Err(err).Str("client_id", e.ClientID).Msg("an access end that happened could not be closed in the schedule")
	}
	b.tellEnd(ctx, e, text)
	entry := modals.AuditEntry{Outcome: modals.AuditEnded, Requester: e.Requester, Email: e.Email, Business: e.Business,
		ClientID: e.ClientID, Ends: e.At, Detail: endDetail(v, b.endsWith())}
	b.audit(ctx, entry)
	outcome := "applied"
	switch v {
	case request.EndGone:
		outcome = "gone"
	case request.EndChanged:
		outcome = "changed"
	}
	b.metrics.ends.WithLabelValues(outcome).Inc()
	b.known.drop(e.ClientID)
}

// endDetail is the audit line's word on what an end did.
func endDetail(v request.EndVerdict, action request.EndAction) string {
	switch v {
	case request.EndGone:
		return "the client no longer existed: nothing done"
	case request.EndChanged:
		return "its access had changed since the end was set: left alone"
	case request.EndDelete:
		return "removed"
	case request.EndReduce:
		return "Full access reduced to Unibox only"
	}
	return "no Full access left to reduce"
}

// tellEnd tells the requester, and the request's thread, about an end.
func (b *Bot) tellEnd(ctx context.Context, e request.End, text string) {
	if e.Requester != "" {
		b.talk.DMText(ctx, e.Requester, text)
	}
	if e.Thread != nil {
		_, _, err := b.slack.PostMessageContext(ctx, e.Thread.Channel, slack.MsgOptionText(text, false), slack.MsgOptionTS(e.Thread.TS))
		if err != nil {
			b.log.Info().Err(err).Msg("an access end was not told in its request's thread")
		}
	}
}

// endFailed keeps the end for a later try, with backoff, and reports the
// first failure: nothing was applied, or PlusVibe may have applied it (the
// next try reads the client anew, and never applies it twice).
func (b *Bot) endFailed(ctx context.Context, key string, e request.End, err error) {
	ctx, cancel := slackapi.Settle(ctx)
	defer cancel()
	e.Failures++
	next := time.Now().Add(request.Backoff(e.Failures, b.cfg.EndRetry))
	e.NextTry = next.Unix()
	if perr := b.ends.put(ctx, e); perr != nil {
		b.log.Warn().Err(perr).Msg("an access end's failure could not be noted; it is tried again at the next read")
	}
	b.once.release(ctx, key)
	b.metrics.ends.WithLabelValues("failed").Inc()
	b.log.Warn().Err(err).Str("client_id", e.ClientID).Int("failures", e.Failures).Msg("an access end failed")
	if e.Failures > 1 {
		return // reported once
	}
	why := modals.FailureText(modals.OpRemove, err, modals.FindCommand(b.cfg.Command, e.Email))
	if b.endsWith() == request.EndUnibox {
		why = modals.FailureText(modals.OpEdit, err, modals.FindCommand(b.cfg.Command, e.Email))
	}
	text := modals.EndFailed(e, why, next)
	b.tellEnd(ctx, e, text)
	b.audit(ctx, modals.AuditEntry{Outcome: modals.AuditEndFail, Requester: e.Requester, Email: e.Email, Business: e.Business,
		ClientID: e.ClientID, Ends: e.At, Detail: why})
}

// stillDue reads e again once its claim is held: the sweep's copy may be a
// minute old, and the end moved meanwhile (Extend, Edit access). ok is false,
// and the claim settled, when this end no longer stands.
func (b *Bot) stillDue(ctx context.Context, key string, e request.End) (request.End, bool) {
	cur, found, err := b.endOf(ctx, e.ClientID)
	switch {
	case err != nil:
		b.once.release(ctx, key)
		return e, false
	case !found || cur.At != e.At:
		b.once.finish(ctx, key, "moved")
		return e, false
	}
	return cur, true
}
