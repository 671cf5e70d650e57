package modals

import (
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/request"
)

// The review's buttons; each carries the client's id.
const (
	ActionReviewKeep   = "plusvibe_review_keep"
	ActionReviewReduce = "plusvibe_review_reduce"
	ActionReviewRemove = "plusvibe_review_remove"
)

// ReviewDecisions maps each review button to its decision.
var ReviewDecisions = map[string]string{
	ActionReviewKeep: request.ReviewKeep, ActionReviewReduce: request.ReviewReduce, ActionReviewRemove: request.ReviewRemove,
}

// ReviewMessage is one page of an access review.
func ReviewMessage(p request.ReviewPage) (string, []slack.Block) {
	text := fmt.Sprintf("Access review, page %d of %d: %d clients with Full access", p.Page, p.Pages, len(p.Items))
	head := fmt.Sprintf(":mag: *Access review* (page %d of %d): the clients with Full access. For each: keep it, reduce it to Unibox only, or remove the client. Approvers decide, never for a client they asked for; each decision is final.", p.Page, p.Pages)
	if len(p.Items) == 0 {
		head = ":mag: *Access review*: no client has Full access. Nothing to decide."
	}
	blocks := []slack.Block{section(head)}
	for _, it := range p.Items {
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(truncate(reviewLine(it), 3000)), nil, nil, slack.SectionBlockOptionBlockID("item:"+it.ClientID)))
		if it.Decision != "" {
			blocks = append(blocks, slack.NewContextBlock("decided:"+it.ClientID, mrkdwn(truncate(reviewDecided(it), 3000))))
			continue
		}
		keep := slack.NewButtonBlockElement(ActionReviewKeep, it.ClientID, plainText("Keep"))
		reduce := slack.NewButtonBlockElement(ActionReviewReduce, it.ClientID, plainText("Reduce to Unibox only"))
		remove := slack.NewButtonBlockElement(ActionReviewRemove, it.ClientID, plainText("Remove")).WithStyle(slack.StyleDanger)
		blocks = append(blocks, slack.NewActionBlock("review:"+it.ClientID, keep, reduce, remove))
	}
	return text, blocks
}

func reviewLine(it request.ReviewItem) string {
	parts := []string{"*" + Escape(it.Email) + "*"}
	if it.Business != "" {
		parts[0] += " (" + Escape(it.Business) + ")"
	}
	ws := make([]string, len(it.Workspaces))
	for i, w := range it.Workspaces {
		ws[i] = Escape(w)
	}
	parts = append(parts, "Full access in "+strings.Join(ws, ", "))
	if it.Requester != "" {
		parts = append(parts, fmt.Sprintf("asked by <@%s>", it.Requester))
	} else {
		parts = append(parts, "asked by someone the bot does not know") // made outside the bot, or forgotten
	}
	if it.Since != 0 {
		parts = append(parts, "since "+slackDate(time.Unix(it.Since, 0)))
	}
	if it.Ends != 0 {
		parts = append(parts, "ends "+slackDate(time.Unix(it.Ends, 0)))
	} else {
		parts = append(parts, "no end")
	}
	return strings.Join(parts, " · ")
}

func reviewDecided(it request.ReviewItem) string {
	word := map[string]string{request.ReviewKeep: ":white_check_mark: Kept", request.ReviewReduce: ":arrow_down: Reduced to Unibox only",
		request.ReviewRemove: ":wastebasket: Removed"}[it.Decision]
	line := fmt.Sprintf("%s by <@%s>.", word, it.By)
	if it.Outcome != "" {
		line += " " + Escape(it.Outcome)
	}
	return line
}

// Review answers to a clicker.
const (
	ReviewNotListedText = "This client is not in this review."
	ReviewOwnClientText = "You asked for this client: another approver reviews it."
	ReviewUnreadable    = "The review message could not be read back; try again in a moment."
	// ReviewChangedText refuses a decision on a client changed since its
	// review was posted.
	ReviewChangedText = "Nothing done: this client changed since the review was posted. The next review shows it as it is."
	NotAReviewerText  = "Only approvers (APPROVERS, APPROVER_USERGROUPS) decide access reviews."
)

// ReviewDecidedText says a client was decided already.
func ReviewDecidedText(it request.ReviewItem) string { return "Decided already: " + reviewDecided(it) }
