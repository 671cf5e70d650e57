package bot

import (
	"bytes"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/slack-go/slack"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/internal/slacktest"
)

// clock is a time a test moves by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) add(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }

func TestGroupMembersFailClosedWhenSlackStopsAnswering(t *testing.T) {
	t.Parallel()
	sl := slacktest.New(t)
	sl.SetUsergroup("S1", "U0ALICE")
	api := slack.New(sl.BotToken, slack.OptionAPIURL(sl.APIURL()), slack.OptionHTTPClient(&http.Client{Timeout: 5 * time.Second}))
	logs := &lockedBuffer{}
	a := newAccess(false, nil, []string{"S1"}, api, zerolog.New(logs))
	c := &clock{t: time.Now()}
	a.now = c.now
	check := func(want bool, wantErr error) {
		t.Helper()
		got, err := a.allowed(t.Context(), "U0ALICE")
		if got != want || !errors.Is(err, wantErr) {
			t.Fatalf("allowed = %v, %v; want %v, %v", got, err, want, wantErr)
		}
	}
	check(true, nil)

	sl.FailAlways("usergroups.users.list", "fatal_error")
	c.add(groupTTL + time.Minute) // stale: still trusted while a reload is tried in the background
	check(true, nil)
	c.add(groupTrustLimit) // and the reloads kept failing
	check(false, errGroupsUnknown)
	check(false, errGroupsUnknown)
	if n := countLines(logs.String(), "refusing group members"); n != 1 {
		t.Errorf("the refusal was logged %d times, want once", n)
	}

	sl.Recover("usergroups.users.list")
	check(true, nil)
}

// lockedBuffer collects log lines from several goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func countLines(s, want string) int { return strings.Count(s, want) }
