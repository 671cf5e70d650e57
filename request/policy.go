package request

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe"
)

// Policy is what waits for an approver.
type Policy struct {
	// Approvals is on when there is an approval channel.
	Approvals bool
	// FullAccessOnly lets everything but Full access through at once
	// (APPROVAL_FOR=FULL_ACCESS).
	FullAccessOnly bool
	// Reason is when a request must say why (REQUIRE_REASON).
	Reason ReasonRule
}

// ReasonRule says when a request must say why it is made.
type ReasonRule string

const (
	// ReasonForApproval: when the request waits for an approver (the default).
	ReasonForApproval ReasonRule = "approval"
	ReasonAlways      ReasonRule = "all"
	ReasonNever       ReasonRule = "none"
)

// ReasonRequired says whether f must say why it is asked for.
func (p Policy) ReasonRequired(f Form) bool {
	switch p.Reason {
	case ReasonAlways:
		return true
	case ReasonNever:
		return false
	}
	return p.NeedsApproval(f)
}

// ReasonProblem says what is wrong with f's reason under p, or "".
func (p Policy) ReasonProblem(f Form) string {
	why := strings.TrimSpace(f.Reason)
	switch n := utf8.RuneCountInString(why); {
	case n == 0 && p.ReasonRequired(f):
		return "Say why this client is needed: a ticket number or a link."
	case n > MaxReasonLen:
		return fmt.Sprintf("Too long: %d characters, the limit is %d.", n, MaxReasonLen)
	}
	return InvisibleProblem(why, false)
}

// NeedsApproval says whether a new client waits: every one, or only one
// given Full access in any workspace.
func (p Policy) NeedsApproval(f Form) bool {
	return p.Approvals && (!p.FullAccessOnly || f.FullAccess())
}

// ChangeNeedsApproval says whether a change to a client's access waits:
// one giving Full access where the client lacks it; under APPROVAL_FOR=all
// also a new workspace and a label no longer hidden. Taking access away
// never waits.
func (p Policy) ChangeNeedsApproval(current plusvibe.ClientLogin, after []plusvibe.ClientWorkspacePermission) bool {
	switch {
	case !p.Approvals:
		return false
	case GainsFullAccess(current, after):
		return true
	case p.FullAccessOnly:
		return false
	}
	return len(Merged(current, AccessForm(current, after))) > len(current.Permissions) || UnhidesLabels(current, after)
}

// Clock is a request's time limits, on Slack's clocks: the request
// message's time and the approval DM's.
type Clock struct {
	// TTL is how long a request may wait for a decision, and an approval
	// for its requester (APPROVAL_TTL).
	TTL time.Duration
	// Window is how long after saying "creating" a creation may still run.
	Window time.Duration
	// RemindAfter is when approvers are first reminded of a request nobody
	// decided (0: never); then after twice that, and so on.
	RemindAfter time.Duration
}

// maxReminders bounds the doubling, far past any TTL.
const maxReminders = 30

// ReminderDue says whether the approvers of r, posted at posted, are due a
// reminder at now, and the count of reminders that makes. The n-th is due
// at posted + RemindAfter×(2ⁿ−1): after R, 3R, 7R… Reminders missed (the
// bot was down) are not made up: one reminder, counted as all of them.
func (c Clock) ReminderDue(r Record, posted, now time.Time) (count int, due bool) {
	if r.State != Pending || c.RemindAfter <= 0 {
		return r.Reminded, false
	}
	elapsed, at := now.Sub(posted), c.RemindAfter
	for count < maxReminders && at <= elapsed {
		count++
		at = 2*at + c.RemindAfter
	}
	return count, count > r.Reminded
}

// Escalated reports whether a request posted at posted has waited half of
// its time to be decided: its reminders then go to the escalation too.
func (c Clock) Escalated(posted, now time.Time) bool {
	return now.Sub(posted) >= c.TTL/2
}

// EscalationDue says whether r, posted at posted, is due the reminder that
// escalates it: once, at half of its time, between the doubling ones.
func (c Clock) EscalationDue(r Record, posted, now time.Time) bool {
	return r.State == Pending && !r.Escalated && c.RemindAfter > 0 && c.Escalated(posted, now)
}

// GrantReminderDue says whether the requester of an approval granted at
// granted, not used yet, is due their one reminder: half its time is left.
func (c Clock) GrantReminderDue(r Record, granted, now time.Time) bool {
	return r.State == Approved && !r.GrantReminded && c.RemindAfter > 0 && now.Sub(granted) >= c.TTL/2
}

// WaitEnds is when r's current wait ends: the decision's while it is
// pending (from posted), the requester's once approved (from granted).
func (c Clock) WaitEnds(r Record, posted, granted time.Time) time.Time {
	if r.State == Pending {
		return posted.Add(c.TTL)
	}
	return granted.Add(c.TTL)
}

// Interrupted reports whether r says "creating" for longer than any
// creation runs: the process creating it is gone.
func (c Clock) Interrupted(r Record, now time.Time) bool {
	return r.State == Creating && now.Sub(time.Unix(r.Since, 0)) > c.Window
}

// Sweep is what the sweep does with a request it reads back.
type Sweep int

const (
	Leave Sweep = iota
	Expire
	MarkInterrupted
)

// Swept decides what the sweep does with r at now; lapsed is whether its
// current wait has ended.
func (c Clock) Swept(r Record, lapsed bool, now time.Time) Sweep {
	switch {
	case (r.State == Pending || r.State == Approved || (r.State == Failed && !r.Final)) && lapsed:
		return Expire
	case c.Interrupted(r, now):
		return MarkInterrupted
	}
	return Leave
}

// Verdict is what a click on a request may do, read from its record.
type Verdict int

const (
	// Go: the click may act.
	Go Verdict = iota
	// NotTheRequester: only the requester creates their client.
	NotTheRequester
	// OwnRequest: nobody decides their own request.
	OwnRequest
	// AlreadyDecided: the request was decided, or ended.
	AlreadyDecided
	// AlreadyCreated: the client exists.
	AlreadyCreated
	// BeingCreated: another click is creating it right now.
	BeingCreated
	// WasInterrupted: a creation began and never reported back.
	WasInterrupted
	// NotApprovedYet: nothing to create until it is approved.
	NotApprovedYet
	// FailedForGood: the creation failed in a way not to try again.
	FailedForGood
	// Lapsed: the wait is over; it expires now.
	Lapsed
)

// Withdraw says whether clicker may withdraw r: its requester may, while it
// waits for a decision or for them to create it; not while it is being
// created, nor once it has ended.
func Withdraw(r Record, clicker string) Verdict {
	switch {
	case r.Request.Requester != clicker:
		return NotTheRequester
	case r.State == Creating:
		return BeingCreated
	case r.State == Created:
		return AlreadyCreated
	case r.State == Pending, r.State == Approved, r.State == Failed && !r.Final:
		return Go
	}
	return AlreadyDecided
}

// Decision says whether clicker may approve or deny r (being an approver
// is checked apart, from Slack).
func Decision(r Record, clicker string, lapsed bool) Verdict {
	switch {
	case r.State != Pending:
		return AlreadyDecided
	case lapsed:
		return Lapsed
	case clicker == r.Request.Requester:
		return OwnRequest
	}
	return Go
}

// Collect says whether clicker may create r's client now (being still on
// the allow-list is checked apart, from Slack).
func (c Clock) Collect(r Record, clicker string, lapsed bool, now time.Time) Verdict {
	switch {
	case r.Request.Requester != clicker:
		return NotTheRequester
	case r.State == Created:
		return AlreadyCreated
	case r.State == Creating && !c.Interrupted(r, now):
		return BeingCreated
	case r.State == Creating:
		return WasInterrupted
	case r.State == Pending:
		return NotApprovedYet
	case r.State == Failed && r.Final:
		return FailedForGood
	case r.State != Approved && r.State != Failed:
		return AlreadyDecided
	case lapsed:
		return Lapsed
	}
	return Go
}
