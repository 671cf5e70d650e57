package slackapi

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
)

// What may be tried again: a rate limit always, after Slack's wait; a 5xx
// or a timeout only for calls that change nothing when repeated.
func TestRetryable(t *testing.T) {
	limited := &slack.RateLimitedError{RetryAfter: 7 * time.Second}
	for _, tt := range []struct {
		name       string
		err        error
		idempotent bool
		reason     string
		wait       time.Duration
	}{
		{"429, a post", limited, false, "rate_limited", 7 * time.Second},
		{"429, an update", limited, true, "rate_limited", 7 * time.Second},
		{"503, an update", slack.StatusCodeError{Code: 503}, true, "server_error", 500 * time.Millisecond},
		{"503, a post", slack.StatusCodeError{Code: 503}, false, "", 0},
		{"timeout, an update", context.DeadlineExceeded, true, "timeout", 500 * time.Millisecond},
		{"timeout, a post", context.DeadlineExceeded, false, "", 0},
		{"an answer, an update", slack.SlackErrorResponse{Err: "message_not_found"}, true, "", 0},
		{"404, an update", slack.StatusCodeError{Code: 404}, true, "", 0},
	} {
		reason, wait := retryable(tt.err, tt.idempotent, 2)
		if reason != tt.reason || wait != tt.wait {
			t.Errorf("%s: retryable = %q after %v, want %q after %v", tt.name, reason, wait, tt.reason, tt.wait)
		}
	}
}

// One hint for the bot's answers and for --check, naming what to do.
func TestHint(t *testing.T) {
	for _, tt := range []struct {
		name, token string
		err         error
		want        string
	}{
		{"rate limited", "", &slack.RateLimitedError{RetryAfter: 3 * time.Second}, "try again in 3s"},
		{"unknown host", "SLACK_BOT_TOKEN", &net.DNSError{Name: "slack.invalid"}, "could not be resolved"},
		{"no route", "", &net.OpError{Op: "dial", Err: errors.New("refused")}, "check the network"},
		{"bot token revoked", "SLACK_BOT_TOKEN", slack.SlackErrorResponse{Err: "token_revoked"}, "reinstall the app"},
		{"app token wrong", "SLACK_APP_TOKEN", slack.SlackErrorResponse{Err: "invalid_auth"}, "xapp- token with connections:write"},
		{"app token without Socket Mode", "SLACK_APP_TOKEN", slack.SlackErrorResponse{Err: "not_allowed_token_type"}, "SLACK_APP_TOKEN lacks connections:write"},
		{"a scope missing", "", slack.SlackErrorResponse{Err: "missing_scope", Needed: "chat:write"}, "needs the chat:write scope"},
		{"not in the channel", "", slack.SlackErrorResponse{Err: "not_in_channel"}, "invite the bot"},
		{"anything else", "", slack.SlackErrorResponse{Err: "fatal_error"}, "fatal_error: see Troubleshooting"},
	} {
		if got := Hint(tt.err, tt.token); !strings.Contains(got, tt.want) {
			t.Errorf("%s: Hint = %q, want it to say %q", tt.name, got, tt.want)
		}
	}
}

func TestMissingScopes(t *testing.T) {
	all := strings.Join(Scopes(), ",")
	if got := MissingScopes(Needs{Usergroups: true, Approvals: true}, all); len(got) != 0 {
		t.Errorf("every scope granted, yet missing %v", got)
	}
	got := MissingScopes(Needs{Approvals: true}, "commands,chat:write,im:write,channels:history")
	if len(got) != 1 || got[0] != "groups:history" {
		t.Errorf("missing %v, want groups:history (a private approval channel)", got)
	}
}
