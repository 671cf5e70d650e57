package modals

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/request"
)

// Operation is what was asked of PlusVibe: each has its own words when it
// fails, so that a failed removal never speaks of a creation.
type Operation int

const (
	OpCreate Operation = iota
	OpEdit
	OpRemove
	OpList
)

// nothing says that op did not happen.
func (op Operation) nothing() string {
	return [...]string{"nothing was created", "nothing was changed", "nothing was removed", "the client list could not be read"}[op]
}

// maybe says that op may have happened anyway, and how to find out: check
// names the find command for the client, for edits and removals.
func (op Operation) maybe(check string) string {
	switch op {
	case OpCreate:
		return "The client may have been created anyway: check PlusVibe before trying again."
	case OpEdit:
		return "The change may or may not have been applied: look the client up with " + check + " before trying again."
	case OpRemove:
		return "The client may or may not have been removed: look them up with " + check + " before trying again."
	}
	return "Try again in a minute."
}

// FailureText turns a PlusVibe failure of op into words a person can act
// on: plain text, escaped where it is shown. The full error goes to the logs.
func FailureText(op Operation, err error, check string) string {
	var apiErr *plusvibe.APIError
	errors.As(err, &apiErr)
	var netErr *plusvibe.NetworkError
	errors.As(err, &netErr)
	var invalid *request.NoLongerValid
	switch {
	case errors.As(err, &invalid):
		return "The approved request no longer fits what PlusVibe offers: " + invalid.Problems + " Ask again with the command."
	case errors.Is(err, plusvibe.ErrIncomplete) && op == OpCreate:
		return "PlusVibe answered that it created the client, but sent no usable password. The client may exist without a password anyone knows: check it in PlusVibe and reset its password there."
	case errors.Is(err, plusvibe.ErrIncomplete):
		return "PlusVibe's answer could not be read. " + op.maybe(check)
	case errors.Is(err, plusvibe.ErrConflict) && op == OpCreate:
		return "A PlusVibe client with this email already exists. Use another email, or look up the existing client in PlusVibe."
	case errors.Is(err, plusvibe.ErrUnauthorized):
		return "PlusVibe rejected the bot's API key, so " + op.nothing() + ". Ask your Slack admin to check the bot's PlusVibe key."
	case errors.Is(err, plusvibe.ErrRateLimited):
		return "PlusVibe is limiting how fast the bot may call it, so " + op.nothing() + ". Try again in " + retryAfter(apiErr) + "."
	case apiErr != nil && apiErr.StatusCode == 404 && (op == OpEdit || op == OpRemove):
		return "PlusVibe no longer knows this client, so " + op.nothing() + "."
	case errors.Is(err, plusvibe.ErrInvalidRequest), errors.Is(err, plusvibe.ErrConflict):
		return "PlusVibe rejected the request" + said(apiErr) + ", so " + op.nothing() + ". Check the fields and try again."
	case errors.Is(err, plusvibe.ErrServer):
		return fmt.Sprintf("PlusVibe had an internal error (HTTP %d). ", apiErr.StatusCode) + op.maybe(check)
	case errors.Is(err, plusvibe.ErrTimeout):
		return "PlusVibe did not answer in time. " + op.maybe(check)
	case errors.Is(err, plusvibe.ErrNetwork) && netErr != nil && !netErr.RequestSent:
		return "The bot could not reach PlusVibe, so " + op.nothing() + ". Try again in a minute."
	case errors.Is(err, plusvibe.ErrNetwork):
		return "The connection to PlusVibe broke. " + op.maybe(check)
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return "The bot was shutting down and stopped waiting for PlusVibe. " + op.maybe(check)
	}
	return fmt.Sprintf("PlusVibe answered in a way the bot does not understand, so it cannot say whether it acted. %s Tell your Slack admin if it keeps happening.", op.maybe(check))
}

// FindCommand is how a person looks a client up, to check an edit or a removal.
func FindCommand(command, email string) string {
	return "`" + command + " find " + email + "`"
}

// CreateFailure is a creation's failure, in words for the requester.
func CreateFailure(err error) string { return FailureText(OpCreate, err, "") }

func retryAfter(e *plusvibe.APIError) string {
	if e != nil && e.RetryAfter > 0 {
		return e.RetryAfter.Round(time.Second).String()
	}
	return "a minute"
}

// said quotes PlusVibe's own explanation, if it gave one.
func said(e *plusvibe.APIError) string {
	if e == nil || e.Message == "" {
		return ""
	}
	return ": " + e.Message
}
