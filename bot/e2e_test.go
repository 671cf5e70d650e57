package bot_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/bot"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/bot/store"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/internal/slacktest"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe/plusvibetest"
)

func TestHappyPath(t *testing.T) {
	t.Parallel()
	for name, slackGo := range map[string]bool{"lean views": false, "slack-go views": true} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			happyPath(t, start(t, setup{slackGoViews: slackGo}))
		})
	}
}

func happyPath(t *testing.T, w *world) {
	viewID := w.openForm(requester, "nova.smith@example.com")
	if got := viewText(w.slack.View(t, viewID)); !strings.Contains(got, `"initial_value":"nova.smith@example.com"`) {
		t.Errorf("email not pre-filled from the command text: %s", got)
	}

	fill := goodFill()
	delete(fill, modals.BlockEmail) // keeps the pre-filled value
	resp := w.slack.Submit(t, requester, viewID, fill)
	if resp.Action != "update" || !strings.Contains(string(resp.Ack.Payload), "Creating a PlusVibe client") {
		t.Fatalf("submission answered with %q, want an update to a progress view", resp.Action)
	}

	final := w.finalView()
	if !strings.Contains(viewText(final), "created") || !strings.Contains(viewText(final), "in your DMs") {
		t.Errorf("final view says %s, want created and where the password went", viewText(final))
	}
	post := w.pv.Next(t, "POST", "/client", wait)
	var body map[string]any
	_ = json.Unmarshal(post.Body, &body)
	ws, _ := body["workspaces"].([]any)
	if body["client_email"] != "nova.smith@example.com" || len(ws) != 2 || post.SpecError != nil {
		t.Errorf("POST /client body %s, spec error %v", post.Body, post.SpecError)
	}
	first := ws[0].(map[string]any)
	if perms := first["permissions"].([]any); perms[0] != "UNIBOX_FULL_ACCESS" || len(first["hide_labels"].([]any)) != 2 {
		t.Errorf("workspace entry %v, want Unibox only with two hidden labels", first)
	}

	eph := w.slack.Calls("chat.postEphemeral")
	if len(eph) != 1 || eph[0].Params["channel"] != "D"+requester || eph[0].Params["user"] != requester {
		t.Fatalf("ephemeral deliveries %v, want one to the requester's DM", eph)
	}
	if pw := w.pv.Clients()[0].Password; !containsAny(eph[0].Params["text"], pw) {
		t.Error("the DM does not carry the password")
	}
	if n := w.pv.Count("POST", "/client"); n != 1 {
		t.Errorf("%d POSTs, want 1", n)
	}
	assertLogged(t, w, "submit", "created")
}

// assertLogged stops the bot (so every request has ended) and looks for the
// request's log event.
func assertLogged(t *testing.T, w *world, interaction, outcome string) {
	t.Helper()
	if err := w.shutdown(); err != nil {
		t.Fatal(err)
	}
	for _, l := range w.logs.lines(t) {
		if l["message"] == "request" && l["interaction"] == interaction && l["outcome"] == outcome {
			if l["user"] == "" || l["duration"] == nil {
				t.Errorf("request log without user or duration: %v", l)
			}
			return
		}
	}
	t.Errorf("no request log with interaction %s and outcome %s in:\n%s", interaction, outcome, w.logs.String())
}

// A form Slack will not open is explained where the command was typed,
// with Slack's reason, and a rate limit on it is waited out within the
// trigger's life.
func TestFormThatCannotOpenIsExplained(t *testing.T) {
	t.Parallel()
	w := start(t, setup{})
	w.slack.FailNext("views.open", "expired_trigger_id")
	cmd := w.slack.SendCommand(t, requester, slacktest.DefaultCommand, "")
	w.slack.WaitUntil(t, wait, "an answer through response_url", func() bool {
		return len(w.slack.Calls("response_url")) == 1
	})
	if text := w.slack.Calls("response_url")[0].Params["text"]; !strings.Contains(text, "expired_trigger_id") || !strings.Contains(text, "Run "+slacktest.DefaultCommand+" again") {
		t.Errorf("the requester was told %q, want Slack's reason and what to do", text)
	}
	if w.slack.ViewOpenedAt(cmd) != 0 {
		t.Error("a view was opened after all")
	}

	w.slack.FaultNext("views.open", slacktest.Fault{Status: 429, RetryAfter: 1})
	cmd = w.slack.SendCommand(t, requester, slacktest.DefaultCommand, "")
	w.slack.WaitView(t, cmd, wait)
	if v := metric(w.scrape(), `plusvibe_bot_slack_retries_total{reason="rate_limited"}`); v != 1 {
		t.Errorf("slack retries = %v, want 1", v)
	}
}

// A replica connects to Slack once it can show the form, so Slack never
// hands it a command it would answer with "no workspaces"; past ConnectWait
// without PlusVibe it connects anyway.
func TestConnectsOnceTheFormCanBeShown(t *testing.T) {
	t.Parallel()
	w := start(t, setup{})
	release := make(chan struct{})
	w.pv.Script("GET", "/authenticate", plusvibetest.Response{Hold: release})
	w.setup.cfg.ConnectWait = time.Minute // longer than any wait below
	second, _ := w.newBot()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- second.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	w.pv.Next(t, "GET", "/authenticate", wait)
	released := time.Now()
	close(release)
	w.slack.WaitConnected(t, 2, wait) // the list, not the bound, let it connect
	if opens := w.slack.Calls("apps.connections.open"); opens[len(opens)-1].At.Before(released) {
		t.Errorf("the replica connected at %v, before its workspaces loaded at %v", opens[len(opens)-1].At, released)
	}

	// PlusVibe does not answer: connected after ConnectWait all the same.
	hold := make(chan struct{})
	t.Cleanup(func() { close(hold) })
	w.pv.Script("GET", "/authenticate", plusvibetest.Response{Hold: hold})
	w.setup.cfg.ConnectWait = 300 * time.Millisecond
	third, _ := w.newBot()
	began := time.Now()
	ctx3, cancel3 := context.WithCancel(context.Background())
	done3 := make(chan error, 1)
	go func() { done3 <- third.Run(ctx3) }()
	t.Cleanup(func() { cancel3(); <-done3 })
	w.slack.WaitConnected(t, 3, wait)
	if opens := w.slack.Calls("apps.connections.open"); opens[len(opens)-1].At.Sub(began) < 300*time.Millisecond {
		t.Errorf("connected %v after starting, want after ConnectWait", opens[len(opens)-1].At.Sub(began))
	}
}

func TestNotAllowed(t *testing.T) {
	t.Parallel()
	w := start(t, setup{})
	cmd := w.slack.SendCommand(t, outsider, slacktest.DefaultCommand, "")
	ack := w.slack.WaitAck(t, cmd.EnvelopeID, wait)
	if !strings.Contains(string(ack.Payload), "not on the list") || !strings.Contains(string(ack.Payload), `"ephemeral"`) {
		t.Errorf("outsider got %s, want a private refusal", ack.Payload)
	}
	if n := len(w.slack.Calls("views.open")); n != 0 {
		t.Errorf("%d modals opened for an outsider", n)
	}
	assertLogged(t, w, "command", "refused")
}

func TestUsergroupMembersAllowed(t *testing.T) {
	t.Parallel()
	w := start(t, setup{cfg: bot.Config{AllowedUsergroups: []string{"S0SUPPORT"}}})
	w.slack.SetUsergroup("S0SUPPORT", "U0BOB", requester)
	w.openForm(requester, "")
	cmd := w.slack.SendCommand(t, outsider, slacktest.DefaultCommand, "")
	if ack := w.slack.WaitAck(t, cmd.EnvelopeID, wait); !strings.Contains(string(ack.Payload), "not on the list") {
		t.Errorf("non-member got %s", ack.Payload)
	}
	if n := len(w.slack.Calls("usergroups.users.list")); n != 1 {
		t.Errorf("%d usergroups.users.list calls, want 1 (cached)", n)
	}
}

func TestHelp(t *testing.T) {
	t.Parallel()
	w := start(t, setup{})
	cmd := w.slack.SendCommand(t, outsider, slacktest.DefaultCommand, "help")
	if ack := w.slack.WaitAck(t, cmd.EnvelopeID, wait); !strings.Contains(string(ack.Payload), "creates a PlusVibe client") {
		t.Errorf("help answered %s", ack.Payload)
	}
}

func TestBadFields(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		block string
		value any
		words string
	}{
		{"email without a domain", modals.BlockEmail, "nova@localhost", "no valid domain"},
		{"blank first name", modals.BlockFirstName, "   ", "first name cannot be blank"},
		{"blank business", modals.BlockBusinessName, " ", "business name cannot be blank"},
		{"workspace not offered", modals.BlockWorkspaces, slacktest.Raw{"selected_options": []any{
			map[string]any{"text": map[string]any{"type": "plain_text", "text": "X"}, "value": "ffffffffffffffffffffffff"}}}, "not available"},
		{"no workspace", modals.BlockWorkspaces, slacktest.Raw{"selected_options": []any{}}, "at least one workspace"},
		{"no permission", modals.BlockPermission, slacktest.Raw{"selected_option": nil}, "Choose Full access or Unibox only"},
		{"over-long last name", modals.BlockLastName, slacktest.Raw{"value": strings.Repeat("x", 101)}, "the limit is 100"},
		{"over-long labels", modals.BlockHideLabels, slacktest.Raw{"value": strings.Repeat("L,", 251)}, "the limit is 500"},
	}
	w := start(t, setup{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			viewID := w.openForm(requester, "")
			fill := goodFill()
			fill[tt.block] = tt.value
			resp := w.slack.Submit(t, requester, viewID, fill)
			if resp.Action != "errors" || !strings.Contains(resp.Errors[tt.block], tt.words) {
				t.Errorf("got %s %v, want an error under %s saying %q", resp.Action, resp.Errors, tt.block, tt.words)
			}
		})
	}
	if n := w.pv.Count("POST", "/client"); n != 0 {
		t.Errorf("%d POSTs for invalid forms, want 0", n)
	}
}

// TestSlowPlusVibe holds PlusVibe's answer: the ack must come while it is
// still being held, and the result after.
func TestSlowPlusVibe(t *testing.T) {
	t.Parallel()
	w := start(t, setup{})
	hold := make(chan struct{})
	w.pv.Script("POST", "/client", plusvibetest.Response{Hold: hold}) // then created as usual
	viewID := w.openForm(requester, "")
	env := w.slack.SendSubmission(t, requester, viewID, goodFill())
	resp := w.slack.ApplyAck(t, viewID, env, wait)
	if resp.Action != "update" {
		t.Fatalf("ack %q, want update", resp.Action)
	}
	if n := len(w.slack.Calls("views.update")); n != 0 {
		t.Fatal("result shown before PlusVibe answered")
	}
	close(hold)
	if got := viewText(w.finalView()); !strings.Contains(got, "created") {
		t.Errorf("final view %s", got)
	}
	t.Logf("ack %s after the submission was sent, while PlusVibe was held", resp.Ack.At.Sub(w.slack.SentAt(env)))
}

func TestPlusVibeErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		script   []plusvibetest.Response
		words    string
		posts    int
		succeeds bool
	}{
		{"400", []plusvibetest.Response{{Status: 400, Body: `{"message":"client_business_name is invalid"}`}}, "PlusVibe rejected the request: client_business_name is invalid", 1, false},
		{"401", []plusvibetest.Response{{Status: 401}}, "rejected the bot's API key", 1, false},
		{"403", []plusvibetest.Response{{Status: 403}}, "rejected the bot's API key", 1, false},
		{"409", []plusvibetest.Response{{Status: 409}}, "already exists", 1, false},
		{"400 already exists", []plusvibetest.Response{{Status: 400, Body: `{"message":"Client with this email already exists"}`}}, "already exists", 1, false},
		{"500", []plusvibetest.Response{{Status: 500}}, "internal error (HTTP 500)", 1, false},
		{"429 then success", []plusvibetest.Response{{Status: 429, RetryAfter: "0"}}, "created", 2, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := start(t, setup{})
			w.pv.Script("POST", "/client", tt.script...)
			viewID := w.openForm(requester, "")
			w.slack.Submit(t, requester, viewID, goodFill())
			final := w.finalView()
			if got := viewText(final); !strings.Contains(got, tt.words) {
				t.Errorf("final view %s, want %q", got, tt.words)
			}
			if n := w.pv.Count("POST", "/client"); n != tt.posts {
				t.Errorf("%d POSTs, want %d", n, tt.posts)
			}
			if tt.succeeds {
				return
			}
			// Try again: the form comes back with everything typed.
			w.slack.Click(t, requester, viewID, modals.ActionRetry)
			form := w.finalView()
			text := viewText(form)
			for _, typed := range []string{"nova.smith@example.com", "Nova Consulting Ltd", "NOT_INTERESTED, DO_NOT_CONTACT", "Zeta Labs", "UNIBOX_FULL_ACCESS"} {
				if !strings.Contains(text, typed) {
					t.Errorf("reopened form lost %q", typed)
				}
			}
			// Submitting the reopened form as it is sends one more POST.
			w.slack.Submit(t, requester, viewID, slacktest.Fill{})
			w.finalView()
			if n := w.pv.Count("POST", "/client"); n != tt.posts+1 {
				t.Errorf("%d POSTs after the retry, want %d", n, tt.posts+1)
			}
		})
	}
}

func TestEphemeralFailureFallsBackToModal(t *testing.T) {
	t.Parallel()
	w := start(t, setup{})
	w.slack.FailNext("chat.postEphemeral", "user_not_in_channel")
	viewID := w.openForm(requester, "")
	w.slack.Submit(t, requester, viewID, goodFill())
	final := viewText(w.finalView())
	if pw := w.pv.Clients()[0].Password; !containsAny(final, pw) {
		t.Errorf("fallback view does not show the password: %s", final)
	}
	assertLogged(t, w, "submit", "created_shown_in_modal")
}

func TestRedeliveryKeepsThePasswordShownInTheModal(t *testing.T) {
	t.Parallel()
	w := start(t, setup{})
	w.slack.FailNext("chat.postEphemeral", "user_not_in_channel")
	viewID := w.openForm(requester, "")
	env := w.slack.SendSubmission(t, requester, viewID, goodFill())
	w.slack.ApplyAck(t, viewID, env, wait)
	w.finalView() // PlusVibe has answered
	password := w.pv.Clients()[0].Password
	w.slack.WaitUntil(t, wait, "the password in the modal", func() bool {
		return containsAny(viewText(w.slack.View(t, viewID)), password)
	})
	w.slack.Resend(t, env) // Slack thought the first ack was lost
	resp := w.slack.ApplyAck(t, viewID, env, wait)
	if resp.Action != "push" || containsAny(string(resp.Ack.Payload), password) {
		t.Errorf("the late duplicate answered %s, want a note pushed on top", resp.Ack.Payload)
	}
	if !containsAny(viewText(w.slack.View(t, viewID)), password) {
		t.Error("a late duplicate replaced the view that shows the password")
	}
	if pushed := w.slack.Pushed(viewID); len(pushed) != 1 || !strings.Contains(viewText(w.slack.View(t, pushed[0])), "already sent") {
		t.Errorf("pushed views %v, want the note", pushed)
	}
}

func TestDoubleSubmitCreatesOnce(t *testing.T) {
	t.Parallel()
	w := start(t, setup{})
	hold := make(chan struct{})
	w.pv.Script("POST", "/client", plusvibetest.Response{Hold: hold}) // then created as usual
	viewID := w.openForm(requester, "")
	form := w.slack.View(t, viewID) // both clicks land on the form as shown
	first := w.slack.SendSubmissionSeen(t, requester, form, goodFill())
	second := w.slack.SendSubmissionSeen(t, requester, form, goodFill())
	w.slack.ApplyAck(t, viewID, first, wait)
	w.slack.ApplyAck(t, viewID, second, wait)
	w.pv.Next(t, "POST", "/client", wait)
	close(hold)
	w.finalView()
	// Slack redelivers the first envelope after the outcome.
	w.slack.Resend(t, first)
	// Answered with the outcome, or a note on top while the outcome is being
	// delivered; never the password.
	if resp := w.slack.ApplyAck(t, viewID, first, wait); (resp.Action != "update" && resp.Action != "push") ||
		containsAny(string(resp.Ack.Payload), w.pv.Clients()[0].Password) {
		t.Errorf("redelivery answered %s", resp.Ack.Payload)
	}
	if n := w.pv.Count("POST", "/client"); n != 1 {
		t.Errorf("%d POSTs for one view submitted twice and redelivered, want 1", n)
	}
}

// A submission redelivered once the client was created is told so, from
// what the store kept (the email, not the view); an entry kept by an
// earlier version (the whole view) is answered as it was.
func TestLateDuplicateIsToldTheOutcome(t *testing.T) {
	t.Parallel()
	mem := store.NewMemory()
	w := start(t, setup{store: func() store.Store { return mem }})
	viewID := w.openForm(requester, "")
	env := w.slack.SendSubmission(t, requester, viewID, goodFill())
	w.slack.WaitUntil(t, wait, "the submission to end", func() bool {
		return metric(w.scrape(), `plusvibe_bot_submissions_total{outcome="created"}`) == 1
	})
	w.slack.Resend(t, env)
	resp := w.slack.ApplyAck(t, viewID, env, wait)
	if got := string(resp.Ack.Payload); resp.Action != "update" || !strings.Contains(got, "nova.smith@example.com") || !strings.Contains(got, "created") {
		t.Errorf("the late duplicate was answered %s %s, want the created view", resp.Action, got)
	}

	old := modals.Success("earlier@example.com")
	raw, _ := json.Marshal(map[string]any{"view": old})
	viewID = w.openForm(requester, "")
	if _, err := mem.Take(context.Background(), "view:"+viewID, time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := mem.Finish(context.Background(), "view:"+viewID, string(raw), time.Hour); err != nil {
		t.Fatal(err)
	}
	resp = w.slack.ApplyAck(t, viewID, w.slack.SendSubmission(t, requester, viewID, goodFill()), wait)
	if got := string(resp.Ack.Payload); resp.Action != "update" || !strings.Contains(got, "earlier@example.com") {
		t.Errorf("an earlier version's entry was answered %s %s", resp.Action, got)
	}
	if n := w.pv.Count("POST", "/client"); n != 1 {
		t.Errorf("%d POSTs, want 1", n)
	}
}

func TestReconnects(t *testing.T) {
	t.Parallel()
	w := start(t, setup{})
	w.slack.Drop()
	w.slack.WaitConnected(t, 2, wait)
	w.slack.WaitOpen(t, 1, wait) // the dropped one is gone, not just replaced
	w.openForm(requester, "")
	w.slack.Disconnect(t, "refresh_requested")
	w.slack.WaitConnected(t, 3, wait)
	w.slack.WaitOpen(t, 1, wait)
	w.openForm(requester, "")
	if got := len(w.slack.Calls("apps.connections.open")); got != 3 {
		t.Errorf("%d apps.connections.open calls, want 3", got)
	}
}

func TestShutdownFinishesCreation(t *testing.T) {
	t.Parallel()
	w := start(t, setup{})
	hold := make(chan struct{})
	w.pv.Script("POST", "/client", plusvibetest.Response{Hold: hold}) // then created as usual
	viewID := w.openForm(requester, "")
	w.slack.Submit(t, requester, viewID, goodFill())
	w.pv.Next(t, "POST", "/client", wait)

	w.stop() // SIGTERM, as main turns it into a cancelled context
	stopped := make(chan error, 1)
	go func() { stopped <- <-w.done }()
	select {
	case <-stopped:
		t.Fatal("bot stopped before its creation in flight finished")
	default:
	}
	close(hold)
	select {
	case err := <-stopped:
		if err != nil {
			t.Errorf("Run returned %v, want nil", err)
		}
	case <-time.After(2 * wait):
		t.Fatal("bot did not stop after the creation finished")
	}
	w.stop = nil
	if eph := w.slack.Calls("chat.postEphemeral"); len(eph) != 1 {
		t.Errorf("%d password deliveries during shutdown, want 1", len(eph))
	}
}

func TestMrkdwnEscaping(t *testing.T) {
	t.Parallel()
	w := start(t, setup{})
	viewID := w.openForm(requester, "")
	fill := goodFill()
	fill[modals.BlockBusinessName] = "<!channel> *x*"
	w.slack.Submit(t, requester, viewID, fill)
	w.finalView()
	for _, c := range w.slack.Calls("") {
		for _, v := range c.Params {
			if strings.Contains(v, "<!channel>") || strings.Contains(v, `\u003c!channel\u003e`) {
				t.Errorf("%s carries an unescaped <!channel>", c.Method)
			}
		}
	}
	eph := w.slack.Calls("chat.postEphemeral")
	if len(eph) != 1 || !strings.Contains(eph[0].Params["text"], "&lt;!channel&gt; *x*") {
		t.Errorf("DM text %v, want the business name escaped", eph)
	}
}

func TestMetrics(t *testing.T) {
	t.Parallel()
	w := start(t, setup{})
	viewID := w.openForm(requester, "")
	w.slack.Submit(t, requester, viewID, goodFill())
	w.finalView()
	bad := w.openForm(requester, "")
	blank := goodFill()
	blank[modals.BlockFirstName] = "   "
	w.slack.Submit(t, requester, bad, blank)
	w.slack.Disconnect(t, "refresh_requested")
	w.slack.WaitConnected(t, 2, wait)
	w.logs.waitFor(t, `"socket mode connected"`, 2) // logged after the gauges are set
	live := w.scrape()
	if metric(live, "plusvibe_bot_socket_reconnects_total") != 1 || metric(live, "plusvibe_bot_socket_connected") != 1 {
		t.Errorf("after one reconnect: reconnects %v, connected %v; want 1 and 1",
			metric(live, "plusvibe_bot_socket_reconnects_total"), metric(live, "plusvibe_bot_socket_connected"))
	}

	// Once stopped, every request has been counted, and the socket is down.
	if err := w.shutdown(); err != nil {
		t.Fatal(err)
	}
	got := w.scrape()
	for sample, want := range map[string]float64{
		"plusvibe_bot_commands_total":                                                                           2,
		`plusvibe_bot_modals_opened_total{from="command"}`:                                                      2,
		`plusvibe_bot_submissions_total{outcome="created"}`:                                                     1,
		`plusvibe_bot_submissions_total{outcome="invalid"}`:                                                     1,
		`plusvibe_bot_plusvibe_request_duration_seconds_count{endpoint="POST /client",status_class="2xx"}`:      1,
		`plusvibe_bot_plusvibe_request_duration_seconds_count{endpoint="GET /authenticate",status_class="2xx"}`: 1,
		"plusvibe_bot_socket_connected":                                                                         0,
	} {
		if v := metric(got, sample); v != want {
			t.Errorf("%s = %v, want %v", sample, v, want)
		}
	}
	if !strings.Contains(got, "go_goroutines") || !strings.Contains(got, "process_resident_memory_bytes") {
		t.Error("runtime and process metrics missing")
	}
	for _, typed := range []string{"nova.smith", "Nova Consulting Ltd", "NOT_INTERESTED", requester} {
		if strings.Contains(got, typed) {
			t.Errorf("a metric carries %q", typed)
		}
	}
}

// modalFallback runs one creation whose DM cannot be reached, so that the
// password's only way is the requester's modal, and returns the modal's text.
func (w *world) modalFallback() string {
	w.t.Helper()
	w.slack.FailNext("chat.postEphemeral", "user_not_in_channel")
	viewID := w.openForm(requester, "")
	w.slack.Submit(w.t, requester, viewID, goodFill())
	w.pv.Next(w.t, "POST", "/client", wait)
	var text string
	w.slack.WaitUntil(w.t, wait, "the modal's final view", func() bool {
		text = viewText(w.slack.View(w.t, viewID))
		return !strings.Contains(text, "Creating a PlusVibe client")
	})
	return text
}

func TestSlackRateLimitIsWaitedOut(t *testing.T) {
	t.Parallel()
	w := start(t, setup{})
	// The DM is unreachable and the modal update is rate-limited once.
	w.slack.FaultNext("views.update", slacktest.Fault{Status: 429, RetryAfter: 1})
	if final := w.modalFallback(); !containsAny(final, w.pv.Clients()[0].Password) {
		t.Errorf("the password was lost to a 429: the modal shows %s", final)
	}
	if calls := w.slack.Calls("views.update"); len(calls) != 2 || calls[0].Error != "http_429" || calls[1].At.Sub(calls[0].At) < time.Second {
		t.Errorf("views.update calls %v, want the 429 and one retry after Retry-After", calls)
	}
	assertLogged(t, w, "submit", "created_shown_in_modal")
	if v := metric(w.scrape(), `plusvibe_bot_slack_retries_total{reason="rate_limited"}`); v != 1 {
		t.Errorf("slack retries = %v, want 1", v)
	}
}

func TestSlackServerErrorIsRetriedWhereSafe(t *testing.T) {
	t.Parallel()
	w := start(t, setup{})
	w.slack.FaultNext("views.update", slacktest.Fault{Status: 503})
	if final := w.modalFallback(); !containsAny(final, w.pv.Clients()[0].Password) {
		t.Errorf("the password was lost to a 503: the modal shows %s", final)
	}
	// A post is not repeated after a 5xx: it may have been made.
	w.slack.FaultNext("chat.postEphemeral", slacktest.Fault{Status: 502})
	viewID := w.openForm(requester, "")
	fill := goodFill()
	fill[modals.BlockEmail] = "second@example.com"
	w.slack.Submit(t, requester, viewID, fill)
	w.slack.WaitUntil(t, wait, "the second password in the modal", func() bool {
		return len(w.pv.Clients()) == 2 && containsAny(viewText(w.slack.View(t, viewID)), w.pv.Clients()[1].Password)
	})
	if n := len(w.slack.Calls("chat.postEphemeral")); n != 2 {
		t.Errorf("%d ephemeral posts, want 2: the 502 one is not repeated", n)
	}
}

func TestSlackHangDoesNotWedgeTheBot(t *testing.T) {
	t.Parallel()
	w := start(t, setup{cfg: bot.Config{SlackCallTimeout: 200 * time.Millisecond}})
	hang := make(chan struct{})
	defer close(hang)
	w.slack.FaultNext("chat.postEphemeral", slacktest.Fault{Hang: hang})
	viewID := w.openForm(requester, "")
	w.slack.Submit(t, requester, viewID, goodFill())
	w.slack.WaitUntil(t, wait, "the password in the modal", func() bool {
		return len(w.pv.Clients()) == 1 && containsAny(viewText(w.slack.View(t, viewID)), w.pv.Clients()[0].Password)
	})
	w.openForm(requester, "") // and the bot still answers
}

func TestApprovalPostWaitsOutAShortRateLimit(t *testing.T) {
	t.Parallel()
	w := start(t, approvalSetup())
	w.slack.FaultNext("chat.postMessage", slacktest.Fault{Status: 429, RetryAfter: 1})
	w.request(goodFill()) // posted on the second try
	w.slack.FaultNext("chat.postMessage", slacktest.Fault{Status: 429, RetryAfter: 30})
	viewID := w.openForm(requester, "")
	env := w.slack.SendSubmission(t, requester, viewID, goodFill())
	resp := w.slack.ApplyAck(t, viewID, env, wait)
	if took := resp.Ack.At.Sub(w.slack.SentAt(env)); took > 3*time.Second {
		t.Errorf("acked after %s, past Slack's 3 s", took)
	}
	if resp.Action != "update" {
		t.Errorf("the submission answered %q", resp.Action)
	}
	// A wait longer than the post's budget is not waited out: the reason, at once.
	w.slack.WaitUntil(t, wait, "the form saying Slack limits the bot", func() bool {
		return strings.Contains(viewText(w.slack.View(t, viewID)), "limiting how fast")
	})
}

func TestEveryWorkspaceIsChoosable(t *testing.T) {
	t.Parallel()
	many := []plusvibe.Workspace{plusvibetest.DefaultWorkspaces[0]} // the API key's own, for workspace_id
	for i := range 249 {
		many = append(many, plusvibe.Workspace{ID: fmt.Sprintf("65f99a0dd96fae8ab6%06x", i), Name: fmt.Sprintf("Client Workspace %03d", i)})
	}
	w := start(t, setup{pvOpts: []plusvibetest.Option{plusvibetest.WithWorkspaces(many...)}})
	viewID := w.openForm(requester, "")
	if form := viewText(w.slack.View(t, viewID)); !strings.Contains(form, "multi_external_select") {
		t.Fatalf("250 workspaces offered in a static select, which holds 100: %s", form)
	}
	if first := w.slack.Suggest(t, requester, viewID, modals.BlockWorkspaces, ""); len(first) != 100 || first[1] != "Client Workspace 000" {
		t.Errorf("the open menu offers %d options starting %v, want the first 100 by name", len(first), first[:min(1, len(first))])
	}
	if found := w.slack.Suggest(t, requester, viewID, modals.BlockWorkspaces, "WORKSPACE 23"); len(found) != 10 || found[0] != "Client Workspace 230" {
		t.Errorf("typing \"WORKSPACE 23\" offers %v, want 230–239", found)
	}
	fill := goodFill()
	fill[modals.BlockWorkspaces] = []string{"Client Workspace 150", "Client Workspace 248"}
	w.slack.Submit(t, requester, viewID, fill)
	final := w.finalView()
	c := w.pv.Clients()
	if len(c) != 1 || len(c[0].Request.Workspaces) != 2 || c[0].Request.Workspaces[0].ID != many[151].ID || c[0].Request.Workspaces[1].ID != many[249].ID {
		t.Log(viewText(final))
		t.Fatalf("created %+v, want workspaces 150 and 248", c)
	}

	// An id the bot never offered is refused under the field.
	forged := w.openForm(requester, "")
	fill = goodFill()
	fill[modals.BlockEmail] = "forged@example.com"
	fill[modals.BlockWorkspaces] = slacktest.Raw{"selected_options": []any{map[string]any{
		"text": map[string]any{"type": "plain_text", "text": "Not ours"}, "value": "65f99a0dd96fae8ab611ffff"}}}
	if resp := w.slack.Submit(t, requester, forged, fill); resp.Action != "errors" || resp.Errors[modals.BlockWorkspaces] == "" {
		t.Errorf("a workspace never offered answered %q %v", resp.Action, resp.Errors)
	}
}

func TestSuccessWithoutPasswordIsNotASuccess(t *testing.T) {
	t.Parallel()
	w := start(t, setup{})
	w.pv.Script("POST", "/client", plusvibetest.Response{Status: 200, Body: `{"client_id":"70218d5e05561a3877dcb77f","email":"nova.smith@example.com"}`})
	viewID := w.openForm(requester, "")
	form := w.slack.View(t, viewID)
	w.slack.Submit(t, requester, viewID, goodFill())
	final := viewText(w.finalView())
	if !strings.Contains(final, "may exist without a password") || strings.Contains(final, "in your DMs") || strings.Contains(final, modals.ActionRetry) {
		t.Errorf("a 200 without a password shows %s, want 'check PlusVibe' and no retry", final)
	}
	if n := len(w.slack.Calls("chat.postEphemeral")); n != 0 {
		t.Errorf("%d password deliveries of no password", n)
	}
	// The client exists: the same form sent again creates nothing more.
	resp := w.slack.ApplyAck(t, viewID, w.slack.SendSubmissionSeen(t, requester, form, goodFill()), wait)
	if resp.Action != "update" || !strings.Contains(string(resp.Ack.Payload), "may exist without a password") {
		t.Errorf("the form sent again answered %s", resp.Ack.Payload)
	}
	if n := w.pv.Count("POST", "/client"); n != 1 {
		t.Errorf("%d POSTs, want 1", n)
	}
	assertLogged(t, w, "submit", "failed")
}

func TestCommandsAreNotTurnedAwayByCreationsInFlight(t *testing.T) {
	t.Parallel()
	w := start(t, setup{cfg: bot.Config{MaxInFlight: 2}})
	hold := make(chan struct{})
	defer close(hold)
	w.pv.Script("POST", "/client", plusvibetest.Response{Hold: hold}, plusvibetest.Response{Hold: hold})
	for i := range 2 { // every creation slot taken by a slow PlusVibe
		viewID := w.openForm(requester, "")
		fill := goodFill()
		fill[modals.BlockEmail] = fmt.Sprintf("slow%d@example.com", i)
		w.slack.Submit(t, requester, viewID, fill)
		w.pv.Next(t, "POST", "/client", wait)
	}
	// The commands that opened those forms have ended: they hold no place.
	w.logs.waitFor(t, `"outcome":"opened"`, 2)
	var cmds []slacktest.Command
	for range 16 { // 8 × MaxInFlight commands at once
		cmds = append(cmds, w.slack.SendCommand(t, requester, slacktest.DefaultCommand, ""))
	}
	for _, c := range cmds {
		if ack := w.slack.WaitAck(t, c.EnvelopeID, wait); len(ack.Payload) != 0 {
			t.Errorf("a command was answered %s while creations were in flight", ack.Payload)
		}
		w.slack.WaitView(t, c, wait)
	}
	// A third creation is refused, at once and kindly, while both slots are held.
	viewID := w.openForm(requester, "")
	if resp := w.slack.Submit(t, requester, viewID, goodFill()); resp.Action != "errors" || !strings.Contains(fmt.Sprint(resp.Errors), "busy") {
		t.Errorf("a submission past MaxInFlight answered %q %v", resp.Action, resp.Errors)
	}
}
