package request

import (
	"strings"
	"testing"
	"time"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe"
)

func TestEndRuleProblem(t *testing.T) {
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	in := func(d time.Duration) int64 { return now.Add(d).Unix() }
	kept := EndRule{Available: true, FullAccessMaxDays: 30}
	for _, tt := range []struct {
		name string
		rule EndRule
		at   int64
		full bool
		want string
	}{
		{"no end, unibox", kept, 0, false, ""},
		{"no end, full, a limit", kept, 0, true, "Full access needs an end, at most 30 days ahead."},
		{"no end, full, no limit", EndRule{Available: true}, 0, true, ""},
		{"in the past", kept, in(-time.Minute), false, "Choose a time in the future."},
		{"full, past the limit", kept, in(31 * 24 * time.Hour), true, "at most 30 days: choose an end before 2027-01-06 09:00 UTC"},
		{"full, within the limit", kept, in(29 * 24 * time.Hour), true, ""},
		{"unibox, past the full limit", kept, in(90 * 24 * time.Hour), false, ""},
		{"over a year", kept, in(400 * 24 * time.Hour), false, "within a year"},
		{"nowhere to keep it", EndRule{}, in(time.Hour), false, "cannot be kept"},
		{"nowhere to keep it, none asked", EndRule{FullAccessMaxDays: 30}, 0, true, ""},
	} {
		got := tt.rule.Problem(tt.at, tt.full, now)
		if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
			t.Errorf("%s: Problem = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestEndDue(t *testing.T) {
	at := time.Date(2026, 12, 10, 9, 0, 0, 0, time.UTC)
	e := End{At: at.Unix()}
	notice := 72 * time.Hour
	for _, tt := range []struct {
		name string
		e    End
		now  time.Time
		want EndStep
	}{
		{"long before", e, at.Add(-100 * time.Hour), EndWait},
		{"within the notice", e, at.Add(-71 * time.Hour), EndNotice},
		{"noticed already", End{At: e.At, Noticed: true}, at.Add(-time.Hour), EndWait},
		{"at the end", e, at, EndApply},
		{"after a failure, before the next try", End{At: e.At, Failures: 1, NextTry: at.Add(time.Minute).Unix()}, at.Add(30 * time.Second), EndWait},
		{"after a failure, at the next try", End{At: e.At, Failures: 1, NextTry: at.Add(time.Minute).Unix()}, at.Add(time.Minute), EndApply},
	} {
		if got := tt.e.Due(tt.now, notice); got != tt.want {
			t.Errorf("%s: Due = %v, want %v", tt.name, got, tt.want)
		}
	}
	if got := e.Due(at.Add(-time.Hour), 0); got != EndWait {
		t.Errorf("no notice configured: Due = %v, want EndWait", got)
	}
}

func TestBackoffDoublesToSixHours(t *testing.T) {
	want := []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute}
	for i, w := range want {
		if got := Backoff(i+1, time.Minute); got != w {
			t.Errorf("Backoff(%d) = %v, want %v", i+1, got, w)
		}
	}
	if got := Backoff(40, time.Minute); got != 6*time.Hour {
		t.Errorf("Backoff(40) = %v, want 6h", got)
	}
}

func TestAtEnd(t *testing.T) {
	fullClient := plusvibe.ClientLogin{ID: "c", Permissions: []plusvibe.ClientPermission{
		{WorkspaceID: "w1", Permissions: []string{full}, HideLabels: []string{"b", "a"}},
		{WorkspaceID: "w2", Permissions: []string{unibox}}}}
	e := End{Access: AccessKey(fullClient.Permissions)}
	changed := fullClient
	changed.Permissions = []plusvibe.ClientPermission{{WorkspaceID: "w1", Permissions: []string{unibox}}}
	uniboxOnly := plusvibe.ClientLogin{ID: "c", Permissions: []plusvibe.ClientPermission{{WorkspaceID: "w2", Permissions: []string{unibox}}}}
	for _, tt := range []struct {
		name    string
		e       End
		current plusvibe.ClientLogin
		found   bool
		action  EndAction
		want    EndVerdict
	}{
		{"gone", e, plusvibe.ClientLogin{}, false, EndRemove, EndGone},
		{"changed", e, changed, true, EndRemove, EndChanged},
		{"remove", e, fullClient, true, EndRemove, EndDelete},
		{"reduce", e, fullClient, true, EndUnibox, EndReduce},
		{"nothing to reduce", End{Access: AccessKey(uniboxOnly.Permissions)}, uniboxOnly, true, EndUnibox, EndNothingToReduce},
	} {
		if got := AtEnd(tt.e, tt.current, tt.found, tt.action); got != tt.want {
			t.Errorf("%s: AtEnd = %v, want %v", tt.name, got, tt.want)
		}
	}
	after := Reduced(fullClient)
	if after[0].Permissions[0] != unibox || after[1].Permissions[0] != unibox || len(after[0].HideLabels) != 2 {
		t.Errorf("Reduced = %+v, want Unibox only everywhere, labels kept", after)
	}
}

// An attempt reported failed that PlusVibe applied all the same is told as
// applied on the next try, not as "gone" or "changed"; a first try is not.
func TestTookEffect(t *testing.T) {
	full2 := plusvibe.ClientLogin{ID: "c", Permissions: []plusvibe.ClientPermission{
		{WorkspaceID: "w2", Permissions: []string{full, unibox}}, {WorkspaceID: "w1", Permissions: []string{full}}}}
	reduced := full2
	reduced.Permissions = []plusvibe.ClientPermission{
		{WorkspaceID: "w1", Permissions: []string{unibox}}, {WorkspaceID: "w2", Permissions: []string{unibox}}}
	other := full2
	other.Permissions = []plusvibe.ClientPermission{{WorkspaceID: "w1", Permissions: []string{unibox}}}
	tried := End{Access: AccessKey(full2.Permissions), Failures: 1}
	first := End{Access: tried.Access}
	for _, tt := range []struct {
		name    string
		e       End
		v       EndVerdict
		current plusvibe.ClientLogin
		action  EndAction
		want    EndVerdict
	}{
		{"removed by the failed try", tried, EndGone, plusvibe.ClientLogin{}, EndRemove, EndDelete},
		{"gone at the first try", first, EndGone, plusvibe.ClientLogin{}, EndRemove, EndGone},
		{"reduced by the failed try", tried, EndChanged, reduced, EndUnibox, EndReduce},
		{"reduced before the first try", first, EndChanged, reduced, EndUnibox, EndChanged},
		{"changed otherwise", tried, EndChanged, other, EndUnibox, EndChanged},
		{"gone under unibox", tried, EndGone, plusvibe.ClientLogin{}, EndUnibox, EndGone},
		{"removed by a try a crash cut short", End{Access: tried.Access, Tried: true}, EndGone, plusvibe.ClientLogin{}, EndRemove, EndDelete},
		{"reduced by a try a crash cut short", End{Access: tried.Access, Tried: true}, EndChanged, reduced, EndUnibox, EndReduce},
	} {
		if got := TookEffect(tt.e, tt.v, tt.current, tt.action); got != tt.want {
			t.Errorf("%s: TookEffect = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestFormAccessKeyMatchesTheClientCreated(t *testing.T) {
	f := Form{WorkspaceIDs: []string{ws2, ws1}, Permission: full, HideLabels: "VIP, SPAM"}
	client := []plusvibe.ClientPermission{
		{WorkspaceID: ws1, Permissions: []string{full}, HideLabels: []string{"SPAM", "VIP"}},
		{WorkspaceID: ws2, Permissions: []string{full}, HideLabels: []string{"VIP", "SPAM"}},
	}
	if a, b := FormAccessKey(f, ws1), AccessKey(client); a != b {
		t.Errorf("FormAccessKey %q, the client's %q", a, b)
	}
}

func TestEndMovedKeepsTheNoticeWithinItsWindow(t *testing.T) {
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	e := End{Requester: "U1", At: now.Add(time.Hour).Unix(), Noticed: true, Failures: 2, NextTry: 1}
	if m := e.Moved(now.Add(24*time.Hour).Unix(), "U1", 72*time.Hour, now); !m.Noticed || m.Failures != 0 || m.NextTry != 0 {
		t.Errorf("moved a day ahead by the requester, inside a 72h notice: %+v, want noticed (they chose it), tries reset", m)
	}
	if m := e.Moved(now.Add(24*time.Hour).Unix(), "U2", 72*time.Hour, now); m.Noticed {
		t.Error("moved inside the notice by someone else: the requester must still be told")
	}
	if m := e.Moved(now.Add(30*24*time.Hour).Unix(), "U1", 72*time.Hour, now); m.Noticed {
		t.Error("moved a month ahead: the notice must come again before the new end")
	}
	if m := e.Moved(now.Add(time.Hour).Unix(), "U1", 0, now); m.Noticed {
		t.Error("no notice configured: nothing to mark")
	}
}
