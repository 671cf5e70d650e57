package modals

import (
	"fmt"
	"strings"
	"time"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/request"
)

// What the bot tells people when it turns work away, a click or a form
// that cannot act, and how a change or removal ended: every sentence a
// flow says, in one place. Arguments from outside are escaped here.

// Work turned away.
const (
	RestartingText = "The bot is restarting. Try again in a minute; nothing was changed."
	BusyText       = "The bot is busy right now. Try again in a moment; nothing was changed."
	StoreDownText  = "The bot cannot reach its store right now, so nothing was changed. Try again in a minute."
	// UncheckedText tells a person their rights could not be checked, and
	// that nothing is wrong with them.
	UncheckedText = "Your access could not be checked: Slack is not answering for the user groups, so group members are refused for now. Try again in a few minutes, or ask your Slack admin."
)

// Clicks on a request, and their answers.
const (
	ButtonUnreadableText   = "This button can't be read any more. Ask again with the command."
	RequestUnreadableText  = "This request can't be read any more. Ask the requester to submit it again."
	DenyUnreadableText     = "This request can't be read any more. Close this form."
	FormUnreadableText     = "This form can't be read any more. Nothing was changed; run the command again."
	OwnRequestText         = "You asked for this client, so someone else has to approve or deny it."
	NotApproverText        = "Only approvers can approve or deny PlusVibe client requests. Ask your Slack admin if you should be one."
	DecidingText           = "Another approver is deciding on this request right now."
	BeingCreatedText       = "This client is being created right now; its password comes to you in a moment."
	NotApprovedYetText     = "This request is not approved yet. Try again once the approval shows in the request."
	ApprovalLapsedText     = "This approval expired before the client was created. Ask again with the command if it is still needed."
	NoLongerAllowedText    = "You are no longer on the list of people who can create PlusVibe clients, so this approval can't be used. Ask your Slack admin."
	DenyFormFailedText     = "The deny form could not be opened. Click Deny again."
	ApprovalUnrecordedText = "This approval could not be recorded in the approval channel, so it does not count. Wait for it to be approved again."
	// MaybeCreatedText and MaybeChangedText close a step interrupted before
	// PlusVibe answered.
	MaybeCreatedText = "The creation was interrupted before PlusVibe's answer arrived. The client may have been created: check PlusVibe before trying again."
	MaybeChangedText = "The change was interrupted before PlusVibe's answer arrived: it may or may not have been applied. Look the client up with find before asking again."
)

// NotYours tells someone other than the requester why they may not create it.
func NotYours(requester string) string {
	return fmt.Sprintf("Only <@%s>, who asked for this client, can create it.", requester)
}

// AlreadyCreated answers a click on a request whose client exists.
func AlreadyCreated(clientID string) string {
	return fmt.Sprintf("This client was already created (PlusVibe id `%s`).", Escape(clientID))
}

// Unreadable says Slack could not tell where a request stands.
func Unreadable(hint string) string {
	return fmt.Sprintf("Slack could not say where this request stands (%s), so nothing was changed. Try again in a minute.", hint)
}

// TooOld refuses a decision on a request past its time.
func TooOld(ttl time.Duration) string {
	return fmt.Sprintf("This request is older than %s and can no longer be approved. The requester can ask again.", humanDuration(ttl))
}

// humanDuration is a whole number of days or hours, as people say it.
func humanDuration(d time.Duration) string {
	switch {
	case d%(24*time.Hour) == 0:
		return fmt.Sprintf("%d days", d/(24*time.Hour))
	case d%time.Hour == 0:
		return fmt.Sprintf("%d hours", d/time.Hour)
	}
	return d.String()
}

// Unrecorded says a step could not be written to the request's message.
func Unrecorded(what, hint, then string) string {
	return fmt.Sprintf("The %s could not be recorded (%s)%s. Try again.", what, hint, then)
}

// GrantUnreachable says the requester's DM could not be written to.
func GrantUnreachable(hint string) string {
	return fmt.Sprintf("The requester's DM with the app could not be reached (%s), so the request still waits. Try again.", hint)
}

// CreatingUnrecorded says "creating" could not be recorded in time.
func CreatingUnrecorded(hint string) string {
	return fmt.Sprintf("The creation could not be recorded in Slack in time (%s), so nothing was created. Try again.", hint)
}

// ApprovalPostFailed says a request could not be posted for approval.
func ApprovalPostFailed(hint string) string {
	return fmt.Sprintf("The request could not be posted in the approval channel (%s), so nothing was created.", hint)
}

// Changes to a client's access, and removals: what the modal says.
const (
	ClientGoneText          = "This client no longer exists in PlusVibe."
	ClientGoneUnchangedText = "This client no longer exists in PlusVibe. Nothing was changed."
)

// ChangedMeanwhile refuses an edit of a client changed since it was opened.
func ChangedMeanwhile(email string) string {
	return fmt.Sprintf("*%s* was changed in PlusVibe after you opened it. Nothing was saved: open Edit access again to see their access now.", Escape(email))
}

// AccessChanged says a client's access is now grants.
func AccessChanged(email string, grants []request.Grant) string {
	return fmt.Sprintf(":white_check_mark: Access of *%s* changed: %s.", Escape(email), AccessText(grants))
}

// ChangePostFailed says a change that needs an approver could not be posted.
func ChangePostFailed(channel, hint string) string {
	return fmt.Sprintf("The change gives more access, so it needs an approver, but it could not be posted in <#%s> (%s). Nothing was changed.", channel, hint)
}

// ChangeWaits says a change waits for an approver, linked where possible.
func ChangeWaits(email, channel, link string) string {
	where := fmt.Sprintf("<#%s>", channel)
	if link != "" {
		where = fmt.Sprintf("<%s|the approval channel>", link)
	}
	return fmt.Sprintf(":hourglass_flowing_sand: The change gives *%s* more access, so it waits for an approver in %s. Nothing changes until then.", Escape(email), where)
}

// ChangeApproved tells the requester their change was approved, and how it went.
func ChangeApproved(approver, outcome string) string {
	return fmt.Sprintf("<@%s> approved your change. %s", approver, outcome)
}

// RequesterNoLongerAllowed stops an approved change whose requester may no
// longer manage clients; unchecked when Slack could not say.
func RequesterNoLongerAllowed(requester string, unchecked bool) string {
	if unchecked {
		return "Slack could not confirm that the requester may still manage PlusVibe clients, so the change was not applied. Ask again."
	}
	return fmt.Sprintf("<@%s> is no longer on the list of people who can manage PlusVibe clients, so the change was not applied.", requester)
}

// UnreachableWorkspace refuses to edit a client with access this key cannot see.
func UnreachableWorkspace(email, workspaceID string) string {
	return fmt.Sprintf("*%s* has access to workspace %s, which this bot's API key cannot reach, so its access can't be edited here without losing it. Edit it in PlusVibe.", Escape(email), Escape(workspaceID))
}

// TooManyWorkspaces refuses to edit a client the form cannot show whole.
func TooManyWorkspaces(email string, n, max int) string {
	return fmt.Sprintf("*%s* has access to %d workspaces, more than this form can show (%d). Edit it in PlusVibe.", Escape(email), n, max)
}

// ChangeNote says which changes wait for an approver in channel ("" when
// nothing does).
func ChangeNote(channel string, fullAccessOnly bool) string {
	switch {
	case channel == "":
		return ""
	case fullAccessOnly:
		return fmt.Sprintf(":lock: Giving Full access where they lack it waits for an approver in <#%s>; anything else is saved at once.", channel)
	}
	return fmt.Sprintf(":lock: Giving more access waits for an approver in <#%s>; taking access away is saved at once.", channel)
}

// NotThisClient refuses a removal confirmed with another email.
func NotThisClient(email string) string {
	return fmt.Sprintf("That is not this client's email. Type %s exactly to remove them.", email)
}

// Removed says a client was removed.
func Removed(email string) string {
	return fmt.Sprintf(":wastebasket: *%s* was removed from PlusVibe.", Escape(email))
}

// FindUsage says how to look clients up.
func FindUsage(command string) string {
	return fmt.Sprintf("Say what to look for: `%s find jane@acme.com`, or part of a name or business.", command)
}

// Looking acknowledges a find while the list is read.
func Looking(query string) string {
	return "Looking for *" + Escape(query) + "* among the PlusVibe clients…"
}

// PasswordLost says, without the password, that it could not be handed over.
func PasswordLost(email string) string {
	return "PlusVibe client *" + Escape(email) + "* was created, but its password could not be delivered to you. Reset the password in PlusVibe."
}

// NotYoursToWithdraw tells someone other than the requester why they may
// not withdraw it.
func NotYoursToWithdraw(requester string) string {
	return fmt.Sprintf("Only <@%s>, who asked for this client, can withdraw the request.", requester)
}

// CannotWithdraw says why a request can no longer be withdrawn.
func CannotWithdraw(r request.Record) string {
	switch r.State {
	case request.Creating:
		return "This client is being created right now, so the request can no longer be withdrawn."
	case request.Created:
		return AlreadyCreated(r.ClientID) + " To take its access away, use find and Remove."
	}
	if d := Decided(r); d != "" {
		return d
	}
	return "This request can no longer be withdrawn."
}

// WithdrawnText confirms a withdrawal to the requester.
func WithdrawnText(email string) string {
	return fmt.Sprintf(":leftwards_arrow_with_hook: You withdrew the request for *%s*: nothing was created, and approvers can no longer act on it.", Escape(email))
}

// Mentions are whom a reminder calls: users, user groups, or anyone in
// the channel; never Not, the requester, who cannot decide.
type Mentions struct {
	Users, Groups []string
	Anyone        bool
	Not           string
}

func (m Mentions) String() string {
	var who []string
	for _, u := range m.Users {
		if u != m.Not && u != "*" {
			who = append(who, "<@"+u+">")
		}
	}
	for _, g := range m.Groups {
		who = append(who, "<!subteam^"+g+">")
	}
	return strings.Join(who, ", ")
}

// Reminder is a reminder in a request's thread: who may decide, for how
// long it has waited, until when; and who it is escalated to, if it is.
func Reminder(who Mentions, escalation *Mentions, waited time.Duration, until time.Time) string {
	text := fmt.Sprintf(":bell: This request has waited %s for a decision", roughly(waited))
	switch names := who.String(); {
	case names != "":
		text += ": " + names + "."
	case who.Anyone:
		text += ": anyone in this channel but the requester can approve or deny it."
	default:
		text += "."
	}
	if escalation != nil {
		text += " Escalated to " + escalation.String() + ": half of the time to decide has passed, and you can approve or deny it too."
	}
	return text + fmt.Sprintf(" It expires %s.", slackDate(until))
}

// roughly is a wait in whole hours, or minutes under an hour.
func roughly(d time.Duration) string {
	if d >= time.Hour {
		return fmt.Sprintf("%d h", int(d/time.Hour))
	}
	return fmt.Sprintf("%d min", int(d/time.Minute))
}

// ApproversReminded tells the requester that the approvers were reminded.
func ApproversReminded(email string) string {
	return fmt.Sprintf(":bell: Nobody has decided on your request for *%s* yet, so the approvers were reminded in its thread.", Escape(email))
}

// GrantReminder reminds the requester of an approval they have not used.
func GrantReminder(email string, until time.Time) string {
	return fmt.Sprintf(":bell: Your approved request for *%s* is waiting for you: click *Create client* in the message above (or in the app's Home tab) before %s, when the approval expires.", Escape(email), slackDate(until))
}

// NotEscalatedYetText refuses an escalation target's decision on a request
// not escalated to them yet.
const NotEscalatedYetText = "This request is not escalated to you yet: its approvers decide until half of its time has passed."
