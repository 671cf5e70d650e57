package modals

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/slack-go/slack/slackutilsx"
	"golang.org/x/net/idna"
)

// Escape makes user-typed text literal in mrkdwn: Slack treats only &, < and >
// as control characters, and <!channel> would otherwise ping everybody.
func Escape(s string) string {
	return slackutilsx.EscapeMessage(s)
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

// invisible finds the first control or format character in s: categories
// Cc, Cf (zero-width characters, bidi overrides such as U+202E), Zl and Zp.
// They can make text read differently from what it is. multiline allows line
// breaks. It returns the character and its 1-based position, or ok=false.
func invisible(s string, multiline bool) (r rune, pos int, found bool) {
	pos = 0
	for _, c := range s {
		pos++
		if multiline && (c == '\n' || c == '\r') {
			continue
		}
		if unicode.In(c, unicode.Cc, unicode.Cf, unicode.Zl, unicode.Zp) {
			return c, pos, true
		}
	}
	return 0, 0, false
}

// invisibleMessage says which character to remove, or "" when s has none.
func invisibleMessage(s string, multiline bool) string {
	r, pos, found := invisible(s, multiline)
	if !found {
		return ""
	}
	return fmt.Sprintf("Remove the invisible or control character U+%04X (character %d): it can make text read differently from what it is.", r, pos)
}
