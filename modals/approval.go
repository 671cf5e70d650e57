package modals

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/request"
)

// Identifiers of the approval message, the requester's grant and the deny modal.
const (
	ActionApprove   = "plusvibe_approve"
	ActionDeny      = "plusvibe_deny"
	ActionCollect   = "plusvibe_collect"
	ActionWithdraw  = "plusvibe_withdraw"
	CallbackDeny    = "plusvibe_deny_reason"
	BlockDenyReason = "deny_reason"

	// MaxReasonLen bounds a denial's reason.
	MaxReasonLen = 500
	// maxFieldText is Slack's limit on a section field's text.
	maxFieldText = 2000
	// decisionValue marks the Approve and Deny buttons; the request itself is
	// read from the message's record, as Slack holds it when the click comes.
	decisionValue = "request"
)

// RecordMetadata is r as Slack message metadata.
func RecordMetadata(r request.Record) slack.SlackMetadata {
	return slack.SlackMetadata{EventType: request.RecordEvent, EventPayload: r.Payload()}
}

// RecordFrom reads the record of an approval message.
func RecordFrom(m slack.SlackMetadata) (request.Record, error) {
	return request.FromPayload(m.EventType, m.EventPayload)
}

// LegacyRecord reads a request posted before records were kept in message
// metadata, when its Approve button carried the request: still pending.
func LegacyRecord(blocks slack.Blocks) (request.Record, error) {
	for _, b := range blocks.BlockSet {
		actions, isActions := b.(*slack.ActionBlock)
		if !isActions || actions.Elements == nil {
			continue
		}
		for _, e := range actions.Elements.ElementSet {
			var a request.Approval
			if btn, isButton := e.(*slack.ButtonBlockElement); isButton && btn.ActionID == ActionApprove &&
				json.Unmarshal([]byte(btn.Value), &a) == nil && a.Requester != "" && a.Form.Email != "" {
				return request.Record{State: request.Pending, Request: a}, nil
			}
		}
	}
	return request.Record{}, request.ErrNoRecord
}

// Decided tells a late clicker how a request was decided, or "" while it waits.
func Decided(r request.Record) string {
	switch r.State {
	case request.Pending:
		return ""
	case request.Denied:
		return fmt.Sprintf("<@%s> already denied this request.", r.By)
	case request.Withdrawn:
		return fmt.Sprintf("<@%s> withdrew this request.", r.Request.Requester)
	case request.Expired:
		if r.By == "" {
			return "This request expired before anyone decided."
		}
		return fmt.Sprintf("<@%s> approved this request, but the approval expired before the client was created.", r.By)
	}
	return fmt.Sprintf("<@%s> already approved this request.", r.By)
}

// ApprovalMessage builds the approval channel's message for r: the request,
// where it stands, and Approve and Deny buttons while it waits. until is when
// the current wait ends (the request's or the approval's expiry). It returns
// the notification text and the blocks.
func ApprovalMessage(r request.Record, offered []plusvibe.Workspace, until time.Time) (string, []slack.Block) {
	a := r.Request
	who := fmt.Sprintf("<@%s>", a.Requester)
	fallback := fmt.Sprintf("%s asks for a PlusVibe client for %s %s (%s)", who,
		Escape(a.Form.FirstName), Escape(a.Form.LastName), Escape(a.Form.Email))
	ask := fmt.Sprintf(":inbox_tray: %s asks for a PlusVibe client.", who)
	if r.Step != nil {
		ask = fmt.Sprintf(":inbox_tray: A workflow asks for a PlusVibe client for %s, who will create it.", who)
	}
	if r.Extend != nil {
		fallback = fmt.Sprintf("%s asks to extend the access of PlusVibe client %s", who, Escape(a.Form.Email))
		ask = fmt.Sprintf(":calendar: %s asks to extend the access of PlusVibe client *%s*: it ends %s, asked until %s.", who,
			Escape(a.Form.Email), slackDate(time.Unix(r.Extend.From, 0)), slackDate(time.Unix(r.Extend.To, 0)))
	}
	if r.Change != nil {
		fallback = fmt.Sprintf("%s asks to change the access of PlusVibe client %s", who, Escape(a.Form.Email))
		ask = fmt.Sprintf(":inbox_tray: %s asks to change the access of an existing PlusVibe client to this:", who)
	}
	blocks := []slack.Block{section(ask)}
	if why := strings.TrimSpace(a.Form.Reason); why != "" { // what approvers weigh first
		blocks = append(blocks, section("*Why:* "+Escape(why)))
	}
	blocks = append(blocks, RequestFields(a.Form, offered)...)
	blocks = append(blocks, slack.NewContextBlock("status", mrkdwn(truncate(approvalStatus(r, until), 3000))))
	if r.State == request.Pending {
		approve := slack.NewButtonBlockElement(ActionApprove, decisionValue, plainText("Approve")).WithStyle(slack.StylePrimary)
		deny := slack.NewButtonBlockElement(ActionDeny, decisionValue, plainText("Deny")).WithStyle(slack.StyleDanger)
		blocks = append(blocks, slack.NewActionBlock("decision", approve, deny))
	}
	return fallback, blocks
}

// RequestFields shows what a request grants, then who it is for. The grant
// comes first and each part has a field of its own, so no amount of typed
// text can push the access level out of an approver's sight.
func RequestFields(f request.Form, offered []plusvibe.Workspace) []slack.Block {
	grant := grantFields(f, offered)
	who := []*slack.TextBlockObject{
		field("Client", Escape(f.FirstName)+" "+Escape(f.LastName)),
		field("Email", EmailForApprovers(f.Email)),
		field("Business", Escape(f.BusinessName)),
	}
	if f.EndsAt != 0 {
		who = append(who, field("Access ends", slackDate(time.Unix(f.EndsAt, 0))))
	}
	return []slack.Block{
		slack.NewSectionBlock(nil, grant, nil, slack.SectionBlockOptionBlockID("grant")),
		slack.NewSectionBlock(nil, who, nil, slack.SectionBlockOptionBlockID("client")),
	}
}

// grantFields show what the client would get: one access for every
// workspace, or each workspace's own, split over as many fields as it takes.
func grantFields(f request.Form, offered []plusvibe.Workspace) []*slack.TextBlockObject {
	var ws, hidden []string
	for _, g := range f.Grants(offered) {
		line := "• " + Escape(g.Name)
		if f.PerWorkspace {
			line += ": " + PermissionLabel(g.Permission)
			if len(g.Labels) > 0 {
				hidden = append(hidden, "• "+Escape(g.Name)+": "+Escape(strings.Join(g.Labels, ", ")))
			}
		}
		ws = append(ws, line)
	}
	if !f.PerWorkspace {
		if l := f.Labels(); len(l) > 0 {
			hidden = []string{Escape(strings.Join(l, ", "))}
		}
		return []*slack.TextBlockObject{field("Access", PermissionLabel(f.Permission)),
			field("Workspaces", strings.Join(ws, "\n")), field("Hidden labels", orNone(hidden))}
	}
	if len(hidden) == 0 {
		hidden = []string{"none"}
	}
	return append(chunkFields("Access per workspace", ws), chunkFields("Hidden labels", hidden)...)
}

func orNone(lines []string) string {
	if len(lines) == 0 {
		return "none"
	}
	return strings.Join(lines, "\n")
}

// chunkFields spreads lines over fields of at most maxFieldText characters,
// so that none is cut.
func chunkFields(name string, lines []string) []*slack.TextBlockObject {
	var out []*slack.TextBlockObject
	var cur []string
	size := len(name) + 3
	for _, l := range lines {
		if n := utf8.RuneCountInString(l) + 1; len(cur) > 0 && size+n > maxFieldText {
			out = append(out, field(name, strings.Join(cur, "\n")))
			cur, size, name = nil, len(name)+3, name+" (more)"
		}
		cur = append(cur, l)
		size += utf8.RuneCountInString(l) + 1
	}
	return append(out, field(name, strings.Join(cur, "\n")))
}

func field(name, md string) *slack.TextBlockObject {
	return mrkdwn(truncate("*"+name+"*\n"+md, maxFieldText))
}

func approvalStatus(r request.Record, until time.Time) string {
	who := fmt.Sprintf("<@%s>", r.Request.Requester)
	by := fmt.Sprintf("<@%s>", r.By)
	if r.Extend != nil {
		switch r.State {
		case request.Created:
			return fmt.Sprintf(":white_check_mark: Approved by %s. The access now ends %s.", by, slackDate(time.Unix(r.Extend.To, 0)))
		case request.Failed:
			return fmt.Sprintf(":x: Approved by %s, but the end was not moved: %s", by, reasonText(r.Reason, true))
		}
	}
	if r.Change != nil {
		switch r.State {
		case request.Creating:
			return fmt.Sprintf(":hourglass_flowing_sand: Approved by %s. Changing the access…", by)
		case request.Created:
			return fmt.Sprintf(":white_check_mark: Approved by %s. The access was changed.", by)
		case request.Failed:
			return fmt.Sprintf(":x: Approved by %s, but the access was not changed: %s", by, reasonText(r.Reason, true))
		}
	}
	switch r.State {
	case request.Pending:
		return fmt.Sprintf("Waiting for an approver other than %s. Expires %s.", who, slackDate(until))
	case request.Approved:
		return fmt.Sprintf(":white_check_mark: Approved by %s. Waiting for %s to create the client (until %s).", by, who, slackDate(until))
	case request.Creating:
		return fmt.Sprintf(":hourglass_flowing_sand: Approved by %s. %s is creating the client…", by, who)
	case request.Created:
		if r.Undelivered {
			return fmt.Sprintf(":warning: Approved by %s. Created by %s (PlusVibe id `%s`), but its password could not be delivered: reset it in PlusVibe.",
				by, who, Escape(r.ClientID))
		}
		return fmt.Sprintf(":white_check_mark: Approved by %s. Created by %s (PlusVibe id `%s`); the password went to %s alone.",
			by, who, Escape(r.ClientID), who)
	case request.Failed:
		s := fmt.Sprintf(":x: Approved by %s, but creating the client failed: %s", by, Escape(r.Reason))
		if !r.Final {
			s += fmt.Sprintf("\n%s can try again from their DM with the app until %s.", who, slackDate(until))
		}
		return s
	case request.Denied:
		if r.Reason != "" {
			return fmt.Sprintf(":no_entry: Denied by %s: %s", by, Escape(r.Reason))
		}
		return fmt.Sprintf(":no_entry: Denied by %s.", by)
	case request.Withdrawn:
		return fmt.Sprintf(":leftwards_arrow_with_hook: Withdrawn by %s.", who)
	case request.Expired:
		if r.By != "" {
			return fmt.Sprintf(":hourglass: Approved by %s, but %s did not create the client in time: the approval expired. Ask again with the command if it is still needed.", by, who)
		}
		return ":hourglass: Expired: nobody decided in time. Ask again with the command if it is still needed."
	}
	return string(r.State)
}

// slackDate shows t in each reader's own time zone.
func slackDate(t time.Time) string {
	return fmt.Sprintf("<!date^%d^{date_short_pretty} at {time}|%s>", t.Unix(), t.UTC().Format("2006-01-02 15:04 MST"))
}

// GrantMessage is the requester's DM once their request is approved: a
// lasting message, so it is there whenever they come back, with the button
// that creates the client while the approval holds. ref names the request.
func GrantMessage(r request.Record, ref string, until time.Time) (string, []slack.Block) {
	email := Escape(r.Request.Form.Email)
	text, headline := fmt.Sprintf("<@%s> approved your request for PlusVibe client %s.", r.By, email),
		fmt.Sprintf(":white_check_mark: <@%s> approved your request for PlusVibe client *%s* (%s).", r.By, email, Escape(r.Request.Form.BusinessName))
	if r.Step != nil {
		text, headline = StepGrant(r)
	}
	var status string
	button := ""
	switch r.State {
	case request.Approved:
		status = fmt.Sprintf("Create it when you are ready to pass the login on: its one-time password is shown to you alone, once, when you click. The approval holds until %s.", slackDate(until))
		if r.Direct {
			status = fmt.Sprintf("Create it when you are ready to pass the login on: its one-time password is shown to you alone, once, when you click. The request holds until %s.", slackDate(until))
		}
		button = "Create client"
	case request.Creating:
		status = ":hourglass_flowing_sand: Creating the client…"
	case request.Created:
		status = fmt.Sprintf(":white_check_mark: Created (PlusVibe id `%s`). Its one-time password was shown to you once; it is not kept anywhere.", Escape(r.ClientID))
		if r.Undelivered {
			status = fmt.Sprintf(":warning: Created (PlusVibe id `%s`), but its password could not be shown to you: reset it in PlusVibe.", Escape(r.ClientID))
		}
	case request.Failed:
		status = ":x: " + Escape(r.Reason)
		if !r.Final {
			button = "Try again"
		}
	case request.Expired:
		status = ":hourglass: The approval expired before the client was created. Ask again with the command if it is still needed."
	case request.Withdrawn:
		status = ":leftwards_arrow_with_hook: You withdrew this request: nothing was created."
	default:
		status = Escape(string(r.State))
	}
	blocks := []slack.Block{
		section(headline),
		slack.NewContextBlock("status", mrkdwn(truncate(status, 3000))),
	}
	if button != "" {
		b := slack.NewButtonBlockElement(ActionCollect, ref, plainText(button)).WithStyle(slack.StylePrimary)
		blocks = append(blocks, slack.NewActionBlock("collect", b, withdrawButton(ref)))
	}
	return text, blocks
}

// GrantView is the requester's waiting modal once the request is approved: it
// offers the same button as their DM.
func GrantView(r request.Record, ref string, until time.Time) slack.ModalViewRequest {
	_, blocks := GrantMessage(r, ref, until)
	return resultView(Metadata{}, "Approved", blocks...)
}

// Collecting is the modal a Create client click opens at once, while PlusVibe
// is asked: the trigger to open it lasts 3 s, PlusVibe may take far longer.
func Collecting(email string) slack.ModalViewRequest {
	return resultView(Metadata{}, "",
		section(fmt.Sprintf(":hourglass_flowing_sand: Creating PlusVibe client *%s*…", Escape(email))),
		section("The one-time password comes to you alone, in your DM with this app, or here if that fails."))
}

// CollectFailed is that modal when the creation failed.
func CollectFailed(email, reason string, retry bool) slack.ModalViewRequest {
	next := "Try again from your DM with this app."
	if !retry {
		next = "Check the client in PlusVibe."
	}
	return resultView(Metadata{}, "Couldn't create client",
		section(fmt.Sprintf(":x: PlusVibe client *%s*: %s", Escape(email), Escape(reason))), section(next))
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
func Waiting(email, channel, permalink, ref string) slack.ModalViewRequest {
	where := fmt.Sprintf("<#%s>", channel)
	if permalink != "" {
		where = fmt.Sprintf("<#%s> (<%s|open the request>)", channel, permalink)
	}
	return resultView(Metadata{}, "Waiting for approval",
		section(fmt.Sprintf(":hourglass_flowing_sand: The request for *%s* is waiting for an approver in %s.", Escape(email), where)),
		section("Someone other than you decides. Once it is approved, your DM with this app gets a *Create client* button: click it when you are ready, and the one-time password is shown to you alone."),
		slack.NewActionBlock("withdraw", withdrawButton(ref)))
}

// withdrawButton lets the requester take back a request they no longer need.
func withdrawButton(ref string) *slack.ButtonBlockElement {
	b := slack.NewButtonBlockElement(ActionWithdraw, ref, plainText("Withdraw"))
	return b.WithConfirm(slack.NewConfirmationBlockObject(plainText("Withdraw this request?"),
		plainText("Nothing will be created, and approvers can no longer act on it."), plainText("Withdraw"), plainText("Keep it")))
}

// WithdrawnView tells the requester, in their modal, that they withdrew it.
func WithdrawnView(email string) slack.ModalViewRequest {
	return resultView(Metadata{}, "Withdrawn", section(fmt.Sprintf(":leftwards_arrow_with_hook: You withdrew the request for *%s*: nothing was created.", Escape(email))))
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

// ExpiredText tells the requester that nobody decided in time.
func ExpiredText(email string) string {
	return fmt.Sprintf(":hourglass: Nobody decided on your request for PlusVibe client *%s* in time, so it expired. Ask again with the command if it is still needed.", Escape(email))
}

// DenyMeta travels in the deny modal's private_metadata: which request. The
// request itself is read from its message when the form is sent.
type DenyMeta struct {
	Channel string `json:"c"`
	TS      string `json:"t"`
}

// DenyForm asks the approver for an optional reason.
func DenyForm(a request.Approval, meta DenyMeta) slack.ModalViewRequest {
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

// ReasonProblem says what is wrong with a typed deny reason, or "".
func ReasonProblem(reason string) string {
	if n := len([]rune(reason)); n > MaxReasonLen {
		return fmt.Sprintf("Too long: %d characters, the limit is %d.", n, MaxReasonLen)
	}
	return request.InvisibleProblem(reason, true)
}

// DenyReason reads the typed reason from a submitted deny modal.
func DenyReason(state *slack.ViewState) string {
	if state == nil {
		return ""
	}
	return strings.TrimSpace(state.Values[BlockDenyReason][actionInput].Value)
}
