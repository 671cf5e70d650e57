package bot

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe"
)

// clientsFresh is how long a client list is used for the duplicate check
// before it is read again; edits and removals always read it anew.
const clientsFresh = time.Minute

// clientCache holds PlusVibe's client list briefly: the duplicate check on
// every submission must not wait on PlusVibe each time.
type clientCache struct {
	pv          PlusVibe
	workspaceID string

	mu     sync.Mutex
	list   []plusvibe.ClientLogin
	loaded time.Time
}

// get returns the list, read anew when older than maxAge (0: always).
func (c *clientCache) get(ctx context.Context, maxAge time.Duration) ([]plusvibe.ClientLogin, error) {
	c.mu.Lock()
	list, loaded := c.list, c.loaded
	c.mu.Unlock()
	if !loaded.IsZero() && time.Since(loaded) < maxAge {
		return list, nil
	}
	list, err := c.pv.ListClients(ctx, c.workspaceID)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.list, c.loaded = list, time.Now()
	c.mu.Unlock()
	return list, nil
}

// forget drops the list after a change, so the next read sees it.
func (c *clientCache) forget() {
	c.mu.Lock()
	c.loaded = time.Time{}
	c.mu.Unlock()
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
