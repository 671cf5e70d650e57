package bot

import (
	"context"

	"github.com/slack-go/slack"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"
)

// onFind answers "<command> find <email or name>" privately: the clients
// that match in PlusVibe's list (at most findFresh old, and read after
// any change made through the bot), each with Edit access and Remove.
// It acks at once and answers through the command's response_url.
func (b *Bot) onFind(ctx context.Context, k command, query string) {
	req, evt, c, cmd := k.req, k.evt, k.c, k.cmd
	if query == "" {
		b.ack(c, evt.Request.EnvelopeID, ephemeral(modals.FindUsage(b.cfg.Command)))
		req.done("find_usage", nil, nil)
		return
	}
	if allowed, err := b.access.allowed(ctx, cmd.UserID); !allowed {
		b.ack(c, evt.Request.EnvelopeID, ephemeral(refusedText(err)))
		req.done("refused", err, nil)
		return
	}
	b.ack(c, evt.Request.EnvelopeID, ephemeral(modals.Looking(query)))
	list, err := b.clients.get(ctx, b.clients.findAge())
	if err != nil {
		b.talk.Answer(ctx, cmd.ResponseURL, modals.Escape(modals.FailureText(modals.OpList, err, "")))
		req.done("list_failed", err, nil)
		return
	}
	found := matching(list, query)
	text, blocks := modals.FindAnswer(query, found[:min(len(found), modals.FindShown)], len(found), b.known.all())
	msg := &slack.WebhookMessage{Text: text, Blocks: &slack.Blocks{BlockSet: blocks}, ResponseType: "ephemeral", ReplaceOriginal: true}
	if err := b.talk.AnswerWith(ctx, cmd.ResponseURL, msg); err != nil {
		req.done("answer_failed", err, nil)
		return
	}
	req.done("found", nil, map[string]any{"matches": len(found)})
}

// refusedText tells someone not allowed, or not known to be, why not.
func refusedText(err error) string {
	if err != nil {
		return modals.UncheckedText
	}
	return modals.NotAllowedText
}
