package bot

import (
	"context"
	"errors"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/bot/slackapi"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/request"
)

// creation is one client to create for a requester, and where to reach them.
// The form path and the approval path both go through create, then handOver.
type creation struct {
	requester string
	approver  string // "" without approval
	form      request.Form
	request   plusvibe.CreateClientRequest
	// viewID is the requester's modal: the fallback for the password.
	viewID string
	// dm is their DM with the app, when known; else it is opened.
	dm string
	// channel is where to tell them, without it, that the password is lost;
	// "" when another message says so.
	channel string
	// source is the message the client was asked for in, if any.
	source *request.Source
	// workflow marks a client a Workflow Builder run asked for.
	workflow bool
	// thread is where the request was asked: its approval message, or the
	// message it came from; the access end is told there.
	thread *request.Source
}

// How a password reached the requester.
const (
	outcomeCreated     = "created"
	outcomeInModal     = "created_shown_in_modal"
	outcomeUndelivered = "created_undelivered"
)

// create sends POST /client once. A failure is audited at once, on a context
// that outlives the drain.
func (b *Bot) create(ctx context.Context, c creation) (plusvibe.CreateClientResponse, error) {
	resp, err := b.pv.CreateClient(ctx, c.request)
	// Even a failure may have created it; a success is a client the
	// duplicate check must see at once.
	var made *plusvibe.ClientLogin
	if err == nil {
		made = &plusvibe.ClientLogin{ID: resp.ClientID, Email: resp.Email, FirstName: c.request.ClientFirstName,
			LastName: c.request.ClientLastName, BusinessName: c.request.ClientBusinessName}
	}
	b.clients.created(made)
	if err == nil { // first: a crash before the password's delivery must not lose the end
		sctx, cancel := slackapi.Settle(ctx)
		defer cancel()
		b.setEnd(sctx, c, resp.ClientID)
	}
	if err != nil {
		sctx, cancel := slackapi.Settle(ctx)
		defer cancel()
		entry := b.entry(c)
		entry.Outcome, entry.Detail = modals.AuditFailed, modals.CreateFailure(err)
		b.audit(sctx, entry)
	}
	return resp, err
}

// handOver delivers a new client's password to its requester and audits the
// creation. It reports how the password went.
func (b *Bot) handOver(ctx context.Context, c creation, resp plusvibe.CreateClientResponse) (string, error) {
	ctx, cancel := slackapi.Settle(ctx)
	defer cancel()
	outcome, err := b.deliver(ctx, c, resp)
	entry := b.entry(c)
	entry.Outcome, entry.ClientID, entry.AskedFor = modals.AuditCreated, resp.ClientID, true
	if outcome == outcomeUndelivered {
		entry.Detail = "the password could not be delivered"
	}
	b.audit(ctx, entry)
	b.announce(ctx, c, resp.Email)
	b.noteAskedBy(ctx, resp.ClientID, c.requester)
	return outcome, err
}

func (b *Bot) entry(c creation) modals.AuditEntry {
	e := auditEntry(c.requester, c.form, b.workspaces.get())
	e.Approver, e.Workflow, e.Ends = c.approver, c.workflow, c.form.EndsAt
	return e
}

// deliver hands a new client's password to the requester alone: an ephemeral
// in their DM with the app, else their own modal; if neither can be reached
// it tells them, without the password, in c.channel.
func (b *Bot) deliver(ctx context.Context, c creation, resp plusvibe.CreateClientResponse) (string, error) {
	err := b.deliverPassword(ctx, c, resp)
	if err == nil {
		if c.viewID != "" {
			b.talk.UpdateView(ctx, c.viewID, modals.Success(resp.Email))
		}
		return outcomeCreated, nil
	}
	uerr := errors.New("no modal to show it in")
	if c.viewID != "" {
		uerr = b.talk.UpdateView(ctx, c.viewID, modals.SuccessWithPassword(resp.Email, resp.Password.Reveal()))
	}
	if uerr != nil {
		b.tellLost(ctx, c.channel, c.requester, resp.Email)
		return outcomeUndelivered, errors.Join(err, uerr)
	}
	return outcomeInModal, err
}

// deliverPassword posts the password as an ephemeral message in the
// requester's DM with the app: visible to them alone, gone on reload.
func (b *Bot) deliverPassword(ctx context.Context, c creation, resp plusvibe.CreateClientResponse) error {
	return b.talk.NoteInDM(ctx, c.dm, c.requester, modals.PasswordMessage(resp.Email, c.form.BusinessName, resp.Password.Reveal()))
}

// tellLost says, without the password, that it could not be handed over.
func (b *Bot) tellLost(ctx context.Context, channel, user, email string) {
	if channel == "" {
		return
	}
	b.talk.Note(ctx, channel, user, modals.PasswordLost(email))
}
