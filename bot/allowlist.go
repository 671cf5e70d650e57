package bot

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/bot/slackapi"
)

const (
	// groupTTL is how long user group members are trusted before a reload.
	groupTTL = 5 * time.Minute
	// groupTrustLimit is how old a member list may grow while reloads fail
	// before it is no longer trusted: someone removed from a group must not
	// keep their rights because Slack stopped answering.
	groupTrustLimit = 3 * groupTTL
	// groupLookupTimeout keeps a cold lookup well inside Slack's 3 s.
	groupLookupTimeout = 1500 * time.Millisecond
)

// errGroupsUnknown means the user group members could not be loaded, or not
// for longer than groupTrustLimit: group members are refused until they are.
var errGroupsUnknown = errors.New("user group members could not be loaded from Slack")

// access decides who is in a role (creating clients, approving them): listed
// users, or members of listed user groups (usergroups.users.list, cached and refreshed in the background).
type access struct {
	all    bool
	users  []string
	groups []string
	slack  slackapi.API
	log    zerolog.Logger

	now func() time.Time

	mu         sync.Mutex
	members    map[string]bool
	loadedAt   time.Time
	refreshing bool
	distrusted bool // the list outgrew groupTrustLimit; logged once
}

func newAccess(all bool, users, groups []string, api slackapi.API, log zerolog.Logger) *access {
	return &access{all: all, users: users, groups: groups, slack: api, log: log, now: time.Now}
}

// known returns up to max people in the role that are known now: those
// listed, then group members as last loaded.
func (a *access) known(max int) []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := slices.Clone(a.users)
	for m := range a.members {
		if !slices.Contains(out, m) {
			out = append(out, m)
		}
	}
	slices.Sort(out[len(a.users):])
	return out[:min(len(out), max)]
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
	members, age := a.members, a.now().Sub(a.loadedAt)
	if members != nil && age > groupTTL && age <= groupTrustLimit && !a.refreshing {
		a.refreshing = true
		go a.refresh(context.WithoutCancel(ctx))
	}
	a.mu.Unlock()
	if members != nil && age <= groupTrustLimit { // possibly stale: a refresh is on its way
		return members[user], nil
	}
	ctx, cancel := context.WithTimeout(ctx, groupLookupTimeout)
	defer cancel()
	members, err := a.load(ctx)
	if err != nil {
		a.distrust(age)
		return false, errors.Join(errGroupsUnknown, err)
	}
	return members[user], nil
}

// distrust logs, once, that an old member list is no longer used.
func (a *access) distrust(age time.Duration) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.members == nil || a.distrusted {
		return
	}
	a.distrusted = true
	a.log.Error().Dur("age", age.Round(time.Second)).Strs("usergroups", a.groups).
		Msg("user group members could not be reloaded for too long; refusing group members until Slack answers")
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
	a.members, a.loadedAt, a.distrusted = members, a.now(), false
	a.mu.Unlock()
	return members, nil
}
