package bot_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
	"go.yaml.in/yaml/v4"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/bot"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/bot/slackapi"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/bot/store"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/internal/slacktest"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe/plusvibetest"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/request"
)

const (
	requester = "U0ALICE"
	outsider  = "U0MALLORY"
	wait      = 5 * time.Second // bounds a failing wait; passing runs take milliseconds
)

// logBuffer collects log lines from several goroutines.
type logBuffer struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	changed chan struct{} // closed and replaced on every write
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.changed != nil {
		close(l.changed)
	}
	l.changed = make(chan struct{})
	return l.buf.Write(p)
}

// waitFor waits until the logs contain want n times.
func (l *logBuffer) waitFor(t testing.TB, want string, n int) {
	t.Helper()
	deadline := time.NewTimer(wait)
	defer deadline.Stop()
	for {
		l.mu.Lock()
		if l.changed == nil {
			l.changed = make(chan struct{})
		}
		changed, have := l.changed, strings.Count(l.buf.String(), want)
		l.mu.Unlock()
		if have >= n {
			return
		}
		select {
		case <-changed:
		case <-deadline.C:
			t.Fatalf("the logs say %q %d times, want %d", want, have, n)
		}
	}
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// lines decodes each JSON log line.
func (l *logBuffer) lines(t testing.TB) []map[string]any {
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(l.String()), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line is not JSON: %q", line)
		}
		out = append(out, m)
	}
	return out
}

type world struct {
	t       testing.TB
	slack   *slacktest.Server
	pv      *plusvibetest.Server
	logs    *logBuffer
	bot     *bot.Bot
	stop    context.CancelFunc
	done    chan error
	setup   setup
	metrics *bot.Metrics
	// replicas are further bot processes on the same Slack app and PlusVibe.
	replicas []*replica
}

// replica is one more bot process.
type replica struct {
	bot  *bot.Bot
	stop context.CancelFunc
	done chan error
}

type setup struct {
	cfg    bot.Config
	pvOpts []plusvibetest.Option
	pvOpt  []plusvibe.Option
	// store, when set, gives each bot process its own connection to a
	// shared store.
	store func() store.Store
	// slackGoViews opens and updates views with slack-go's own calls,
	// which decode the view Slack sends back.
	slackGoViews bool
	// beforeStart, when set, prepares the fake Slack before the bot starts.
	beforeStart func(*slacktest.Server)
}

// start runs the real bot against a fake Slack and a fake PlusVibe.
func start(t testing.TB, s setup) *world {
	t.Helper()
	w := &world{t: t, slack: slacktest.New(t), pv: plusvibetest.NewServer(t, s.pvOpts...), logs: &logBuffer{}, setup: s}
	// The token has exactly the scopes the app's manifest asks for.
	w.slack.SetScopes(manifestScopes(t)...)
	w.slack.SetStepOutputs(request.StepCallbackID, manifestStepOutputs(t))
	// Cleanups run last-in first-out: stop the bot, then look for leaks.
	t.Cleanup(w.checkScopes)
	t.Cleanup(w.checkLeaks)
	t.Cleanup(func() { w.shutdown() })
	t.Cleanup(w.stopReplicas)
	if s.beforeStart != nil {
		s.beforeStart(w.slack)
	}
	w.launch()
	return w
}

// launch starts the world's first bot process.
func (w *world) launch() {
	w.t.Helper()
	b, metrics := w.newBot()
	w.bot, w.metrics = b, metrics
	w.stop, w.done = w.run(b)
}

// addReplica starts one more bot process, as a second replica of a deploy.
func (w *world) addReplica() *replica {
	w.t.Helper()
	b, _ := w.newBot()
	r := &replica{bot: b}
	r.stop, r.done = w.run(b)
	w.replicas = append(w.replicas, r)
	return r
}

// stopReplicas stops the extra bot processes.
func (w *world) stopReplicas() {
	for _, r := range w.replicas {
		r.stop()
		select {
		case <-r.done:
		case <-time.After(2 * wait):
			w.t.Error("a replica did not stop")
		}
	}
	w.replicas = nil
}

// run runs b until stopped, once its socket is open and its workspaces loaded.
func (w *world) run(b *bot.Bot) (context.CancelFunc, chan error) {
	t := w.t
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	sockets := w.slack.Connections()
	sweeps := w.approvalReads()
	go func() { done <- b.Run(ctx) }()
	w.slack.WaitConnected(t, sockets+1, wait)
	for what, ch := range map[string]<-chan struct{}{"workspaces never loaded": b.WorkspacesReady(), "the bot never saw its connection up": b.Connected()} {
		select {
		case <-ch:
		case <-time.After(wait):
			t.Fatal(what)
		}
	}
	// Its first sweep of the approval channel is over before a test posts
	// requests that look old (Backdate): it would close them first.
	if ch := w.setup.cfg.ApprovalChannel; ch != "" {
		w.slack.WaitUntil(t, wait, "the first sweep of the approval channel", func() bool { return w.approvalReads() > sweeps })
	}
	return cancel, done
}

// approvalReads counts the reads of the approval channel answered.
func (w *world) approvalReads() int {
	n := 0
	for _, c := range w.slack.Calls("conversations.history") {
		if c.Params["channel"] == w.setup.cfg.ApprovalChannel && c.Params["latest"] == "" {
			n++
		}
	}
	return n
}

// newBot builds a bot process against the world's fakes.
func (w *world) newBot() (*bot.Bot, *bot.Metrics) {
	t := w.t
	t.Helper()
	cfg := w.setup.cfg
	if cfg.Command == "" {
		cfg.Command = slacktest.DefaultCommand
	}
	cfg.APIWorkspaceID = plusvibetest.DefaultWorkspaces[0].ID
	if !cfg.AllowAll && cfg.AllowedUsers == nil && cfg.AllowedUsergroups == nil {
		cfg.AllowedUsers = []string{requester}
	}
	if cfg.DrainTimeout == 0 {
		cfg.DrainTimeout = wait
	}
	cfg.Metrics = bot.NewMetrics()
	cfg.BotID = slacktest.BotID
	if !w.setup.slackGoViews {
		cfg.SlackAPIURL, cfg.SlackToken = w.slack.APIURL(), w.slack.BotToken
	}
	if w.setup.store != nil {
		cfg.Store = w.setup.store()
	}
	pv, err := plusvibe.NewClient(w.pv.APIKey(), append([]plusvibe.Option{plusvibe.WithBaseURL(w.pv.URL()),
		plusvibe.WithHTTPClient(&http.Client{Transport: cfg.Metrics.PlusVibeTransport(nil)})}, w.setup.pvOpt...)...)
	if err != nil {
		t.Fatal(err)
	}
	logger := zerolog.New(w.logs)
	slackLog := log.New(logger, "", 0)
	api := slack.New(w.slack.BotToken, slack.OptionAPIURL(w.slack.APIURL()), slack.OptionAppLevelToken(w.slack.AppToken),
		slack.OptionHTTPClient(&http.Client{Timeout: 10 * time.Second}), slack.OptionLog(slackLog))
	sm := socketmode.New(api, socketmode.OptionLog(slackLog))
	b, err := bot.New(cfg, sm, pv, logger)
	if err != nil {
		t.Fatal(err)
	}
	return b, cfg.Metrics
}

// restart stops the bot process and starts a new one, as a deploy does.
func (w *world) restart() {
	w.t.Helper()
	if err := w.shutdown(); err != nil {
		w.t.Fatal(err)
	}
	w.launch()
}

func (w *world) shutdown() error {
	if w.stop == nil {
		return nil
	}
	w.stop()
	w.stop = nil
	select {
	case err := <-w.done:
		// Its socket is gone before the next envelope is spread.
		w.slack.WaitOpen(w.t, len(w.replicas), wait)
		return err
	case <-time.After(2 * wait):
		w.t.Fatal("bot did not stop")
		return nil
	}
}

// openForm runs the command and returns the view id of the opened form.
func (w *world) openForm(user, text string) string {
	w.t.Helper()
	cmd := w.slack.SendCommand(w.t, user, slacktest.DefaultCommand, text)
	ack := w.slack.WaitAck(w.t, cmd.EnvelopeID, wait)
	if len(ack.Payload) != 0 {
		w.t.Fatalf("command acked with %s, want an empty ack and a modal", ack.Payload)
	}
	return w.slack.WaitView(w.t, cmd, wait)
}

// goodFill is what a person types into a valid form.
func goodFill() slacktest.Fill {
	return slacktest.Fill{
		modals.BlockEmail:        "nova.smith@example.com",
		modals.BlockFirstName:    "Nova",
		modals.BlockLastName:     "Smith",
		modals.BlockBusinessName: "Nova Consulting Ltd",
		modals.BlockWorkspaces:   []string{"Nova Consulting", "Zeta Labs"},
		modals.BlockPermission:   "Unibox only",
		modals.BlockHideLabels:   "NOT_INTERESTED, DO_NOT_CONTACT",
		modals.BlockReason:       "TICKET-42",
	}
}

// viewText is every text of a view, for assertions on what a person reads.
func viewText(view map[string]any) string {
	b, _ := json.Marshal(view["blocks"])
	return string(b)
}

// finalView waits for the views.update that ends a creation and returns its view.
func (w *world) finalView() map[string]any {
	w.t.Helper()
	call := w.slack.NextCall(w.t, "views.update", wait)
	var v map[string]any
	if err := json.Unmarshal([]byte(call.Params["view"]), &v); err != nil {
		w.t.Fatal(err)
	}
	return v
}

// scrape reads /metrics as Prometheus would.
func (w *world) scrape() string {
	w.t.Helper()
	rec := httptest.NewRecorder()
	w.bot.HealthHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != http.StatusOK {
		w.t.Fatalf("/metrics answered %d", rec.Code)
	}
	return rec.Body.String()
}

// wantMetrics checks samples ("name{labels}" → value) in what /metrics
// serves now.
func (w *world) wantMetrics(samples map[string]float64) {
	w.t.Helper()
	got := w.scrape()
	for sample, want := range samples {
		if v := metric(got, sample); v != want {
			w.t.Errorf("%s = %v, want %v", sample, v, want)
		}
	}
}

// metric returns the value of one sample line ("name{labels}"), or -1.
func metric(scraped, sample string) float64 {
	for _, line := range strings.Split(scraped, "\n") {
		if v, found := strings.CutPrefix(line, sample+" "); found {
			f, err := strconv.ParseFloat(v, 64)
			if err == nil {
				return f
			}
		}
	}
	return -1
}

var manifest struct {
	once   sync.Once
	scopes []string
	steps  map[string]manifestStep
	err    error
}

// manifestStep is a custom step as the manifest declares it.
type manifestStep struct {
	Inputs  manifestParams `yaml:"input_parameters"`
	Outputs manifestParams `yaml:"output_parameters"`
}

type manifestParams struct {
	Properties map[string]struct {
		Type string `yaml:"type"`
	} `yaml:"properties"`
	Required []string `yaml:"required"`
}

// readManifest reads the Slack app manifest once.
func readManifest(t testing.TB) {
	t.Helper()
	manifest.once.Do(func() {
		raw, err := os.ReadFile("../manifest.yaml")
		if err != nil {
			manifest.err = err
			return
		}
		var m struct {
			OAuth struct {
				Scopes struct {
					Bot []string `yaml:"bot"`
				} `yaml:"scopes"`
			} `yaml:"oauth_config"`
			Functions map[string]manifestStep `yaml:"functions"`
		}
		manifest.err = yaml.Unmarshal(raw, &m)
		manifest.scopes, manifest.steps = m.OAuth.Scopes.Bot, m.Functions
	})
	if manifest.err != nil {
		t.Fatalf("manifest.yaml: %v", manifest.err)
	}
}

// manifestScopes reads the bot scopes of the Slack app manifest.
func manifestScopes(t testing.TB) []string {
	t.Helper()
	readManifest(t)
	if len(manifest.scopes) == 0 {
		t.Fatal("manifest.yaml: no bot scopes")
	}
	return manifest.scopes
}

// manifestStepOutputs reads the Workflow Builder step's output parameters
// from the manifest, for the fake Slack to check completions against.
func manifestStepOutputs(t testing.TB) slacktest.StepOutputs {
	t.Helper()
	readManifest(t)
	step, found := manifest.steps[request.StepCallbackID]
	if !found {
		t.Fatalf("manifest.yaml declares no %s step", request.StepCallbackID)
	}
	var out slacktest.StepOutputs
	for name := range step.Outputs.Properties {
		if slices.Contains(step.Outputs.Required, name) {
			out.Required = append(out.Required, name)
		} else {
			out.Optional = append(out.Optional, name)
		}
	}
	return out
}

// checkScopes: every Web API method the bot called is in
// slackapi.MethodScopes, the table the fake enforces scopes by; a method
// missing from it would go unchecked.
func (w *world) checkScopes() {
	for _, c := range w.slack.Calls("") {
		if c.Method == "response_url" || c.Method == "apps.connections.open" {
			continue // no bot token: a response URL, and the app-level token
		}
		if _, found := slackapi.MethodScopes[c.Method]; !found {
			w.t.Errorf("the bot calls %s, which slackapi.MethodScopes does not declare", c.Method)
		}
	}
}
