package bot

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe"
)

// workspaceRetry is the wait after a failed load, shorter than the refresh.
const workspaceRetry = 15 * time.Second

// workspaceCache holds the workspaces offered in the form, so opening it never
// waits on PlusVibe.
type workspaceCache struct {
	static   bool
	interval time.Duration
	pv       PlusVibe
	log      zerolog.Logger
	kick     chan struct{}
	ready    chan struct{} // closed once a list is there
	once     sync.Once

	mu   sync.RWMutex
	list []plusvibe.Workspace
}

func newWorkspaceCache(cfg Config, pv PlusVibe, log zerolog.Logger) *workspaceCache {
	c := &workspaceCache{
		static:   len(cfg.StaticWorkspaces) > 0,
		list:     slices.Clone(cfg.StaticWorkspaces),
		interval: cfg.WorkspaceRefresh,
		pv:       pv,
		log:      log,
		kick:     make(chan struct{}, 1),
		ready:    make(chan struct{}),
	}
	if c.static {
		close(c.ready)
	}
	return c
}

func (c *workspaceCache) get() []plusvibe.Workspace {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.list
}

// refreshSoon asks the background loop for a reload now.
func (c *workspaceCache) refreshSoon() {
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

// run loads the list at once, then every interval, until ctx ends.
func (c *workspaceCache) run(ctx context.Context) {
	if c.static {
		return
	}
	for {
		wait := c.interval
		if err := c.load(ctx); err != nil {
			c.log.Warn().Err(err).Msg("loading PlusVibe workspaces failed")
			wait = workspaceRetry
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-c.kick:
			t.Stop()
		case <-t.C:
		}
	}
}

func (c *workspaceCache) load(ctx context.Context) error {
	ws, err := c.pv.Workspaces(ctx)
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.list = ws
	c.mu.Unlock()
	c.once.Do(func() { close(c.ready) })
	c.log.Info().Int("workspaces", len(ws)).Msg("PlusVibe workspaces loaded")
	return nil
}
