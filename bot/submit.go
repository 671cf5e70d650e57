package bot

import (
	"context"
	"errors"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe"
)

// onSubmit validates the form in the ack (so errors show under their inputs),
// turns the modal into a progress view, then creates the client after the ack.
func (b *Bot) onSubmit(ctx context.Context, evt *socketmode.Event, c *socketmode.Client) {
	cb, _ := evt.Data.(slack.InteractionCallback)
	user, viewID := cb.User.ID, cb.View.ID
	req := b.startRequest("submit", user)
	fields := map[string]any{"view_id": viewID}

	if allowed, err := b.access.allowed(ctx, user); !allowed {
		b.ack(c, evt.Request.EnvelopeID, slack.NewErrorsViewSubmissionResponse(
			map[string]string{modals.BlockEmail: modals.NotAllowedText}))
		req.done("refused", err, fields)
		return
	}
	form := modals.ParseForm(cb.View.State)
	meta := modals.DecodeMetadata(cb.View.PrivateMetadata)
	create, problems := form.Validate(b.cfg.APIWorkspaceID, b.workspaces.get())
	if len(problems) > 0 {
		b.ack(c, evt.Request.EnvelopeID, slack.NewErrorsViewSubmissionResponse(problems))
		fields["invalid_inputs"] = keys(problems)
		req.done("invalid", nil, fields)
		return
	}

	// A double submit or a redelivered envelope carries the same view id: only
	// the first one creates; the others see where it stands.
	progress := modals.Progress(form, meta)
	if first, shown := b.claims.claim(viewID); !first {
		if shown == nil {
			shown = &progress
		}
		b.ack(c, evt.Request.EnvelopeID, slack.NewUpdateViewSubmissionResponse(shown))
		req.done("duplicate", nil, fields)
		return
	}
	if b.needsApproval(form.Permission) {
		b.requestApproval(ctx, c, evt.Request.EnvelopeID, req, user, viewID, form, meta)
		return
	}
	b.ack(c, evt.Request.EnvelopeID, slack.NewUpdateViewSubmissionResponse(&progress))

	resp, err := b.pv.CreateClient(ctx, create)
	entry := auditEntry(user, form, b.workspaces.get())
	if err != nil {
		b.claims.release(viewID) // nothing was created: the retried form may submit again
		b.updateView(ctx, viewID, modals.Failure(form, meta, userMessage(err)))
		fields["plusvibe_error"] = errorKind(err)
		entry.Outcome, entry.Detail = modals.AuditFailed, userMessage(err)
		b.audit(ctx, entry)
		req.done("failed", err, fields)
		return
	}
	fields["client_id"] = resp.ClientID
	// What a late duplicate is shown: never the password.
	b.claims.finish(viewID, modals.Success(resp.Email))
	outcome, err := b.deliver(ctx, user, viewID, meta.ChannelID, create.ClientBusinessName, resp)
	entry.Outcome, entry.ClientID = modals.AuditCreated, resp.ClientID
	if outcome == outcomeUndelivered {
		entry.Detail = "the password could not be delivered"
	}
	b.audit(ctx, entry)
	req.done(outcome, err, fields)
}

// How a password reached the requester.
const (
	outcomeCreated     = "created"
	outcomeInModal     = "created_shown_in_modal"
	outcomeUndelivered = "created_undelivered"
)

// deliver hands a new client's password to the requester alone: an ephemeral
// in their DM with the app, else their own modal (viewID); if neither can be
// reached it tells them, without the password, in the command's channel.
func (b *Bot) deliver(ctx context.Context, user, viewID, channel, business string, resp plusvibe.CreateClientResponse) (string, error) {
	err := b.deliverPassword(ctx, user, business, resp)
	if err == nil {
		if viewID != "" {
			b.updateView(ctx, viewID, modals.Success(resp.Email))
		}
		return outcomeCreated, nil
	}
	uerr := errors.New("no modal to show it in")
	if viewID != "" {
		uerr = b.updateView(ctx, viewID, modals.SuccessWithPassword(resp.Email, resp.Password.Reveal()))
	}
	if uerr != nil {
		b.tellLost(ctx, channel, user, resp.Email)
		return outcomeUndelivered, errors.Join(err, uerr)
	}
	return outcomeInModal, err
}

// deliverPassword posts the password as an ephemeral message in the
// requester's DM with the app: visible to them alone, gone on reload.
func (b *Bot) deliverPassword(ctx context.Context, user, business string, resp plusvibe.CreateClientResponse) error {
	dm, _, _, err := b.slack.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{user}})
	if err != nil {
		return err
	}
	_, err = b.slack.PostEphemeralContext(ctx, dm.ID, user,
		slack.MsgOptionText(modals.PasswordMessage(resp.Email, business, resp.Password.Reveal()), false))
	return err
}

// tellLost says, without the password, that it could not be handed over.
func (b *Bot) tellLost(ctx context.Context, channel, user, email string) {
	if channel == "" {
		return
	}
	b.whisper(ctx, channel, user, "PlusVibe client *"+modals.Escape(email)+"* was created, but its password could not be delivered to you. Reset the password in PlusVibe.")
}

func (b *Bot) updateView(ctx context.Context, viewID string, view slack.ModalViewRequest) error {
	// No hash: our own response_action update changed it since the submission.
	_, err := b.slack.UpdateViewContext(ctx, view, "", "", viewID)
	if err != nil {
		b.log.Warn().Err(err).Str("view_id", viewID).Msg("views.update failed")
	}
	return err
}

// onRetry turns a failure view back into the form, with what was typed.
func (b *Bot) onRetry(ctx context.Context, evt *socketmode.Event, c *socketmode.Client) {
	cb, _ := evt.Data.(slack.InteractionCallback)
	req := b.startRequest("retry", cb.User.ID)
	b.ack(c, evt.Request.EnvelopeID, nil)
	meta := modals.DecodeMetadata(cb.View.PrivateMetadata)
	var form modals.Form
	if meta.Form != nil {
		form = *meta.Form
	}
	meta.Form = nil
	_, err := b.slack.UpdateViewContext(ctx, modals.NewForm(form, b.workspaces.get(), meta, b.approvalNote()), "", cb.View.Hash, cb.View.ID)
	if err != nil {
		req.done("update_failed", err, nil)
		return
	}
	req.done("form_reopened", nil, nil)
}

func keys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
