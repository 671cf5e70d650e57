// Package bot holds the product's flows: the Socket Mode loop, and one file
// per thing that happens (a command, a form sent, Approve, Deny, Create
// client, Edit access, Remove, the sweep…), with the steps they share in
// files of their own. It decides with request, speaks with modals, calls
// Slack through slackapi and PlusVibe through plusvibe.
package bot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/bot/slackapi"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/bot/store"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/request"
)

// Config is what the bot needs to know, in plain values.
type Config struct {
	// Command is the slash command answered, with its leading slash.
	Command string
	// APIWorkspaceID is the top-level workspace_id sent with POST /client.
	APIWorkspaceID string
	// StaticWorkspaces, when set, replaces listing them from PlusVibe.
	StaticWorkspaces []plusvibe.Workspace
	// WorkspaceRefresh is how often the workspace list is reloaded.
	WorkspaceRefresh time.Duration
	// ConnectWait bounds how long Run waits for the first workspace list
	// before it connects to Slack anyway (default 10s).
	ConnectWait time.Duration
	// AllowAll lets everybody in; otherwise AllowedUsers and members of
	// AllowedUsergroups may create clients.
	AllowAll          bool
	AllowedUsers      []string
	AllowedUsergroups []string
	// MaxInFlight bounds the interactions that may call PlusVibe or change a
	// request, handled at once (default 32). Commands and type-ahead, which
	// only answer and open a form, have a pool of their own, 8 times larger,
	// so that a queue of creations never turns a command away.
	MaxInFlight int
	// DrainTimeout bounds how long shutdown waits for creations in flight.
	DrainTimeout time.Duration

	// ApprovalChannel, when set, holds requests there until an approver decides.
	ApprovalChannel string
	// ApproveFullAccessOnly lets Unibox-only requests through at once.
	ApproveFullAccessOnly bool
	// Approvers and members of ApproverUsergroups decide, never on their own
	// requests. ApproveAll lets anyone but the requester decide.
	ApproveAll         bool
	Approvers          []string
	ApproverUsergroups []string
	// RemindAfter is when approvers are first reminded of an undecided
	// request in its thread, then after twice that, and so on (0: never).
	RemindAfter time.Duration
	// EscalateUsers and members of EscalateUsergroups are added to the
	// reminders once half of ApprovalTTL has passed; they may decide.
	EscalateUsers, EscalateUsergroups []string
	// RequireReason is when a request must say why: "approval" (when it
	// waits for an approver; the default), "all" or "none".
	RequireReason string
	// ApprovalTTL is how long a request can be approved, and how long an
	// approval can then be collected by its requester (default 72h).
	ApprovalTTL time.Duration
	// SweepInterval is how often requests and approvals past ApprovalTTL are
	// closed (default 10m).
	SweepInterval time.Duration
	// CreationBound is how long a creation may take (every PlusVibe attempt
	// and wait) before a request still "creating" is taken as interrupted.
	CreationBound time.Duration
	// AuditChannel, when set, gets one line per outcome.
	AuditChannel string
	// EndAction is what happens at a client's access end (default remove);
	// EndNotice is how long before it the requester is told (0: not told);
	// FullAccessMaxDays, when set, makes Full access need an end within
	// that many days.
	EndAction         string
	EndNotice         time.Duration
	FullAccessMaxDays int
	// EndRetry is how long after a failed end it is tried again, doubling
	// on each failure (default a minute).
	EndRetry time.Duration
	// ReviewEvery, when set, posts a review of the Full access clients in
	// ReviewChannel once per that period.
	ReviewEvery   time.Duration
	ReviewChannel string

	// Metrics, when nil, are made by New.
	Metrics *Metrics
	// SlackCallTimeout bounds one attempt of a Web API call (default 10s).
	SlackCallTimeout time.Duration
	// HTTPClient posts to response URLs, and opens and updates views when
	// SlackAPIURL is set; nil: a client with a 10s timeout.
	HTTPClient *http.Client
	// SlackAPIURL (ending in "/") and SlackToken, the bot token, let views
	// be opened and updated without decoding the view Slack sends back;
	// unset, slack-go's calls are used.
	SlackAPIURL, SlackToken string
	// BotID is this app's bot id (auth.test's bot_id): only messages it
	// posted are read as requests. "" trusts any poster, as before.
	BotID string
	// Store keeps the once-only state; nil: in this process's memory, for
	// one replica. Several replicas share one (store.Redis).
	Store store.Store
}

// PlusVibe is the part of the PlusVibe client the bot uses.
type PlusVibe interface {
	CreateClient(ctx context.Context, req plusvibe.CreateClientRequest) (plusvibe.CreateClientResponse, error)
	Workspaces(ctx context.Context) ([]plusvibe.Workspace, error)
	ListClients(ctx context.Context, workspaceID string) ([]plusvibe.ClientLogin, error)
	UpdateClient(ctx context.Context, req plusvibe.UpdateClientRequest) error
	DeleteClient(ctx context.Context, workspaceID, clientID string) error
}

var (
	_ slackapi.API = (*socketmode.Client)(nil)
	_ PlusVibe     = (*plusvibe.Client)(nil)
)

// Bot answers the slash command and the modal's interactions.
type Bot struct {
	cfg        Config
	sm         *socketmode.Client
	slack      slackapi.API
	talk       *slackapi.Talk
	runs       *slackapi.Runs
	pv         PlusVibe
	log        zerolog.Logger
	access     *access
	approvers  *access
	escalation *access
	workspaces *workspaceCache
	clients    *clientCache
	// ends is where access ends are kept; nil: nowhere safe, none accepted.
	ends     endSchedule
	known    knownEnds
	metrics  *Metrics
	connects atomic.Int64
	// views makes each submitted form act once; once does the same for each
	// step of an approval request (decide, collect): across every replica
	// sharing the store.
	views, once *onceOnly
	// reviewed makes each period's access review post once; pages keeps
	// two decisions from rewriting one review message at once.
	reviewed, pages *onceOnly
	storeHealth     *healthFlag
	policy          request.Policy
	clock           request.Clock
	homes           *homeRedraws
	ready           atomic.Bool
	firstUp         chan struct{} // closed on the first connection
	upOnce          sync.Once

	// work outlives the socket: creations in flight finish after shutdown
	// begins, until DrainTimeout cancels it.
	work       context.Context
	cancelWork context.CancelFunc

	mu       sync.Mutex
	stopping bool
	inFlight sync.WaitGroup
	// endings are Workflow Builder runs being completed, after the reports
	// of the requests that ended them.
	endings sync.WaitGroup
	slots   chan struct{} // interactions that may call PlusVibe or change a request
	quick   chan struct{} // commands and type-ahead: an answer and a form
}

// withDefaults fills in what was left unset.
func (cfg Config) withDefaults() Config {
	if cfg.MaxInFlight <= 0 {
		cfg.MaxInFlight = 32
	}
	if cfg.DrainTimeout <= 0 {
		cfg.DrainTimeout = 25 * time.Second
	}
	if cfg.WorkspaceRefresh <= 0 {
		cfg.WorkspaceRefresh = 5 * time.Minute
	}
	if cfg.ConnectWait <= 0 {
		cfg.ConnectWait = 10 * time.Second
	}
	if cfg.ApprovalTTL <= 0 {
		cfg.ApprovalTTL = 72 * time.Hour
	}
	if cfg.SweepInterval <= 0 {
		cfg.SweepInterval = 10 * time.Minute
		if cfg.RemindAfter > 0 { // often enough for reminders to come on time
			cfg.SweepInterval = min(cfg.SweepInterval, max(cfg.RemindAfter/4, 30*time.Second))
		}
	}
	if cfg.CreationBound <= 0 {
		cfg.CreationBound = 2 * time.Minute
	}
	if cfg.Metrics == nil {
		cfg.Metrics = NewMetrics()
	}
	if cfg.SlackCallTimeout <= 0 {
		cfg.SlackCallTimeout = 10 * time.Second
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.Store == nil {
		cfg.Store = store.NewMemory()
	}
	if cfg.EndRetry <= 0 {
		cfg.EndRetry = time.Minute
	}
	if cfg.EndAction == "" {
		cfg.EndAction = string(request.EndRemove)
	}
	if cfg.ReviewChannel == "" {
		cfg.ReviewChannel = cfg.ApprovalChannel
	}
	return cfg
}

// New builds a Bot. It makes no network calls.
func New(cfg Config, sm *socketmode.Client, pv PlusVibe, log zerolog.Logger) (*Bot, error) {
	if cfg.Command == "" || cfg.APIWorkspaceID == "" {
		return nil, errors.New("bot: Command and APIWorkspaceID are required")
	}
	cfg = cfg.withDefaults()
	var views *slackapi.LeanViews
	if cfg.SlackAPIURL != "" && cfg.SlackToken != "" {
		views = slackapi.NewLeanViews(cfg.HTTPClient, cfg.SlackAPIURL, cfg.SlackToken)
	}
	calls := slackapi.NewCalls(sm, log, cfg.Metrics.slackRetries, cfg.SlackCallTimeout, views)
	work, cancel := context.WithCancel(context.Background())
	b := &Bot{
		cfg:         cfg,
		sm:          sm,
		slack:       calls,
		pv:          pv,
		log:         log,
		metrics:     cfg.Metrics,
		work:        work,
		cancelWork:  cancel,
		slots:       make(chan struct{}, cfg.MaxInFlight),
		quick:       make(chan struct{}, 8*cfg.MaxInFlight),
		storeHealth: &healthFlag{},
		firstUp:     make(chan struct{}),
		homes:       newHomeRedraws(),
		policy: request.Policy{Approvals: cfg.ApprovalChannel != "", FullAccessOnly: cfg.ApproveFullAccessOnly,
			Reason: request.ReasonRule(cfg.RequireReason)},
	}
	b.clock = request.Clock{TTL: cfg.ApprovalTTL, Window: b.creationWindow(), RemindAfter: cfg.RemindAfter}
	b.views = &onceOnly{store: cfg.Store, log: log, hold: b.claimHold(), keep: claimTTL, healthy: b.storeHealth}
	// Kept past both TTLs so a late click is answered without asking Slack.
	b.once = &onceOnly{store: cfg.Store, log: log, hold: b.claimHold(), keep: 2*cfg.ApprovalTTL + claimTTL, healthy: b.storeHealth}
	b.reviewed = &onceOnly{store: cfg.Store, log: log, hold: b.claimHold() + 10*time.Minute, keep: cfg.ReviewEvery + claimTTL, healthy: b.storeHealth}
	b.pages = &onceOnly{store: cfg.Store, log: log, hold: 15 * time.Second, keep: time.Minute, healthy: b.storeHealth}
	b.talk = slackapi.NewTalk(b.slack, log, cfg.HTTPClient)
	b.runs = slackapi.NewRuns(calls, cfg.SlackAPIURL, cfg.HTTPClient, cfg.SlackToken)
	b.access = newAccess(cfg.AllowAll, cfg.AllowedUsers, cfg.AllowedUsergroups, b.slack, log)
	b.approvers = newAccess(cfg.ApproveAll, cfg.Approvers, cfg.ApproverUsergroups, b.slack, log)
	b.escalation = newAccess(false, cfg.EscalateUsers, cfg.EscalateUsergroups, b.slack, log)
	b.workspaces = newWorkspaceCache(cfg, pv, log)
	b.clients = &clientCache{pv: pv, workspaceID: cfg.APIWorkspaceID}
	b.ends = newEndSchedule(b)
	return b, nil
}

// WorkspacesReady is closed once the workspace list is available.
func (b *Bot) WorkspacesReady() <-chan struct{} { return b.workspaces.ready }

// Connected is closed once the first Socket Mode connection is up.
func (b *Bot) Connected() <-chan struct{} { return b.firstUp }

// Ready reports whether the Socket Mode connection is up.
func (b *Bot) Ready() bool { return b.ready.Load() }

// Run serves until ctx ends, then waits for creations in flight (at most
// DrainTimeout) so their passwords are delivered.
func (b *Bot) Run(ctx context.Context) error {
	defer b.endings.Wait() // last: the flows and the sweep that start them are done
	var bg sync.WaitGroup
	bg.Go(func() { b.workspaces.run(ctx) })
	bg.Go(func() { b.redrawHomes(ctx) })
	bg.Go(func() { b.sweepEvery(ctx) })
	if b.ends != nil {
		bg.Go(func() { b.endsEvery(ctx) })
	}
	if b.cfg.ReviewEvery > 0 && b.cfg.ReviewChannel != "" {
		bg.Go(func() { b.reviewEvery(ctx) })
	}
	defer bg.Wait()
	b.awaitWorkspaces(ctx)

	h := socketmode.NewSocketmodeHandler(b.sm)
	h.Handle(socketmode.EventTypeConnecting, b.onConnection(false, "connecting"))
	h.Handle(socketmode.EventTypeConnectionError, b.onConnection(false, "connection error"))
	h.Handle(socketmode.EventTypeConnected, b.onConnection(true, "connected"))
	h.Handle(socketmode.EventTypeHello, func(*socketmode.Event, *socketmode.Client) {})
	h.HandleSlashCommand(b.cfg.Command, b.guardIn(b.quick, b.onCommand))
	h.HandleShortcut(ShortcutCreate, b.guardIn(b.quick, b.onShortcut))
	h.HandleShortcut(ShortcutCreateFromMessage, b.guardIn(b.quick, b.onShortcut))
	h.HandleEvents(slackevents.AppHomeOpened, b.guardIn(b.quick, b.onHomeOpened))
	h.HandleEvents(slackevents.FunctionExecuted, b.guard(b.onStepRun))
	h.HandleInteractionBlockAction(modals.ActionHomeCreate, b.guardIn(b.quick, b.onHomeCreate))
	h.HandleInteractionBlockAction(modals.ActionInput, b.guardIn(b.quick, b.onFormChange))
	h.HandleInteractionBlockAction(modals.ActionRetry, b.guard(b.onRetry))
	h.HandleInteractionBlockAction(modals.ActionApprove, b.guard(b.onApprove))
	h.HandleInteractionBlockAction(modals.ActionDeny, b.guard(b.onDeny))
	h.HandleInteractionBlockAction(modals.ActionCollect, b.guard(b.onCollect))
	h.HandleInteractionBlockAction(modals.ActionWithdraw, b.guard(b.onWithdraw))
	h.HandleInteraction(slack.InteractionTypeBlockSuggestion, b.guardIn(b.quick, b.onSuggest))
	h.HandleInteractionBlockAction(modals.ActionEditAccess, b.guard(b.onEditAccess))
	h.HandleInteractionBlockAction(modals.ActionRemove, b.guard(b.onRemove))
	h.HandleInteractionBlockAction(modals.ActionAddAccess, b.guard(b.onAddAccess))
	h.HandleInteractionBlockAction(modals.ActionExtend, b.guard(b.onExtend))
	h.HandleInteractionBlockAction(modals.ActionLetItEnd, b.guard(b.onLetItEnd))
	for action := range modals.ReviewDecisions {
		h.HandleInteractionBlockAction(action, b.guard(b.onReviewDecision))
	}
	for _, m := range b.modals() {
		h.HandleViewSubmission(m.callback, b.guard(m.submit))
	}
	h.HandleDefault(b.onUnhandled)

	err := h.RunEventLoopContext(ctx)
	b.ready.Store(false)
	b.metrics.connected.Set(0)
	b.drain()
	if ctx.Err() != nil {
		return nil // asked to stop
	}
	return fmt.Errorf("socket mode: %w", err)
}

// awaitWorkspaces holds the connection to Slack until the form can be shown,
// within ConnectWait: Slack spreads envelopes over every open connection, so
// a replica that connected first would answer some commands with "no
// workspaces" while its list loads. Past the bound it connects anyway and
// says why it cannot show the form.
func (b *Bot) awaitWorkspaces(ctx context.Context) {
	t := time.NewTimer(b.cfg.ConnectWait)
	defer t.Stop()
	select {
	case <-b.workspaces.ready:
	case <-ctx.Done():
	case <-t.C:
		b.log.Warn().Dur("waited", b.cfg.ConnectWait).Msg("connecting to Slack before the PlusVibe workspaces could be loaded")
	}
}

// drain stops new work and waits for the work in flight, within DrainTimeout.
func (b *Bot) drain() {
	b.mu.Lock()
	b.stopping = true
	b.mu.Unlock()
	done := make(chan struct{})
	go func() { b.inFlight.Wait(); close(done) }()
	timer := time.NewTimer(b.cfg.DrainTimeout)
	defer timer.Stop()
	select {
	case <-done:
		b.log.Info().Msg("all work in flight finished")
	case <-timer.C:
		b.log.Warn().Dur("drain_timeout", b.cfg.DrainTimeout).Msg("drain timed out; interrupting work in flight")
		b.cancelWork()
		<-done
	}
	b.cancelWork()
}

func (b *Bot) onConnection(up bool, state string) socketmode.SocketmodeHandlerFunc {
	return func(evt *socketmode.Event, _ *socketmode.Client) {
		b.ready.Store(up)
		if up {
			b.upOnce.Do(func() { close(b.firstUp) })
			b.metrics.connected.Set(1)
			if b.connects.Add(1) > 1 {
				b.metrics.reconnects.Inc()
			}
		} else {
			b.metrics.connected.Set(0)
		}
		b.log.Info().Str("socket", state).Msg("socket mode " + state)
	}
}

// onUnhandled acks envelopes nothing else handles, so Slack does not retry them.
func (b *Bot) onUnhandled(evt *socketmode.Event, c *socketmode.Client) {
	if evt.Request != nil && evt.Request.EnvelopeID != "" {
		b.ack(c, evt.Request.EnvelopeID, nil)
	}
}
