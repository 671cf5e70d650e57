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
	b.ack(c, evt.Request.EnvelopeID, slack.NewUpdateViewSubmissionResponse(&progress))

	resp, err := b.pv.CreateClient(ctx, create)
	if err != nil {
		b.claims.release(viewID) // nothing was created: the retried form may submit again
		b.updateView(ctx, viewID, modals.Failure(form, meta, userMessage(err)))
		fields["plusvibe_error"] = errorKind(err)
		req.done("failed", err, fields)
		return
	}
	fields["client_id"] = resp.ClientID
	// What a late duplicate is shown: never the password.
	b.claims.finish(viewID, modals.Success(resp.Email))
	if err := b.deliverPassword(ctx, user, create.ClientBusinessName, resp); err != nil {
		// Fall back to the requester's own modal, which only they can see.
		if uerr := b.updateView(ctx, viewID, modals.SuccessWithPassword(resp.Email, resp.Password.Reveal())); uerr != nil {
			b.tellLost(ctx, meta.ChannelID, user, resp.Email)
			req.done("created_undelivered", errors.Join(err, uerr), fields)
			return
		}
		req.done("created_shown_in_modal", err, fields)
		return
	}
	b.updateView(ctx, viewID, modals.Success(resp.Email))
	req.done("created", nil, fields)
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
	text := "PlusVibe client *" + modals.Escape(email) + "* was created, but its password could not be delivered to you. Reset the password in PlusVibe."
	if _, err := b.slack.PostEphemeralContext(ctx, channel, user, slack.MsgOptionText(text, false)); err != nil {
		b.log.Error().Err(err).Str("user", user).Msg("could not tell the requester their password was lost")
	}
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
	_, err := b.slack.UpdateViewContext(ctx, modals.NewForm(form, b.workspaces.get(), meta), "", cb.View.Hash, cb.View.ID)
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
