package bot

import (
	"context"
	"errors"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/bot/slackapi"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/request"
)

// onSubmit validates the form in the ack (so errors show under their inputs),
// turns the modal into a progress view, then creates the client after the ack.
func (b *Bot) onSubmit(ctx context.Context, evt *socketmode.Event, c *socketmode.Client) {
	cb, _ := evt.Data.(slack.InteractionCallback)
	user, viewID := cb.User.ID, cb.View.ID
	req := b.startRequest("submit", user)
	fields := map[string]any{"view_id": viewID}

	if allowed, err := b.access.allowed(ctx, user); !allowed {
		msg := modals.NotAllowedText
		if err != nil {
			msg = modals.UncheckedText
		}
		b.ack(c, evt.Request.EnvelopeID, slack.NewErrorsViewSubmissionResponse(map[string]string{modals.BlockEmail: msg}))
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
	// the first one creates; the others see where it stands. This comes
	// before the duplicate check, which a late duplicate of a creation
	// would fail, replacing the modal that shows the password.
	progress := modals.Progress(form, meta)
	approval := b.needsApproval(form)
	if approval {
		progress = modals.Posting(form, meta, b.cfg.ApprovalChannel)
	}
	first, s, err := b.views.claimView(ctx, viewID)
	switch {
	case err != nil:
		b.ack(c, evt.Request.EnvelopeID, slack.NewErrorsViewSubmissionResponse(map[string]string{modals.BlockEmail: modals.StoreDownText}))
		req.done("store_unreachable", err, fields)
		return
	case !first && s != nil:
		b.ack(c, evt.Request.EnvelopeID, s.answer(progress))
		req.done("duplicate", nil, fields)
		return
	}
	// An email that is already a client's: say who, and offer to add the
	// workspaces to their access instead; the form may be sent again. A
	// second copy sent meanwhile gets the same answer, not "creating".
	if client, found := b.existing(ctx, req.start, form.Email); found {
		if first {
			b.views.releaseView(ctx, viewID)
		}
		dup := modals.Duplicate(form, meta, client, b.workspaces.get())
		b.ack(c, evt.Request.EnvelopeID, slack.NewUpdateViewSubmissionResponse(&dup))
		req.done("already_a_client", nil, fields)
		return
	}
	if !first {
		b.ack(c, evt.Request.EnvelopeID, s.answer(progress))
		req.done("duplicate", nil, fields)
		return
	}
	// Acked at once: PlusVibe, or the post for approval, may take a while.
	b.ack(c, evt.Request.EnvelopeID, slack.NewUpdateViewSubmissionResponse(&progress))
	if approval {
		b.requestApproval(ctx, req, user, viewID, form, meta)
		return
	}

	job := creation{requester: user, form: form, request: create, viewID: viewID, channel: meta.ChannelID, source: meta.Source}
	resp, err := b.create(ctx, job)
	if err != nil {
		b.failed(ctx, viewID, form, meta, err)
		b.trackForm(ctx, user, viewID, form, request.Failed, modals.CreateFailure(err))
		fields["plusvibe_error"] = errorKind(err)
		req.done("failed", err, fields)
		return
	}
	fields["client_id"] = resp.ClientID
	// From now on the modal may show the password: a late duplicate must
	// not replace it, and never sees it.
	b.views.finishView(ctx, viewID, shown{})
	outcome, err := b.handOver(ctx, job, resp)
	if outcome != outcomeInModal {
		b.views.finishView(ctx, viewID, shown{Created: resp.Email})
	}
	b.trackForm(ctx, user, viewID, form, request.Created, "")
	req.done(outcome, err, fields)
}

// failed shows why a creation failed. When nothing was created the form may
// be sent again; when PlusVibe created the client without a usable password
// it may not.
func (b *Bot) failed(ctx context.Context, viewID string, form request.Form, meta modals.Metadata, err error) {
	ctx, cancel := slackapi.Settle(ctx)
	defer cancel()
	view := modals.Failure(form, meta, modals.CreateFailure(err))
	if errors.Is(err, plusvibe.ErrIncomplete) {
		view = modals.FailureFinal(form.Email, modals.CreateFailure(err))
		b.views.finishView(ctx, viewID, shown{Incomplete: form.Email, Reason: modals.CreateFailure(err)})
	} else {
		b.views.releaseView(ctx, viewID)
	}
	b.talk.UpdateView(ctx, viewID, view)
}

// onRetry turns a failure view back into the form, with what was typed.
func (b *Bot) onRetry(ctx context.Context, evt *socketmode.Event, c *socketmode.Client) {
	cb, _ := evt.Data.(slack.InteractionCallback)
	req := b.startRequest("retry", cb.User.ID)
	b.ack(c, evt.Request.EnvelopeID, nil)
	meta := modals.DecodeMetadata(cb.View.PrivateMetadata)
	var form request.Form
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
