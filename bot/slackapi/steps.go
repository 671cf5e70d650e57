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
// does; a client is made per call, since every token is unique.
type Runs struct {
	calls  *Calls
	apiURL string // "" for Slack's own
	hc     *http.Client
}

// NewRuns completes runs through calls' retries, at apiURL with hc.
func NewRuns(calls *Calls, apiURL string, hc *http.Client) *Runs {
	return &Runs{calls: calls, apiURL: apiURL, hc: hc}
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

// Complete ends a run with end, using its token. A run Slack no longer
// runs (completed already, or gone) answers ErrRunEnded.
func (r *Runs) Complete(ctx context.Context, token string, end StepEnd) error {
	run := r.client(token)
	method := "functions.completeError"
	if end.Error == "" {
		method = "functions.completeSuccess"
	}
	// A repeated completion is refused as not running: safe to retry.
	err := r.calls.do(ctx, method, true, func(ctx context.Context) error {
		if end.Error == "" {
			return run.FunctionCompleteSuccessContext(ctx, end.ExecutionID, slack.FunctionCompleteSuccessRequestOptionOutput(end.Outputs))
		}
		return run.FunctionCompleteErrorContext(ctx, end.ExecutionID, end.Error)
	})
	var slackErr slack.SlackErrorResponse
	if errors.As(err, &slackErr) {
		switch {
		case slackErr.Err == "execution_not_in_running_state" || slackErr.Err == "function_execution_not_found":
			return errors.Join(ErrRunEnded, err)
		case TokenRefused(err) || slackErr.Err == "parameter_validation_failed" || slackErr.Err == "invalid_arguments":
			return errors.Join(ErrRunRefused, err) // asking again changes nothing
		}
	}
	return err
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
	// ErrRunRefused: Slack refuses this completion for good: the run's token
	// is no longer accepted, or the completion itself is wrong.
	ErrRunRefused = errors.New("slack refuses to complete the workflow run")
)
