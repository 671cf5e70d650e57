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
	// approval channel Slack asks for groups:history instead, and in the
	// requester's DM (a workflow's request granted at once) im:history.
	"conversations.history": "channels:history",
	// A Workflow Builder run completes with its own token: no scope.
	"functions.completeSuccess": "",
	"functions.completeError":   "",
}

// privateVariant is the scope a method needs in a private channel instead.
var privateVariant = map[string]string{"channels:history": "groups:history"}

// dmVariant is the scope a method needs in a DM instead.
var dmVariant = map[string]string{"channels:history": "im:history"}

// HistoryScope is the scope conversations.history needs in channel: its
// id's first letter tells a DM (D), a private channel (G, or private) from
// a public one.
func HistoryScope(channel string, private bool) string {
	switch {
	case strings.HasPrefix(channel, "D"):
		return dmVariant["channels:history"]
	case private || strings.HasPrefix(channel, "G"):
		return privateVariant["channels:history"]
	}
	return MethodScopes["conversations.history"]
}

// Scopes is every bot scope the bot can use, sorted.
func Scopes() []string {
	out := []string{"commands"}
	for _, s := range MethodScopes {
		for _, s := range []string{s, privateVariant[s], dmVariant[s]} {
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
