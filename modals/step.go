package modals

import (
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/request"
)

// What a Workflow Builder run of "Create PlusVibe client" reads: the
// requester's DM, and the errors its step ends with (shown in the
// workflow's activity, to whoever manages the workflow: never a password).

// StepGrant is the headline of the requester's DM for a workflow's request:
// which run asked, and who approved it if anyone did.
func StepGrant(r request.Record) (text, headline string) {
	email := Escape(r.Request.Form.Email)
	text = fmt.Sprintf("A workflow asks you to create PlusVibe client %s.", email)
	headline = fmt.Sprintf(":gear: A Workflow Builder run (workflow run `%s`) asks you to create PlusVibe client *%s* (%s).",
		Escape(r.Step.Workflow), email, Escape(r.Request.Form.BusinessName))
	if r.By != "" {
		headline += fmt.Sprintf(" <@%s> approved it.", r.By)
	}
	return text, headline
}

// StepGrantMessage is GrantMessage for a workflow's request, with what it
// grants: the requester did not type it, so they see it before creating.
func StepGrantMessage(r request.Record, ref string, until time.Time, offered []plusvibe.Workspace) (string, []slack.Block) {
	text, blocks := GrantMessage(r, ref, until)
	extra := RequestFields(r.Request.Form, offered)
	if why := strings.TrimSpace(r.Request.Form.Reason); why != "" {
		extra = append([]slack.Block{section("*Why:* " + Escape(why))}, extra...)
	}
	return text, append(blocks[:1], append(extra, blocks[1:]...)...)
}

// StepInvalid ends a run whose inputs the form would refuse.
func StepInvalid(problems string) string {
	return "The inputs are not valid, nothing was asked: " + problems
}

// StepNotAllowed ends a run whose requester may not create clients.
func StepNotAllowed(requester string, unchecked bool) string {
	if unchecked {
		return fmt.Sprintf("Could not check whether %s may create PlusVibe clients (Slack did not answer); nothing was asked. Run the workflow again.", requester)
	}
	return fmt.Sprintf("%s may not create PlusVibe clients (ALLOWED_USERS / ALLOWED_USERGROUPS); nothing was asked.", requester)
}

// StepAlreadyAClient ends a run for an email that is already a client's.
func StepAlreadyAClient(email string) string {
	return fmt.Sprintf("%s is already a PlusVibe client; nothing was asked. Change its access with the command's find and Edit access.", email)
}

// StepInterrupted ends a run whose arrival was cut short (the bot stopped).
const StepInterrupted = "The bot stopped while taking this run. If the requester got a DM about it, they may still create the client from it; otherwise run the workflow again."

// StepNotPosted ends a run whose request could not be posted.
func StepNotPosted(cause string) string {
	return "The request could not be posted in Slack (" + cause + "); nothing was asked. Run the workflow again."
}

// StepUnrecorded ends a run the bot could not make act once.
const StepUnrecorded = "The bot's store could not be reached, so the request could not be made safely; nothing was asked. Run the workflow again."

// StepEnded is the error a run ends with when its request ended without a
// client: status is request.StepStatus's.
func StepEnded(status string, r request.Record) string {
	email := r.Request.Form.Email
	switch status {
	case "denied":
		msg := fmt.Sprintf("Denied: the request for %s was denied by an approver.", email)
		if why := strings.TrimSpace(r.Reason); why != "" {
			msg += " Reason: " + why
		}
		return msg
	case "expired":
		if r.By == "" && !r.Direct {
			return fmt.Sprintf("Expired: nobody decided on the request for %s in time.", email)
		}
		return fmt.Sprintf("Expired: the requester did not create %s in time.", email)
	case "withdrawn":
		return fmt.Sprintf("Withdrawn: the requester withdrew the request for %s; nothing was created.", email)
	}
	return fmt.Sprintf("Failed: %s could not be created: %s", email, r.Reason)
}

// StepDetail is the detail output of a run that created its client; its
// people are mentions, as a workflow's next message shows them.
func StepDetail(r request.Record) string {
	d := fmt.Sprintf("Created by <@%s>", r.Request.Requester)
	if r.By != "" {
		d += fmt.Sprintf(", approved by <@%s>", r.By)
	}
	if r.Undelivered {
		return d + "; its password could not be shown to the requester: reset it in PlusVibe."
	}
	return d + "; the one-time password went to the requester alone."
}

// StepPreparingText is the requester's DM for a moment, until it carries
// its Create client button.
const StepPreparingText = ":gear: A workflow asks you to create a PlusVibe client…"

// StepWaiting tells the requester a workflow asked, on their behalf, for a
// client that now waits for an approver.
func StepWaiting(email, channel, link string) string {
	where := fmt.Sprintf("<#%s>", channel)
	if link != "" {
		where = fmt.Sprintf("<%s|its request> in <#%s>", link, channel)
	}
	return fmt.Sprintf(":gear: A workflow asked for PlusVibe client %s on your behalf; it waits for an approver (%s). Once approved, you create it here with a click, and its one-time password comes to you alone.", Escape(email), where)
}
