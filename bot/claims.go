package bot

import (
	"sync"
	"time"
)

// claimTTL is how long a finished submission is remembered; Slack redelivers
// within seconds, so a day is generous.
const claimTTL = 24 * time.Hour

// claims makes each key (a submitted view, an approval message) act at most
// once in this process. T is what a late duplicate is shown once the first
// has finished.
type claims[T any] struct {
	mu      sync.Mutex
	entries map[string]*claim[T]
	ttl     time.Duration
	now     func() time.Time
}

type claim[T any] struct {
	at    time.Time
	final *T
}

func newClaims[T any](ttl time.Duration) *claims[T] {
	return &claims[T]{entries: map[string]*claim[T]{}, ttl: ttl, now: time.Now}
}

// claim reports whether key is new; if not, it returns what the first claim
// ended with, or nil while it is still running.
func (c *claims[T]) claim(key string) (bool, *T) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if e, taken := c.entries[key]; taken {
		return false, e.final
	}
	for k, e := range c.entries {
		if now.Sub(e.at) > c.ttl {
			delete(c.entries, k)
		}
	}
	c.entries[key] = &claim[T]{at: now}
	return true, nil
}

func (c *claims[T]) finish(key string, final T) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, taken := c.entries[key]; taken {
		e.final = &final
	}
}

// release forgets key, so that it may act again (after a failure that
// created nothing).
func (c *claims[T]) release(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.entries, key)
}
