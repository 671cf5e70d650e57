package bot

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe"
)

// clientsFresh is how long a client list is used by the duplicate check
// before it is read again, and findFresh by find: short, as people check
// with find whether an uncertain edit or removal happened, and another
// replica's change is not forgotten here. Edits and removals read it anew
// (or join a read under way).
const (
	clientsFresh = time.Minute
	findFresh    = 15 * time.Second
)

// clientCache holds PlusVibe's client list briefly: find and the duplicate
// check on every submission must not wait on PlusVibe each time.
type clientCache struct {
	pv          PlusVibe
	workspaceID string
	// reads makes concurrent readers share one GET /client/.
	reads singleflight.Group

	mu     sync.Mutex
	list   []plusvibe.ClientLogin
	loaded time.Time
	gen    uint64 // bumped by forget: a read begun before a change is stale
	// createdAt is the last creation through the bot; see created.
	createdAt time.Time
	// recent are the clients created since the list was read, by email:
	// the duplicate check sees them without reading the list again.
	recent map[string]plusvibe.ClientLogin
}

// get returns the list, read anew when older than maxAge (0: always). A read
// already in flight is joined, unless a change came after it began.
func (c *clientCache) get(ctx context.Context, maxAge time.Duration) ([]plusvibe.ClientLogin, error) {
	c.mu.Lock()
	list, loaded, gen := c.list, c.loaded, c.gen
	c.mu.Unlock()
	if !loaded.IsZero() && time.Since(loaded) < maxAge {
		return list, nil
	}
	// The shared read must not end with whichever caller gave up first: it
	// runs detached, bounded by the PlusVibe client's own timeout.
	read := context.WithoutCancel(ctx)
	ch := c.reads.DoChan(strconv.FormatUint(gen, 10), func() (any, error) { return c.read(read, gen) })
	select {
	case res := <-ch:
		if res.Err != nil {
			return nil, res.Err
		}
		return res.Val.([]plusvibe.ClientLogin), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// read asks PlusVibe for the list and keeps it, unless forget was called
// while it was on its way.
func (c *clientCache) read(ctx context.Context, gen uint64) ([]plusvibe.ClientLogin, error) {
	list, err := c.pv.ListClients(ctx, c.workspaceID)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.gen == gen { // begun after the last creation: it has them all
		c.list, c.loaded, c.recent = list, time.Now(), nil
	}
	c.mu.Unlock()
	return list, nil
}

// forget drops the list after a change, so the next read sees it.
func (c *clientCache) forget() {
	c.mu.Lock()
	c.loaded, c.recent = time.Time{}, nil
	c.gen++
	c.mu.Unlock()
}

// created notes a creation through the bot (made, when it is known to
// exist). The duplicate check sees it at once in the list it has: reading
// the list after every creation would make each submission wait on
// PlusVibe's whole list (it doubled a submission's cost). find reads the
// list again, to show it as PlusVibe has it.
func (c *clientCache) created(made *plusvibe.ClientLogin) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.createdAt = time.Now()
	c.gen++ // a read already on its way may have missed it
	if made != nil {
		if c.recent == nil {
			c.recent = map[string]plusvibe.ClientLogin{}
		}
		c.recent[normalEmail(made.Email)] = *made
	}
}

// existing finds the client with that email: created here since the list
// was read, or in the list.
func (c *clientCache) existing(list []plusvibe.ClientLogin, email string) (plusvibe.ClientLogin, bool) {
	c.mu.Lock()
	made, found := c.recent[normalEmail(email)]
	c.mu.Unlock()
	if found {
		return made, true
	}
	return byEmail(list, email)
}

func normalEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// findAge is how old a list find may use: read after the last creation,
// and within findFresh.
func (c *clientCache) findAge() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.createdAt.IsZero() {
		return findFresh
	}
	return min(findFresh, time.Since(c.createdAt))
}

// byID reads the client anew from PlusVibe: what an edit or a removal acts on.
func (c *clientCache) byID(ctx context.Context, id string) (plusvibe.ClientLogin, bool, error) {
	list, err := c.get(ctx, 0)
	if err != nil {
		return plusvibe.ClientLogin{}, false, err
	}
	for _, cl := range list {
		if cl.ID == id {
			return cl, true, nil
		}
	}
	return plusvibe.ClientLogin{}, false, nil
}

// byEmail finds the client with that email, whatever the case.
func byEmail(list []plusvibe.ClientLogin, email string) (plusvibe.ClientLogin, bool) {
	for _, c := range list {
		if strings.EqualFold(strings.TrimSpace(c.Email), strings.TrimSpace(email)) {
			return c, true
		}
	}
	return plusvibe.ClientLogin{}, false
}

// matching returns the clients whose email, name or business contains
// query, whatever the case; an exact email match comes first.
func matching(list []plusvibe.ClientLogin, query string) []plusvibe.ClientLogin {
	q := strings.ToLower(strings.TrimSpace(query))
	var exact, partial []plusvibe.ClientLogin
	for _, c := range list {
		switch {
		case strings.EqualFold(c.Email, q):
			exact = append(exact, c)
		case strings.Contains(strings.ToLower(c.Email+"\n"+c.FirstName+" "+c.LastName+"\n"+c.BusinessName), q):
			partial = append(partial, c)
		}
	}
	return append(exact, partial...)
}
