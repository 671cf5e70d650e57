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

// onRemove asks to confirm a client's removal, from a find answer: the
// person types the client's email.
func (b *Bot) onRemove(ctx context.Context, evt *socketmode.Event, c *socketmode.Client) {
	cb, req := b.clicked(evt, c, "remove")
	viewID, client, ok := b.openClient(ctx, req, cb, modals.ActionRemove, "Remove client")
	if !ok {
		return
	}
	meta := modals.ClientMeta{ID: client.ID, Email: client.Email, Modified: request.Stamp(client), Channel: cb.Channel.ID}
	b.talk.UpdateView(ctx, viewID, modals.RemoveForm(client, meta))
	req.done("confirming", nil, nil)
}

// onRemoveSubmit removes the client once the email typed is theirs. It
// needs the allow-list of creation and never waits for approval.
func (b *Bot) onRemoveSubmit(ctx context.Context, evt *socketmode.Event, c *socketmode.Client) {
	cb, _ := evt.Data.(slack.InteractionCallback)
	req := b.startRequest("remove_submit", cb.User.ID)
	meta := modals.DecodeClientMeta(cb.View.PrivateMetadata)
	typed := strings.TrimSpace(cb.View.State.Values[modals.BlockConfirmEmail][modals.ActionInput].Value)
	allowed, err := b.access.allowed(ctx, cb.User.ID)
	switch {
	case !allowed:
		b.ack(c, evt.Request.EnvelopeID, slack.NewErrorsViewSubmissionResponse(map[string]string{modals.BlockConfirmEmail: refusedText(err)}))
		req.done("refused", err, nil)
		return
	case !strings.EqualFold(typed, meta.Email):
		b.ack(c, evt.Request.EnvelopeID, slack.NewErrorsViewSubmissionResponse(map[string]string{
			modals.BlockConfirmEmail: modals.NotThisClient(meta.Email)}))
		req.done("not_confirmed", nil, nil)
		return
	}
	b.actOnce(ctx, clientSubmission{evt: evt, c: c, req: req, viewID: cb.View.ID, block: modals.BlockConfirmEmail, title: "Remove client",
		progress: ":hourglass_flowing_sand: Removing *" + modals.Escape(meta.Email) + "*…", clientID: meta.ID},
		func() (string, string, error) { return b.removeClient(ctx, cb.User.ID, meta) })
}

// removeClient deletes the client, if it is still the one confirmed.
func (b *Bot) removeClient(ctx context.Context, user string, meta modals.ClientMeta) (string, string, error) {
	current, found, err := b.clients.byID(ctx, meta.ID)
	switch {
	case err != nil:
		return changeFailed, modals.Escape(modals.FailureText(modals.OpList, err, "")) + " Nothing was removed.", err
	case !found:
		return changeFailed, modals.ClientGoneText, nil
	}
	err = b.pv.DeleteClient(ctx, b.cfg.APIWorkspaceID, meta.ID)
	b.clients.forget()
	if err != nil {
		b.metrics.clientChanges.WithLabelValues(changeFailed).Inc()
		return changeFailed, modals.Escape(modals.FailureText(modals.OpRemove, err, modals.FindCommand(b.cfg.Command, current.Email))), err
	}
	entry := auditEntry(user, request.ClientForm(current), b.workspaces.get())
	entry.Outcome, entry.ClientID = modals.AuditRemoved, current.ID
	sctx, cancel := slackapi.Settle(ctx)
	defer cancel()
	b.audit(sctx, entry)
	b.endGone(sctx, current.ID)
	b.metrics.clientChanges.WithLabelValues("removed").Inc()
	return "removed", modals.Removed(current.Email), nil
}
