package request

import (
	"errors"
)

// Approval is what was asked for: who asked, where they watch, and the form.
type Approval struct {
	Requester string `json:"u"`
	// ViewID is the requester's modal, where they watch the request.
	ViewID string `json:"v,omitempty"`
	// Channel is where the requester typed the command.
	Channel string `json:"c,omitempty"`
	Form    Form   `json:"f"`
	// Source is the message the request came from, if any.
	Source *Source `json:"s,omitempty"`
}

// State is where an approval request stands.
type State string

const (
	Pending  State = "pending"
	Approved State = "approved" // granted: waiting for the requester to create it
	Creating State = "creating" // the requester clicked; PlusVibe is being asked
	Created  State = "created"
	Failed   State = "failed" // the requester's creation failed
	Denied   State = "denied"
	Expired  State = "expired" // undecided, or approved and not created, in time
	// Withdrawn by its requester, before a decision or before creating it.
	Withdrawn State = "withdrawn"
)

// Record is an approval request as its channel message keeps it, in the
// message's metadata: the copy that outlives every process, so any process
// can confirm where a request stands before acting on a click. It holds
// nothing secret: other apps in the channel can read it.
type Record struct {
	State   State    `json:"state"`
	Request Approval `json:"request"`
	// By is the approver who approved or denied it.
	By string `json:"by,omitempty"`
	// DM and DMTS are the requester's message with the Create client button.
	DM   string `json:"dm,omitempty"`
	DMTS string `json:"dm_ts,omitempty"`
	// Since is when the current creation began, in Unix seconds.
	Since    int64  `json:"since,omitempty"`
	ClientID string `json:"client_id,omitempty"`
	// Reason is why it was denied, or why the creation failed.
	Reason string `json:"reason,omitempty"`
	// Final marks a failure not to be tried again: the client exists.
	Final bool `json:"final,omitempty"`
	// Undelivered: created, but its password reached nobody.
	Undelivered bool `json:"undelivered,omitempty"`
	// Reminded is how many reminders the approvers had about it;
	// GrantReminded marks the requester's reminder of an approval not used.
	Reminded      int  `json:"reminded,omitempty"`
	Escalated     bool `json:"escalated,omitempty"`
	GrantReminded bool `json:"grant_reminded,omitempty"`
	// Change, when set, makes this a change to an existing client's access
	// (Request.Form holds the access after it); approving it applies it.
	Change *ClientChange `json:"change,omitempty"`
	// Extend, when set, makes this a request to move a client's access end
	// later (Full access: it waits like any widening); approving applies it.
	Extend *Extension `json:"extend,omitempty"`
	// Step, when set, is the Workflow Builder run that asked: it completes
	// when the request ends.
	Step *Step `json:"step,omitempty"`
	// Direct: granted without an approval, this record lives in the
	// requester's DM (the message with the Create client button) instead of
	// the approval channel.
	Direct bool `json:"direct,omitempty"`
}

// ClientChange names the client an access change is for, as it was when
// asked: the change applies only if it is still so.
type ClientChange struct {
	ClientID string `json:"id"`
	Modified string `json:"m"`
}

// Extension moves a client's access end from From to To (Unix seconds):
// it applies only if the end is still From.
type Extension struct {
	ClientID string `json:"id"`
	From     int64  `json:"from"`
	To       int64  `json:"to"`
}

// AppliedByApproval reports whether approving r acts at once (a change, an
// extension) rather than granting a creation to its requester.
func (r Record) AppliedByApproval() bool { return r.Change != nil || r.Extend != nil }

// ErrNoRecord means a message carries no approval request.
var ErrNoRecord = errors.New("request: not an approval request")

// RecordEvent is the type of the event a request's record is kept as, in
// the metadata of its message in the approval channel.
const RecordEvent = "plusvibe_client_requested"

// Payload is the record as the event's payload.
func (r Record) Payload() map[string]any { return payload(r) }

// FromPayload reads a record kept as an event of eventType; ErrNoRecord when
// it is not one, or not whole.
func FromPayload(eventType string, p map[string]any) (Record, error) {
	var r Record
	if eventType != RecordEvent || !fromPayload(p, &r) || r.State == "" || r.Request.Requester == "" || r.Request.Form.Email == "" {
		return Record{}, ErrNoRecord
	}
	return r, nil
}
