// Command demo runs the real bot against an in-process Slack and PlusVibe
// (the test suite's fakes) and prints what each person sees: no account,
// token or network needed. It is not part of the product's binary.
//
//	go run ./cmd/demo
package main

import (
	"context"
	"fmt"
	"html"
	"io"
	"log"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/bot"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/internal/slacktest"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe/plusvibetest"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/request"
)

// The demo's people and channels.
const (
	alice        = "U0ALICE"
	bob          = "U0BOB"
	demoApproval = "C0APPROVALS"
	demoAudit    = "C0AUDIT"
	demoWait     = 5 * time.Second
)

var demoNames = map[string]string{alice: "Alice", bob: "Bob", demoApproval: "#approvals", demoAudit: "#audit",
	slacktest.CommandChannel: "#support"}

// runDemo runs the real bot against the test suite's fake Slack and fake
// PlusVibe, in this process, and prints what each person sees: no account,
// token or network needed.
func main() {
	if err := runDemo(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func runDemo(out io.Writer) (err error) {
	t := &demoTB{}
	defer t.cleanup()
	defer func() {
		if r := recover(); r != nil {
			if f, isFailure := r.(demoFailure); isFailure {
				err = fmt.Errorf("demo: %s", f)
				return
			}
			panic(r)
		}
	}()
	d := &demo{t: t, out: out, slack: slacktest.New(t), pv: plusvibetest.NewServer(t)}
	stop := d.startBot()
	defer stop()
	d.intro()
	d.formPath()
	d.approvalPath()
	d.workflowPath()
	d.whereSupportWorks()
	d.close()
	if msgs := t.errors(); len(msgs) > 0 {
		return fmt.Errorf("demo: %s", strings.Join(msgs, "; "))
	}
	return nil
}

type demo struct {
	t     *demoTB
	out   io.Writer
	slack *slacktest.Server
	pv    *plusvibetest.Server
	step  int
}

// startBot runs the bot as configured for a team with approvals for Full
// access, and returns what stops it.
func (d *demo) startBot() func() {
	pv, err := plusvibe.NewClient(d.pv.APIKey(), plusvibe.WithBaseURL(d.pv.URL()))
	if err != nil {
		d.t.Fatal(err)
	}
	quiet := log.New(io.Discard, "", 0)
	api := slack.New(d.slack.BotToken, slack.OptionAPIURL(d.slack.APIURL()), slack.OptionAppLevelToken(d.slack.AppToken),
		slack.OptionHTTPClient(&http.Client{Timeout: 10 * time.Second}), slack.OptionLog(quiet))
	b, err := bot.New(bot.Config{
		Command:               slacktest.DefaultCommand,
		APIWorkspaceID:        plusvibetest.DefaultWorkspaces[0].ID,
		AllowedUsers:          []string{alice},
		ApprovalChannel:       demoApproval,
		ApproveFullAccessOnly: true,
		Approvers:             []string{bob},
		AuditChannel:          demoAudit,
		BotID:                 slacktest.BotID,
		SlackAPIURL:           d.slack.APIURL(),
		SlackToken:            d.slack.BotToken,
	}, socketmode.New(api, socketmode.OptionLog(quiet)), pv, zerolog.Nop())
	if err != nil {
		d.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	d.slack.WaitConnected(d.t, 1, demoWait)
	select {
	case <-b.WorkspacesReady():
	case <-time.After(demoWait):
		d.t.Fatal("the workspace list never loaded")
	}
	return func() { cancel(); <-done }
}

func (d *demo) intro() {
	fmt.Fprintln(d.out, "plusvibe-slack-bot demo: the real bot against an in-process Slack and PlusVibe.")
	fmt.Fprintln(d.out, "Nothing leaves this machine. People: Alice (support), Bob (approver).")
	fmt.Fprintln(d.out, "Set-up: Full access clients need an approver in #approvals; Unibox only ones are created at once.")
}

// formPath: the form, a mistake, a creation, a PlusVibe failure and the retry.
func (d *demo) formPath() {
	d.say("Alice types /plusvibe-client in #support")
	viewID := d.openForm()
	d.show("The bot opens a form that only Alice sees", d.renderView(viewID))

	fill := demoFill("   ", "Unibox only")
	d.say("Alice fills it in, forgets her client's first name (types spaces) and clicks " + d.submitLabel(viewID))
	resp := d.slack.Submit(d.t, alice, viewID, fill)
	for block, msg := range resp.Errors {
		d.show("Slack keeps the form as typed and shows under \""+d.label(viewID, block)+"\"", msg)
	}

	fill[modals.BlockFirstName] = "Nova"
	d.say("Alice types the first name and sends it again")
	d.slack.Submit(d.t, alice, viewID, fill)
	d.show("The form turns into", d.renderView(viewID))
	d.waitView(viewID, "created")
	d.show("and, once PlusVibe has answered", d.renderView(viewID))
	d.showPassword(1)

	d.pv.Script("POST", "/client", plusvibetest.Response{Status: 500})
	d.say("Alice creates a second client while PlusVibe has a bad moment (HTTP 500)")
	second := d.openForm()
	fill[modals.BlockEmail] = "zeta.jones@example.com"
	d.slack.Submit(d.t, alice, second, fill)
	d.waitView(second, "Edit and try again")
	d.show("The form says what happened and keeps what she typed", d.renderView(second))
	d.slack.Click(d.t, alice, second, modals.ActionRetry)
	d.waitView(second, "Client email")
	d.show("Edit and try again brings the form back as it was", d.renderView(second))
}

// approvalPath: a Full access client, approved by Bob, created by Alice.
func (d *demo) approvalPath() {
	d.say("Alice asks for a Full access client: it needs an approver")
	viewID := d.openForm()
	fill := demoFill("Orion", "Full access")
	fill[modals.BlockEmail] = "orion.west@example.com"
	d.slack.Submit(d.t, alice, viewID, fill)
	d.waitView(viewID, "waiting for an approver")
	d.show("Alice's form", d.renderView(viewID))
	msgs := d.slack.Messages(demoApproval)
	req := msgs[len(msgs)-1]
	d.show("#approvals shows (nothing is created yet)", d.renderMessage(req))

	d.say("Bob clicks Approve: it grants the client; Alice creates it when she is there")
	d.slack.ClickMessage(d.t, bob, demoApproval, req.TS, modals.ActionApprove)
	dm := d.waitMessage("D"+alice, modals.ActionCollect)
	d.slack.WaitUntil(d.t, demoWait, "the approval recorded", func() bool {
		return strings.Contains(d.slack.Message(d.t, demoApproval, req.TS).Content(), "Approved by")
	})
	d.show("#approvals now says", d.renderMessage(d.slack.Message(d.t, demoApproval, req.TS)))
	d.show("Alice's DM with the app (it stays until she comes back)", d.renderMessage(dm))

	d.say("Alice clicks Create client")
	d.slack.ClickMessage(d.t, alice, dm.Channel, dm.TS, modals.ActionCollect)
	d.slack.WaitUntil(d.t, demoWait, "the request created", func() bool {
		return strings.Contains(d.slack.Message(d.t, demoApproval, req.TS).Content(), "Created by")
	})
	d.showPassword(2)
	d.show("#approvals, at the end", d.renderMessage(d.slack.Message(d.t, demoApproval, req.TS)))
}

// workflowPath: a Workflow Builder run of the step, collected by Alice.
func (d *demo) workflowPath() {
	// The step's output parameters, as manifest.yaml declares them.
	d.slack.SetStepOutputs(request.StepCallbackID, slacktest.StepOutputs{
		Required: []string{"client_id", "client_email", "status"}, Optional: []string{"request_link", "detail"}})
	d.say("An onboarding workflow in Workflow Builder reaches its step \"Create PlusVibe client\" for Alice (Unibox only: no approval)")
	run := d.slack.SendStepRun(d.t, request.StepCallbackID, map[string]any{
		request.InputRequester: alice, request.InputEmail: "vega.lee@example.com", request.InputFirstName: "Vega",
		request.InputLastName: "Lee", request.InputBusinessName: "Vega Studio", request.InputWorkspaces: "zeta labs",
		request.InputAccess: "UNIBOX_FULL_ACCESS", request.InputReason: "Onboarding form #311"})
	dm := d.waitMessage("D"+alice, modals.ActionCollect)
	d.show("Alice's DM with the app: nothing is created until she clicks (she may be away)", d.renderMessage(dm))
	d.say("Alice clicks Create client")
	d.slack.ClickMessage(d.t, alice, dm.Channel, dm.TS, modals.ActionCollect)
	done := d.slack.WaitCompleted(d.t, run.ExecutionID, demoWait)
	d.showPassword(3)
	var outputs []string
	for _, k := range []string{"status", "client_email", "client_id", "detail"} {
		outputs = append(outputs, fmt.Sprintf("%s: %v", k, done.Outputs[k]))
	}
	d.show("The step completes; the workflow's next steps can use its outputs (never the password)", strings.Join(outputs, "\n"))
}

// whereSupportWorks: a form filled in from a message, the Home tab, and a
// client looked up.
func (d *demo) whereSupportWorks() {
	msg := d.slack.PostAs(d.t, "U0CAROL", "C0TICKETS", "Hi! Please give Jane Doe &lt;<mailto:jane.doe@acme.com|jane.doe@acme.com>&gt; access to Zeta Labs")
	d.say("In #tickets Carol writes: \"" + d.plain(msg.Text) + "\"; Alice picks Create PlusVibe client from this message")
	sc := d.slack.SendMessageShortcut(d.t, alice, bot.ShortcutCreateFromMessage, msg)
	viewID := d.slack.WaitView(d.t, sc, demoWait)
	d.show("The form opens with what the message says (the rest as before)", strings.Join(strings.SplitAfterN(d.renderView(viewID), "\n", 6)[:5], ""))

	d.say("Alice opens the app's Home tab")
	d.slack.OpenHome(d.t, alice)
	d.slack.WaitHome(d.t, alice, "Your requests", demoWait)
	d.show("Her requests and where each stands", d.renderBlocks(list(d.slack.Home(alice)["blocks"])))

	d.say("Alice looks a client up: /plusvibe-client find nova")
	cmd := d.slack.SendCommand(d.t, alice, slacktest.DefaultCommand, "find nova")
	d.slack.WaitAck(d.t, cmd.EnvelopeID, demoWait)
	d.slack.WaitUntil(d.t, demoWait, "the answer", func() bool { return len(d.slack.Calls("response_url")) > 0 })
	answer := slacktest.Answered(d.slack.Calls("response_url")[0])
	d.show("Only Alice sees", d.renderBlocks(answer.Blocks))
}

func (d *demo) renderBlocks(blocks []map[string]any) string {
	var b strings.Builder
	for _, blk := range blocks {
		b.WriteString(d.renderBlock(blk))
	}
	return b.String()
}

func (d *demo) close() {
	var lines []string
	for _, m := range d.slack.Messages(demoAudit) {
		lines = append(lines, d.plain(m.Text))
	}
	d.show("#audit, one line per outcome (never a password)", strings.Join(lines, "\n"))
	fmt.Fprintln(d.out, "\nThat is the whole bot. Next: `go test ./...`, then create the Slack app (README, Quick start).")
}

// showPassword prints the nth password delivery: an ephemeral in Alice's
// DM, and checks it went nowhere else.
func (d *demo) showPassword(n int) {
	var eph []slacktest.Call
	d.slack.WaitUntil(d.t, demoWait, "the password delivered", func() bool {
		eph = d.slack.Calls("chat.postEphemeral")
		return len(eph) >= n
	})
	c := eph[n-1]
	d.show(fmt.Sprintf("Only %s sees this in %s's DM with the app (ephemeral: gone on reload)", demoName(c.Params["user"]), demoName(c.Params["user"])),
		d.plain(c.Params["text"]))
	pw := d.pv.Clients()[len(d.pv.Clients())-1].Password
	for _, ch := range []string{slacktest.CommandChannel, demoApproval, demoAudit} {
		for _, m := range d.slack.Messages(ch) {
			if strings.Contains(m.Content(), pw) {
				d.t.Fatalf("the password reached %s", demoName(ch))
			}
		}
	}
	fmt.Fprintln(d.out, "   (checked: no channel message carries the password)")
}

func demoFill(first, access string) slacktest.Fill {
	return slacktest.Fill{
		modals.BlockEmail:        "nova.smith@example.com",
		modals.BlockFirstName:    first,
		modals.BlockLastName:     "Smith",
		modals.BlockBusinessName: "Nova Consulting Ltd",
		modals.BlockWorkspaces:   []string{"Nova Consulting", "Zeta Labs"},
		modals.BlockPermission:   access,
		modals.BlockHideLabels:   "NOT_INTERESTED",
		modals.BlockReason:       "SUP-1042",
	}
}

func (d *demo) openForm() string {
	cmd := d.slack.SendCommand(d.t, alice, slacktest.DefaultCommand, "")
	d.slack.WaitAck(d.t, cmd.EnvelopeID, demoWait)
	return d.slack.WaitView(d.t, cmd, demoWait)
}

func (d *demo) waitView(viewID, want string) {
	d.slack.WaitUntil(d.t, demoWait, "the form saying "+want, func() bool {
		return strings.Contains(d.renderView(viewID), want)
	})
}

func (d *demo) waitMessage(channel, button string) slacktest.Message {
	var found slacktest.Message
	d.slack.WaitUntil(d.t, demoWait, "a message with "+button, func() bool {
		for _, m := range d.slack.Messages(channel) {
			for _, b := range m.Buttons() {
				if b == button {
					found = m
					return true
				}
			}
		}
		return false
	})
	return found
}

func (d *demo) say(what string) {
	d.step++
	fmt.Fprintf(d.out, "\n── %d. %s\n", d.step, what)
}

func (d *demo) show(title, body string) {
	fmt.Fprintf(d.out, "   %s:\n", title)
	for line := range strings.Lines(strings.TrimRight(body, "\n")) {
		fmt.Fprintf(d.out, "   │ %s", line)
		if !strings.HasSuffix(line, "\n") {
			fmt.Fprintln(d.out)
		}
	}
}

// renderView draws a modal as text: each block, each input with its value.
func (d *demo) renderView(viewID string) string {
	v := d.slack.View(d.t, viewID)
	var b strings.Builder
	fmt.Fprintf(&b, "[%s]\n", text(v["title"]))
	for _, blk := range list(v["blocks"]) {
		b.WriteString(d.renderBlock(blk))
	}
	if s := text(v["submit"]); s != "" {
		fmt.Fprintf(&b, "[ %s ]  [ %s ]\n", s, text(v["close"]))
	}
	return b.String()
}

func (d *demo) renderMessage(m slacktest.Message) string { return d.renderBlocks(m.Blocks) }

func (d *demo) renderBlock(blk map[string]any) string {
	switch blk["type"] {
	case "header":
		return "== " + text(blk["text"]) + " ==\n"
	case "divider":
		return "----\n"
	case "section":
		s := d.plain(text(blk["text"]))
		for _, f := range list(blk["fields"]) {
			name, value, _ := strings.Cut(d.plain(text(f)), "\n")
			s += name + ": " + strings.ReplaceAll(value, "\n", " ") + "\n"
		}
		if acc, _ := blk["accessory"].(map[string]any); acc != nil {
			s = strings.TrimSuffix(s, "\n") + "  [ " + text(acc["text"]) + " ]\n"
		}
		return strings.TrimPrefix(strings.TrimSuffix(s, "\n")+"\n", "\n")
	case "context":
		var parts []string
		for _, e := range list(blk["elements"]) {
			parts = append(parts, d.plain(text(e)))
		}
		return strings.Join(parts, " ") + "\n"
	case "actions":
		var parts []string
		for _, e := range list(blk["elements"]) {
			parts = append(parts, "[ "+text(e["text"])+" ]")
		}
		return strings.Join(parts, "  ") + "\n"
	case "input":
		return text(blk["label"]) + ": " + inputValue(blk["element"]) + "\n"
	}
	return ""
}

// inputValue shows an input's value or choices as the person sees them.
func inputValue(el any) string {
	e, _ := el.(map[string]any)
	switch e["type"] {
	case "multi_static_select":
		var names, chosen []string
		for _, o := range list(e["options"]) {
			names = append(names, text(o["text"]))
		}
		for _, o := range list(e["initial_options"]) {
			chosen = append(chosen, text(o["text"]))
		}
		return fmt.Sprintf("{%s} chosen: %s", strings.Join(names, " | "), orNone(chosen))
	case "checkboxes":
		return choices(e, list(e["initial_options"]), "[x] ", "[ ] ")
	case "radio_buttons":
		var chosen []map[string]any
		if o, ok := e["initial_option"].(map[string]any); ok {
			chosen = append(chosen, o)
		}
		return choices(e, chosen, "(o) ", "( ) ")
	}
	v, _ := e["initial_value"].(string)
	return "[" + v + "]"
}

// choices shows each option of e, marked as chosen or not.
func choices(e map[string]any, chosen []map[string]any, on, off string) string {
	var names []string
	for _, o := range list(e["options"]) {
		mark := off
		if slices.ContainsFunc(chosen, func(c map[string]any) bool { return c["value"] == o["value"] }) {
			mark = on
		}
		names = append(names, mark+text(o["text"]))
	}
	return strings.Join(names, "  ")
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

var mention = regexp.MustCompile(`<([@#!])([A-Za-z0-9^|_ :{}.-]+)>`)

// plain turns mrkdwn into what Slack renders: names for mentions and dates,
// entities unescaped.
func (d *demo) plain(s string) string {
	s = mention.ReplaceAllStringFunc(s, func(m string) string {
		parts := mention.FindStringSubmatch(m)
		id, label, _ := strings.Cut(parts[2], "|")
		switch {
		case parts[1] == "!" && label != "":
			return label // a date's fallback text
		case parts[1] == "@":
			return "@" + demoName(id)
		case parts[1] == "#":
			return demoName(id)
		}
		return m
	})
	s = regexp.MustCompile(`<((?:https?://|mailto:)[^|>]+)\|([^>]+)>`).ReplaceAllString(s, "$2")
	s = regexp.MustCompile(`\*([^*\n]+)\*`).ReplaceAllString(s, "$1") // bold
	s = regexp.MustCompile("```([^`]*)```").ReplaceAllString(s, "  $1")
	s = emoji.Replace(s)
	return html.UnescapeString(s)
}

var emoji = strings.NewReplacer(":white_check_mark:", "✅", ":x:", "❌", ":hourglass_flowing_sand:", "⏳",
	":hourglass:", "⌛", ":lock:", "🔒", ":inbox_tray:", "📥", ":no_entry:", "⛔", ":ballot_box_with_check:", "☑️",
	":warning:", "⚠️", ":raised_hand:", "✋", ":speech_balloon:", "💬", ":arrows_counterclockwise:", "🔄", ":wastebasket:", "🗑️")

// label is the label of an input block of a view.
func (d *demo) label(viewID, blockID string) string {
	for _, blk := range list(d.slack.View(d.t, viewID)["blocks"]) {
		if blk["block_id"] == blockID {
			return text(blk["label"])
		}
	}
	return blockID
}

// submitLabel is the form's submit button as the person sees it.
func (d *demo) submitLabel(viewID string) string {
	return text(d.slack.View(d.t, viewID)["submit"])
}

func demoName(id string) string {
	if n, found := demoNames[id]; found {
		return n
	}
	if strings.HasPrefix(id, "D") {
		return demoNames[id[1:]]
	}
	return id
}

func text(v any) string {
	m, _ := v.(map[string]any)
	s, _ := m["text"].(string)
	return s
}

func list(v any) []map[string]any {
	l, _ := v.([]any)
	out := make([]map[string]any, 0, len(l))
	for _, x := range l {
		if m, isMap := x.(map[string]any); isMap {
			out = append(out, m)
		}
	}
	return out
}

// demoTB lets the test suite's fakes run outside a test: it is their T. A
// failure ends the demo with an error.
type demoTB struct {
	mu       sync.Mutex
	cleanups []func()
	failures []string
}

type demoFailure string

func (d *demoTB) Helper() {}

func (d *demoTB) Cleanup(f func()) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.cleanups = append(d.cleanups, f)
}

func (d *demoTB) cleanup() {
	d.mu.Lock()
	fs := d.cleanups
	d.cleanups = nil
	d.mu.Unlock()
	for i := len(fs) - 1; i >= 0; i-- {
		fs[i]()
	}
}

func (d *demoTB) Errorf(format string, args ...any) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.failures = append(d.failures, fmt.Sprintf(format, args...))
}

func (d *demoTB) errors() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.failures
}

// Fatalf and Fatal are called on the demo's own goroutine: they unwind it.
func (d *demoTB) Fatalf(format string, args ...any) { panic(demoFailure(fmt.Sprintf(format, args...))) }
func (d *demoTB) Fatal(args ...any)                 { panic(demoFailure(fmt.Sprint(args...))) }
