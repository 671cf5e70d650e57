package plusvibe

import (
	"encoding/json"
	"fmt"
)

const redacted = "[REDACTED]"

// Password is a client's one-time password. Every way of printing or encoding it
// (fmt verbs, JSON, text marshalling, hence zerolog) yields a redaction; the real
// value is read only through Reveal.
type Password struct {
	// A pointer, so that fmt printing an enclosing struct's unexported field
	// (where it cannot call Format) shows an address, not the text.
	value *string
}

// NewPassword wraps a password value.
func NewPassword(v string) Password { return Password{value: &v} }

// Reveal returns the password itself. Call it only where the password is handed
// to its one recipient.
func (p Password) Reveal() string {
	if p.value == nil {
		return ""
	}
	return *p.value
}

// IsZero reports whether no password is set.
func (p Password) IsZero() bool { return p.Reveal() == "" }

func (p Password) String() string   { return redacted }
func (p Password) GoString() string { return redacted }

// Format covers every verb, including %v on a struct holding a Password and %#v.
func (p Password) Format(f fmt.State, _ rune) { fmt.Fprint(f, redacted) }

func (p Password) MarshalJSON() ([]byte, error) { return json.Marshal(redacted) }
func (p Password) MarshalText() ([]byte, error) { return []byte(redacted), nil }

// UnmarshalJSON reads the value PlusVibe sends.
func (p *Password) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("plusvibe: password is not a JSON string")
	}
	p.value = &s
	return nil
}
