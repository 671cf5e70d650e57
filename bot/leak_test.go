package bot_test

import (
	"encoding/json"
	"strings"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/internal/slacktest"
)

// checkLeaks runs after every end-to-end test: the password of each client
// created appears in exactly one Slack call, the requester's delivery (an
// ephemeral in their DM, or their own modal as the fallback), and nowhere
// else; the API key and tokens appear in no log line, frame or call content.
func (w *world) checkLeaks() {
	t := w.t
	logs := w.logs.String()
	frames := w.slack.Frames()
	calls := w.slack.Calls("")
	secrets := map[string]string{
		"PlusVibe API key": w.pv.APIKey(),
		"bot token":        w.slack.BotToken,
		"app token":        w.slack.AppToken,
	}
	for _, c := range w.pv.Clients() {
		secrets["password"] = c.Password
		pw := variants(c.Password)
		carriers := 0 // calls Slack accepted; a refused one reached nobody
		for _, call := range calls {
			if call.Error != "" || !callContainsVariant(call, pw) {
				continue
			}
			carriers++
			okDM := call.Method == "chat.postEphemeral" && call.Params["channel"] == "D"+call.Params["user"]
			if !okDM && call.Method != "views.update" {
				t.Errorf("the password was sent in %s to %s", call.Method, call.Params["channel"])
			}
		}
		if carriers > 1 {
			t.Errorf("the password was sent in %d Slack calls, want 1", carriers)
		}
		for _, f := range frames {
			if containsVariant(f.Data, pw) {
				t.Error("the password went over the socket")
			}
		}
		if containsVariant(logs, pw) {
			t.Error("the password is in the logs")
		}
	}
	w.checkRunTokens(logs, calls)
	for name, s := range secrets {
		if name == "password" {
			continue
		}
		if containsAny(logs, s) {
			t.Errorf("the %s is in the logs", name)
		}
		for _, f := range frames {
			if containsAny(f.Data, s) {
				t.Errorf("the %s went over the socket", name)
			}
		}
		for _, call := range calls {
			if callContains(call, s) {
				t.Errorf("the %s is in the content of %s", name, call.Method)
			}
		}
	}
}

// checkRunTokens: a workflow run's token comes over the socket from Slack,
// and goes back only as the Authorization of its completion: never in a log
// or in a call's content.
func (w *world) checkRunTokens(logs string, calls []slacktest.Call) {
	t := w.t
	for _, token := range w.slack.RunTokens() {
		if containsAny(logs, token) {
			t.Error("a workflow run's token is in the logs")
		}
		for _, call := range calls {
			if callContains(call, token) {
				t.Errorf("a workflow run's token is in the content of %s", call.Method)
			}
		}
	}
}

func callContains(c slacktest.Call, s string) bool { return callContainsVariant(c, variants(s)) }

func callContainsVariant(c slacktest.Call, vs []string) bool {
	for _, v := range c.Params {
		if containsVariant(v, vs) {
			return true
		}
	}
	return false
}

// containsAny looks for s as it is, mrkdwn-escaped, and JSON-escaped.
func containsAny(text, s string) bool { return containsVariant(text, variants(s)) }

var mdEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// variants are the forms s may take in a Slack call: as it is, mrkdwn-escaped,
// and each of those JSON-escaped.
func variants(s string) []string {
	var out []string
	for _, v := range []string{s, mdEscaper.Replace(s)} {
		j, _ := json.Marshal(v)
		out = append(out, v, strings.Trim(string(j), `"`))
	}
	return out
}

func containsVariant(text string, vs []string) bool {
	for _, v := range vs {
		if strings.Contains(text, v) {
			return true
		}
	}
	return false
}
