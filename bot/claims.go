package bot

import (
	"sync"
	"time"

	"github.com/slack-go/slack"
)

// claimTTL is how long a finished submission is remembered; Slack redelivers
// within seconds, so a day is generous.
const claimTTL = 24 * time.Hour

// claims makes each submitted view create at most one client in this process.
type claims struct {
	mu      sync.Mutex
	entries map[string]*claim
	now     func() time.Time
}

type claim struct {
	at    time.Time
	final *slack.ModalViewRequest // the view left after success, if any
}

func newClaims() *claims {
	return &claims{entries: map[string]*claim{}, now: time.Now}
}

// claim reports whether key is new; if not, it returns the view that the first
// submission ended with, or nil while it is still running.
func (c *claims) claim(key string) (bool, *slack.ModalViewRequest) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if e, taken := c.entries[key]; taken {
		return false, e.final
	}
	for k, e := range c.entries {
		if now.Sub(e.at) > claimTTL {
			delete(c.entries, k)
		}
	}
	c.entries[key] = &claim{at: now}
	return true, nil
}

func (c *claims) finish(key string, final slack.ModalViewRequest) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, taken := c.entries[key]; taken {
		e.final = &final
	}
}

// release forgets key, so that the same view may submit again (after a failure).
func (c *claims) release(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.entries, key)
}
