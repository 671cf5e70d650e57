package bot

import (
	"context"
	"strings"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/bot/slackapi"
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

// noticeClick acks a click on an end's notice and finds the end; ok is
// false when the clicker was told why not.
func (b *Bot) noticeClick(ctx context.Context, evt *socketmode.Event, c *socketmode.Client, action string) (slack.InteractionCallback, requestLog, request.End, bool) {
	cb, req := b.clicked(evt, c, action)
	clientID := actionValue(cb, action)
	e, why := b.endFor(ctx, cb.User.ID, clientID, true)
	if why != "" {
		_ = b.talk.NoteInDM(ctx, cb.Container.ChannelID, cb.User.ID, why)
		req.done("refused", nil, map[string]any{"client_id": clientID})
	}
	return cb, req, e, why == ""
}

// endFor is the scheduled end of clientID, if user may move it: its
// requester, still allowed. why says otherwise. quick takes the end as last
// read when it is known: the form must open within the click's 3 s, and
// its submission reads the schedule again.
func (b *Bot) endFor(ctx context.Context, user, clientID string, quick bool) (request.End, string) {
	e, found := b.known.get(clientID)
	var err error
	if !quick || !found {
		e, found, err = b.endOf(ctx, clientID)
	}
	switch {
	case err != nil:
		return e, modals.EndsUnreadable(slackapi.Cause(err))
	case !found:
		return e, modals.EndGoneText
	case e.Requester != user:
		return e, modals.NotYourEnd(e.Requester)
	}
	if allowed, err := b.access.allowed(ctx, user); !allowed {
		return e, refusedText(err)
	}
	return e, ""
}

// endOf reads clientID's end from the schedule.
func (b *Bot) endOf(ctx context.Context, clientID string) (request.End, bool, error) {
	if b.ends == nil {
		return request.End{}, false, nil
	}
	ends, err := b.ends.all(ctx)
	if err != nil {
		return request.End{}, false, err
	}
	for _, e := range ends {
		if e.ClientID == clientID {
			return e, true, nil
		}
	}
	return request.End{}, false, nil
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
	moved := e.Moved(at, b.cfg.EndNotice, time.Now())
	if err := b.keepEnd(ctx, moved); err != nil {
		return "failed", modals.EndNotMoved(slackapi.Cause(err)), err
	}
	b.extended(ctx, e, at, user, "")
	return "extended", modals.Extended(at), nil
}

// extended says an end moved: the audit channel, the metrics.
func (b *Bot) extended(ctx context.Context, e request.End, to int64, by, approver string) {
	ctx, cancel := slackapi.Settle(ctx)
	defer cancel()
	b.audit(ctx, modals.AuditEntry{Outcome: modals.AuditExtended, Requester: by, Approver: approver, Email: e.Email,
		Business: e.Business, ClientID: e.ClientID, Ends: to, Detail: modals.EndWas(e.At, to)})
	b.metrics.ends.WithLabelValues("extended").Inc()
}

// answerNotice rewrites the notice, "channel|ts", with its answer: its
// buttons go.
func (b *Bot) answerNotice(ctx context.Context, notice string, e request.End, answer string) {
	channel, ts, _ := strings.Cut(notice, "|")
	if channel == "" || ts == "" {
		return
	}
	text, blocks := modals.EndNoticeAnswered(e, answer)
	if _, _, _, err := b.slack.UpdateMessageContext(ctx, channel, ts, slack.MsgOptionText(text, false), slack.MsgOptionBlocks(blocks...)); err != nil {
		b.log.Info().Err(err).Msg("an end's notice could not be rewritten with its answer")
	}
}
