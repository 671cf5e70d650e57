package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/request"
)

// requestRef names an approval request: its message in the approval channel.
type requestRef struct{ channel, ts string }

func (r requestRef) String() string { return r.channel + "/" + r.ts }

// collectValue is a Create client button's value: the request, and who may
// click it, so that anyone else is turned away before anything is claimed.
func collectValue(ref requestRef, requester string) string {
	return ref.String() + "/" + requester
}

// parseCollect reads a collectValue; buttons posted by earlier versions
// name no requester.
func parseCollect(s string) (ref requestRef, requester string, ok bool) {
	ch, rest, found := strings.Cut(s, "/")
	ts, requester, _ := strings.Cut(rest, "/")
	return requestRef{ch, ts}, requester, found && ch != "" && ts != ""
}

var (
	errRequestGone = errors.New("the request message is gone")
	errNotOurs     = fmt.Errorf("%w: posted by someone other than this app", errRequestGone)
)

// ours reports whether m was posted by this app: anyone who may post in the
// approval channel can attach a request's metadata to their own message.
func (b *Bot) ours(m slack.Message) bool { return b.cfg.BotID == "" || m.BotID == b.cfg.BotID }

// readRecord reads where a request stands from its message as Slack holds it
// now: the copy that survives restarts and that every process sees.
func (b *Bot) readRecord(ctx context.Context, ref requestRef) (request.Record, error) {
	resp, err := b.slack.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{
		ChannelID: ref.channel, Latest: ref.ts, Inclusive: true, Limit: 1, IncludeAllMetadata: true})
	if err != nil {
		return request.Record{}, err
	}
	if len(resp.Messages) == 0 || resp.Messages[0].Timestamp != ref.ts {
		return request.Record{}, errRequestGone
	}
	if !b.ours(resp.Messages[0]) {
		return request.Record{}, errNotOurs
	}
	r, err := modals.RecordFrom(resp.Messages[0].Metadata)
	if err != nil {
		return modals.LegacyRecord(resp.Messages[0].Blocks)
	}
	return r, nil
}

// writeRecord rewrites the request's message, and its record, as r.
func (b *Bot) writeRecord(ctx context.Context, ref requestRef, r request.Record) error {
	text, blocks := modals.ApprovalMessage(r, b.workspaces.get(), b.until(ref, r))
	if r.Direct {
		text, blocks = b.grantMessage(ref, r, b.until(ref, r))
	}
	_, _, _, err := b.slack.UpdateMessageContext(ctx, ref.channel, ref.ts, slack.MsgOptionText(text, false),
		slack.MsgOptionBlocks(blocks...), slack.MsgOptionMetadata(modals.RecordMetadata(r)))
	if err != nil {
		b.log.Warn().Err(err).Str("channel", ref.channel).Str("ts", ref.ts).Msg("chat.update of the approval request failed")
		return err
	}
	b.trackRecord(ctx, ref, r, "")
	// A workflow's run completes when its request ends, whichever way: every
	// end of a request is written here (the sweep makes up for a completion
	// that failed).
	if stepEnds(r) {
		b.endStepLater(ref, r)
	}
	return nil
}

// grantMessage is the requester's DM with the Create client button.
func (b *Bot) grantMessage(ref requestRef, r request.Record, until time.Time) (string, []slack.Block) {
	value := collectValue(ref, r.Request.Requester)
	if r.Step != nil {
		return modals.StepGrantMessage(r, value, until, b.workspaces.get())
	}
	return modals.GrantMessage(r, value, until)
}

// writeGrant rewrites the requester's DM with the Create client button to say
// where their approved request stands.
func (b *Bot) writeGrant(ctx context.Context, ref requestRef, r request.Record) {
	if r.DM == "" || r.DMTS == "" || r.Direct { // a direct grant's DM is its record: written already
		return
	}
	text, blocks := b.grantMessage(ref, r, b.until(ref, r))
	_, _, _, err := b.slack.UpdateMessageContext(ctx, r.DM, r.DMTS, slack.MsgOptionText(text, false), slack.MsgOptionBlocks(blocks...))
	if err != nil {
		b.log.Warn().Err(err).Str("user", r.Request.Requester).Msg("chat.update of the requester's DM failed")
	}
}

// until is when the request's current wait ends: the request's own expiry
// while it waits for a decision, the approval's once it is granted.
func (b *Bot) until(ref requestRef, r request.Record) time.Time {
	posted, _ := postedAt(ref.ts)
	return b.clock.WaitEnds(r, posted, grantedAt(ref, r))
}

// grantedAt is when r was granted, on Slack's clock: its DM's time.
func grantedAt(ref requestRef, r request.Record) time.Time {
	granted, _ := postedAt(grantTS(ref, r))
	return granted
}

// grantTS is the ts of r's DM with the Create client button.
func grantTS(ref requestRef, r request.Record) string {
	if r.Direct { // the DM is the request: granted as it was posted
		return ref.ts
	}
	return r.DMTS
}

// lapsed reports whether the request's current wait is over. Both clocks are
// Slack's own: the ts of the request and of the approval's DM.
func (b *Bot) lapsed(ref requestRef, r request.Record) bool {
	return time.Now().After(b.until(ref, r))
}

// postedAt reads a message ts ("1700000000.123456") as the time Slack stored it.
func postedAt(ts string) (time.Time, bool) {
	sec, frac, _ := strings.Cut(ts, ".")
	s, err := strconv.ParseInt(sec, 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	us, _ := strconv.ParseInt((frac + "000000")[:6], 10, 64)
	return time.Unix(s, us*1000), true
}

// tsOf is a Slack message timestamp for t.
func tsOf(t time.Time) string {
	us := t.UnixMicro()
	return fmt.Sprintf("%d.%06d", us/1_000_000, us%1_000_000)
}
