package bot

import (
	"context"
	"time"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/bot/slackapi"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/request"
)

// endEditProblem checks the end typed into Edit access, from was the end
// when it opened: as the form's, and Full access keeps an end while
// approvals are on (taking it away extends access without an approver).
func (b *Bot) endEditProblem(f request.Form, from int64) string {
	full := f.FullAccess()
	switch {
	case f.EndsAt == from && from != 0: // kept as it was scheduled
		return ""
	case f.EndsAt == 0 && from != 0 && full && b.policy.Approvals:
		return modals.FullAccessKeepsItsEnd
	}
	return b.endRule().Problem(f.EndsAt, full, time.Now())
}

// moveEnd sets, moves or takes away a client's end from Edit access, and
// says what it did: a later end of Full access waits for an approver.
func (b *Bot) moveEnd(ctx context.Context, user string, meta modals.ClientMeta, f request.Form) string {
	e, found, err := b.endOf(ctx, meta.ID)
	if err != nil {
		return modals.EndNotMoved(slackapi.Cause(err))
	}
	if !found {
		e = request.End{ClientID: meta.ID, Email: meta.Email, Business: f.BusinessName, Requester: user}
	}
	e.Access, e.Full = request.FormAccessKey(f, b.cfg.APIWorkspaceID), f.FullAccess()
	switch {
	case f.EndsAt == 0:
		b.endGone(ctx, meta.ID)
		b.extended(ctx, e, 0, user, "")
		return modals.EndTakenAway
	case found && f.EndsAt > e.At && e.Full && b.policy.Approvals:
		_, text, _ := b.requestExtension(ctx, user, e, f.EndsAt)
		return "Its end: " + text
	}
	from := e.At
	e.At, e.Noticed, e.Failures, e.NextTry = f.EndsAt, false, 0, 0
	if err := b.keepEnd(ctx, e); err != nil {
		return modals.EndNotMoved(slackapi.Cause(err))
	}
	b.extended(ctx, request.End{ClientID: e.ClientID, Email: e.Email, Business: e.Business, At: from}, f.EndsAt, user, "")
	return "Its " + modals.EndsLine(f.EndsAt) + "."
}
