package bot

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/bot/slackapi"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/internal/pause"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/request"
)

// setEnd schedules the access end of a client just created, if its form
// set one. An end that cannot be kept is said at once, to the requester and
// in the audit channel: nobody may believe access ends that will not.
func (b *Bot) setEnd(ctx context.Context, c creation, clientID string) {
	if c.form.EndsAt == 0 {
		return
	}
	e := request.End{ClientID: clientID, Email: c.form.Email, Business: c.form.BusinessName, Requester: c.requester,
		At: c.form.EndsAt, Access: request.FormAccessKey(c.form, b.cfg.APIWorkspaceID), Full: c.form.FullAccess(), Thread: c.thread}
	if err := b.keepEnd(ctx, e); err != nil {
		b.log.Error().Err(err).Str("client_id", clientID).Msg("an access end could not be kept")
		b.talk.DMText(ctx, c.requester, modals.EndNotKept(c.form.Email, c.form.EndsAt))
		entry := b.entry(c)
		entry.Outcome, entry.ClientID, entry.Detail = modals.AuditEndFail, clientID, "the end could not be kept: end the access by hand"
		b.audit(ctx, entry)
		return
	}
	b.metrics.ends.WithLabelValues("scheduled").Inc()
}

// keepEnd puts e in the schedule.
func (b *Bot) keepEnd(ctx context.Context, e request.End) error {
	if b.ends == nil {
		return errNoSchedule
	}
	err := b.ends.put(ctx, e)
	if err == nil {
		b.known.put(e)
	}
	return err
}

// endGone drops the end of a client removed by other means than its end.
func (b *Bot) endGone(ctx context.Context, clientID string) {
	if e, found, err := b.endOf(ctx, clientID); err == nil && found {
		b.dropEnd(ctx, e, modals.EndDropped(e))
	}
}

// dropEnd takes e out of the schedule; closing says why, where people see
// the schedule.
func (b *Bot) dropEnd(ctx context.Context, e request.End, closing string) {
	if b.ends == nil {
		return
	}
	if err := b.ends.drop(ctx, e, closing); err != nil {
		b.log.Warn().Err(err).Msg("an access end could not be dropped; at its time it finds the client gone or changed")
	}
	b.known.drop(e.ClientID)
}

// endFollows keeps the end of a client whose access the bot just changed
// (Edit access, a review) in step with it: at the end, it is not "changed
// meanwhile".
func (b *Bot) endFollows(ctx context.Context, clientID string, after []plusvibe.ClientWorkspacePermission) {
	e, found, err := b.endOf(ctx, clientID)
	if !found {
		b.endNotFollowed(clientID, err)
		return
	}
	perms := make([]plusvibe.ClientPermission, len(after))
	for i, w := range after {
		perms[i] = plusvibe.ClientPermission{WorkspaceID: w.ID, Permissions: w.Permissions, HideLabels: w.HideLabels}
	}
	limit := b.endRule().FullAccessLimit(time.Now())
	from := e.At
	err = b.updateEnd(ctx, e, func(e *request.End) {
		e.Access, e.Full = request.AccessKey(perms), request.HasFullAccess(perms)
		if e.Full && limit != 0 && e.At > limit {
			e.At = limit // Full access now: within FULL_ACCESS_MAX_DAYS, whatever was set before
		}
	})
	b.endNotFollowed(clientID, err)
	if err == nil && limit != 0 && from > limit && request.HasFullAccess(perms) {
		b.extended(ctx, request.End{ClientID: e.ClientID, Email: e.Email, Business: e.Business, At: from}, limit, e.Requester, "")
	}
}

// endNotFollowed logs err, when an end could not follow the access the bot
// gave: at its time the end finds the access changed, says so, and leaves
// the client alone.
func (b *Bot) endNotFollowed(clientID string, err error) {
	if err != nil {
		b.log.Warn().Err(err).Str("client_id", clientID).Msg("an access end could not follow the client's new access; at its time it will say the access changed and leave the client alone")
	}
}

// updateEnd changes e as change says, on the end as it is now: an end
// applied, or moved, meanwhile is left alone. err says the change could not
// be made.
func (b *Bot) updateEnd(ctx context.Context, e request.End, change func(*request.End)) error {
	return b.holdingEnd(ctx, e, func(cur request.End, found bool) error {
		if !found || cur.At != e.At {
			return nil
		}
		change(&cur)
		return b.keepEnd(ctx, cur)
	})
}

// holdingEnd runs step on e's end as it is now (found: there is one),
// holding the claim of e's end: never while it is applied, nor beside
// another step on it.
func (b *Bot) holdingEnd(ctx context.Context, e request.End, step func(cur request.End, found bool) error) error {
	key := endKey(e)
	first, err := b.claimEnd(ctx, key)
	switch {
	case err != nil:
		return err
	case !first:
		return errEndBusy
	}
	// Released, not finished: a sweep that read the old end and takes the
	// claim next reads it again and finds it moved (stillDue); an end moved
	// back to this time later still happens.
	defer b.once.release(ctx, key)
	cur, found, err := b.endOf(ctx, e.ClientID)
	if err != nil {
		return err
	}
	return step(cur, found)
}

// extended says an end moved: the audit channel, the metrics.
func (b *Bot) extended(ctx context.Context, e request.End, to int64, by, approver string) {
	ctx, cancel := slackapi.Settle(ctx)
	defer cancel()
	b.audit(ctx, modals.AuditEntry{Outcome: modals.AuditExtended, Requester: by, Approver: approver, Email: e.Email,
		Business: e.Business, ClientID: e.ClientID, Ends: to, Detail: modals.EndWas(e.At, to)})
	b.metrics.ends.WithLabelValues("extended").Inc()
}

// endKey is the claim of e's end at its time: held while it is applied,
// and while it is moved, so that the two never cross.
func endKey(e request.End) string { return fmt.Sprintf("end:%s:%d", e.ClientID, e.At) }

// errEndBusy: the end is being applied right now; it cannot move.
var errEndBusy = errors.New("its end is being applied right now")

// errEndMoved: the end moved, or was dropped, since it was read.
var errEndMoved = errors.New("its end changed meanwhile; look again")

// moveEndTo moves e to at for by, holding the claim of e's end: it is never
// moved while it is applied, nor applied at its old time once moved. An end
// that moved or went meanwhile (e.At set), or came (e.At 0), is left as it is.
func (b *Bot) moveEndTo(ctx context.Context, e request.End, at int64, by string) error {
	return b.holdingEnd(ctx, e, func(cur request.End, found bool) error {
		switch {
		case e.At != 0 && (!found || cur.At != e.At), e.At == 0 && found:
			return errEndMoved
		case found: // as it is now: its access may have followed a change meanwhile
			e = cur
		}
		return b.keepEnd(ctx, e.Moved(at, by, b.cfg.EndNotice, time.Now()))
	})
}

// endCause says why an end could not move.
func endCause(err error) string {
	if errors.Is(err, errEndBusy) || errors.Is(err, errEndMoved) {
		return err.Error()
	}
	return slackapi.Cause(err)
}

// claimEnd takes an end's claim, waiting a moment if another step holds it
// briefly (a notice noted, another move); one that is being applied holds it
// longer, and first is then false.
func (b *Bot) claimEnd(ctx context.Context, key string) (first bool, err error) {
	for range 20 {
		if first, _, err = b.once.claim(ctx, key); err != nil || first {
			return first, err
		}
		if pause.For(ctx, 100*time.Millisecond) != nil {
			break
		}
	}
	return false, nil
}
