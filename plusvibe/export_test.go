package plusvibe

import (
	"context"
	"time"
)

// SetWait replaces the pause between retries, for tests in package plusvibe_test.
func SetWait(c *Client, f func(ctx context.Context, d time.Duration) error) { c.wait = f }
