package bot

import (
	"context"
	"errors"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe"
)

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
