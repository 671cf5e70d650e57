package slackapi

import (
	"slices"
	"strings"
)

// MethodScopes maps each Slack Web API method the bot calls with its bot
// token to the scope Slack requires for it ("" for none), from Slack's method
// reference. The Slack app's manifest lists exactly these scopes, plus
// commands; the test suite's fake Slack enforces this same table.
var MethodScopes = map[string]string{
	"auth.test":             "",
	"views.open":            "", // the trigger_id is the permission
	"views.update":          "",
	"views.publish":         "", // the Home tab: any user of the workspace
	"chat.getPermalink":     "",
	"chat.postMessage":      "chat:write",
	"chat.postEphemeral":    "chat:write",
	"chat.update":           "chat:write",
	"conversations.open":    "im:write",
	"usergroups.users.list": "usergroups:read",
	// Reads a request's message back before acting on a click. In a private
	// approval channel Slack asks for groups:history instead.
	"conversations.history": "channels:history",
}

// privateVariant is the scope a method needs in a private channel instead.
var privateVariant = map[string]string{"channels:history": "groups:history"}

// Scopes is every bot scope the bot can use, sorted.
func Scopes() []string {
	out := []string{"commands"}
	for _, s := range MethodScopes {
		for _, s := range []string{s, privateVariant[s]} {
			if s != "" && !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
	}
	slices.Sort(out)
	return out
}

// Needs is what decides the scopes a configuration needs.
type Needs struct{ Usergroups, Approvals bool }

// MissingScopes lists the scopes needed that granted (Slack's
// X-OAuth-Scopes header: comma-separated) lacks.
func MissingScopes(needs Needs, granted string) []string {
	have := map[string]bool{}
	for _, s := range strings.Split(granted, ",") {
		have[strings.TrimSpace(s)] = true
	}
	need := []string{"commands", "chat:write", "im:write"}
	if needs.Usergroups {
		need = append(need, "usergroups:read")
	}
	if needs.Approvals {
		need = append(need, "channels:history", "groups:history")
	}
	var missing []string
	for _, s := range need {
		if !have[s] {
			missing = append(missing, s)
		}
	}
	return missing
}
