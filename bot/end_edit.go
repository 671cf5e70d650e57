package bot

import (
	"cmp"
	"context"
	"time"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/bot/slackapi"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/request"
)

// endEditProblem checks the end typed into Edit access, from was the end
// when it opened: as the form's; Full access keeps an end while approvals
// are on (taking it away extends access without an approver), and within
// FULL_ACCESS_MAX_DAYS even when the edit only gives Full access.
func (b *Bot) endEditProblem(f request.Form, from int64) string {
	full := f.FullAccess()
	switch {
	case f.EndsAt == 0 && from != 0 && full && b.policy.Approvals:
		return modals.FullAccessKeepsItsEnd
	case f.EndsAt == from && from != 0 && !full: // kept as it was scheduled
		return ""
	}
	return b.endRule().Problem(f.EndsAt, full, time.Now())
}

// moveEnd sets, moves or takes away a client's end from Edit access, and
// says what it did. The end follows the access the client has now: a
// change still waiting for an approver moves it once applied. A later end
// of Full access waits for an approver.
func (b *Bot) moveEnd(ctx context.Context, user string, meta modals.ClientMeta, f request.Form) string {
	current, found, err := b.clients.byID(ctx, meta.ID)
	if err != nil || !found {
		return modals.EndNotMoved(modals.FailureText(modals.OpList, err, ""))
	}
	e, had, err := b.endOf(ctx, meta.ID)
	if err != nil {
		return modals.EndNotMoved(slackapi.Cause(err))
	}
	if !had {
		e = request.End{ClientID: current.ID, Email: current.Email, Business: current.BusinessName,
			Requester: cmp.Or(b.askedBy(ctx)[current.ID], user)}
	}
	e.Access, e.Full = request.AccessKey(current.Permissions), request.HasFullAccess(current.Permissions)
	switch {
	case f.EndsAt == 0 && !had:
		return ""
	case f.EndsAt == 0 && e.Full && b.policy.Approvals: // Full access now, whatever the edit waits for
		return modals.FullAccessKeepsItsEnd
	case f.EndsAt == 0:
		b.dropEnd(ctx, e, modals.EndTakenAwayLine(e, user))
		b.extended(ctx, e, 0, user, "")
		return modals.EndTakenAway
	case had && f.EndsAt > e.At && (e.Full || f.FullAccess()) && b.policy.Approvals:
		_, text, _ := b.requestExtension(ctx, user, e, f.EndsAt)
		return "Its end: " + text
	}
	if err := b.moveEndTo(ctx, e, f.EndsAt, user); err != nil {
		return modals.EndNotMoved(endCause(err))
	}
	b.extended(ctx, e, f.EndsAt, user, "")
	return "Its " + modals.EndsLine(f.EndsAt) + "."
}
