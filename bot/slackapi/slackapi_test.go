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

// Two audiences: the cause, for the people the bot answers; what to do, for
// the admin running --check (who sees the error code beside it).
func TestCauseAndHint(t *testing.T) {
	for _, tt := range []struct {
		name, token string
		err         error
		cause, hint string
	}{
		{"rate limited", "", &slack.RateLimitedError{RetryAfter: 3 * time.Second}, "try again in 3s", "try again in 3s"},
		{"unknown host", "SLACK_BOT_TOKEN", &net.DNSError{Name: "slack.invalid"}, "Slack could not be reached", "could not be resolved"},
		{"no route", "", &net.OpError{Op: "dial", Err: errors.New("refused")}, "Slack could not be reached", "check the network"},
		{"bot token revoked", "SLACK_BOT_TOKEN", slack.SlackErrorResponse{Err: "token_revoked"}, "token_revoked", "reinstall the app"},
		{"app token wrong", "SLACK_APP_TOKEN", slack.SlackErrorResponse{Err: "invalid_auth"}, "invalid_auth", "xapp- token with connections:write"},
		{"app token without Socket Mode", "SLACK_APP_TOKEN", slack.SlackErrorResponse{Err: "not_allowed_token_type"}, "not_allowed_token_type", "SLACK_APP_TOKEN lacks connections:write"},
		{"a scope missing", "", slack.SlackErrorResponse{Err: "missing_scope", Needed: "chat:write"}, "needs the chat:write scope", "needs the chat:write scope"},
		{"not in the channel", "", slack.SlackErrorResponse{Err: "not_in_channel"}, "not_in_channel: invite the bot", "invite the bot"},
		{"anything else", "", slack.SlackErrorResponse{Err: "fatal_error"}, "fatal_error", "see Troubleshooting"},
	} {
		if got := Cause(tt.err); !strings.Contains(got, tt.cause) || strings.Contains(got, "README") || strings.Contains(got, "SLACK_") {
			t.Errorf("%s: Cause = %q, want %q and no admin's words", tt.name, got, tt.cause)
		}
		got := Hint(tt.err, tt.token)
		if !strings.Contains(got, tt.hint) {
			t.Errorf("%s: Hint = %q, want it to say %q", tt.name, got, tt.hint)
		}
		var se slack.SlackErrorResponse
		if errors.As(tt.err, &se) && strings.HasPrefix(got, se.Err) {
			t.Errorf("%s: Hint %q repeats the code --check prints beside it", tt.name, got)
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

// The fake Slack enforces MethodScopes, so the suite cannot catch a wrong
// entry: this is Slack's own word for each method's bot scope, from its
// method reference (docs.slack.dev/reference/methods), kept apart.
func TestMethodScopesAreSlacks(t *testing.T) {
	slacks := map[string]string{
		"auth.test": "", "views.open": "", "views.update": "", "views.publish": "", "chat.getPermalink": "",
		"chat.postMessage": "chat:write", "chat.postEphemeral": "chat:write", "chat.update": "chat:write",
		"conversations.open": "im:write", "usergroups.users.list": "usergroups:read",
		"conversations.history": "channels:history",
		// https://api.slack.com/methods/functions.completeSuccess: "No scope required"
		"functions.completeSuccess": "", "functions.completeError": "",
	}
	for method, scope := range MethodScopes {
		want, known := slacks[method]
		if !known {
			t.Errorf("%s: add Slack's required scope for it to this test", method)
		} else if scope != want {
			t.Errorf("%s needs %q in MethodScopes; Slack requires %q", method, scope, want)
		}
	}
}
