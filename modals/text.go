package modals

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/slack-go/slack/slackutilsx"
	"golang.org/x/net/idna"
)

// Escape makes user-typed text literal in mrkdwn: Slack treats only &, < and >
// as control characters, and <!channel> would otherwise ping everybody.
func Escape(s string) string {
	return slackutilsx.EscapeMessage(s)
}

// reasonText shows a record's reason. A change's is written by the bot in
// mrkdwn, with everything from outside (PlusVibe's words, an email)
// already escaped, and mentions that must stay mentions; any other is
// plain text.
func reasonText(reason string, change bool) string {
	if change {
		return reason
	}
	return Escape(reason)
}

// truncate cuts s to max characters with an ellipsis. It never splits an
// entity such as &amp;: escaped text stays escaped.
func truncate(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	cut := string([]rune(s)[:max-1])
	if amp := strings.LastIndexByte(cut, '&'); amp >= 0 && !strings.Contains(cut[amp:], ";") {
		cut = cut[:amp]
	}
	return cut + "…"
}

// EmailForApprovers shows an email as typed and, when its domain is
// internationalised, in the ASCII form mail servers use, so that a look-alike
// domain (a Cyrillic "а" for a Latin "a") is visible to whoever approves it.
func EmailForApprovers(email string) string {
	shown := Escape(email)
	at := strings.LastIndexByte(email, '@')
	if at < 0 || isASCII(email[at+1:]) {
		return shown
	}
	ascii, err := idna.Lookup.ToASCII(email[at+1:])
	if err != nil {
		return shown + " (the domain is not a valid internationalised name)"
	}
	return fmt.Sprintf("%s (domain as sent: `%s`)", shown, Escape(ascii))
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
