package bot

import (
	"context"
	"time"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe"
)

// duplicateBudget bounds reading the client list inside a submission's ack,
// and duplicateBy is how far into the ack's budget it may go (after a cold
// user group lookup, say); past either, or if PlusVibe cannot be read,
// creation goes ahead and PlusVibe's own answer stands.
const (
	duplicateBudget = 1500 * time.Millisecond
	duplicateBy     = 2 * time.Second
)

// existing returns the client that already has the form's email, if the
// list can be read in time. started is when the submission arrived.
func (b *Bot) existing(ctx context.Context, started time.Time, email string) (plusvibe.ClientLogin, bool) {
	ctx, cancel := context.WithDeadline(ctx, minTime(time.Now().Add(duplicateBudget), started.Add(duplicateBy)))
	defer cancel()
	list, err := b.clients.get(ctx, clientsFresh)
	if err != nil {
		b.log.Info().Err(err).Msg("the client list could not be read; creating without the duplicate check")
		return plusvibe.ClientLogin{}, false
	}
	return b.clients.existing(list, email)
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
