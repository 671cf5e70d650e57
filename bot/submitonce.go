package bot

import (
	"context"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/bot/slackapi"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"
)

// clientSubmission is a submitted modal that acts on an existing client:
// Edit access, Remove.
type clientSubmission struct {
	evt      *socketmode.Event
	c        *socketmode.Client
	req      requestLog
	viewID   string
	block    string // where a refusal is shown
	title    string
	progress string // what the modal says while it runs
	clientID string
}

// actOnce acks s and runs act at most once per view, across redeliveries and
// replicas sharing the store. A duplicate is answered with what the first
// did, or with the progress while it runs. act returns the outcome, what the
// modal says, and the error to log.
func (b *Bot) actOnce(ctx context.Context, s clientSubmission, act func() (string, string, error)) {
	first, ack, err := b.views.claimSubmission(ctx, s.viewID, modals.ClientResult(s.title, s.progress))
	switch {
	case err != nil:
		b.ack(s.c, s.evt.Request.EnvelopeID, slack.NewErrorsViewSubmissionResponse(map[string]string{s.block: modals.StoreDownText}))
		s.req.done("store_unreachable", err, nil)
		return
	case !first:
		b.ack(s.c, s.evt.Request.EnvelopeID, ack)
		s.req.done("duplicate", nil, map[string]any{"client_id": s.clientID})
		return
	}
	b.ack(s.c, s.evt.Request.EnvelopeID, ack)
	outcome, text, err := act()
	sctx, cancel := slackapi.Settle(ctx)
	defer cancel()
	b.views.finishSubmission(sctx, s.viewID, s.title, text)
	b.talk.UpdateView(sctx, s.viewID, modals.ClientResult(s.title, text))
	s.req.done(outcome, err, map[string]any{"client_id": s.clientID})
}
