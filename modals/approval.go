package modals

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe"
)

// Identifiers of the approval message and the deny modal.
const (
	ActionApprove   = "plusvibe_approve"
	ActionDeny      = "plusvibe_deny"
	CallbackDeny    = "plusvibe_deny_reason"
	BlockDenyReason = "deny_reason"

	// MaxReasonLen bounds a denial's reason, so it fits the deny modal's metadata.
	MaxReasonLen = 500
	// maxButtonValue is Slack's limit on a button's value.
	maxButtonValue = 2000
)

// Approval is a request waiting in the approval channel. It travels in the
// buttons' value, so whichever process receives the click can act on it,
// after a restart too. It holds nothing secret: the message shows all of it.
type Approval struct {
	Requester string `json:"u"`
	// ViewID is the requester's modal, where they watch the request.
	ViewID string `json:"v,omitempty"`
	// Channel is where the requester typed the command.
	Channel string `json:"c,omitempty"`
	Form    Form   `json:"f"`
}

// ErrTooLarge means an approval does not fit in a button's value.
var ErrTooLarge = errors.New("modals: request too large for an approval button")

// Encode returns the buttons' value, or ErrTooLarge.
func (a Approval) Encode() (string, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // \u003c would spend six characters of the 2,000 on one
	if err := enc.Encode(a); err != nil {
		return "", err
	}
	s := strings.TrimSuffix(buf.String(), "\n")
	if utf8.RuneCountInString(s) > maxButtonValue {
		return "", ErrTooLarge
	}
	return s, nil
}

// DecodeApproval reads a button's value.
func DecodeApproval(s string) (Approval, error) {
	var a Approval
	if err := json.Unmarshal([]byte(s), &a); err != nil || a.Requester == "" || a.Form.Email == "" {
		return Approval{}, errors.New("modals: not an approval request")
	}
	return a, nil
}

// State is where an approval request stands.
type State int

const (
	Pending  State = iota
	Creating       // approved, PlusVibe being asked
	Created
	Failed // approved, but PlusVibe refused or did not answer
	Denied
	Expired
)

// Decision is what the approval message shows besides the request itself.
type Decision struct {
	State State
	By    string // the approver who decided
	// Reason is why creation failed, or why it was denied (as typed).
	Reason   string
	ClientID string
	// Undelivered: the client exists but its password reached nobody.
	Undelivered bool
}

// ApprovalMessage builds the approval channel's message: the request, where it
// stands, and, while a decision is possible, Approve and Deny buttons carrying
// value. It returns the notification text and the blocks.
func ApprovalMessage(a Approval, value string, offered []plusvibe.Workspace, d Decision, expires time.Time) (string, []slack.Block) {
	f := a.Form
	who := fmt.Sprintf("<@%s>", a.Requester)
	client := fmt.Sprintf("%s %s (%s)", Escape(f.FirstName), Escape(f.LastName), Escape(f.Email))
	fallback := fmt.Sprintf("%s asks for a PlusVibe client for %s", who, client)

	labels := "none"
	if l := f.Labels(); len(l) > 0 {
		labels = Escape(strings.Join(l, ", "))
	}
	details := strings.Join([]string{
		fmt.Sprintf("*Client:* %s %s", Escape(f.FirstName), Escape(f.LastName)),
		fmt.Sprintf("*Email:* %s", Escape(f.Email)),
		fmt.Sprintf("*Business:* %s", Escape(f.BusinessName)),
		fmt.Sprintf("*Access:* %s", PermissionLabel(f.Permission)),
		fmt.Sprintf("*Hidden labels:* %s", labels),
	}, "\n")
	var ws []string
	for _, id := range f.WorkspaceIDs {
		ws = append(ws, "• "+Escape(workspaceName(id, offered)))
	}

	blocks := []slack.Block{
		section(fmt.Sprintf(":inbox_tray: %s asks for a PlusVibe client.", who)),
		section(details),
		section("*Workspaces:*\n" + strings.Join(ws, "\n")),
	}
	var status string
	buttons := false
	switch d.State {
	case Pending:
		status = fmt.Sprintf("Waiting for an approver other than %s. Expires <!date^%d^{date_short_pretty} at {time}|%s>.",
			who, expires.Unix(), expires.UTC().Format("2006-01-02 15:04 MST"))
		buttons = true
	case Creating:
		status = fmt.Sprintf(":hourglass_flowing_sand: Approved by <@%s>, creating…", d.By)
	case Created:
		status = fmt.Sprintf(":white_check_mark: Approved by <@%s>. Client created (PlusVibe id `%s`); the password went to %s.",
			d.By, Escape(d.ClientID), who)
		if d.Undelivered {
			status = fmt.Sprintf(":warning: Approved by <@%s>. Client created (PlusVibe id `%s`), but its password could not be delivered to %s: reset it in PlusVibe.",
				d.By, Escape(d.ClientID), who)
		}
	case Failed:
		status = fmt.Sprintf(":x: Approved by <@%s>, but creating the client failed: %s\nAn approver can try again or deny.", d.By, Escape(d.Reason))
		buttons = true
	case Denied:
		status = fmt.Sprintf(":no_entry: Denied by <@%s>.", d.By)
		if d.Reason != "" {
			status = fmt.Sprintf(":no_entry: Denied by <@%s>: %s", d.By, Escape(d.Reason))
		}
	case Expired:
		status = ":hourglass: Expired: nobody decided in time. Ask again with the command if it is still needed."
	}
	blocks = append(blocks, slack.NewContextBlock("status", mrkdwn(truncate(status, 3000))))
	if buttons {
		approveLabel := "Approve"
		if d.State == Failed {
			approveLabel = "Try again"
		}
		approve := slack.NewButtonBlockElement(ActionApprove, value, plainText(approveLabel)).WithStyle(slack.StylePrimary)
		deny := slack.NewButtonBlockElement(ActionDeny, value, plainText("Deny")).WithStyle(slack.StyleDanger)
		blocks = append(blocks, slack.NewActionBlock("decision", approve, deny))
	}
	return fallback, blocks
}

func workspaceName(id string, offered []plusvibe.Workspace) string {
	for _, w := range offered {
		if w.ID == id && strings.TrimSpace(w.Name) != "" {
			return w.Name
		}
	}
	return id
}

// WorkspaceNames names each chosen workspace, falling back to its id.
func WorkspaceNames(ids []string, offered []plusvibe.Workspace) []string {
	names := make([]string, len(ids))
	for i, id := range ids {
		names[i] = workspaceName(id, offered)
	}
	return names
}

// ApprovalNote tells a person on the form which path their request takes.
func ApprovalNote(channel string, fullAccessOnly bool) string {
	if channel == "" {
		return ""
	}
	if fullAccessOnly {
		return fmt.Sprintf(":lock: *Full access* requests wait for an approver in <#%s>; *Unibox only* clients are created at once.", channel)
	}
	return fmt.Sprintf(":lock: Requests wait for an approver in <#%s> before the client is created.", channel)
}

// Waiting is the requester's modal once the request waits for an approver.
func Waiting(email, channel, permalink string) slack.ModalViewRequest {
	where := fmt.Sprintf("<#%s>", channel)
	if permalink != "" {
		where = fmt.Sprintf("<#%s> (<%s|open the request>)", channel, permalink)
	}
	return resultView(Metadata{}, "Waiting for approval",
		section(fmt.Sprintf(":hourglass_flowing_sand: The request for *%s* is waiting for an approver in %s.", Escape(email), where)),
		section("Someone other than you decides. If it is approved, the one-time password comes to you alone, in your DMs with this app."))
}

// ApprovalFailed is the requester's modal after an approved creation failed.
func ApprovalFailed(email, approver, reason string) slack.ModalViewRequest {
	return resultView(Metadata{}, "Waiting for approval",
		section(fmt.Sprintf(":x: <@%s> approved *%s*, but creating the client failed: %s", approver, Escape(email), Escape(reason))),
		section("An approver can try again from the request message."))
}

// DeniedView is the requester's modal after a denial.
func DeniedView(email, approver, reason string) slack.ModalViewRequest {
	return resultView(Metadata{}, "Request denied", section(DeniedText(email, approver, reason)))
}

// DeniedText tells the requester their request was denied, and why.
func DeniedText(email, approver, reason string) string {
	s := fmt.Sprintf(":no_entry: <@%s> denied your request for PlusVibe client *%s*.", approver, Escape(email))
	if reason != "" {
		s += "\n>" + strings.ReplaceAll(Escape(reason), "\n", "\n>")
	}
	return s
}

// DenyMeta travels in the deny modal's private_metadata.
type DenyMeta struct {
	Channel string `json:"c"`
	TS      string `json:"t"`
	Value   string `json:"v"`
}

// DenyForm asks the approver for an optional reason.
func DenyForm(a Approval, meta DenyMeta) slack.ModalViewRequest {
	md, _ := json.Marshal(meta)
	reason := textInput("e.g. This client already has a login", "", MaxReasonLen)
	reason.Multiline = true
	in := slack.NewInputBlock(BlockDenyReason, plainText("Reason (optional)"),
		plainText("The requester sees it, and so does the channel."), reason)
	in.Optional = true
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      CallbackDeny,
		Title:           plainText("Deny request"),
		Submit:          plainText("Deny"),
		Close:           plainText("Cancel"),
		PrivateMetadata: string(md),
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			section(fmt.Sprintf("Deny <@%s>'s request for *%s* (%s)?", a.Requester, Escape(a.Form.Email), Escape(a.Form.BusinessName))),
			in,
		}},
	}
}

// DecodeDenyMeta reads the deny modal's private_metadata.
func DecodeDenyMeta(s string) (DenyMeta, error) {
	var m DenyMeta
	if err := json.Unmarshal([]byte(s), &m); err != nil || m.Channel == "" || m.TS == "" {
		return DenyMeta{}, errors.New("modals: not a deny form")
	}
	return m, nil
}

// DenyReason reads the typed reason from a submitted deny modal.
func DenyReason(state *slack.ViewState) string {
	if state == nil {
		return ""
	}
	return strings.TrimSpace(state.Values[BlockDenyReason][actionInput].Value)
}
