package plusvibe

import (
	"fmt"
	"net/mail"
	"strings"
	"unicode/utf8"
)

// Request fields, as named in FieldError.Field. They are the JSON names, so a
// caller can map each problem to its own input.
const (
	FieldWorkspaceID  = "workspace_id"
	FieldEmail        = "client_email"
	FieldFirstName    = "client_first_name"
	FieldLastName     = "client_last_name"
	FieldBusinessName = "client_business_name"
	FieldWorkspaces   = "workspaces"
	FieldPermissions  = "workspaces.permissions"
	FieldHideLabels   = "workspaces.hide_labels"
)

// Length limits, in characters. PlusVibe publishes none; these keep a typo'd
// paste from becoming a login and fit Slack's own input limits.
const (
	MaxEmailLen        = 254 // RFC 5321 path limit
	MaxNameLen         = 100
	MaxBusinessNameLen = 150
	MaxLabelLen        = 100
)

// FieldError is one problem with one field.
type FieldError struct {
	Field string
	// Index is the position in Workspaces for per-workspace fields, else -1.
	Index   int
	Message string
}

// ValidationErrors lists every problem found in a request.
type ValidationErrors []FieldError

func (v ValidationErrors) Error() string {
	msgs := make([]string, len(v))
	for i, fe := range v {
		msgs[i] = fe.Field + ": " + fe.Message
	}
	return "plusvibe: invalid request: " + strings.Join(msgs, "; ")
}

// Normalized returns a copy with surrounding spaces trimmed and nil label lists
// replaced by empty ones (PlusVibe wants hide_labels present, even as []).
func (r CreateClientRequest) Normalized() CreateClientRequest {
	out := r
	out.WorkspaceID = strings.TrimSpace(r.WorkspaceID)
	out.ClientEmail = strings.TrimSpace(r.ClientEmail)
	out.ClientFirstName = strings.TrimSpace(r.ClientFirstName)
	out.ClientLastName = strings.TrimSpace(r.ClientLastName)
	out.ClientBusinessName = strings.TrimSpace(r.ClientBusinessName)
	if r.Workspaces != nil {
		out.Workspaces = make([]ClientWorkspacePermission, len(r.Workspaces))
		for i, w := range r.Workspaces {
			labels := make([]string, 0, len(w.HideLabels))
			for _, l := range w.HideLabels {
				labels = append(labels, strings.TrimSpace(l))
			}
			out.Workspaces[i] = ClientWorkspacePermission{
				ID:          strings.TrimSpace(w.ID),
				Permissions: append([]string(nil), w.Permissions...),
				HideLabels:  labels,
			}
		}
	}
	return out
}

// Validate reports every problem with the request at once, or nil. It judges
// the request as Normalized would send it.
func (r CreateClientRequest) Validate() error {
	r = r.Normalized()
	var errs ValidationErrors
	add := func(field string, idx int, format string, args ...any) {
		errs = append(errs, FieldError{Field: field, Index: idx, Message: fmt.Sprintf(format, args...)})
	}

	if !IsWorkspaceID(r.WorkspaceID) {
		add(FieldWorkspaceID, -1, "The API workspace id must be 24 hexadecimal characters.")
	}
	if msg := checkEmail(r.ClientEmail); msg != "" {
		add(FieldEmail, -1, "%s", msg)
	}
	for _, f := range []struct {
		field, label, value string
		max                 int
	}{
		{FieldFirstName, "first name", r.ClientFirstName, MaxNameLen},
		{FieldLastName, "last name", r.ClientLastName, MaxNameLen},
		{FieldBusinessName, "business name", r.ClientBusinessName, MaxBusinessNameLen},
	} {
		if msg := checkText(f.label, f.value, f.max); msg != "" {
			add(f.field, -1, "%s", msg)
		}
	}

	checkWorkspaces(r.Workspaces, add)
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// IsWorkspaceID reports whether s looks like a PlusVibe (MongoDB) object id.
func IsWorkspaceID(s string) bool {
	if len(s) != 24 {
		return false
	}
	for _, c := range s {
		if !strings.ContainsRune("0123456789abcdefABCDEF", c) {
			return false
		}
	}
	return true
}

func checkEmail(s string) string {
	switch {
	case s == "":
		return "Enter the client's email address."
	case utf8.RuneCountInString(s) > MaxEmailLen:
		return fmt.Sprintf("The email address is too long: the limit is %d characters.", MaxEmailLen)
	}
	addr, err := mail.ParseAddress(s)
	// ParseAddress also accepts "Name <a@b.c>"; only a bare address will do.
	if err != nil || addr.Address != s || addr.Name != "" {
		return fmt.Sprintf("%q is not an email address; write it like name@example.com.", s)
	}
	domain := s[strings.LastIndexByte(s, '@')+1:]
	if !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") {
		return fmt.Sprintf("%q has no valid domain; write it like name@example.com.", s)
	}
	return ""
}

func checkText(label, s string, max int) string {
	if s == "" {
		return fmt.Sprintf("The %s cannot be blank.", label)
	}
	if n := utf8.RuneCountInString(s); n > max {
		return fmt.Sprintf("The %s is too long: %d characters, the limit is %d.", label, n, max)
	}
	return ""
}

// checkWorkspaces reports the problems of a client's access, one workspace
// at a time.
func checkWorkspaces(ws []ClientWorkspacePermission, add func(field string, idx int, format string, args ...any)) {
	if len(ws) == 0 {
		add(FieldWorkspaces, -1, "Choose at least one workspace.")
	}
	seen := make(map[string]bool, len(ws))
	for i, w := range ws {
		switch {
		case !IsWorkspaceID(w.ID):
			add(FieldWorkspaces, i, "%q is not a PlusVibe workspace id (24 hexadecimal characters).", w.ID)
		case seen[strings.ToLower(w.ID)]:
			add(FieldWorkspaces, i, "Workspace %s is listed twice.", w.ID)
		}
		seen[strings.ToLower(w.ID)] = true

		if len(w.Permissions) != 1 {
			add(FieldPermissions, i, "Choose exactly one permission: Full access or Unibox only.")
		} else if p := w.Permissions[0]; p != PermissionFullAccess && p != PermissionUniboxAccess {
			add(FieldPermissions, i, "%q is not a permission; use Full access or Unibox only.", p)
		}
		for _, l := range w.HideLabels {
			if msg := checkText("label", l, MaxLabelLen); msg != "" {
				add(FieldHideLabels, i, "%s", msg)
				break
			}
		}
	}
}
