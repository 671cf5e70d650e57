package modals

import (
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/request"
)

// ActionHomeCreate is the Home tab's Create client button: it opens the form.
const ActionHomeCreate = "plusvibe_home_create"

// Home tab bounds: the newest requests of the viewer, and the pending ones
// shown to an approver; with headers, well under Slack's 100 blocks.
const (
	HomeRequests = 10
	HomeWaiting  = 20
)

// HomeItem is one of a person's requests as their Home tab lists it. It
// holds what the tab shows, never a password.
type HomeItem struct {
	// ID is the form's view id, or the approval request's channel/ts.
	ID       string        `json:"id"`
	At       int64         `json:"at"` // Unix seconds
	Email    string        `json:"e"`
	Business string        `json:"b,omitempty"`
	State    request.State `json:"s"`
	Reason   string        `json:"r,omitempty"`
	// Ref is the approval request (channel/ts): the Create client button's
	// value while it is approved. Link is its permalink.
	Ref  string `json:"ref,omitempty"`
	Link string `json:"l,omitempty"`
	// Change marks a change to an existing client's access.
	Change bool `json:"x,omitempty"`
	// Why is the request's own reason: a ticket or a link.
	Why string `json:"w,omitempty"`
	// Ends is when the access asked for ends (Unix seconds), if it does.
	Ends int64 `json:"end,omitempty"`
}

// WaitingItem is a request that waits for an approver's decision.
type WaitingItem struct {
	Ref       string `json:"ref"`
	Link      string `json:"l,omitempty"`
	Requester string `json:"u"`
	Email     string `json:"e"`
	Business  string `json:"b,omitempty"`
	At        int64  `json:"at"`
}

// HomeView is a person's Home tab: a Create client button, their recent
// requests and where each stands, and, for an approver, the requests that
// wait for them (of waitingTotal).
func HomeView(items []HomeItem, waiting []WaitingItem, waitingTotal int, approver bool) slack.HomeTabViewRequest {
	create := slack.NewButtonBlockElement(ActionHomeCreate, "create", plainText("Create client")).WithStyle(slack.StylePrimary)
	blocks := []slack.Block{
		slack.NewHeaderBlock(plainText("PlusVibe clients")),
		slack.NewActionBlock("home_actions", create),
		section("*Your requests*"),
	}
	if len(items) == 0 {
		blocks = append(blocks, slack.NewContextBlock("", mrkdwn("No requests yet.")))
	}
	for i, it := range items[:min(len(items), HomeRequests)] {
		blocks = append(blocks, homeItem(i, it)...)
	}
	if approver {
		blocks = append(blocks, slack.NewDividerBlock(), section("*Waiting for you*"))
		if len(waiting) == 0 {
			blocks = append(blocks, slack.NewContextBlock("", mrkdwn("Nothing waits for your decision.")))
		}
		for _, w := range waiting[:min(len(waiting), HomeWaiting)] {
			blocks = append(blocks, section(fmt.Sprintf("%s asked by <@%s> · %s", linked(w.Link, w.Email, w.Business), w.Requester, when(w.At))))
		}
		if waitingTotal > HomeWaiting {
			blocks = append(blocks, slack.NewContextBlock("", mrkdwn(fmt.Sprintf("Showing %d of %d: the rest are in the approval channel.", HomeWaiting, waitingTotal))))
		}
	}
	return slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: blocks}}
}

func homeItem(i int, it HomeItem) []slack.Block {
	text := fmt.Sprintf("*%s*", Escape(it.Email))
	if it.Business != "" {
		text += " · " + Escape(it.Business)
	}
	text += "\n" + when(it.At) + " · "
	if it.Change {
		text += "access change: "
	}
	text += homeState(it)
	if why := strings.TrimSpace(it.Why); why != "" {
		text += "\nwhy: " + Escape(truncate(why, 200))
	}
	if it.Ends != 0 {
		text += "\n:hourglass: " + EndsLine(it.Ends)
	}
	s := section(text)
	s.BlockID = fmt.Sprintf("request_%d", i)
	switch {
	case it.Ref == "":
	case it.State == request.Approved:
		s.Accessory = slack.NewAccessory(slack.NewButtonBlockElement(ActionCollect, it.Ref, plainText("Create client")).WithStyle(slack.StylePrimary))
		return []slack.Block{s, slack.NewActionBlock(fmt.Sprintf("more_%d", i), withdrawButton(it.Ref))}
	case it.State == request.Pending:
		s.Accessory = slack.NewAccessory(withdrawButton(it.Ref))
	}
	return []slack.Block{s}
}

func homeState(it HomeItem) string {
	reason := ""
	if it.Reason != "" {
		reason = ": " + reasonText(it.Reason, it.Change)
	}
	switch it.State {
	case request.Pending:
		return linked(it.Link, "waiting for approval", "")
	case request.Approved:
		return ":ballot_box_with_check: approved: create it"
	case request.Creating:
		return ":hourglass_flowing_sand: being created"
	case request.Created:
		if it.Change {
			return ":white_check_mark: applied"
		}
		return ":white_check_mark: created"
	case request.Denied:
		return ":no_entry: denied" + reason
	case request.Expired:
		return ":hourglass: expired"
	case request.Withdrawn:
		return ":leftwards_arrow_with_hook: withdrawn"
	}
	return ":x: failed" + reason
}

// linked shows email (business), as a link to the request when there is one.
func linked(link, text, business string) string {
	text = Escape(text)
	if business != "" {
		text += " (" + Escape(business) + ")"
	}
	if link == "" {
		return text
	}
	return "<" + link + "|" + text + ">"
}

// when is a time as Slack shows it in the reader's own time zone.
func when(unix int64) string {
	return fmt.Sprintf("<!date^%d^{date_short_pretty} {time}|%s>", unix, time.Unix(unix, 0).UTC().Format("2006-01-02 15:04 UTC"))
}
