package modals

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/request"
)

// Existing clients: finding them, editing their access, removing them.
const (
	ActionEditAccess   = "plusvibe_edit_access"
	ActionRemove       = "plusvibe_remove_client"
	ActionAddAccess    = "plusvibe_add_access"
	CallbackEditAccess = "plusvibe_edit_access"
	CallbackRemove     = "plusvibe_remove_client"
	BlockConfirmEmail  = "confirm_email"
	// FindShown is how many matches one answer lists (2 blocks each, well
	// within an ephemeral message's 50).
	FindShown = 20
)

// NoPasswordReset says what people look for and PlusVibe's API lacks.
const NoPasswordReset = "PlusVibe's API cannot reset a client's password: do that in PlusVibe itself."

// ClientMeta travels in the edit and remove modals: which client, as it was
// when the modal opened, and where the person asked.
type ClientMeta struct {
	ID       string `json:"id"`
	Email    string `json:"e"`
	Modified string `json:"m"` // modified_at as PlusVibe listed it
	Channel  string `json:"c,omitempty"`
	// Ends is the client's access end when the form opened (0: none).
	Ends int64 `json:"end,omitempty"`
}

// Encode returns the private_metadata string.
func (m ClientMeta) Encode() string {
	b, _ := json.Marshal(m) // plain strings: cannot fail
	return string(b)
}

// DecodeClientMeta reads private_metadata; a foreign string yields the zero value.
func DecodeClientMeta(s string) ClientMeta {
	var m ClientMeta
	_ = json.Unmarshal([]byte(s), &m)
	return m
}

// FindAnswer lists the clients that match query: the first FindShown of
// total, each with Edit access and Remove.
// ends, when it has a client's id, is when its access ends.
func FindAnswer(query string, matches []plusvibe.ClientLogin, total int, ends map[string]int64) (string, []slack.Block) {
	text := fmt.Sprintf("%d PlusVibe clients match %s", total, Escape(query))
	head := fmt.Sprintf("*%d* PlusVibe clients match *%s*.", total, Escape(query))
	switch {
	case total == 0:
		text = "No PlusVibe client matches " + Escape(query)
		head = fmt.Sprintf("No PlusVibe client matches *%s*. Search by email, name or business, or part of one.", Escape(query))
	case total == 1:
		text, head = "1 PlusVibe client matches "+Escape(query), fmt.Sprintf("*1* PlusVibe client matches *%s*.", Escape(query))
	case total > len(matches):
		head += fmt.Sprintf(" Showing %d of %d: search for more of the name or email to narrow it.", len(matches), total)
	}
	blocks := []slack.Block{section(head)}
	for i, c := range matches {
		blocks = append(blocks, clientSection(fmt.Sprintf("client_%d", i), c, ends[c.ID]),
			slack.NewActionBlock(fmt.Sprintf("client_%d_actions", i),
				slack.NewButtonBlockElement(ActionEditAccess, c.ID, plainText("Edit access")),
				slack.NewButtonBlockElement(ActionRemove, c.ID, plainText("Remove")).WithStyle(slack.StyleDanger)))
	}
	blocks = append(blocks, slack.NewContextBlock("no_reset", mrkdwn(NoPasswordReset)))
	return text, blocks
}

// clientSection shows who a client is and their access, within a section's
// 3,000 characters however many workspaces they have.
func clientSection(blockID string, c plusvibe.ClientLogin, ends int64) *slack.SectionBlock {
	head := fmt.Sprintf("*%s* · %s %s · %s · %s\nCreated %s, changed %s", Escape(c.Email), Escape(c.FirstName), Escape(c.LastName),
		Escape(c.BusinessName), Escape(c.Status), slackDate(c.CreatedAt), slackDate(c.ModifiedAt))
	if ends != 0 {
		head += " · :hourglass: " + EndsLine(ends)
	}
	lines := AccessLines(c)
	body := head
	for i, l := range lines {
		if len([]rune(body))+len([]rune(l))+60 > 3000 {
			body += fmt.Sprintf("\n…and %d more workspaces", len(lines)-i)
			break
		}
		body += "\n" + l
	}
	s := slack.NewSectionBlock(mrkdwn(body), nil, nil)
	s.BlockID = blockID
	return s
}

// AccessLines is a client's access, one workspace a line.
func AccessLines(c plusvibe.ClientLogin) []string {
	out := make([]string, len(c.Permissions))
	for i, p := range c.Permissions {
		name := p.WorkspaceName
		if name == "" {
			name = p.WorkspaceID
		}
		perm := "no access"
		if len(p.Permissions) > 0 {
			perm = PermissionLabel(p.Permissions[0])
		}
		out[i] = "• " + Escape(name) + ": " + perm
		if len(p.HideLabels) > 0 {
			out[i] += " (hides " + Escape(strings.Join(p.HideLabels, ", ")) + ")"
		}
	}
	return out
}

// EditAccessForm is a client's access, to change: its workspaces, each with
// its own access and hidden labels. note says what waits for approval.
func EditAccessForm(f request.Form, offered []plusvibe.Workspace, meta ClientMeta, note string) slack.ModalViewRequest {
	f.PerWorkspace = true
	ws := workspaceSelect(offered, f.WorkspaceIDs)
	wsBlock := slack.NewInputBlock(BlockWorkspaces, plainText("Workspaces"),
		plainText("Untick a workspace to take the client's access to it away."), ws)
	wsBlock.DispatchAction = true
	blocks := []slack.Block{section(fmt.Sprintf("Access of *%s*: each workspace chosen, with its own access.", Escape(meta.Email)))}
	if note != "" {
		blocks = append(blocks, slack.NewContextBlock("approval_note", mrkdwn(note)))
	}
	blocks = append(blocks, wsBlock)
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      CallbackEditAccess,
		Title:           plainText("Edit access"),
		Submit:          plainText("Save"),
		Close:           plainText("Cancel"),
		PrivateMetadata: meta.Encode(),
		Blocks: slack.Blocks{BlockSet: append(append(blocks, perWorkspaceBlocks(f, offered)...),
			endsBlock(f.EndsAt, "Optional: when the bot ends this client's access. Empty: no end."))},
	}
}

// ParseAccess reads an edit-access form's workspaces and their access.
func ParseAccess(state *slack.ViewState) request.Form {
	f := ParseForm(state)
	f.PerWorkspace = true
	f.Access = nil
	parseAccess(&f, state)
	return f
}

// RemoveForm asks to confirm a removal by typing the client's email.
func RemoveForm(c plusvibe.ClientLogin, meta ClientMeta) slack.ModalViewRequest {
	confirm := textInput(c.Email, "", plusvibe.MaxEmailLen)
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      CallbackRemove,
		Title:           plainText("Remove client"),
		Submit:          plainText("Remove"),
		Close:           plainText("Cancel"),
		PrivateMetadata: meta.Encode(),
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			section(fmt.Sprintf(":warning: Remove *%s* (%s %s, %s) from PlusVibe? Their login to %d workspaces stops working. This cannot be undone.",
				Escape(c.Email), Escape(c.FirstName), Escape(c.LastName), Escape(c.BusinessName), len(c.Permissions))),
			slack.NewInputBlock(BlockConfirmEmail, plainText("Type the client's email to confirm"), nil, confirm),
		}},
	}
}

// ClientResult ends an edit or a removal: what happened, or why not.
func ClientResult(title, text string) slack.ModalViewRequest {
	v := resultView(Metadata{}, title, section(text))
	v.CallbackID = CallbackEditAccess
	return v
}

// Duplicate answers a form whose email already belongs to a client: who it
// is, and the offer to add the chosen workspaces to their access instead.
// Back to the form brings back everything typed.
func Duplicate(f request.Form, meta Metadata, c plusvibe.ClientLogin, offered []plusvibe.Workspace) slack.ModalViewRequest {
	meta.Form = &f
	who := fmt.Sprintf(":warning: *%s* is already a PlusVibe client: %s %s, %s.\n%s", Escape(c.Email),
		Escape(c.FirstName), Escape(c.LastName), Escape(c.BusinessName), strings.Join(AccessLines(c), "\n"))
	offer := fmt.Sprintf("Add %s to their access instead? Workspaces they already have keep their access.", AccessText(f.Grants(offered)))
	add := slack.NewButtonBlockElement(ActionAddAccess, c.ID, plainText("Add to their access")).WithStyle(slack.StylePrimary)
	back := slack.NewButtonBlockElement(ActionRetry, "retry", plainText("Back to the form"))
	return resultView(meta, "Already a client", section(who), section(offer), slack.NewActionBlock("duplicate", add, back))
}
