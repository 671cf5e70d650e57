package slackapi

import (
	"context"
	"errors"
	"net/http"

	"github.com/slack-go/slack"
)

// StepEnd is how a Workflow Builder run ends: Outputs on success, else
// Error, shown in the workflow's activity.
type StepEnd struct {
	ExecutionID string
	Outputs     map[string]string
	Error       string
}

// Runs speaks to Slack for Workflow Builder runs, with a run's own token
// (the function_executed event's bot_access_token, or a later one), as Bolt
// does; a client is made per call, since every token is unique. A run's
// tokens expire; a run that ends while nobody clicks (it lapsed, it was
// withdrawn from Home) completes with the bot's own token, as Bolt does
// with attachFunctionToken: false.
type Runs struct {
	calls    *Calls
	apiURL   string // "" for Slack's own
	hc       *http.Client
	botToken string
}

// NewRuns completes runs through calls' retries, at apiURL with hc, and
// with botToken where a run's token is refused or lost.
func NewRuns(calls *Calls, apiURL string, hc *http.Client, botToken string) *Runs {
	return &Runs{calls: calls, apiURL: apiURL, hc: hc, botToken: botToken}
}

// client is a Web API client speaking with token.
func (r *Runs) client(token string) *slack.Client {
	opts := []slack.Option{slack.OptionHTTPClient(r.hc)}
	if r.apiURL != "" {
		opts = append(opts, slack.OptionAPIURL(r.apiURL))
	}
	return slack.New(token, opts...)
}

// Post posts a message with a run's token: clicks on it then carry the run
// and a fresh token for it (function_data, bot_access_token), which is how
// a run that waits for people keeps a token that works.
func (r *Runs) Post(ctx context.Context, token, channel string, opts ...slack.MsgOption) (ts string, err error) {
	run := r.client(token)
	err = r.calls.do(ctx, "chat.postMessage", false, func(ctx context.Context) (err error) {
		_, ts, err = run.PostMessageContext(ctx, channel, opts...)
		return err
	})
	return ts, err
}

// Complete ends a run with end, using token, the newest of the run ("" when
// none is kept), then the bot's own if Slack refuses it. A run Slack no
// longer runs (completed already, or gone) answers ErrRunEnded; a
// completion Slack will never take, ErrRunRefused; any other error may pass.
func (r *Runs) Complete(ctx context.Context, token string, end StepEnd) error {
	var err error
	if token != "" {
		err = r.complete(ctx, token, end)
	}
	if token == "" || TokenRefused(err) {
		err = r.complete(ctx, r.botToken, end)
	}
	var slackErr slack.SlackErrorResponse
	switch {
	case !errors.As(err, &slackErr):
		return err
	case slackErr.Err == "execution_not_in_running_state" || slackErr.Err == "function_execution_not_found":
		return errors.Join(ErrRunEnded, err)
	case transient[slackErr.Err]:
		return err
	}
	return errors.Join(ErrRunRefused, err) // asking again changes nothing
}

// transient are the errors Slack answers that may pass: asking again later
// may complete the run. Every other error is for good.
var transient = map[string]bool{"internal_error": true, "fatal_error": true, "service_unavailable": true,
	"request_timeout": true, "ratelimited": true}

// complete makes one completion call with token, through the retries.
func (r *Runs) complete(ctx context.Context, token string, end StepEnd) error {
	run := r.client(token)
	method := "functions.completeError"
	if end.Error == "" {
		method = "functions.completeSuccess"
	}
	// A repeated completion is refused as not running: safe to retry.
	return r.calls.do(ctx, method, true, func(ctx context.Context) error {
		if end.Error == "" {
			return run.FunctionCompleteSuccessContext(ctx, end.ExecutionID, slack.FunctionCompleteSuccessRequestOptionOutput(end.Outputs))
		}
		return run.FunctionCompleteErrorContext(ctx, end.ExecutionID, end.Error)
	})
}

// TokenRefused reports whether Slack refused the token itself: a run's
// token, expired.
func TokenRefused(err error) bool {
	var slackErr slack.SlackErrorResponse
	if !errors.As(err, &slackErr) {
		return false
	}
	switch slackErr.Err {
	case "token_revoked", "token_expired", "invalid_auth", "not_authed", "account_inactive":
		return true
	}
	return false
}

var (
	// ErrRunEnded: Slack no longer runs the step (it completed, or is gone).
	ErrRunEnded = errors.New("the workflow run is no longer running")
	// ErrRunRefused: Slack refuses this completion for good: neither token
	// is accepted, or the completion itself is wrong.
	ErrRunRefused = errors.New("slack refuses to complete the workflow run")
)
