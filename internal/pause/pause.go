// Package pause waits, unless the wait is called off.
package pause

import (
	"context"
	"time"
)

// For waits d, or until ctx ends; it returns ctx's error if ctx ended first.
func For(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
