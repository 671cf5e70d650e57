package bot

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/rs/zerolog"
)

const (
	// groupTTL is how long user group members are trusted before a reload.
	groupTTL = 5 * time.Minute
	// groupLookupTimeout keeps a cold lookup well inside Slack's 3 s.
	groupLookupTimeout = 1500 * time.Millisecond
)

// access decides who is in a role (creating clients, approving them): listed
// users, or members of listed user groups (usergroups.users.list, cached and refreshed in the background).
type access struct {
	all    bool
	users  []string
	groups []string
	slack  SlackAPI
	log    zerolog.Logger

	mu         sync.Mutex
	members    map[string]bool
	loadedAt   time.Time
	refreshing bool
}

func newAccess(all bool, users, groups []string, api SlackAPI, log zerolog.Logger) *access {
	return &access{all: all, users: users, groups: groups, slack: api, log: log}
}

// allowed reports whether user may create clients. A non-nil error means the
// answer could not be found out (and is then no).
func (a *access) allowed(ctx context.Context, user string) (bool, error) {
	if a.all || slices.Contains(a.users, user) {
		return true, nil
	}
	if len(a.groups) == 0 {
		return false, nil
	}
	a.mu.Lock()
	members, loadedAt := a.members, a.loadedAt
	stale := time.Since(loadedAt) > groupTTL
	if members != nil && stale && !a.refreshing {
		a.refreshing = true
		go a.refresh(context.WithoutCancel(ctx))
	}
	a.mu.Unlock()
	if members != nil { // possibly stale: a refresh is on its way
		return members[user], nil
	}
	ctx, cancel := context.WithTimeout(ctx, groupLookupTimeout)
	defer cancel()
	members, err := a.load(ctx)
	if err != nil {
		return false, err
	}
	return members[user], nil
}

func (a *access) refresh(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if _, err := a.load(ctx); err != nil {
		a.log.Warn().Err(err).Msg("refreshing user group members failed; keeping the old list")
	}
	a.mu.Lock()
	a.refreshing = false
	a.mu.Unlock()
}

func (a *access) load(ctx context.Context) (map[string]bool, error) {
	members := map[string]bool{}
	var errs []error
	for _, g := range a.groups {
		ids, err := a.slack.GetUserGroupMembersContext(ctx, g)
		if err != nil {
			errs = append(errs, errors.New("usergroups.users.list "+g+": "+err.Error()))
			continue
		}
		for _, id := range ids {
			members[id] = true
		}
	}
	if len(errs) == len(a.groups) {
		return nil, errors.Join(errs...)
	}
	a.mu.Lock()
	a.members, a.loadedAt = members, time.Now()
	a.mu.Unlock()
	return members, nil
}
