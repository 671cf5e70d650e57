package modals

import (
	"fmt"
	"strings"
	"time"
)

// Audit outcomes: one line in the audit channel for each.
const (
	AuditCreated  = "created"
	AuditFailed   = "failed"
	AuditDenied   = "denied"
	AuditRefused  = "refused"
	AuditApproved = "approved" // granted; the requester creates it later
	AuditExpired  = "expired"
	// An existing client's access changed, or the client removed.
	AuditAccessChanged = "access changed"
	AuditRemoved       = "removed"
	// The requester took the request back.
	AuditWithdrawn = "withdrawn"
	// At a client's access end: applied, or why not.
	AuditEnded    = "access ended"
	AuditEndFail  = "access end failed"
	AuditExtended = "access end moved"
	AuditReviewed = "reviewed"
)

// AuditEntry is one outcome, for the audit channel. It has no field for a
// password, so none can be written there.
type AuditEntry struct {
	Outcome    string
	Requester  string // Slack user id
	Approver   string // Slack user id; empty when no approval was involved
	Actor      string // who was refused, for AuditRefused
	Email      string
	Business   string
	Workspaces []string // names; with each one's access when Permission is ""
	Permission string
	ClientID   string
	// Detail is the failure, the denial reason or why an action was refused.
	Detail string
	// Before is the client's access before a change (AccessText).
	Before string
	// Reason is why the client was asked for.
	Reason string
	// Workflow marks a request a Workflow Builder run made.
	Workflow bool
	// Ends is when the access ends (Unix seconds), if it does.
	Ends int64
	// AskedFor marks a line that records who asked for the client (they
	// created it, or asked for its Full access): reviews read it back.
	AskedFor bool
}

// AuditLine renders an entry as one mrkdwn line, with everything typed by
// people escaped.
func AuditLine(e AuditEntry) string {
	icon := map[string]string{AuditCreated: ":white_check_mark:", AuditFailed: ":x:",
		AuditDenied: ":no_entry:", AuditRefused: ":raised_hand:", AuditApproved: ":ballot_box_with_check:",
		AuditExpired: ":hourglass:", AuditAccessChanged: ":arrows_counterclockwise:", AuditRemoved: ":wastebasket:", AuditWithdrawn: ":leftwards_arrow_with_hook:",
		AuditEnded: ":alarm_clock:", AuditEndFail: ":x:", AuditExtended: ":calendar:", AuditReviewed: ":mag:"}[e.Outcome]
	parts := []string{fmt.Sprintf("%s *%s*", icon, e.Outcome)}
	client := fmt.Sprintf("%s (%s)", Escape(e.Email), Escape(e.Business))
	parts = append(parts, "client "+client)
	parts = append(parts, fmt.Sprintf("asked by <@%s>", e.Requester))
	if e.Workflow {
		parts[len(parts)-1] += " from a workflow"
	}
	switch {
	case e.Outcome == AuditDenied && e.Approver != "":
		parts = append(parts, fmt.Sprintf("denied by <@%s>", e.Approver))
	case e.Approver != "":
		parts = append(parts, fmt.Sprintf("approved by <@%s>", e.Approver))
	}
	if e.Actor != "" {
		parts = append(parts, fmt.Sprintf("action by <@%s>", e.Actor))
	}
	if len(e.Workspaces) > 0 {
		ws := make([]string, len(e.Workspaces))
		for i, w := range e.Workspaces {
			ws[i] = Escape(w)
		}
		if e.Permission == "" {
			parts = append(parts, "access per workspace: "+strings.Join(ws, ", "))
		} else {
			parts = append(parts, fmt.Sprintf("%s in %s", PermissionLabel(e.Permission), strings.Join(ws, ", ")))
		}
	}
	if e.Before != "" {
		parts = append(parts, "was: "+e.Before)
	}
	if e.ClientID != "" {
		parts = append(parts, fmt.Sprintf("client_id `%s`", Escape(e.ClientID)))
	}
	if e.Ends != 0 {
		parts = append(parts, "access ends "+slackDate(time.Unix(e.Ends, 0)))
	}
	if why := strings.TrimSpace(e.Reason); why != "" {
		parts = append(parts, "why: "+Escape(strings.ReplaceAll(why, "\n", " ")))
	}
	if e.Detail != "" {
		parts = append(parts, "— "+Escape(strings.ReplaceAll(e.Detail, "\n", " ")))
	}
	return truncate(strings.Join(parts, " · "), 3000)
}
