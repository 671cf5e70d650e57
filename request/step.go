package request

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe"
)

// StepCallbackID is the Workflow Builder step's callback_id in manifest.yaml.
const StepCallbackID = "create_plusvibe_client"

// The step's inputs, as manifest.yaml names them.
const (
	InputRequester    = "requester"
	InputEmail        = "email"
	InputFirstName    = "first_name"
	InputLastName     = "last_name"
	InputBusinessName = "business_name"
	InputWorkspaces   = "workspaces"
	InputAccess       = "access"
	InputHiddenLabels = "hidden_labels"
	InputReason       = "reason"
	InputEnds         = "access_ends"
)

// StepInputs are the step's input parameters, in the order the form asks.
var StepInputs = []string{InputRequester, InputEmail, InputFirstName, InputLastName, InputBusinessName,
	InputWorkspaces, InputAccess, InputHiddenLabels, InputReason, InputEnds}

// StepOutputs are the step's output parameters, as manifest.yaml names
// them: never a password, since whoever edits the workflow sees them.
var StepOutputs = []string{"client_id", "client_email", "status", "request_link", "detail"}

// Step is a Workflow Builder run that asked for a client: it ends (the run
// completes) when its request does.
type Step struct {
	// ExecutionID is the run's function_execution_id.
	ExecutionID string `json:"x"`
	// Workflow is the workflow_execution_id it belongs to.
	Workflow string `json:"w,omitempty"`
}

// inputFields maps each form field to the input that feeds it, so that a
// problem found by Validate names the input a workflow author must fix.
var inputFields = map[string]string{
	FieldEmail: InputEmail, FieldFirstName: InputFirstName, FieldLastName: InputLastName,
	FieldBusinessName: InputBusinessName, FieldWorkspaces: InputWorkspaces, FieldPermission: InputAccess,
	FieldHideLabels: InputHiddenLabels, FieldReason: InputReason, FieldEnds: InputEnds,
}

// StepInput returns the input that feeds form field field.
func StepInput(field string) string {
	if in, found := inputFields[field]; found {
		return in
	}
	return InputWorkspaces // a workspace's own access: the step has none, but say where
}

// StepForm reads a run's inputs as the form would have them. Workspaces are
// named or given by id, comma separated; names match whatever their case.
// problems, keyed by input name, are what the inputs alone show; the form's
// own rules (Validate) come after.
func StepForm(inputs map[string]any, offered []plusvibe.Workspace) (requester string, f Form, problems map[string]string) {
	text := func(name string) string { s, _ := inputs[name].(string); return strings.TrimSpace(s) }
	problems = map[string]string{}
	requester = text(InputRequester)
	if requester == "" {
		problems[InputRequester] = "Choose the person the client is for: they receive its password."
	}
	f = Form{Email: text(InputEmail), FirstName: text(InputFirstName), LastName: text(InputLastName),
		BusinessName: text(InputBusinessName), HideLabels: text(InputHiddenLabels), Reason: text(InputReason)}
	switch access := strings.ToUpper(text(InputAccess)); access {
	case plusvibe.PermissionFullAccess, plusvibe.PermissionUniboxAccess:
		f.Permission = access
	case "":
		problems[InputAccess] = fmt.Sprintf("Choose %s or %s.", plusvibe.PermissionFullAccess, plusvibe.PermissionUniboxAccess)
	default:
		problems[InputAccess] = fmt.Sprintf("%q is not an access: use %s or %s.", access, plusvibe.PermissionFullAccess, plusvibe.PermissionUniboxAccess)
	}
	if at, ok := timestamp(inputs[InputEnds]); ok {
		f.EndsAt = at
	} else {
		problems[InputEnds] = "Give a time (Unix seconds), or nothing for access without an end."
	}
	ids, msg := workspaceIDs(text(InputWorkspaces), offered)
	f.WorkspaceIDs = ids
	if msg != "" {
		problems[InputWorkspaces] = msg
	}
	return requester, f, problems
}

// workspaceIDs finds each comma-separated workspace, by id or by name. A
// name that fits more than one workspace is refused: access must never go
// to the wrong one.
func workspaceIDs(typed string, offered []plusvibe.Workspace) ([]string, string) {
	var ids, unknown, ambiguous []string
	for _, w := range strings.Split(typed, ",") {
		if w = strings.TrimSpace(w); w == "" {
			continue
		}
		id, found := workspaceNamed(w, offered)
		switch {
		case found == 0:
			unknown = append(unknown, w)
		case found > 1:
			ambiguous = append(ambiguous, w)
		case !slices.Contains(ids, id):
			ids = append(ids, id)
		}
	}
	switch {
	case len(unknown) > 0:
		// The available names are not listed: whoever edits the workflow reads this.
		return ids, fmt.Sprintf("No workspace named %s among the API key's workspaces.", strings.Join(quoted(unknown), ", "))
	case len(ambiguous) > 0:
		return ids, fmt.Sprintf("More than one workspace is named %s: give its id instead.", strings.Join(quoted(ambiguous), ", "))
	case len(ids) == 0:
		return ids, "Name at least one workspace (names or ids, comma separated)."
	}
	return ids, ""
}

// workspaceNamed is the workspace whose id is w, else the ones named w
// exactly, else the ones named w in another case; found counts them.
func workspaceNamed(w string, offered []plusvibe.Workspace) (id string, found int) {
	if i := slices.IndexFunc(offered, func(o plusvibe.Workspace) bool { return o.ID == w }); i >= 0 {
		return w, 1
	}
	for _, same := range []func(string, string) bool{func(a, b string) bool { return a == b }, strings.EqualFold} {
		for _, o := range offered {
			if same(o.Name, w) {
				id, found = o.ID, found+1
			}
		}
		if found > 0 {
			return id, found
		}
	}
	return "", 0
}

func quoted(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = fmt.Sprintf("%q", v)
	}
	return out
}

// StepProblems merges the inputs' problems with the form's (keyed by form
// field) into one line naming each input, in a stable order.
func StepProblems(inputs, fields map[string]string) string {
	all := map[string]string{}
	for field, msg := range fields {
		all[StepInput(field)] = msg
	}
	for in, msg := range inputs { // the inputs' own word comes first
		all[in] = msg
	}
	var out []string
	for _, in := range StepInputs {
		if msg, found := all[in]; found {
			out = append(out, in+": "+msg)
		}
	}
	return strings.Join(out, " ")
}

// StepStatus is how a request ended, for its step: "" while it may still
// come to a client. ok is set when the step completes with success.
func StepStatus(r Record) (status string, ok bool) {
	switch {
	case r.State == Created:
		return "created", true
	case r.State == Denied:
		return "denied", false
	case r.State == Expired:
		return "expired", false
	case r.State == Withdrawn:
		return "withdrawn", false
	case r.State == Failed && r.Final:
		return "failed", false
	}
	return "", false
}

// timestamp reads a slack#/types/timestamp input: Unix seconds, as a
// number or its text; absent or empty is 0, no end.
func timestamp(v any) (int64, bool) {
	switch t := v.(type) {
	case nil:
		return 0, true
	case float64:
		return int64(t), t >= 0
	case string:
		if strings.TrimSpace(t) == "" {
			return 0, true
		}
		n, err := strconv.ParseFloat(strings.TrimSpace(t), 64)
		return int64(n), err == nil && n >= 0
	}
	return 0, false
}
