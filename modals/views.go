package modals

import (
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/request"
)

// Progress is shown while PlusVibe is being asked; it keeps the form for a retry.
func Progress(f request.Form, meta Metadata) slack.ModalViewRequest {
	meta.Form = &f
	return resultView(meta, "", section(fmt.Sprintf(":hourglass_flowing_sand: Creating a PlusVibe client for *%s*…", Escape(f.Email))))
}

// Posting is shown while a request is being posted for approval; it keeps
// the form for a retry.
func Posting(f request.Form, meta Metadata, channel string) slack.ModalViewRequest {
	meta.Form = &f
	return resultView(meta, "", section(fmt.Sprintf(":hourglass_flowing_sand: Posting the request for *%s* in <#%s> for an approver…", Escape(f.Email), channel)))
}

// Success says where the password went.
func Success(email string) slack.ModalViewRequest {
	return resultView(Metadata{}, "",
		section(fmt.Sprintf(":white_check_mark: Client *%s* created.", Escape(email))),
		section("The one-time password is in your DMs with this app. It is shown only once: pass it on now."))
}

// SuccessWithPassword shows the password in the requester's own modal, for when
// the DM could not be delivered. Only the requester sees their modal.
func SuccessWithPassword(email, password string) slack.ModalViewRequest {
	return resultView(Metadata{}, "",
		section(fmt.Sprintf(":white_check_mark: Client *%s* created.", Escape(email))),
		section("Your DM with this app could not be reached, so here is the one-time password. It will not be shown again:"),
		slack.NewSectionBlock(plainText(password), nil, nil))
}

// Failure explains what went wrong and offers the filled-in form again.
func Failure(f request.Form, meta Metadata, reason string) slack.ModalViewRequest {
	meta.Form = &f
	retry := slack.NewButtonBlockElement(ActionRetry, "retry", plainText("Edit and try again")).WithStyle(slack.StylePrimary)
	return resultView(meta, "Couldn't create client",
		section(":x: "+Escape(reason)),
		slack.NewActionBlock("retry", retry))
}

// FailureFinal explains a failure that must not be retried from the form:
// PlusVibe created the client, but its answer cannot be used.
func FailureFinal(email, reason string) slack.ModalViewRequest {
	return resultView(Metadata{}, "Check PlusVibe",
		section(fmt.Sprintf(":warning: PlusVibe client *%s*: %s", Escape(email), Escape(reason))))
}

// AlreadyHandled answers a form sent again after its client was created. It
// opens on top of the modal, which may be showing the password.
func AlreadyHandled() slack.ModalViewRequest {
	return resultView(Metadata{}, "Already created",
		section("This form was already sent and its client created. Close this to go back to the result."))
}

// Notice is a small modal that answers a shortcut when the form cannot be
// opened, with why.
func Notice(text string) slack.ModalViewRequest {
	return resultView(Metadata{}, "PlusVibe client", section(text))
}

// ThreadReply announces a new client under the message it was asked for in,
// with its access (AccessText). Never the password.
func ThreadReply(requester, email, access string) string {
	return fmt.Sprintf(":white_check_mark: <@%s> created PlusVibe client *%s*: %s.", requester, Escape(email), access)
}

func resultView(meta Metadata, title string, blocks ...slack.Block) slack.ModalViewRequest {
	if title == "" {
		title = "New PlusVibe client"
	}
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      CallbackCreate,
		Title:           plainText(title),
		Close:           plainText("Close"),
		PrivateMetadata: meta.Encode(),
		Blocks:          slack.Blocks{BlockSet: blocks},
	}
}

func section(md string) *slack.SectionBlock {
	return slack.NewSectionBlock(mrkdwn(truncate(md, 3000)), nil, nil)
}

// PasswordMessage is the ephemeral DM that hands the password to the requester.
func PasswordMessage(email, business, password string) string {
	return fmt.Sprintf("PlusVibe client *%s* (%s) is ready. One-time password (shown only now):\n```%s```",
		Escape(email), Escape(business), Escape(password))
}

// HelpText answers "<command> help".
func HelpText(command string) string {
	return strings.Join([]string{
		fmt.Sprintf("*%s* creates a PlusVibe client login without leaving Slack.", command),
		fmt.Sprintf("• `%s` opens the form: email, name, business, workspaces, access, labels to hide.", command),
		fmt.Sprintf("• `%s nova@example.com` opens it with the email filled in.", command),
		"• On a message: ⋮ → *Create PlusVibe client from this message* fills in the email and name it gives, and answers in its thread.",
		"• The app's Home tab lists your requests and where each stands.",
		fmt.Sprintf("• `%s find jane@acme.com` (or part of a name or business) shows a client's access, with Edit access and Remove.", command),
		NoPasswordReset,
		"The one-time password comes to you alone, in your DMs with this app.",
	}, "\n")
}

// NotAllowedText answers a person who may not create clients.
const NotAllowedText = "Sorry, you're not on the list of people who can create PlusVibe clients. Ask your Slack admin to add you."

// NoWorkspacesText answers when the workspace list could not be loaded yet.
const NoWorkspacesText = "The list of PlusVibe workspaces isn't available right now, so the form can't be opened. Try again in a minute."
