package slackapi

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/slack-go/slack"
)

// Cause names a failed Slack call's cause in a few words a requester or an
// approver can read: Slack's error code, and what to do where it is theirs
// or their admin's to fix.
func Cause(err error) string {
	var se slack.SlackErrorResponse
	var limited *slack.RateLimitedError
	switch {
	case errors.As(err, &limited):
		return fmt.Sprintf("Slack is limiting how fast the bot may call it; try again in %s", limited.RetryAfter.Round(time.Second))
	case !errors.As(err, &se):
		return "Slack could not be reached"
	}
	switch se.Err {
	case "not_in_channel", "channel_not_found":
		return se.Err + ": invite the bot to the approval channel"
	case "missing_scope":
		return "missing_scope: the Slack app needs the " + se.Needed + " scope"
	}
	return se.Err
}

// Hint says what an admin does about a failed Slack call made with the
// token in variable, for --check, which prints the error beside it; the
// bot's own answers say Cause.
func Hint(err error, variable string) string {
	var se slack.SlackErrorResponse
	var limited *slack.RateLimitedError
	var dns *net.DNSError
	var op *net.OpError
	switch {
	case errors.As(err, &limited):
		return Cause(err)
	case errors.As(err, &dns):
		return "the name of Slack's API could not be resolved: check SLACK_API_URL and this machine's DNS"
	case errors.As(err, &op) || errors.Is(err, context.DeadlineExceeded):
		return "Slack could not be reached: check the network, a proxy or a firewall between here and SLACK_API_URL"
	case !errors.As(err, &se):
		return "check SLACK_API_URL"
	}
	switch se.Err {
	case "invalid_auth", "not_authed", "token_revoked", "account_inactive":
		if variable == "SLACK_APP_TOKEN" {
			return "the app-level token is wrong or revoked: generate an xapp- token with connections:write (Basic Information → App-Level Tokens)"
		}
		return "the bot token is wrong or revoked: reinstall the app and copy its xoxb- Bot User OAuth Token"
	case "not_allowed_token_type", "missing_scope":
		if variable == "SLACK_APP_TOKEN" {
			return variable + " lacks connections:write, or Socket Mode is off in the app's settings"
		}
	case "not_in_channel", "channel_not_found":
		return "invite the bot to the approval channel"
	}
	if se.Err == "missing_scope" {
		return "the Slack app needs the " + se.Needed + " scope: add it (see manifest.yaml) and reinstall the app"
	}
	return "see Troubleshooting in README.md"
}
