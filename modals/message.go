package modals

import (
	"html"
	"net/mail"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/request"
)

// Message text as Slack sends it: a link is <target|label> or <target>, and
// a literal &, < or > is escaped as an entity.
var (
	slackLink = regexp.MustCompile(`<([^<>|]*)(?:\|([^<>]*))?>`)
	emailLike = regexp.MustCompile(`[A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}`)
	// A name right before an email in angle brackets or parentheses:
	// "Jane Doe <jane@acme.com>", "Jane Doe (jane@acme.com)".
	nameBefore = regexp.MustCompile(`(\p{Lu}[\p{L}'-]*)\s+(\p{Lu}[\p{L}'-]*)\s*[<(]\s*$`)
)

// FromMessage pre-fills the form from a Slack message: the first email
// address in it, and a first and last name when the message gives them with
// it (a mailto link whose label is a name, "Jane Doe <jane@acme.com>", or a
// first.last@ address). Anything it cannot tell is left for the person.
func FromMessage(text string) request.Form {
	var f request.Form
	for _, m := range slackLink.FindAllStringSubmatchIndex(text, -1) {
		target, label := text[m[2]:m[3]], ""
		if m[4] >= 0 {
			label = text[m[4]:m[5]]
		}
		addr, ok := strings.CutPrefix(target, "mailto:")
		if !ok || !isEmail(addr) {
			continue
		}
		if earlier := plainEmail(text[:m[0]]); earlier != "" {
			break // a plain address comes first
		}
		f.Email = addr
		f.FirstName, f.LastName = nameFromLabel(html.UnescapeString(label), addr)
		if f.FirstName == "" {
			f.FirstName, f.LastName = nameBeside(text[:m[0]])
		}
		break
	}
	if f.Email == "" {
		loc := plainEmailIndex(text)
		if loc == nil {
			return f
		}
		f.Email = text[loc[0]:loc[1]]
		f.FirstName, f.LastName = nameBeside(text[:loc[0]])
	}
	if f.FirstName == "" {
		f.FirstName, f.LastName = nameFromLocalPart(f.Email)
	}
	return f
}

// plainEmailIndex finds the first address outside Slack's link markup.
func plainEmailIndex(text string) []int {
	masked := slackLink.ReplaceAllStringFunc(text, func(s string) string { return strings.Repeat(" ", len(s)) })
	for _, loc := range emailLike.FindAllStringIndex(masked, -1) {
		if isEmail(text[loc[0]:loc[1]]) {
			return loc
		}
	}
	return nil
}

func plainEmail(text string) string {
	if loc := plainEmailIndex(text); loc != nil {
		return text[loc[0]:loc[1]]
	}
	return ""
}

func isEmail(s string) bool {
	if len(s) > plusvibe.MaxEmailLen {
		return false
	}
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s
}

// nameFromLabel reads a mailto link's label as "First Last" when it is not
// the address itself.
func nameFromLabel(label, addr string) (string, string) {
	label = strings.TrimSpace(label)
	if label == "" || strings.EqualFold(label, addr) || strings.Contains(label, "@") {
		return "", ""
	}
	words := strings.Fields(label)
	if len(words) != 2 || !isName(words[0]) || !isName(words[1]) {
		return "", ""
	}
	return words[0], words[1]
}

// nameBeside reads "First Last" right before an address in <…> or (…);
// before holds the text up to the address, entities still escaped.
func nameBeside(before string) (string, string) {
	tail := before
	if len(tail) > 200 {
		tail = tail[len(tail)-200:]
		for !utf8.ValidString(tail) {
			tail = tail[1:]
		}
	}
	tail = strings.ReplaceAll(tail, "&lt;", "<")
	m := nameBefore.FindStringSubmatch(tail)
	if m == nil {
		return "", ""
	}
	return m[1], m[2]
}

// nameFromLocalPart reads jane.doe@ as Jane Doe; anything else gives nothing.
func nameFromLocalPart(email string) (string, string) {
	local, _, _ := strings.Cut(email, "@")
	parts := strings.Split(local, ".")
	if len(parts) != 2 {
		return "", ""
	}
	first, last := capitalize(parts[0]), capitalize(parts[1])
	if !isName(first) || !isName(last) {
		return "", ""
	}
	return first, last
}

func isName(s string) bool {
	if s == "" || utf8.RuneCountInString(s) > plusvibe.MaxNameLen {
		return false
	}
	for _, r := range s {
		if !unicode.IsLetter(r) && r != '-' && r != '\'' {
			return false
		}
	}
	return true
}

func capitalize(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	if size == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + strings.ToLower(s[size:])
}
