// Package store keeps the bot's shared state: which submission, decision or
// creation has been claimed, and what a late duplicate is told; and short
// lists, such as each person's recent requests. Memory serves one replica;
// Redis serves any number of replicas that share it. Nothing stored is
// secret in the clear: claims hold sentences people already saw, lists what
// the Home tab shows; never a password. The one token kept, a Workflow
// Builder run's own until the run completes, is sealed by the bot first.
package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"sync"
	"time"
)

// Claim is what Take found at a key.
type Claim struct {
	// First is set when the caller took the key: it acts, then finishes or
	// releases it.
	First bool
	// Done is set when another holder finished; Final is what it left.
	Done  bool
	Final string
}

// Entry is one item noted in a list: its id and value, the most items the
// list keeps (the oldest go), and how long the list outlives its last note.
type Entry struct {
	ID, Value string
	Max       int
	Keep      time.Duration
}

// Store is once-only state shared by every replica that uses it.
type Store interface {
	// Take claims key for hold, the longest the step may take: if its holder
	// dies, the key is free again after that. If the key is held or done,
	// Take says so instead.
	Take(ctx context.Context, key string, hold time.Duration) (Claim, error)
	// Finish marks key done with final, remembered for keep. It does nothing
	// if another holder has the key.
	Finish(ctx context.Context, key, final string, keep time.Duration) error
	// Release frees key, if this store's holder has it, so that it can be
	// taken again (after a failure that changed nothing).
	Release(ctx context.Context, key string) error
	// Ping reports whether the store can be reached.
	Ping(ctx context.Context) error

	// Note puts e in list. A new item goes first; one already there keeps
	// its place. The list keeps its newest e.Max items, and is dropped
	// e.Keep after its last change.
	Note(ctx context.Context, list string, e Entry) error
	// Forget drops item id from list.
	Forget(ctx context.Context, list, id string) error
	// List returns the values in list, newest first.
	List(ctx context.Context, list string) ([]string, error)
}

// Values are "run:<owner>" while held and "done:<final>" once finished;
// owner tells this process's claims from another replica's.
const (
	running = "run:"
	done    = "done:"
)

func newOwner() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// read turns a stored value into a Claim found by someone else.
func read(v string) Claim {
	final, finished := strings.CutPrefix(v, done)
	return Claim{Done: finished, Final: final}
}

// ErrUnavailable wraps every failure to reach the store.
var ErrUnavailable = errors.New("store: unreachable")

// Memory keeps the state in this process: one replica only.
type Memory struct {
	owner string
	now   func() time.Time

	mu      sync.Mutex
	entries map[string]entry
	takes   int
	lists   map[string]*memList
}

// memList is a list's items, newest first, and when it is dropped.
type memList struct {
	ids     []string
	values  map[string]string
	expires time.Time
}

type entry struct {
	value   string
	expires time.Time
}

var _ Store = (*Memory)(nil)

// NewMemory returns an empty in-process store.
func NewMemory() *Memory {
	return &Memory{owner: newOwner(), now: time.Now, entries: map[string]entry{}, lists: map[string]*memList{}}
}

func (m *Memory) Take(_ context.Context, key string, hold time.Duration) (Claim, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	if m.takes++; m.takes%1024 == 0 {
		m.prune(now)
	}
	if e, found := m.entries[key]; found && now.Before(e.expires) {
		return read(e.value), nil
	}
	m.entries[key] = entry{value: running + m.owner, expires: now.Add(hold)}
	return Claim{First: true}, nil
}

// prune drops expired entries, so that memory does not grow without bound.
func (m *Memory) prune(now time.Time) {
	for k, e := range m.entries {
		if !now.Before(e.expires) {
			delete(m.entries, k)
		}
	}
}

func (m *Memory) Finish(_ context.Context, key, final string, keep time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if e, found := m.entries[key]; found && strings.HasPrefix(e.value, running) && e.value != running+m.owner && m.now().Before(e.expires) {
		return nil // another holder's
	}
	m.entries[key] = entry{value: done + final, expires: m.now().Add(keep)}
	return nil
}

func (m *Memory) Release(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.entries[key].value == running+m.owner {
		delete(m.entries, key)
	}
	return nil
}

func (m *Memory) Ping(context.Context) error { return nil }

func (m *Memory) Note(_ context.Context, list string, e Entry) error {
	id, value, max, keep := e.ID, e.Value, e.Max, e.Keep
	m.mu.Lock()
	defer m.mu.Unlock()
	l := m.liveList(list)
	if l == nil {
		l = &memList{values: map[string]string{}}
		m.lists[list] = l
	}
	if _, found := l.values[id]; !found {
		l.ids = append([]string{id}, l.ids...)
	}
	l.values[id] = value
	for len(l.ids) > max {
		delete(l.values, l.ids[len(l.ids)-1])
		l.ids = l.ids[:len(l.ids)-1]
	}
	l.expires = m.now().Add(keep)
	return nil
}

func (m *Memory) Forget(_ context.Context, list, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if l := m.liveList(list); l != nil {
		delete(l.values, id)
		l.ids = slices.DeleteFunc(l.ids, func(s string) bool { return s == id })
	}
	return nil
}

func (m *Memory) List(_ context.Context, list string) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	l := m.liveList(list)
	if l == nil {
		return nil, nil
	}
	out := make([]string, len(l.ids))
	for i, id := range l.ids {
		out[i] = l.values[id]
	}
	return out, nil
}

// liveList is list, or nil if it has none or it expired (then dropped).
func (m *Memory) liveList(list string) *memList {
	l := m.lists[list]
	if l != nil && !m.now().Before(l.expires) {
		delete(m.lists, list)
		return nil
	}
	return l
}
