package bot

import "github.com/plusvibe-slack-bot/plusvibe-slack-bot/request"

// endRule is what an access end may be here: kept somewhere safe, within
// FULL_ACCESS_MAX_DAYS for Full access.
func (b *Bot) endRule() request.EndRule {
	return request.EndRule{Available: b.ends != nil, FullAccessMaxDays: b.cfg.FullAccessMaxDays}
}
