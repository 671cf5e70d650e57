package bot

import (
	"context"
	"errors"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/bot/slackapi"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/request"
)

// submission is a create-client form as sent: who, which view, what was
// typed, and the request it makes.
type submission struct {
	evt    *socketmode.Event
	c      *socketmode.Client
	req    requestLog
	user   string
	viewID string
	form   request.Form
	meta   modals.Metadata
	create plusvibe.CreateClientRequest
	fields map[string]any
}

// onSubmit validates the form in the ack (so errors show under their inputs),
// turns the modal into a progress view, then creates the client after the ack,
// or posts it for approval.
func (b *Bot) onSubmit(ctx context.Context, evt *socketmode.Event, c *socketmode.Client) {
	s, ok := b.checkSubmission(ctx, evt, c)
	if !ok {
		return
	}
	progress := modals.Progress(s.form, s.meta)
	approval := b.needsApproval(s.form)
	if approval {
		progress = modals.Posting(s.form, s.meta, b.cfg.ApprovalChannel)
	}
	if !b.claimSubmission(ctx, s, progress) {
		return
	}
	// Acked at once: PlusVibe, or the post for approval, may take a while.
	b.ack(c, evt.Request.EnvelopeID, slack.NewUpdateViewSubmissionResponse(&progress))
	if approval {
		b.requestApproval(ctx, s)
		return
	}
	b.createSubmitted(ctx, s)
}

// checkSubmission reads the form and answers, under its inputs, a sender
// not allowed or a form not valid. ok is false when it answered.
func (b *Bot) checkSubmission(ctx context.Context, evt *socketmode.Event, c *socketmode.Client) (submission, bool) {
	cb, _ := evt.Data.(slack.InteractionCallback)
	s := submission{evt: evt, c: c, req: b.startRequest("submit", cb.User.ID), user: cb.User.ID, viewID: cb.View.ID,
		fields: map[string]any{"view_id": cb.View.ID}}
	if allowed, err := b.access.allowed(ctx, s.user); !allowed {
		msg := modals.NotAllowedText
		if err != nil {
			msg = modals.UncheckedText
		}
		b.ack(c, evt.Request.EnvelopeID, slack.NewErrorsViewSubmissionResponse(map[string]string{modals.BlockEmail: msg}))
		s.req.done("refused", err, s.fields)
		return s, false
	}
	s.form, s.meta = modals.ParseForm(cb.View.State), modals.DecodeMetadata(cb.View.PrivateMetadata)
	var problems map[string]string
	s.create, problems = s.form.Validate(b.cfg.APIWorkspaceID, b.workspaces.get())
	if msg := b.policy.ReasonProblem(s.form); msg != "" {
		problems[modals.BlockReason] = msg
	}
	if msg := b.endRule().Problem(s.form.EndsAt, s.form.FullAccess(), time.Now()); msg != "" {
		problems[modals.BlockEnds] = msg
	}
	if len(problems) > 0 {
		b.ack(c, evt.Request.EnvelopeID, slack.NewErrorsViewSubmissionResponse(problems))
		s.fields["invalid_inputs"] = keys(problems)
		s.req.done("invalid", nil, s.fields)
		return s, false
	}
	return s, true
}

// claimSubmission makes the form act once. A double submit or a redelivered
// envelope carries the same view id: only the first one acts; the others
// see where it stands. The claim comes before the duplicate check, which a
// late duplicate of a creation would fail, replacing the modal that shows
// the password. It reports whether the caller acts; if not, it answered.
func (b *Bot) claimSubmission(ctx context.Context, s submission, progress slack.ModalViewRequest) bool {
	first, told, err := b.views.claimView(ctx, s.viewID)
	switch {
	case err != nil:
		b.ack(s.c, s.evt.Request.EnvelopeID, slack.NewErrorsViewSubmissionResponse(map[string]string{modals.BlockEmail: modals.StoreDownText}))
		s.req.done("store_unreachable", err, s.fields)
		return false
	case !first && told != nil:
		b.ack(s.c, s.evt.Request.EnvelopeID, told.answer(progress))
		s.req.done("duplicate", nil, s.fields)
		return false
	}
	// An email that is already a client's: say who, and offer to add the
	// workspaces to their access instead; the form may be sent again. A
	// second copy sent meanwhile gets the same answer, not "creating".
	if client, found := b.existing(ctx, s.req.start, s.form.Email); found {
		if first {
			b.views.releaseView(ctx, s.viewID)
		}
		dup := modals.Duplicate(s.form, s.meta, client, b.workspaces.get())
		b.ack(s.c, s.evt.Request.EnvelopeID, slack.NewUpdateViewSubmissionResponse(&dup))
		s.req.done("already_a_client", nil, s.fields)
		return false
	}
	if !first {
		b.ack(s.c, s.evt.Request.EnvelopeID, told.answer(progress))
		s.req.done("duplicate", nil, s.fields)
	}
	return first
}

// createSubmitted creates the client of a form that needs no approval and
// hands the password over.
func (b *Bot) createSubmitted(ctx context.Context, s submission) {
	job := creation{requester: s.user, form: s.form, request: s.create, viewID: s.viewID, channel: s.meta.ChannelID, source: s.meta.Source,
		thread: s.meta.Source}
	resp, err := b.create(ctx, job)
	if err != nil {
		b.failed(ctx, s.viewID, s.form, s.meta, err)
		b.trackForm(ctx, s, request.Failed, modals.CreateFailure(err))
		s.fields["plusvibe_error"] = errorKind(err)
		s.req.done("failed", err, s.fields)
		return
	}
	s.fields["client_id"] = resp.ClientID
	// From now on the modal may show the password: a late duplicate must
	// not replace it, and never sees it.
	b.views.finishView(ctx, s.viewID, shown{})
	outcome, err := b.handOver(ctx, job, resp)
	if outcome != outcomeInModal {
		b.views.finishView(ctx, s.viewID, shown{Created: resp.Email})
	}
	b.trackForm(ctx, s, request.Created, "")
	s.req.done(outcome, err, s.fields)
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

func keys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
