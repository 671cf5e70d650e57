package slackapi

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/slack-go/slack"
)

// Hint names a failed Slack call's cause and what an admin does about it.
// token is the variable whose token the call used ("SLACK_APP_TOKEN" for
// Socket Mode's; "" or "SLACK_BOT_TOKEN" for the bot's): --check and the
// bot's own answers say the same things.
func Hint(err error, token string) string {
	var se slack.SlackErrorResponse
	var limited *slack.RateLimitedError
	var dns *net.DNSError
	var op *net.OpError
	switch {
	case errors.As(err, &limited):
		return fmt.Sprintf("Slack is limiting how fast the bot may call it; try again in %s", limited.RetryAfter.Round(time.Second))
	case errors.As(err, &dns):
		return "the name of Slack's API could not be resolved: check SLACK_API_URL and this machine's DNS"
	case errors.As(err, &op) || errors.Is(err, context.DeadlineExceeded):
		return "Slack could not be reached: check the network, a proxy or a firewall between here and SLACK_API_URL"
	case !errors.As(err, &se):
		return "Slack could not be reached: check SLACK_API_URL"
	}
	switch se.Err {
	case "invalid_auth", "not_authed", "token_revoked", "account_inactive":
		if token == "SLACK_APP_TOKEN" {
			return se.Err + ": the app-level token is wrong or revoked: generate an xapp- token with connections:write (Basic Information → App-Level Tokens)"
		}
		return se.Err + ": the bot token is wrong or revoked: reinstall the app and copy its xoxb- Bot User OAuth Token"
	case "not_allowed_token_type":
		return se.Err + ": " + token + " lacks connections:write, or Socket Mode is off in the app's settings"
	case "missing_scope":
		if token == "SLACK_APP_TOKEN" {
			return se.Err + ": " + token + " lacks connections:write, or Socket Mode is off in the app's settings"
		}
		return "missing_scope: the Slack app needs the " + se.Needed + " scope"
	case "not_in_channel", "channel_not_found":
		return se.Err + ": invite the bot to the approval channel"
	}
	return se.Err + ": see Troubleshooting in README.md"
}
