package slackapi

import (
	"context"
	"net/http"
	"time"

	"github.com/rs/zerolog"
	"github.com/slack-go/slack"
)

// SettleTimeout bounds each update that reports an outcome.
const SettleTimeout = 10 * time.Second

// Settle returns the context for the updates that report an outcome (the
// channel message, the DM, the modal, the audit line): detached from
// shutdown, so that work interrupted by the drain still says where it stands.
func Settle(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), SettleTimeout)
}

// Talk is how the bot speaks to people: the same few verbs for every flow.
// A failure is logged here; callers that must act on it get the error.
type Talk struct {
	api  API
	log  zerolog.Logger
	http *http.Client // for response URLs
}

// NewTalk speaks through api; hc posts to response URLs.
func NewTalk(api API, log zerolog.Logger, hc *http.Client) *Talk {
	return &Talk{api: api, log: log, http: hc}
}

// DM posts a lasting message in user's DM with the app, and says where.
func (t *Talk) DM(ctx context.Context, user string, opts ...slack.MsgOption) (channel, ts string, err error) {
	ch, _, _, err := t.api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{user}})
	if err == nil {
		channel = ch.ID
		_, ts, err = t.api.PostMessageContext(ctx, channel, opts...)
	}
	if err != nil {
		t.log.Warn().Err(err).Str("user", user).Msg("could not write to a DM")
	}
	return channel, ts, err
}

// DMText posts text in user's DM with the app.
func (t *Talk) DMText(ctx context.Context, user, text string) {
	_, _, _ = t.DM(ctx, user, slack.MsgOptionText(text, false))
}

// Note posts text that only user sees, in channel (an ephemeral message:
// shown to them if they are there now, kept nowhere).
func (t *Talk) Note(ctx context.Context, channel, user, text string) error {
	_, err := t.api.PostEphemeralContext(ctx, channel, user, slack.MsgOptionText(text, false))
	if err != nil {
		t.log.Warn().Err(err).Str("user", user).Msg("could not answer privately")
	}
	return err
}

// NoteInDM posts a Note in user's DM with the app: dm, or opened when "".
func (t *Talk) NoteInDM(ctx context.Context, dm, user, text string) error {
	if dm == "" {
		ch, _, _, err := t.api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{user}})
		if err != nil {
			t.log.Warn().Err(err).Str("user", user).Msg("could not answer privately")
			return err
		}
		dm = ch.ID
	}
	return t.Note(ctx, dm, user, text)
}

// UpdateView replaces a modal. No hash: the bot's own response_action
// update may have changed it since the submission.
func (t *Talk) UpdateView(ctx context.Context, viewID string, view slack.ModalViewRequest) error {
	_, err := t.api.UpdateViewContext(ctx, view, "", "", viewID)
	if err != nil {
		t.log.Warn().Err(err).Str("view_id", viewID).Msg("views.update failed")
	}
	return err
}

// Answer replies through a command's response URL, to its user alone.
func (t *Talk) Answer(ctx context.Context, url, text string) {
	t.AnswerWith(ctx, url, &slack.WebhookMessage{Text: text, ResponseType: "ephemeral"})
}

// AnswerWith replies through a response URL with msg.
func (t *Talk) AnswerWith(ctx context.Context, url string, msg *slack.WebhookMessage) error {
	if url == "" {
		return nil
	}
	err := slack.PostWebhookCustomHTTPContext(ctx, url, t.http, msg)
	if err != nil {
		t.log.Warn().Err(err).Msg("answering through response_url failed")
	}
	return err
}
