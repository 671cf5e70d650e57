package request

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe"
)

// FieldEnds is the form's "Access ends" input.
const FieldEnds = "access_ends"

// MaxEndAhead bounds how far ahead an end may be set: a year, so that the
// schedule kept in Slack is read back over a bounded window.
const MaxEndAhead = 366 * 24 * time.Hour

// EndAction is what happens at a client's end (ACCESS_END_ACTION).
type EndAction string

const (
	// EndRemove deletes the client.
	EndRemove EndAction = "remove"
	// EndUnibox reduces Full access to Unibox only, everywhere.
	EndUnibox EndAction = "unibox"
)

// EndRule is what an end may be.
type EndRule struct {
	// Available: the bot has somewhere to keep ends that a restart cannot
	// lose (Redis, or a channel).
	Available bool
	// FullAccessMaxDays, when set, makes Full access need an end within
	// that many days (FULL_ACCESS_MAX_DAYS).
	FullAccessMaxDays int
}

// Problem says what is wrong with an end at (Unix seconds, 0: none) for
// access that gives Full access or not, at now; "" when it may be kept.
func (e EndRule) Problem(at int64, full bool, now time.Time) string {
	limit := time.Duration(e.FullAccessMaxDays) * 24 * time.Hour
	end := time.Unix(at, 0)
	switch {
	case at != 0 && !e.Available:
		return "Ends cannot be kept by this bot (it has neither Redis nor an audit or approval channel); leave it empty, or ask its admin."
	case at == 0 && full && e.FullAccessMaxDays > 0 && e.Available:
		return fmt.Sprintf("Full access needs an end, at most %d days ahead.", e.FullAccessMaxDays)
	case at == 0:
		return ""
	case !end.After(now):
		return "Choose a time in the future."
	case full && e.FullAccessMaxDays > 0 && end.Sub(now) > limit:
		return fmt.Sprintf("Full access may last at most %d days: choose an end before %s.", e.FullAccessMaxDays, now.Add(limit).UTC().Format("2006-01-02 15:04 UTC"))
	case end.Sub(now) > MaxEndAhead:
		return "Choose an end within a year."
	}
	return ""
}

// FullAccessLimit is the latest end Full access may have from now; 0: no
// limit.
func (e EndRule) FullAccessLimit(now time.Time) int64 {
	if e.FullAccessMaxDays <= 0 {
		return 0
	}
	return now.Add(time.Duration(e.FullAccessMaxDays) * 24 * time.Hour).Unix()
}

// End is a client's access end, as the schedule keeps it.
type End struct {
	ClientID  string `json:"id"`
	Email     string `json:"e"`
	Business  string `json:"b,omitempty"`
	Requester string `json:"u,omitempty"`
	// At is the end, in Unix seconds.
	At int64 `json:"at"`
	// Access is the client's access when the end was set (AccessKey): at
	// the end, a client whose access changed meanwhile is left alone.
	Access string `json:"a"`
	// Full: the access gives Full access somewhere.
	Full bool `json:"f,omitempty"`
	// Thread is where the request was asked, to reply at the end.
	Thread *Source `json:"th,omitempty"`
	// Noticed marks the requester told the end is near.
	Noticed bool `json:"n,omitempty"`
	// Failures counts attempts at the end that failed; NextTry is when
	// the next may be made (Unix seconds).
	Failures int   `json:"x,omitempty"`
	NextTry  int64 `json:"nt,omitempty"`
	// Tried marks an end whose action was about to be sent: a try that a
	// crash cut short may have been applied.
	Tried bool `json:"t,omitempty"`
}

// AccessKey is a client's access, in a form that compares: each
// workspace's permissions, sorted. Hidden labels are left out: an end acts
// on the permissions, and labels PlusVibe may write back in its own way.
func AccessKey(perms []plusvibe.ClientPermission) string {
	parts := make([]string, 0, len(perms))
	for _, p := range perms {
		ps := slices.Clone(p.Permissions)
		slices.Sort(ps)
		parts = append(parts, p.WorkspaceID+"="+strings.Join(ps, "+"))
	}
	slices.Sort(parts)
	return strings.Join(parts, ";")
}

// FormAccessKey is AccessKey of the access f grants.
func FormAccessKey(f Form, apiWorkspaceID string) string {
	var perms []plusvibe.ClientPermission
	for _, w := range f.Request(apiWorkspaceID).Workspaces {
		perms = append(perms, plusvibe.ClientPermission{WorkspaceID: w.ID, Permissions: w.Permissions, HideLabels: w.HideLabels})
	}
	return AccessKey(perms)
}

// EndStep is what is due for an end at now.
type EndStep int

const (
	// EndWait: nothing yet.
	EndWait EndStep = iota
	// EndNotice: tell the requester the end is near.
	EndNotice
	// EndApply: the end is here.
	EndApply
)

// Due says what is due for e at now, notice before its end.
func (e End) Due(now time.Time, notice time.Duration) EndStep {
	at := time.Unix(e.At, 0)
	switch {
	case !now.Before(at) && now.Unix() >= e.NextTry:
		return EndApply
	case !now.Before(at):
		return EndWait // a failed attempt waits for its next try
	case !e.Noticed && notice > 0 && !now.Before(at.Add(-notice)):
		return EndNotice
	}
	return EndWait
}

// Backoff is how long after failure n (1, 2…) the end is tried again:
// doubling from first, at most six hours.
func Backoff(n int, first time.Duration) time.Duration {
	d := first
	for i := 1; i < n && d < 6*time.Hour; i++ {
		d *= 2
	}
	return min(d, 6*time.Hour)
}

// EndVerdict is what the end does to the client as it is now.
type EndVerdict int

const (
	// EndGone: the client no longer exists: nothing to do.
	EndGone EndVerdict = iota
	// EndChanged: its access changed since the end was set: left alone.
	EndChanged
	// EndDelete: remove it.
	EndDelete
	// EndReduce: reduce its Full access to Unibox only.
	EndReduce
	// EndNothingToReduce: unibox, and it has no Full access.
	EndNothingToReduce
)

// AtEnd decides what e's end does to current (found: it still exists),
// under action.
func AtEnd(e End, current plusvibe.ClientLogin, found bool, action EndAction) EndVerdict {
	switch {
	case !found:
		return EndGone
	case AccessKey(current.Permissions) != e.Access:
		return EndChanged
	case action == EndRemove:
		return EndDelete
	case !HasFullAccess(current.Permissions):
		return EndNothingToReduce
	}
	return EndReduce
}

// TookEffect is v corrected for an earlier attempt at e, reported failed
// (a timeout, a 5xx) or cut short by a crash, but applied by PlusVibe all
// the same: the client gone under remove, or its access now e's reduced
// under unibox.
func TookEffect(e End, v EndVerdict, current plusvibe.ClientLogin, action EndAction) EndVerdict {
	switch {
	case e.Failures == 0 && !e.Tried:
		return v
	case v == EndGone && action == EndRemove:
		return EndDelete
	case v == EndChanged && action == EndUnibox && AccessKey(current.Permissions) == reducedKey(e.Access):
		return EndReduce
	}
	return v
}

// reducedKey is an AccessKey with Full access made Unibox only.
func reducedKey(key string) string {
	parts := strings.Split(key, ";")
	for i, part := range parts {
		ws, perms, _ := strings.Cut(part, "=")
		ps := strings.Split(perms, "+")
		for j, p := range ps {
			if p == plusvibe.PermissionFullAccess {
				ps[j] = plusvibe.PermissionUniboxAccess
			}
		}
		slices.Sort(ps)
		parts[i] = ws + "=" + strings.Join(slices.Compact(ps), "+")
	}
	slices.Sort(parts)
	return strings.Join(parts, ";")
}

// HasFullAccess reports whether perms give Full access somewhere.
func HasFullAccess(perms []plusvibe.ClientPermission) bool {
	return slices.ContainsFunc(perms, func(p plusvibe.ClientPermission) bool {
		return slices.Contains(p.Permissions, plusvibe.PermissionFullAccess)
	})
}

// Reduced is current's access with Full access made Unibox only.
func Reduced(current plusvibe.ClientLogin) []plusvibe.ClientWorkspacePermission {
	out := current.Access()
	for i := range out {
		perms := slices.Clone(out[i].Permissions)
		for j, p := range perms {
			if p == plusvibe.PermissionFullAccess {
				perms[j] = plusvibe.PermissionUniboxAccess
			}
		}
		slices.Sort(perms)
		out[i].Permissions = slices.Compact(perms)
	}
	return out
}

// EndEvent is the type of the metadata event an end is kept as, in the
// schedule channel's messages, when there is no Redis.
const EndEvent = "plusvibe_access_end"

// EndRecord is an end as its schedule message keeps it; Closed once it
// happened, was extended away or was dropped.
type EndRecord struct {
	End
	Closed bool `json:"closed,omitempty"`
}

// EndPayload is r as a metadata event's payload.
func (r EndRecord) EndPayload() map[string]any { return payload(r) }

// EndFromPayload reads an end kept as an event of eventType; ok is false
// when it is not one, or not whole.
func EndFromPayload(eventType string, p map[string]any) (EndRecord, bool) {
	var r EndRecord
	if eventType != EndEvent || !fromPayload(p, &r) || r.ClientID == "" || r.At == 0 {
		return EndRecord{}, false
	}
	return r, true
}

// Moved is e with its end at at, moved by someone: noticed already if the
// requester moved it within notice (they just chose it), tried afresh.
// Moved into the notice by anyone else, the requester is still told.
func (e End) Moved(at int64, by string, notice time.Duration, now time.Time) End {
	e.At, e.Failures, e.NextTry = at, 0, 0
	e.Noticed = by == e.Requester && notice > 0 && time.Unix(at, 0).Sub(now) <= notice
	return e
}
