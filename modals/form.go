// Package modals is everything a person reads: the Block Kit views, the
// channel and DM messages, the Home tab and the audit lines, with their
// sentences; and the reading back of what was typed into a view. It is
// pure: no Slack calls, no logging. What a request is lives in request.
package modals

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/slack-go/slack"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/request"
)

// Identifiers shared by the builders and the parser, so they cannot drift apart.
const (
	CallbackCreate = "plusvibe_create_client"
	ActionRetry    = "plusvibe_retry_form"

	// The inputs are named as the fields they hold, so that validation's
	// problems show under them.
	BlockEmail        = request.FieldEmail
	BlockFirstName    = request.FieldFirstName
	BlockLastName     = request.FieldLastName
	BlockBusinessName = request.FieldBusinessName
	BlockWorkspaces   = request.FieldWorkspaces
	BlockPermission   = request.FieldPermission
	BlockHideLabels   = request.FieldHideLabels
	BlockReason       = request.FieldReason
	BlockEnds         = request.FieldEnds

	// Every input has one element, so one action id serves them all. Only
	// the inputs that redraw the form (dispatch_action) send it as a
	// block action.
	actionInput = "input"
	ActionInput = actionInput
)

// Slack's limits on what the views hold.
const (
	maxOptions    = 100 // Slack's cap on a static select's options
	maxOptionText = 75
	maxMetadata   = 3000
)

// Metadata travels in the views' private_metadata between the steps of one
// request, so no step depends on the memory of the process that ran the last.
type Metadata struct {
	// ChannelID is where the command was typed.
	ChannelID string `json:"c,omitempty"`
	// Form is set on the progress and failure views, for "try again".
	Form *request.Form `json:"f,omitempty"`
	// Source is the message the form was filled in from, if any: the
	// creation is announced in its thread.
	Source *request.Source `json:"s,omitempty"`
}

// Encode returns the private_metadata string.
//
// The whole form must fit Slack's 3,000 characters, so it is written
// compactly: no HTML escaping (a "<" stays one character, not six), and each
// workspace's access as one letter.
func (m Metadata) Encode() string {
	if m.Form != nil {
		f := *m.Form
		f.Permission = short(f.Permission)
		f.Access = slices.Clone(f.Access)
		for i := range f.Access {
			f.Access[i].Permission = short(f.Access[i].Permission)
		}
		m.Form = &f
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(m) // plain strings only: cannot fail
	return strings.TrimSuffix(b.String(), "\n")
}

// shortPermission and longPermission write a permission in one letter in
// a view's metadata, and read it back.
var (
	shortPermission = map[string]string{plusvibe.PermissionFullAccess: "F", plusvibe.PermissionUniboxAccess: "U"}
	longPermission  = map[string]string{"F": plusvibe.PermissionFullAccess, "U": plusvibe.PermissionUniboxAccess}
)

func short(p string) string {
	if s, known := shortPermission[p]; known {
		return s
	}
	return p
}

// long reads back a permission written by Encode; one written in full (by
// an earlier version) stays as it is.
func long(p string) string {
	if l, short := longPermission[p]; short {
		return l
	}
	return p
}

// DecodeMetadata reads private_metadata; an empty or foreign string yields the
// zero Metadata.
func DecodeMetadata(s string) Metadata {
	var m Metadata
	_ = json.Unmarshal([]byte(s), &m)
	if m.Form != nil {
		m.Form.Permission = long(m.Form.Permission)
		for i := range m.Form.Access {
			m.Form.Access[i].Permission = long(m.Form.Access[i].Permission)
		}
	}
	return m
}

// NewForm builds the create-client modal, pre-filled with f. Workspaces are
// offered by name, sorted. note, when set, says up front that the request
// waits for approval (ApprovalNote); rule says when the reason is required.
func NewForm(f request.Form, workspaces []plusvibe.Workspace, meta Metadata, note string, rule request.ReasonRule) slack.ModalViewRequest {
	email := slack.NewEmailTextInputBlockElement(plainText("nova@example.com"), actionInput)
	email.InitialValue = f.Email

	ws := workspaceSelect(workspaces, f.WorkspaceIDs)
	wsBlock := slack.NewInputBlock(BlockWorkspaces, plainText("Workspaces"),
		plainText("The client gets a login to each workspace chosen."), ws)
	wsBlock.DispatchAction = f.PerWorkspace // each one chosen gets its own inputs

	submit := "Create client"
	var head []slack.Block
	if meta.Source != nil {
		head = append(head, slack.NewContextBlock("source_note", mrkdwn(fromMessageNote(f))))
	}
	if note != "" {
		submit = "Submit"
		head = append(head, slack.NewContextBlock("approval_note", mrkdwn(note)))
	}
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      CallbackCreate,
		Title:           plainText("New PlusVibe client"),
		Submit:          plainText(submit),
		Close:           plainText("Cancel"),
		PrivateMetadata: meta.Encode(),
		Blocks: slack.Blocks{BlockSet: append(append(head,
			slack.NewInputBlock(BlockEmail, plainText("Client email"), nil, email),
			slack.NewInputBlock(BlockFirstName, plainText("First name"), nil,
				textInput("Nova", f.FirstName, plusvibe.MaxNameLen)),
			slack.NewInputBlock(BlockLastName, plainText("Last name"), nil,
				textInput("Smith", f.LastName, plusvibe.MaxNameLen)),
			slack.NewInputBlock(BlockBusinessName, plainText("Business name"), nil,
				textInput("Nova Consulting Ltd", f.BusinessName, plusvibe.MaxBusinessNameLen)),
			wsBlock,
			accessModeBlock(f.PerWorkspace),
		), append(accessBlocks(f, workspaces), endsBlock(f.EndsAt, ""), reasonBlock(f.Reason, rule))...)},
	}
}

// endsBlock asks when the access ends; empty: it does not. hint, when set,
// replaces the default one.
func endsBlock(at int64, hint string) slack.Block {
	picker := slack.NewDateTimePickerBlockElement(actionInput)
	picker.InitialDateTime = at
	if hint == "" {
		hint = "Optional: at that time the bot ends the client's access. Leave empty for access without an end."
	}
	b := slack.NewInputBlock(BlockEnds, plainText("Access ends"), plainText(hint), picker)
	b.Optional = true
	return b
}

// reasonBlock asks why the client is needed. It is optional to Slack: the
// bot decides, once it knows whether the request waits for approval.
func reasonBlock(reason string, rule request.ReasonRule) slack.Block {
	hint := map[request.ReasonRule]string{
		request.ReasonAlways: "Required: a ticket number or a link, kept with the request and in the audit channel.",
		request.ReasonNever:  "Optional: a ticket number or a link, kept with the request and in the audit channel.",
	}[rule]
	if hint == "" {
		hint = "Required when the request waits for an approver: a ticket number or a link."
	}
	b := slack.NewInputBlock(BlockReason, plainText("Why (ticket or link)"), plainText(hint),
		textInput("TICKET-123 or https://…", reason, request.MaxReasonLen))
	b.Optional = true
	return b
}

// accessBlocks ask for the access: once for every workspace, or per workspace.
func accessBlocks(f request.Form, workspaces []plusvibe.Workspace) []slack.Block {
	if f.PerWorkspace {
		return perWorkspaceBlocks(f, workspaces)
	}
	perm := slack.NewRadioButtonsBlockElement(actionInput, permissionOptions()...)
	for _, o := range perm.Options {
		if o.Value == f.Permission {
			perm.InitialOption = o
		}
	}
	labels := textInput("e.g. NOT_INTERESTED, DO_NOT_CONTACT", f.HideLabels, request.MaxHideLabelsLen)
	labels.Multiline = true
	labelsBlock := slack.NewInputBlock(BlockHideLabels, plainText("Labels to hide"),
		plainText("Lead labels this client won't see, separated by commas or new lines."), labels)
	labelsBlock.Optional = true
	return []slack.Block{slack.NewInputBlock(BlockPermission, plainText("Access in every workspace chosen"), nil, perm), labelsBlock}
}

// fromMessageNote says what was taken from the message, for the person to
// check; the creation will be announced in the message's thread.
func fromMessageNote(f request.Form) string {
	switch {
	case f.Email == "":
		return ":speech_balloon: No email address was found in the message: fill in the form. The client will be announced in the message's thread."
	case f.FirstName == "":
		return ":speech_balloon: The email was taken from the message: check it, and fill in the rest. The client will be announced in the message's thread."
	}
	return ":speech_balloon: The email and name were taken from the message: check them, and fill in the rest. The client will be announced in the message's thread."
}

func textInput(placeholder, initial string, max int) *slack.PlainTextInputBlockElement {
	e := slack.NewPlainTextInputBlockElement(plainText(placeholder), actionInput)
	e.InitialValue = initial
	e.MaxLength = max
	return e
}

// workspaceSelect offers every workspace: all of them in the select while
// Slack's 100 options hold them, else a type-ahead that asks the bot
// (WorkspaceSuggestions) for the names matching what is typed.
func workspaceSelect(workspaces []plusvibe.Workspace, chosen []string) *slack.MultiSelectBlockElement {
	sorted := sortedWorkspaces(workspaces)
	var ws *slack.MultiSelectBlockElement
	if len(sorted) <= maxOptions {
		ws = slack.NewOptionsMultiSelectBlockElement(slack.MultiOptTypeStatic, plainText("Choose workspaces"), actionInput, workspaceOptions(sorted)...)
	} else {
		ws = slack.NewOptionsMultiSelectBlockElement(slack.MultiOptTypeExternal, plainText("Type to find workspaces"), actionInput)
		ws.WithMinQueryLength(0) // the first 100 show before anything is typed
	}
	maxSel := request.MaxWorkspaces
	ws.MaxSelectedItems = &maxSel
	for _, w := range sorted {
		if slices.Contains(chosen, w.ID) {
			ws.InitialOptions = append(ws.InitialOptions, workspaceOption(w))
		}
	}
	return ws
}

// WorkspaceSuggestions answers the type-ahead: the workspaces whose name
// contains query, whatever the case, by name, at most the 100 Slack shows.
func WorkspaceSuggestions(workspaces []plusvibe.Workspace, query string) []*slack.OptionBlockObject {
	q := strings.ToLower(strings.TrimSpace(query))
	var found []plusvibe.Workspace
	for _, w := range sortedWorkspaces(workspaces) {
		if strings.Contains(strings.ToLower(displayName(w)), q) {
			found = append(found, w)
		}
		if len(found) == maxOptions {
			break
		}
	}
	return workspaceOptions(found)
}

func sortedWorkspaces(workspaces []plusvibe.Workspace) []plusvibe.Workspace {
	sorted := slices.Clone(workspaces)
	slices.SortStableFunc(sorted, func(a, b plusvibe.Workspace) int {
		return strings.Compare(strings.ToLower(displayName(a)), strings.ToLower(displayName(b)))
	})
	return sorted
}

func workspaceOptions(workspaces []plusvibe.Workspace) []*slack.OptionBlockObject {
	opts := make([]*slack.OptionBlockObject, len(workspaces))
	for i, w := range workspaces {
		opts[i] = workspaceOption(w)
	}
	return opts
}

func workspaceOption(w plusvibe.Workspace) *slack.OptionBlockObject {
	return slack.NewOptionBlockObject(w.ID, plainText(truncate(displayName(w), maxOptionText)), nil)
}

// displayName is how a workspace is shown: its name, or its id if it has none.
func displayName(w plusvibe.Workspace) string {
	if strings.TrimSpace(w.Name) == "" {
		return w.ID
	}
	return w.Name
}

func permissionOptions() []*slack.OptionBlockObject {
	return []*slack.OptionBlockObject{
		slack.NewOptionBlockObject(plusvibe.PermissionFullAccess, plainText("Full access"),
			plainText("Everything in the workspace")),
		slack.NewOptionBlockObject(plusvibe.PermissionUniboxAccess, plainText("Unibox only"),
			plainText("Only the shared inbox")),
	}
}

// PermissionLabel is how a permission is shown to people.
func PermissionLabel(p string) string {
	switch p {
	case plusvibe.PermissionFullAccess:
		return "Full access"
	case plusvibe.PermissionUniboxAccess:
		return "Unibox only"
	}
	return p
}

func plainText(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, s, false, false)
}

func mrkdwn(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, s, false, true)
}
