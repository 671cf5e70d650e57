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

// Runs completes Workflow Builder runs. Each run completes with its own
// token (the function_executed event's bot_access_token), as Bolt does; a
// client is made per run, since every token is unique.
type Runs struct {
	calls  *Calls
	apiURL string // "" for Slack's own
	hc     *http.Client
}

// NewRuns completes runs through calls' retries, at apiURL with hc.
func NewRuns(calls *Calls, apiURL string, hc *http.Client) *Runs {
	return &Runs{calls: calls, apiURL: apiURL, hc: hc}
}

// Complete ends a run with end, using its token. A run Slack no longer
// runs (completed already, or gone) answers ErrRunEnded.
func (r *Runs) Complete(ctx context.Context, token string, end StepEnd) error {
	opts := []slack.Option{slack.OptionHTTPClient(r.hc)}
	if r.apiURL != "" {
		opts = append(opts, slack.OptionAPIURL(r.apiURL))
	}
	run := slack.New(token, opts...)
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
		switch slackErr.Err {
		case "execution_not_in_running_state", "function_execution_not_found":
			return errors.Join(ErrRunEnded, err)
		case "token_revoked", "token_expired", "invalid_auth", "not_authed", "account_inactive", "parameter_validation_failed", "invalid_arguments":
			return errors.Join(ErrRunRefused, err) // asking again changes nothing
		}
	}
	return err
}

var (
	// ErrRunEnded: Slack no longer runs the step (it completed, or is gone).
	ErrRunEnded = errors.New("the workflow run is no longer running")
	// ErrRunRefused: Slack refuses this completion for good: the run's token
	// is no longer accepted, or the completion itself is wrong.
	ErrRunRefused = errors.New("slack refuses to complete the workflow run")
)
