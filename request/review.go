package request

import (
	"slices"
	"strings"
	"time"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe"
)

// ReviewEvent is the type of the metadata event a review page is kept as.
const ReviewEvent = "plusvibe_access_review"

// ReviewPageSize is how many clients one review message holds: two blocks
// each, within Block Kit's 50 per message, with room for a heading.
const ReviewPageSize = 20

// Review decisions.
const (
	ReviewKeep   = "keep"
	ReviewReduce = "reduce"
	ReviewRemove = "remove"
)

// ReviewItem is one Full access client in a review, and what was decided.
type ReviewItem struct {
	ClientID   string   `json:"id"`
	Email      string   `json:"e"`
	Business   string   `json:"b,omitempty"`
	Workspaces []string `json:"w,omitempty"` // where it has Full access, by name
	// Requester asked for it, when the bot knows.
	Requester string `json:"u,omitempty"`
	Since     int64  `json:"s,omitempty"` // created, Unix seconds
	Ends      int64  `json:"end,omitempty"`
	Decision  string `json:"d,omitempty"`
	By        string `json:"by,omitempty"`
	// Outcome is what applying the decision did, or why it failed.
	Outcome string `json:"o,omitempty"`
	// Access is the client's access as the review saw it (AccessKey): a
	// decision is applied only to that. Not modified_at: a page lives for
	// days, and what else PlusVibe counts as a modification is not written.
	Access string `json:"a,omitempty"`
}

// Changed reports whether current's access is no longer what the review saw.
func (it ReviewItem) Changed(current plusvibe.ClientLogin) bool {
	return it.Access != "" && AccessKey(current.Permissions) != it.Access
}

// ReviewPage is one message of a review.
type ReviewPage struct {
	Period int64        `json:"p"`
	Page   int          `json:"n"`
	Pages  int          `json:"of"`
	Items  []ReviewItem `json:"items"`
}

// Period is the number of the review period now falls in.
func Period(now time.Time, every time.Duration) int64 {
	return now.Unix() / int64(every/time.Second)
}

// FullAccessItems lists the clients with Full access somewhere, by email,
// each with the names of the workspaces where it has it.
func FullAccessItems(clients []plusvibe.ClientLogin, offered []plusvibe.Workspace) []ReviewItem {
	var out []ReviewItem
	for _, c := range clients {
		var ws []string
		for _, p := range c.Permissions {
			if slices.Contains(p.Permissions, plusvibe.PermissionFullAccess) {
				name := p.WorkspaceName
				if name == "" {
					name = WorkspaceName(p.WorkspaceID, offered)
				}
				ws = append(ws, name)
			}
		}
		if len(ws) > 0 {
			out = append(out, ReviewItem{ClientID: c.ID, Email: c.Email, Business: c.BusinessName, Workspaces: ws, Since: c.CreatedAt.Unix(),
				Access: AccessKey(c.Permissions)})
		}
	}
	slices.SortFunc(out, func(a, b ReviewItem) int { return strings.Compare(strings.ToLower(a.Email), strings.ToLower(b.Email)) })
	return out
}

// Paginate splits a review's items into pages of ReviewPageSize.
func Paginate(period int64, items []ReviewItem) []ReviewPage {
	var pages []ReviewPage
	for chunk := range slices.Chunk(items, ReviewPageSize) {
		pages = append(pages, ReviewPage{Period: period, Page: len(pages) + 1, Items: chunk})
	}
	if len(pages) == 0 {
		pages = []ReviewPage{{Period: period, Page: 1}}
	}
	for i := range pages {
		pages[i].Pages = len(pages)
	}
	return pages
}

// ReviewVerdict is what a click on a review item may do.
type ReviewVerdict int

const (
	ReviewGo ReviewVerdict = iota
	// ReviewNotListed: the page has no such client.
	ReviewNotListed
	// ReviewDecided: decided already.
	ReviewDecided
	// ReviewOwnClient: nobody reviews a client they asked for.
	ReviewOwnClient
)

// Decide says whether clicker may decide the review of clientID on p.
func (p ReviewPage) Decide(clientID, clicker string) (int, ReviewVerdict) {
	i := slices.IndexFunc(p.Items, func(it ReviewItem) bool { return it.ClientID == clientID })
	switch {
	case i < 0:
		return i, ReviewNotListed
	case p.Items[i].Decision != "":
		return i, ReviewDecided
	case p.Items[i].Requester == clicker:
		return i, ReviewOwnClient
	}
	return i, ReviewGo
}

// Payload is p as a metadata event's payload.
func (p ReviewPage) Payload() map[string]any { return payload(p) }

// ReviewFromPayload reads a review page kept as an event of eventType.
func ReviewFromPayload(eventType string, pl map[string]any) (ReviewPage, bool) {
	var p ReviewPage
	if eventType != ReviewEvent || !fromPayload(pl, &p) || p.Period == 0 {
		return ReviewPage{}, false
	}
	return p, true
}
