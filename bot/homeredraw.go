package bot

import (
	"context"
	"sync"
	"time"
)

// Home tabs are redrawn after a change in the background: they are
// cosmetic, and a slow views.publish (it is rate-limited per workspace) must
// never hold up a report: the audit line, a DM, the channel message.
const (
	// homeTimeout bounds one redraw, every retry included.
	homeTimeout = 5 * time.Second
	// homeWorkers redraw at once, so one hung call delays few others.
	homeWorkers = 4
)

// homeRedraws is the set of people whose Home tab waits to be redrawn:
// several changes before the redraw make one.
type homeRedraws struct {
	mu    sync.Mutex
	dirty map[string]bool
	// busy are being redrawn: a mark meanwhile waits for the end, so that
	// an older drawing never lands after a newer one.
	busy map[string]bool
	wake chan struct{}
}

func newHomeRedraws() *homeRedraws {
	return &homeRedraws{dirty: map[string]bool{}, busy: map[string]bool{}, wake: make(chan struct{}, 1)}
}

// mark asks for users' tabs to be redrawn; it never waits.
func (h *homeRedraws) mark(users ...string) {
	if len(users) == 0 {
		return
	}
	h.mu.Lock()
	for _, u := range users {
		h.dirty[u] = true
	}
	h.mu.Unlock()
	h.poke()
}

func (h *homeRedraws) poke() {
	select {
	case h.wake <- struct{}{}:
	default:
	}
}

// take returns who is marked and not being redrawn, now being redrawn.
func (h *homeRedraws) take() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	users := make([]string, 0, len(h.dirty))
	for u := range h.dirty {
		if !h.busy[u] {
			users = append(users, u)
			delete(h.dirty, u)
			h.busy[u] = true
		}
	}
	return users
}

// done ends user's redraw; marked meanwhile, they are drawn again.
func (h *homeRedraws) done(user string) {
	h.mu.Lock()
	delete(h.busy, user)
	again := h.dirty[user]
	h.mu.Unlock()
	if again {
		h.poke()
	}
}

// redrawHomes redraws the marked tabs until ctx ends; what is still marked
// then is drawn when its owner next opens the tab.
func (b *Bot) redrawHomes(ctx context.Context) {
	users := make(chan string)
	var wg sync.WaitGroup
	for range homeWorkers {
		wg.Go(func() {
			for u := range users {
				b.redraw(ctx, u)
				b.homes.done(u)
			}
		})
	}
	defer func() { close(users); wg.Wait() }()
	for {
		select {
		case <-ctx.Done():
			return
		case <-b.homes.wake:
		}
		for _, u := range b.homes.take() {
			select {
			case users <- u:
			case <-ctx.Done():
				return
			}
		}
	}
}

// redraw publishes user's Home tab again, if they have opened it.
func (b *Bot) redraw(ctx context.Context, user string) {
	ctx, cancel := context.WithTimeout(ctx, homeTimeout)
	defer cancel()
	if len(b.listed(ctx, seenList(user))) == 0 {
		return
	}
	if err := b.publishHome(ctx, user); err != nil {
		b.log.Warn().Err(err).Str("user", user).Msg("could not redraw the Home tab")
	}
}
