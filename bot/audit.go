package bot

import (
	"context"

	"github.com/slack-go/slack"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/request"
)

func auditEntry(requester string, f request.Form, offered []plusvibe.Workspace) modals.AuditEntry {
	e := modals.AuditEntry{Requester: requester, Email: f.Email, Business: f.BusinessName,
		Workspaces: request.WorkspaceNames(f.WorkspaceIDs, offered), Permission: f.Permission, Reason: f.Reason}
	if f.PerWorkspace {
		e.Permission = ""
		for i, g := range f.Grants(offered) {
			e.Workspaces[i] = g.Name + " (" + modals.PermissionLabel(g.Permission) + ")"
		}
	}
	return e
}

// recordEntry is the audit entry of an approval request.
func (b *Bot) recordEntry(r request.Record, outcome string) modals.AuditEntry {
	e := auditEntry(r.Request.Requester, r.Request.Form, b.workspaces.get())
	e.Outcome, e.Approver, e.Workflow = outcome, r.By, r.Step != nil
	return e
}

// audit writes one line to the audit channel, if there is one.
func (b *Bot) audit(ctx context.Context, e modals.AuditEntry) {
	if b.cfg.AuditChannel == "" {
		return
	}
	opts := []slack.MsgOption{slack.MsgOptionText(modals.AuditLine(e), false), slack.MsgOptionDisableLinkUnfurl()}
	if e.AskedFor && e.ClientID != "" && e.Requester != "" {
		asked := request.Asked{ClientID: e.ClientID, Requester: e.Requester}
		opts = append(opts, slack.MsgOptionMetadata(slack.SlackMetadata{EventType: request.AskedEvent, EventPayload: asked.Payload()}))
	}
	_, _, err := b.slack.PostMessageContext(ctx, b.cfg.AuditChannel, opts...)
	if err != nil {
		b.log.Error().Err(err).Str("outcome", e.Outcome).Msg("audit line could not be posted")
	}
}

// auditRefused counts a refused click and audits it once per request and
// person: a few people clicking many times must not flood the channel.
func (b *Bot) auditRefused(ctx context.Context, ref requestRef, e modals.AuditEntry, actor, why string) {
	b.metrics.approvals.WithLabelValues("refused").Inc()
	if first, _, err := b.once.claim(ctx, refusedKey(ref, actor)); err != nil || !first {
		return
	}
	b.audit(ctx, refusedEntry(e, actor, why))
}

func refusedKey(ref requestRef, actor string) string { return "refused:" + ref.String() + ":" + actor }

func refusedEntry(e modals.AuditEntry, actor, why string) modals.AuditEntry {
	e.Outcome, e.Actor, e.Detail, e.Approver = modals.AuditRefused, actor, why, ""
	return e
}
