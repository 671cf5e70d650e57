// Package slackapi is the one layer between the bot's flows and Slack's Web
// API: every call retried the same way, views opened and updated without
// decoding Slack's echo, the scopes each method needs, what an admin does
// about a failed call, and the few ways the bot talks to people.
package slackapi

import (
	"context"
	"errors"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"
	"github.com/slack-go/slack"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/internal/pause"
)

// Bounds on retrying one Slack Web API call.
const (
	slackAttempts = 3
	slackMaxWait  = 30 * time.Second
)

// Calls is the one place every Web API call goes through. Each attempt
// is bounded by callTimeout, so a hung call cannot hold a handler. A 429 is
// retried after its Retry-After, and a 5xx or a timeout after a short pause
// for calls that are safe to repeat; never past the caller's deadline (the
// trigger's 3 s, the ack's budget, the drain), and within slackMaxWait.
type Calls struct {
	api         API
	log         zerolog.Logger
	retries     *prometheus.CounterVec // by reason
	callTimeout time.Duration
	// views, when set, opens and updates views without decoding them.
	views *LeanViews
}

var _ API = (*Calls)(nil)

// NewCalls wraps api. Each attempt has callTimeout; retries are counted in
// retries by reason. views, when set, opens and updates views.
func NewCalls(api API, log zerolog.Logger, retries *prometheus.CounterVec, callTimeout time.Duration, views *LeanViews) *Calls {
	return &Calls{api: api, log: log, retries: retries, callTimeout: callTimeout, views: views}
}

// do runs f until it succeeds or may not be retried. idempotent calls change
// nothing when repeated, so they are also retried after a 5xx or a timeout.
func (s *Calls) do(ctx context.Context, method string, idempotent bool, f func(context.Context) error) error {
	var waited time.Duration
	for attempt := 1; ; attempt++ {
		actx, cancel := context.WithTimeout(ctx, s.callTimeout)
		err := f(actx)
		cancel()
		if err == nil {
			return nil
		}
		reason, delay := retryable(err, idempotent, attempt)
		if reason == "" || attempt >= slackAttempts || waited+delay > slackMaxWait || !fits(ctx, delay) {
			return err
		}
		s.retries.WithLabelValues(reason).Inc()
		s.log.Info().Str("method", method).Str("reason", reason).Dur("wait", delay).Msg("retrying a Slack call")
		if pause.For(ctx, delay) != nil {
			return err
		}
		waited += delay
	}
}

// retryable says why err may be retried ("" if not) and after how long.
func retryable(err error, idempotent bool, attempt int) (string, time.Duration) {
	var limited *slack.RateLimitedError
	var status slack.StatusCodeError
	switch {
	case errors.As(err, &limited):
		return "rate_limited", limited.RetryAfter
	case !idempotent:
		return "", 0
	case errors.As(err, &status) && status.Code >= 500:
		return "server_error", time.Duration(250*attempt) * time.Millisecond
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout", time.Duration(250*attempt) * time.Millisecond
	}
	return "", 0
}

// fits reports whether waiting d still leaves time before ctx's deadline.
func fits(ctx context.Context, d time.Duration) bool {
	if ctx.Err() != nil {
		return false
	}
	deadline, has := ctx.Deadline()
	return !has || time.Until(deadline) > d
}

func (s *Calls) OpenViewContext(ctx context.Context, triggerID string, view slack.ModalViewRequest) (resp *slack.ViewResponse, err error) {
	err = s.do(ctx, "views.open", false, func(ctx context.Context) (err error) {
		if s.views != nil {
			resp, err = s.views.open(ctx, triggerID, view)
		} else {
			resp, err = s.api.OpenViewContext(ctx, triggerID, view)
		}
		return err
	})
	return resp, err
}

func (s *Calls) UpdateViewContext(ctx context.Context, view slack.ModalViewRequest, externalID, hash, viewID string) (resp *slack.ViewResponse, err error) {
	err = s.do(ctx, "views.update", true, func(ctx context.Context) (err error) {
		if s.views != nil && externalID == "" {
			resp, err = s.views.update(ctx, view, hash, viewID)
		} else {
			resp, err = s.api.UpdateViewContext(ctx, view, externalID, hash, viewID)
		}
		return err
	})
	return resp, err
}

func (s *Calls) OpenConversationContext(ctx context.Context, params *slack.OpenConversationParameters) (ch *slack.Channel, noOp, already bool, err error) {
	err = s.do(ctx, "conversations.open", true, func(ctx context.Context) (err error) {
		ch, noOp, already, err = s.api.OpenConversationContext(ctx, params)
		return err
	})
	return ch, noOp, already, err
}

func (s *Calls) PostEphemeralContext(ctx context.Context, channelID, userID string, options ...slack.MsgOption) (ts string, err error) {
	err = s.do(ctx, "chat.postEphemeral", false, func(ctx context.Context) (err error) {
		ts, err = s.api.PostEphemeralContext(ctx, channelID, userID, options...)
		return err
	})
	return ts, err
}

func (s *Calls) GetUserGroupMembersContext(ctx context.Context, userGroup string, options ...slack.GetUserGroupMembersOption) (ids []string, err error) {
	err = s.do(ctx, "usergroups.users.list", true, func(ctx context.Context) (err error) {
		ids, err = s.api.GetUserGroupMembersContext(ctx, userGroup, options...)
		return err
	})
	return ids, err
}

func (s *Calls) PostMessageContext(ctx context.Context, channelID string, options ...slack.MsgOption) (ch, ts string, err error) {
	err = s.do(ctx, "chat.postMessage", false, func(ctx context.Context) (err error) {
		ch, ts, err = s.api.PostMessageContext(ctx, channelID, options...)
		return err
	})
	return ch, ts, err
}

func (s *Calls) UpdateMessageContext(ctx context.Context, channelID, timestamp string, options ...slack.MsgOption) (ch, ts, text string, err error) {
	err = s.do(ctx, "chat.update", true, func(ctx context.Context) (err error) {
		ch, ts, text, err = s.api.UpdateMessageContext(ctx, channelID, timestamp, options...)
		return err
	})
	return ch, ts, text, err
}

func (s *Calls) GetPermalinkContext(ctx context.Context, params *slack.PermalinkParameters) (link string, err error) {
	err = s.do(ctx, "chat.getPermalink", true, func(ctx context.Context) (err error) {
		link, err = s.api.GetPermalinkContext(ctx, params)
		return err
	})
	return link, err
}

func (s *Calls) GetConversationHistoryContext(ctx context.Context, params *slack.GetConversationHistoryParameters) (resp *slack.GetConversationHistoryResponse, err error) {
	err = s.do(ctx, "conversations.history", true, func(ctx context.Context) (err error) {
		resp, err = s.api.GetConversationHistoryContext(ctx, params)
		return err
	})
	return resp, err
}

func (s *Calls) PublishViewContext(ctx context.Context, req slack.PublishViewContextRequest) (resp *slack.ViewResponse, err error) {
	err = s.do(ctx, "views.publish", true, func(ctx context.Context) (err error) {
		resp, err = s.api.PublishViewContext(ctx, req)
		return err
	})
	return resp, err
}
