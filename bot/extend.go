package bot

import (
	"context"
	"strings"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/request"
)

// onExtend opens the form for a new end, from the requester's notice.
func (b *Bot) onExtend(ctx context.Context, evt *socketmode.Event, c *socketmode.Client) {
	cb, req, e, ok := b.noticeClick(ctx, evt, c, modals.ActionExtend)
	if !ok {
		return
	}
	clientID := e.ClientID
	form := modals.ExtendForm(e, modals.EndHint(b.cfg.FullAccessMaxDays, e.Full))
	form.PrivateMetadata = clientID + "|" + cb.Container.ChannelID + "|" + cb.Container.MessageTs
	openCtx, cancel := context.WithDeadline(ctx, req.start.Add(triggerLife))
	defer cancel()
	if _, err := b.slack.OpenViewContext(openCtx, cb.TriggerID, form); err != nil {
		req.done("open_failed", err, map[string]any{"client_id": clientID})
		return
	}
	req.done("opened", nil, map[string]any{"client_id": clientID})
}

// onExtendSubmit moves the end: at once, or, for Full access where
// approvals are on, once an approver agrees (it widens access in time).
func (b *Bot) onExtendSubmit(ctx context.Context, evt *socketmode.Event, c *socketmode.Client) {
	cb, _ := evt.Data.(slack.InteractionCallback)
	req := b.startRequest("extend_submit", cb.User.ID)
	clientID, notice, _ := strings.Cut(cb.View.PrivateMetadata, "|")
	at := modals.ParseEnd(cb.View.State)
	e, why := b.endFor(ctx, cb.User.ID, clientID, false)
	if why == "" {
		why = b.endRule().Problem(at, e.Full, time.Now())
	}
	if why != "" {
		b.ack(c, evt.Request.EnvelopeID, slack.NewErrorsViewSubmissionResponse(map[string]string{modals.BlockEnds: why}))
		req.done("invalid", nil, map[string]any{"client_id": clientID})
		return
	}
	b.actOnce(ctx, clientSubmission{evt: evt, c: c, req: req, viewID: cb.View.ID, block: modals.BlockEnds, title: "Extend access",
		progress: ":hourglass_flowing_sand: Moving the end…", clientID: clientID},
		func() (string, string, error) {
			outcome, answer, err := b.extend(ctx, cb.User.ID, e, at)
			b.answerNotice(ctx, notice, e, answer)
			return outcome, ":calendar: " + modals.Escape(e.Email) + ": " + answer, err
		})
}

// extend moves e to at, or asks an approver to. It returns the outcome and
// the answer for the requester.
func (b *Bot) extend(ctx context.Context, user string, e request.End, at int64) (string, string, error) {
	if e.Full && b.policy.Approvals {
		return b.requestExtension(ctx, user, e, at)
	}
	if err := b.moveEndTo(ctx, e, at, user); err != nil {
		return "failed", modals.EndNotMoved(endCause(err)), err
	}
	b.extended(ctx, e, at, user, "")
	return "extended", modals.Extended(at), nil
}
