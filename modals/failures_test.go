package modals

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe"
)

// Each operation fails in its own words: an edit or a removal never speaks
// of creating, and after a timeout or a 5xx it says it may or may not have
// happened, and how to check.
func TestFailureTextPerOperation(t *testing.T) {
	const check = "`/plusvibe-client find jane@acme.com`"
	errs := map[string]error{
		"timeout":       &plusvibe.NetworkError{Method: "PUT", Path: "/client", Timeout: true, RequestSent: true, Err: context.DeadlineExceeded},
		"5xx":           &plusvibe.APIError{StatusCode: 502, Method: "PUT", Path: "/client"},
		"broken":        &plusvibe.NetworkError{Method: "PUT", Path: "/client", RequestSent: true, Err: fmt.Errorf("reset")},
		"unreached":     &plusvibe.NetworkError{Method: "PUT", Path: "/client", Err: fmt.Errorf("refused")},
		"rate limited":  &plusvibe.APIError{StatusCode: 429, RetryAfter: 7 * time.Second},
		"unauthorized":  &plusvibe.APIError{StatusCode: 401},
		"invalid":       &plusvibe.APIError{StatusCode: 400, Message: "workspace unknown"},
		"not found":     &plusvibe.APIError{StatusCode: 404},
		"shutting down": context.Canceled,
		"incomplete":    &plusvibe.IncompleteError{Method: "PUT", Path: "/client", StatusCode: 200, What: "no body"},
	}
	want := map[Operation]map[string]string{
		OpEdit: {"timeout": "The change may or may not have been applied: look the client up with " + check,
			"5xx": "internal error (HTTP 502). The change may or may not have been applied", "broken": "may or may not have been applied",
			"unreached": "could not reach PlusVibe, so nothing was changed", "rate limited": "so nothing was changed. Try again in 7s",
			"unauthorized": "API key, so nothing was changed", "invalid": "rejected the request: workspace unknown, so nothing was changed",
			"not found": "no longer knows this client, so nothing was changed", "shutting down": "may or may not have been applied",
			"incomplete": "may or may not have been applied"},
		OpRemove: {"timeout": "The client may or may not have been removed: look them up with " + check,
			"5xx": "may or may not have been removed", "unreached": "so nothing was removed", "not found": "so nothing was removed",
			"rate limited": "so nothing was removed", "invalid": "so nothing was removed"},
		OpList: {"timeout": "did not answer in time. Try again in a minute.", "rate limited": "so the client list could not be read. Try again in 7s",
			"unauthorized": "so the client list could not be read", "5xx": "internal error (HTTP 502). Try again in a minute."},
		OpCreate: {"timeout": "may have been created anyway", "5xx": "may have been created anyway", "unreached": "so nothing was created",
			"rate limited": "so nothing was created", "incomplete": "no usable password"},
	}
	for op, cases := range want {
		for name, phrase := range cases {
			got := FailureText(op, errs[name], check)
			if !strings.Contains(got, phrase) {
				t.Errorf("op %d, %s: %q lacks %q", op, name, got, phrase)
			}
		}
		if op == OpCreate {
			continue
		}
		for name, err := range errs {
			if got := FailureText(op, err, check); strings.Contains(got, "creat") {
				t.Errorf("op %d, %s speaks of creating: %q", op, name, got)
			}
		}
	}
}
