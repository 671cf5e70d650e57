package bot

import (
	"context"
	"strings"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/bot/slackapi"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/request"
)

// Finding a client's end, and the clicks on its notice: shared by Extend,
// Let it end, Edit access and the end itself.

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
