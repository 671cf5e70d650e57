package bot

import "github.com/plusvibe-slack-bot/plusvibe-slack-bot/request"

// endRule is what an access end may be here: kept somewhere safe, within
// FULL_ACCESS_MAX_DAYS for Full access.
func (b *Bot) endRule() request.EndRule {
	return request.EndRule{Available: b.ends != nil, FullAccessMaxDays: b.cfg.FullAccessMaxDays}
}

// endsWith is what happens at an end here (ACCESS_END_ACTION).
func (b *Bot) endsWith() request.EndAction { return request.EndAction(b.cfg.EndAction) }
