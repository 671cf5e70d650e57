package modals

import (
	"fmt"
	"time"

	"github.com/slack-go/slack"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/request"
)

// What people read about access that ends: the schedule's lines, the
// requester's notice with Extend, the extend form, and what the end did.

// Identifiers of the end's buttons and of the extend form.
const (
	ActionExtend   = "plusvibe_extend"
	ActionLetItEnd = "plusvibe_let_it_end"
	CallbackExtend = "plusvibe_extend_access"
)

// endWhat says what happens at the end, under action.
func endWhat(action request.EndAction) string {
	if action == request.EndUnibox {
		return "its Full access is reduced to Unibox only"
	}
	return "it is removed"
}

func endClient(e request.End) string {
	if e.Business == "" {
		return "*" + Escape(e.Email) + "*"
	}
	return fmt.Sprintf("*%s* (%s)", Escape(e.Email), Escape(e.Business))
}

// EndScheduled is the schedule channel's line for an end still to come.
func EndScheduled(e request.End, action request.EndAction) string {
	line := fmt.Sprintf(":hourglass: Access of PlusVibe client %s ends %s: then %s.", endClient(e), slackDate(time.Unix(e.At, 0)), endWhat(action))
	if e.Requester != "" {
		line += fmt.Sprintf(" Asked by <@%s>.", e.Requester)
	}
	return line
}

// EndOutcome is what the end did, or why it did nothing, as the requester,
// the schedule and the request's thread are told.
func EndOutcome(e request.End, v request.EndVerdict) string {
	when := slackDate(time.Unix(e.At, 0))
	switch v {
	case request.EndGone:
		return fmt.Sprintf(":information_source: The access of PlusVibe client %s was to end %s, but the client no longer exists: nothing was done.", endClient(e), when)
	case request.EndChanged:
		return fmt.Sprintf(":warning: The access of PlusVibe client %s was to end %s, but it was changed since the end was set: it was left as it is. Remove it or change it by hand if it should end.", endClient(e), when)
	case request.EndDelete:
		return fmt.Sprintf(":alarm_clock: The access of PlusVibe client %s ended %s: the client was removed.", endClient(e), when)
	case request.EndReduce:
		return fmt.Sprintf(":alarm_clock: The access of PlusVibe client %s ended %s: its Full access was reduced to Unibox only.", endClient(e), when)
	}
	return fmt.Sprintf(":alarm_clock: The access of PlusVibe client %s ended %s: it had no Full access left to reduce.", endClient(e), when)
}

// EndFailed says an end could not be applied yet, and when it is tried again.
func EndFailed(e request.End, why string, next time.Time) string {
	return fmt.Sprintf(":x: The access of PlusVibe client %s was to end %s, but PlusVibe did not take it: %s It is tried again %s.",
		endClient(e), slackDate(time.Unix(e.At, 0)), Escape(why), slackDate(next))
}

// EndMoved is the schedule's line for an end that moved: a newer line
// keeps it from then on.
func EndMoved(e request.End, to int64) string {
	return fmt.Sprintf(":calendar: The access end of PlusVibe client %s moved from %s to %s: see the newer line.", endClient(e), slackDate(time.Unix(e.At, 0)), slackDate(time.Unix(to, 0)))
}

// EndNotice is the requester's DM before the end, with Extend and Let it end.
func EndNotice(e request.End, action request.EndAction) (string, []slack.Block) {
	text := fmt.Sprintf("The access of PlusVibe client %s ends %s.", e.Email, time.Unix(e.At, 0).UTC().Format("2006-01-02 15:04 UTC"))
	head := fmt.Sprintf(":hourglass: The access of PlusVibe client %s (%s) ends %s: then %s. Extend it if it is still needed.",
		endClient(e), accessWord(e), slackDate(time.Unix(e.At, 0)), endWhat(action))
	extend := slack.NewButtonBlockElement(ActionExtend, e.ClientID, plainText("Extend")).WithStyle(slack.StylePrimary)
	let := slack.NewButtonBlockElement(ActionLetItEnd, e.ClientID, plainText("Let it end"))
	return text, []slack.Block{section(head), slack.NewActionBlock("end_notice", extend, let)}
}

func accessWord(e request.End) string {
	if e.Full {
		return "Full access"
	}
	return "Unibox only"
}

// EndNoticeAnswered is the notice once answered: its buttons go.
func EndNoticeAnswered(e request.End, answer string) (string, []slack.Block) {
	text := fmt.Sprintf("The access of PlusVibe client %s: %s", e.Email, answer)
	return text, []slack.Block{section(fmt.Sprintf(":hourglass: The access of PlusVibe client %s (%s): %s", endClient(e), accessWord(e), answer))}
}

// LettingItEnd is the answer to Let it end.
func LettingItEnd(at int64) string {
	return "it ends " + slackDate(time.Unix(at, 0)) + ", as set."
}

// Extended is the answer once an end is moved.
func Extended(to int64) string { return "extended until " + slackDate(time.Unix(to, 0)) + "." }

// ExtensionWaits is the answer when an extension waits for an approver.
func ExtensionWaits(to int64, channel string) string {
	return fmt.Sprintf("extending it until %s waits for an approver in <#%s>.", slackDate(time.Unix(to, 0)), channel)
}

// EndGoneText answers a click on a notice whose end no longer stands.
const EndGoneText = "This end is no longer scheduled: it happened, was moved, or the client was removed."

// ExtendForm is the modal asking for a new end; metadata names the client.
func ExtendForm(e request.End, hint string) slack.ModalViewRequest {
	return slack.ModalViewRequest{
		Type: slack.VTModal, CallbackID: CallbackExtend, Title: plainText("Extend access"),
		Submit: plainText("Extend"), Close: plainText("Cancel"), PrivateMetadata: e.ClientID,
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			section(fmt.Sprintf("PlusVibe client %s (%s) now ends %s.", endClient(e), accessWord(e), slackDate(time.Unix(e.At, 0)))),
			endsInput(e.At, hint),
		}},
	}
}

// endsInput is ExtendForm's required end.
func endsInput(at int64, hint string) slack.Block {
	picker := slack.NewDateTimePickerBlockElement(actionInput)
	picker.InitialDateTime = at
	return slack.NewInputBlock(BlockEnds, plainText("New end"), plainText(hint), picker)
}

// EndHint is what the extend form says of the limits.
func EndHint(maxDays int, full bool) string {
	if full && maxDays > 0 {
		return fmt.Sprintf("Full access may last at most %d days from now.", maxDays)
	}
	return "Within a year from now."
}

// EndsLine is a client's end as find answers and the Home tab show it.
func EndsLine(at int64) string {
	if at == 0 {
		return ""
	}
	return "access ends " + slackDate(time.Unix(at, 0))
}

// ParseEnd reads the end typed into a view (the form, the extend form).
func ParseEnd(state *slack.ViewState) int64 {
	if state == nil {
		return 0
	}
	return state.Values[BlockEnds][actionInput].SelectedDateTime
}

// EndNotKept tells the requester an end could not be kept.
func EndNotKept(email string, at int64) string {
	return fmt.Sprintf(":warning: PlusVibe client %s was created, but its access end (%s) could not be kept by the bot: end its access by hand then.", Escape(email), slackDate(time.Unix(at, 0)))
}

// EndsUnreadable says the schedule could not be read.
func EndsUnreadable(cause string) string {
	return "The schedule of access ends could not be read (" + cause + "). Try again in a moment."
}

// NotYourEnd refuses someone other than the requester.
func NotYourEnd(requester string) string {
	return fmt.Sprintf("Only <@%s>, who asked for this client, can move its end.", requester)
}

// EndNotMoved says an end could not be moved.
func EndNotMoved(cause string) string {
	return "The end could not be moved (" + cause + "); it stands as it was. Try again."
}

// ExtensionApproved tells the requester their extension was approved.
func ExtensionApproved(email, approver string, to int64) string {
	return fmt.Sprintf(":calendar: <@%s> approved extending the access of PlusVibe client %s: it now ends %s.", approver, Escape(email), slackDate(time.Unix(to, 0)))
}

// ExtensionNotApplied tells the requester an approved extension could not apply.
func ExtensionNotApplied(email, why string) string {
	return fmt.Sprintf(":x: Extending the access of PlusVibe client %s was approved, but not applied: %s", Escape(email), Escape(why))
}

// EndDropped is the schedule's line for an end dropped because the client
// was removed otherwise (a review, Remove).
func EndDropped(e request.End) string {
	return fmt.Sprintf(":wastebasket: PlusVibe client %s was removed before its access end (%s): nothing left to end.", endClient(e), slackDate(time.Unix(e.At, 0)))
}

// FullAccessKeepsItsEnd refuses taking the end of Full access away.
const FullAccessKeepsItsEnd = "Full access keeps an end while requests need approval: choose a later end to extend it."

// EndTakenAway says an end was taken away.
const EndTakenAway = "Its access no longer ends."

// EndTakenAwayLine is the schedule's line for an end taken away.
func EndTakenAwayLine(e request.End, by string) string {
	return fmt.Sprintf(":calendar: The access end of PlusVibe client %s (%s) was taken away by <@%s>: it no longer ends.", endClient(e), slackDate(time.Unix(e.At, 0)), by)
}

// EndWas is an end move's audit detail.
func EndWas(from, to int64) string {
	switch {
	case from == 0:
		return "end set"
	case to == 0:
		return "end taken away (was " + slackDate(time.Unix(from, 0)) + ")"
	}
	return "was " + EndsLine(from)
}
