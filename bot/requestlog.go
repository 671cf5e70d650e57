package bot

import (
	"time"

	"github.com/rs/zerolog"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

// requestLog is the one log event of one request.
type requestLog struct {
	log         zerolog.Logger
	start       time.Time
	interaction string
	metrics     *Metrics
}

func (b *Bot) startRequest(interaction, user string) requestLog {
	return requestLog{log: b.log.With().Str("interaction", interaction).Str("user", user).Logger(),
		start: time.Now(), interaction: interaction, metrics: b.metrics}
}

// done logs the request's one event and counts it.
func (r requestLog) done(outcome string, err error, fields map[string]any) {
	r.metrics.observe(r.interaction, outcome)
	ev := r.log.Info()
	if err != nil {
		ev = r.log.Warn().Err(err)
	}
	ev.Fields(fields).Str("outcome", outcome).Dur("duration", time.Since(r.start)).Msg("request")
}

// clicked starts a click's log event, whose start is also the trigger's,
// and acks the click (a block action: its answer comes later, by other
// calls).
func (b *Bot) clicked(evt *socketmode.Event, c *socketmode.Client, interaction string) (slack.InteractionCallback, requestLog) {
	cb, _ := evt.Data.(slack.InteractionCallback)
	req := b.startRequest(interaction, cb.User.ID)
	b.ack(c, evt.Request.EnvelopeID, nil)
	b.renewFromClick(evt)
	return cb, req
}
