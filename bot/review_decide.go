package bot

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/bot/slackapi"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/internal/pause"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/request"
)

// reviewClick is an approver's Keep, Reduce or Remove on a review page.
type reviewClick struct {
	user, clientID, decision string
	ref                      requestRef
	req                      requestLog
}

// onReviewDecision applies an approver's decision on one client of a
// review: once, final, audited; never by who asked for the client.
func (b *Bot) onReviewDecision(ctx context.Context, evt *socketmode.Event, c *socketmode.Client) {
	cb, req := b.clicked(evt, c, "review")
	k := reviewClick{user: cb.User.ID, ref: requestRef{cb.Container.ChannelID, cb.Container.MessageTs}, req: req}
	if len(cb.ActionCallback.BlockActions) > 0 {
		a := cb.ActionCallback.BlockActions[0]
		k.clientID, k.decision = a.Value, modals.ReviewDecisions[a.ActionID]
	}
	// Approvers only: the escalation decides requests, not reviews.
	if allowed, err := b.approvers.allowed(ctx, k.user); !allowed {
		b.talk.Note(ctx, k.ref.channel, k.user, reviewRefusal(err))
		req.done("refused", err, nil)
		return
	}
	it, why := b.reviewItem(ctx, k)
	if why != "" {
		b.talk.Note(ctx, k.ref.channel, k.user, why)
		req.done("refused", nil, map[string]any{"client_id": k.clientID})
		return
	}
	key := "review:" + k.ref.String() + ":" + k.clientID
	first, told, err := b.once.claim(ctx, key)
	if err != nil || !first {
		b.talk.Note(ctx, k.ref.channel, k.user, deciding(told))
		req.done("duplicate", err, map[string]any{"client_id": k.clientID})
		return
	}
	it.Decision, it.By = k.decision, k.user
	it.Outcome, err = b.applyReview(ctx, it)
	b.decided(ctx, k, key, it, err)
}

// reviewItem reads the page as Slack holds it now and finds the client;
// why says why the click may not decide it.
func (b *Bot) reviewItem(ctx context.Context, k reviewClick) (request.ReviewItem, string) {
	p, err := b.readReview(ctx, k.ref)
	if err != nil || k.decision == "" {
		return request.ReviewItem{}, modals.ReviewUnreadable
	}
	i, v := p.Decide(k.clientID, k.user)
	switch v {
	case request.ReviewNotListed:
		return request.ReviewItem{}, modals.ReviewNotListedText
	case request.ReviewDecided:
		return p.Items[i], modals.ReviewDecidedText(p.Items[i])
	case request.ReviewOwnClient:
		return p.Items[i], modals.ReviewOwnClientText
	}
	return p.Items[i], ""
}

// readReview reads a review page from its message.
func (b *Bot) readReview(ctx context.Context, ref requestRef) (request.ReviewPage, error) {
	resp, err := b.slack.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{
		ChannelID: ref.channel, Latest: ref.ts, Inclusive: true, Limit: 1, IncludeAllMetadata: true})
	if err != nil {
		return request.ReviewPage{}, err
	}
	if len(resp.Messages) == 0 || resp.Messages[0].Timestamp != ref.ts || !b.ours(resp.Messages[0]) {
		return request.ReviewPage{}, errRequestGone
	}
	m := resp.Messages[0]
	p, isPage := request.ReviewFromPayload(m.Metadata.EventType, m.Metadata.EventPayload)
	if !isPage {
		return p, errRequestGone
	}
	return p, nil
}

// applyReview does what was decided to the client as PlusVibe has it now,
// and says what that was.
func (b *Bot) applyReview(ctx context.Context, it request.ReviewItem) (string, error) {
	if it.Decision == request.ReviewKeep {
		return "", nil
	}
	current, found, err := b.clients.byID(ctx, it.ClientID) // as it is now: the page may be days old
	defer b.clients.forget()
	switch {
	case err != nil:
		return "Not applied: " + modals.FailureText(modals.OpList, err, ""), err
	case !found:
		return "The client no longer existed.", nil
	case it.Changed(current): // refused, as a decision on what is no longer there
		return modals.ReviewChangedText, errReviewChanged
	case it.Decision == request.ReviewRemove:
		if err := b.pv.DeleteClient(ctx, b.cfg.APIWorkspaceID, current.ID); err != nil {
			return "Not applied: " + modals.FailureText(modals.OpRemove, err, modals.FindCommand(b.cfg.Command, current.Email)), err
		}
		b.endGone(ctx, current.ID)
		return "", nil
	}
	after := request.Reduced(current)
	err = b.pv.UpdateClient(ctx, plusvibe.UpdateClientRequest{WorkspaceID: b.cfg.APIWorkspaceID, ClientID: current.ID,
		ClientFirstName: current.FirstName, ClientLastName: current.LastName, ClientBusinessName: current.BusinessName, Workspaces: after})
	if err != nil {
		return "Not applied: " + modals.FailureText(modals.OpEdit, err, modals.FindCommand(b.cfg.Command, current.Email)), err
	}
	b.endFollows(ctx, current.ID, after)
	return "", nil
}

// errReviewChanged: the client changed since its review was posted.
var errReviewChanged = errors.New("the client changed since the review was posted")

// decided records the decision on the page, audits and counts it.
func (b *Bot) decided(ctx context.Context, k reviewClick, key string, it request.ReviewItem, err error) {
	ctx, cancel := slackapi.Settle(ctx)
	defer cancel()
	if err != nil { // nothing was decided: it may be tried again
		b.once.release(ctx, key)
		b.talk.Note(ctx, k.ref.channel, k.user, it.Outcome)
		k.req.done("failed", err, map[string]any{"client_id": k.clientID})
		return
	}
	b.once.finish(ctx, key, modals.ReviewDecidedText(it))
	if werr := b.writeReviewItem(ctx, k.ref, it); werr != nil {
		b.log.Warn().Err(werr).Msg("a review decision was applied but the review message could not say so")
	}
	b.audit(ctx, modals.AuditEntry{Outcome: modals.AuditReviewed, Requester: it.Requester, Actor: k.user, Email: it.Email,
		Business: it.Business, ClientID: it.ClientID, Ends: it.Ends, Detail: it.Decision + " " + it.Outcome})
	b.metrics.reviews.WithLabelValues(it.Decision).Inc()
	k.req.done(it.Decision, nil, map[string]any{"client_id": k.clientID})
}

// writeReviewItem rewrites the page with it decided. Decisions on other
// clients of the page may come at once: the page is claimed while it is
// read back and rewritten, so none is lost.
func (b *Bot) writeReviewItem(ctx context.Context, ref requestRef, it request.ReviewItem) error {
	lock := "review-page:" + ref.String()
	for attempt := 0; ; attempt++ {
		first, _, err := b.pages.claim(ctx, lock)
		if err != nil {
			return err
		}
		if first {
			break
		}
		if attempt == 50 || pause.For(ctx, 100*time.Millisecond) != nil {
			return fmt.Errorf("the review page stayed busy")
		}
	}
	defer b.pages.release(ctx, lock)
	p, err := b.readReview(ctx, ref)
	if err != nil {
		return err
	}
	if i, v := p.Decide(it.ClientID, ""); v == request.ReviewGo || v == request.ReviewOwnClient {
		p.Items[i] = it
	}
	text, blocks := modals.ReviewMessage(p)
	_, _, _, err = b.slack.UpdateMessageContext(ctx, ref.channel, ref.ts, slack.MsgOptionText(text, false), slack.MsgOptionBlocks(blocks...),
		slack.MsgOptionMetadata(slack.SlackMetadata{EventType: request.ReviewEvent, EventPayload: p.Payload()}))
	return err
}

// reviewRefusal tells someone who is not an approver, or not known to be.
func reviewRefusal(err error) string {
	if err != nil {
		return modals.UncheckedText
	}
	return modals.NotAReviewerText
}
