// Package request is what a request for a PlusVibe client is: the form and
// its validation, the access it grants in each workspace, the record of an
// approval and where it stands, and the decisions taken on them. It knows
// nothing of Slack: views and messages live in modals, the flows in bot,
// Slack's API in bot/slackapi.
package request

// The form's fields, named as the inputs that hold them, so that a problem
// found here shows under its input.
const (
	FieldEmail        = "client_email"
	FieldFirstName    = "client_first_name"
	FieldLastName     = "client_last_name"
	FieldBusinessName = "client_business_name"
	FieldWorkspaces   = "workspaces"
	FieldPermission   = "permission"
	FieldHideLabels   = "hide_labels"
	FieldReason       = "reason"

	fieldPermPrefix  = "perm:"
	fieldLabelPrefix = "labels:"
)

// FieldWorkspacePermission and FieldWorkspaceLabels are one workspace's own
// access, in a form with access per workspace.
func FieldWorkspacePermission(id string) string { return fieldPermPrefix + id }
func FieldWorkspaceLabels(id string) string     { return fieldLabelPrefix + id }

// Limits chosen so that a whole Form fits in a view's private_metadata
// (3,000 characters), for "Edit and try again".
const (
	MaxWorkspaces    = 25
	MaxHideLabelsLen = 500
	// MaxPerWorkspaceLabels bounds the labels typed for all workspaces
	// together.
	MaxPerWorkspaceLabels = 300
	// MaxReasonLen bounds why a client is asked for: room for a ticket
	// number or a link.
	MaxReasonLen = 200
)
