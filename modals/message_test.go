package modals_test

import (
	"net/mail"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe"
)

func TestFromMessage(t *testing.T) {
	long := strings.Repeat("lorem ipsum dolor sit amet ", 1500) // 40,500 characters
	tests := []struct {
		name, text         string
		email, first, last string
	}{
		{"plain address", "please give jane@acme.com access to Acme", "jane@acme.com", "", ""},
		{"Slack's mailto markup", "please give <mailto:jane@acme.com|jane@acme.com> access", "jane@acme.com", "", ""},
		{"mailto with a name", "new client: <mailto:jane@acme.com|Jane Doe>", "jane@acme.com", "Jane", "Doe"},
		{"name before <address>, as Slack escapes it", "Jane Doe &lt;<mailto:jane@acme.com|jane@acme.com>&gt; needs Acme", "jane@acme.com", "Jane", "Doe"},
		{"name before <address>, unlinked", "Jane Doe &lt;jane@acme.com&gt; needs Acme", "jane@acme.com", "Jane", "Doe"},
		{"name before (address)", "add Zoë Müller-Lüdenscheidt (<mailto:zoe@acme.de|zoe@acme.de>)", "zoe@acme.de", "Zoë", "Müller-Lüdenscheidt"},
		{"first.last local part", "access for <mailto:jane.doe@acme.com|jane.doe@acme.com> please", "jane.doe@acme.com", "Jane", "Doe"},
		{"first.last upper case", "JANE.DOE@ACME.COM", "JANE.DOE@ACME.COM", "Jane", "Doe"},
		{"a name beats the local part", "John Smith &lt;jane.doe@acme.com&gt;", "jane.doe@acme.com", "John", "Smith"},
		{"several: the first", "bob@x.io then <mailto:jane@acme.com|Jane Doe> and carl@y.io", "bob@x.io", "", ""},
		{"several links: the first", "<mailto:jane@acme.com|Jane Doe>, <mailto:bob@x.io|Bob Roe>", "jane@acme.com", "Jane", "Doe"},
		{"none", "please create a client for Acme", "", "", ""},
		{"a user mention is not an email", "<@U0123ABC> asked for <https://acme.com|acme.com>", "", "", ""},
		{"a link label is not an address", "<https://x.io/a@b.com|a@b.com>", "", "", ""},
		{"trailing dot", "write to jane@acme.com.", "jane@acme.com", "", ""},
		{"lower-case words are no name", "hey there &lt;jane@acme.com&gt;", "jane@acme.com", "", ""},
		{"three dots are no name", "a.b.c@acme.com", "a.b.c@acme.com", "", ""},
		{"digits are no name", "jane.doe2@acme.com", "jane.doe2@acme.com", "", ""},
		{"40,000 characters, address at the end", long + " Jane Doe &lt;jane@acme.com&gt;", "jane@acme.com", "Jane", "Doe"},
		{"40,000 characters, none", long, "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := modals.FromMessage(tt.text)
			if f.Email != tt.email || f.FirstName != tt.first || f.LastName != tt.last {
				t.Errorf("FromMessage = %q %q %q, want %q %q %q", f.Email, f.FirstName, f.LastName, tt.email, tt.first, tt.last)
			}
			if f.BusinessName != "" || len(f.WorkspaceIDs) > 0 || f.Permission != "" {
				t.Errorf("FromMessage filled more than the person: %+v", f)
			}
		})
	}
}

// FuzzFromMessage: whatever the message, what is filled in is an address
// that appears in it and names that fit the form.
func FuzzFromMessage(f *testing.F) {
	for _, seed := range []string{"", "jane@acme.com", "<mailto:jane@acme.com|Jane Doe>", "Jane Doe &lt;jane@acme.com&gt;",
		"<mailto:a@b.co|<mailto:c@d.co>>", "Ünïcødé Nämé (ü@ü.de)", "a.b@c.de", "<mailto:@|>", "\xff\xfe@x.io"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		form := modals.FromMessage(text)
		if form.Email != "" {
			if !strings.Contains(text, form.Email) {
				t.Errorf("email %q is not in the message", form.Email)
			}
			if a, err := mail.ParseAddress(form.Email); err != nil || a.Address != form.Email || len(form.Email) > plusvibe.MaxEmailLen {
				t.Errorf("email %q is not an address: %v", form.Email, err)
			}
		}
		for _, name := range []string{form.FirstName, form.LastName} {
			if !utf8.ValidString(name) || utf8.RuneCountInString(name) > plusvibe.MaxNameLen || strings.ContainsAny(name, " <>&|@") {
				t.Errorf("name %q does not fit the form", name)
			}
		}
		if (form.FirstName == "") != (form.LastName == "") || (form.FirstName != "" && form.Email == "") {
			t.Errorf("names %q %q without each other or an address", form.FirstName, form.LastName)
		}
	})
}
