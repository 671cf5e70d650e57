package bot

import (
	"context"
	"time"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/bot/slackapi"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/request"
)

// needsApproval: every request, or with APPROVAL_FOR=FULL_ACCESS those that
// give Full access in any workspace.
func (b *Bot) needsApproval(f request.Form) bool { return b.policy.NeedsApproval(f) }

func (b *Bot) approvalNote() string {
	return modals.ApprovalNote(b.cfg.ApprovalChannel, b.cfg.ApproveFullAccessOnly)
}

// postBudget bounds posting a request for approval, waits after a 429
// included: the requester watches "Posting…" meanwhile.
const postBudget = 15 * time.Second

// requestApproval posts a valid submission to the approval channel instead of
// creating it. The submission was acked with the Posting view; the message's
// metadata is the request's record from then on.
func (b *Bot) requestApproval(ctx context.Context, s submission) {
	req, viewID, form, meta, fields := s.req, s.viewID, s.form, s.meta, s.fields
	r := request.Record{State: request.Pending, Request: request.Approval{Requester: s.user, ViewID: viewID, Channel: meta.ChannelID, Form: form, Source: meta.Source}}
	ref, link, err := b.postForApproval(ctx, r)
	sctx, scancel := slackapi.Settle(ctx)
	defer scancel()
	if err != nil {
		b.views.releaseView(sctx, viewID)
		msg := modals.ApprovalPostFailed(slackapi.Cause(err))
		b.talk.UpdateView(sctx, viewID, modals.Failure(form, meta, msg))
		req.done("approval_post_failed", err, fields)
		return
	}
	fields["approval_ts"] = ref.ts
	waiting := modals.Waiting(form.Email, b.cfg.ApprovalChannel, link, collectValue(ref, s.user))
	b.views.finishView(sctx, viewID, shown{View: &waiting})
	b.talk.UpdateView(sctx, viewID, waiting)
	req.done("awaiting_approval", nil, fields)
}
