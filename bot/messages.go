package bot

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe"
)

// userMessage turns a PlusVibe failure into words for the requester. The full
// error goes to the logs; this is what a person can act on.
func userMessage(err error) string {
	var apiErr *plusvibe.APIError
	errors.As(err, &apiErr)
	var netErr *plusvibe.NetworkError
	errors.As(err, &netErr)
	var invalid *invalidForm
	switch {
	case errors.As(err, &invalid):
		return "The approved request no longer fits what PlusVibe offers: " + invalid.problems + " Ask again with the command."
	case errors.Is(err, plusvibe.ErrIncomplete):
		return "PlusVibe answered that it created the client, but sent no usable password. The client may exist without a password anyone knows: check it in PlusVibe and reset its password there."
	case errors.Is(err, plusvibe.ErrConflict):
		return "A PlusVibe client with this email already exists. Use another email, or look up the existing client in PlusVibe."
	case errors.Is(err, plusvibe.ErrUnauthorized):
		return "PlusVibe rejected the bot's API key, so nothing was created. Ask your Slack admin to check the bot's PlusVibe key."
	case errors.Is(err, plusvibe.ErrRateLimited):
		wait := "a minute"
		if apiErr != nil && apiErr.RetryAfter > 0 {
			wait = apiErr.RetryAfter.Round(time.Second).String()
		}
		return "PlusVibe is limiting how fast clients can be created, so nothing was created. Try again in " + wait + "."
	case errors.Is(err, plusvibe.ErrInvalidRequest):
		msg := "PlusVibe rejected the request"
		if apiErr != nil && apiErr.Message != "" {
			msg += ": " + apiErr.Message
		}
		return msg + ". Check the fields and try again."
	case errors.Is(err, plusvibe.ErrServer):
		return fmt.Sprintf("PlusVibe had an internal error (HTTP %d). The client may have been created anyway: check PlusVibe before trying again.", apiErr.StatusCode)
	case errors.Is(err, plusvibe.ErrTimeout):
		return "PlusVibe did not answer in time. The client may have been created anyway: check PlusVibe before trying again."
	case errors.Is(err, plusvibe.ErrNetwork) && netErr != nil && !netErr.RequestSent:
		return "The bot could not reach PlusVibe, so nothing was created. Try again in a minute."
	case errors.Is(err, plusvibe.ErrNetwork):
		return "The connection to PlusVibe broke. The client may have been created anyway: check PlusVibe before trying again."
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return "The bot was shutting down and stopped waiting for PlusVibe. The client may have been created: check PlusVibe before trying again."
	}
	return "Something went wrong creating the client. Try again, and tell your Slack admin if it keeps failing."
}

// errorKind is a short, fixed label for logs.
func errorKind(err error) string {
	for _, k := range []struct {
		err  error
		name string
	}{
		{plusvibe.ErrConflict, "conflict"}, {plusvibe.ErrUnauthorized, "unauthorized"},
		{plusvibe.ErrRateLimited, "rate_limited"}, {plusvibe.ErrInvalidRequest, "invalid_request"},
		{plusvibe.ErrServer, "server"}, {plusvibe.ErrTimeout, "timeout"}, {plusvibe.ErrNetwork, "network"},
		{plusvibe.ErrIncomplete, "incomplete"},
		{context.Canceled, "canceled"},
	} {
		if errors.Is(err, k.err) {
			return k.name
		}
	}
	return "other"
}
