package bot

import (
	"context"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"
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
