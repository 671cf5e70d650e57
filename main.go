// Command plusvibe-slack-bot lets a support team create PlusVibe clients from
// Slack: /plusvibe-client opens a form, and the one-time password goes to the
// requester alone.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/rs/zerolog"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/bot"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/bot/store"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe"
)

// version is stamped at build time with -ldflags "-X main.version=…".
var version = "dev"

// options are the command line's flags.
type options struct {
	version, check, health bool
	envFile                string
}

// newFlags defines the flags on a set of their own, so that tests can parse
// the commands the README shows.
func newFlags(o *options) *flag.FlagSet {
	fs := flag.NewFlagSet("plusvibe-slack-bot", flag.ContinueOnError)
	fs.BoolVar(&o.version, "version", false, "print the version and exit")
	fs.BoolVar(&o.check, "check", false, "check the configuration, Slack and PlusVibe, print what was found, and exit")
	fs.BoolVar(&o.health, "healthcheck", false, "ask this machine's running bot for /healthz (HTTP_ADDR) and exit 0 if it answers; for the image's HEALTHCHECK, which has no shell")
	fs.StringVar(&o.envFile, "env-file", "", "read settings from this file first, as docker run --env-file does (NAME=value lines, # comments, no quoting)")
	fs.Usage = func() { usage(fs.Output(), fs) }
	return fs
}

func main() {
	var o options
	if err := newFlags(&o).Parse(os.Args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		os.Exit(2)
	}
	if err := loadEnvFile(o.envFile); err != nil {
		reportFatal(os.Stderr, err)
		os.Exit(1)
	}
	switch {
	case o.version:
		fmt.Println("plusvibe-slack-bot", fullVersion())
	case o.health:
		exitOn(healthcheck(os.Getenv("HTTP_ADDR")), "unhealthy: ")
	default:
		ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
		defer stop()
		if o.check {
			exitOn(runCheck(ctx, os.Stdout), "")
			return
		}
		if err := run(ctx, os.Stderr, nil); err != nil {
			reportFatal(os.Stderr, err)
			stop()
			os.Exit(1)
		}
	}
}

// exitOn ends the process with status 1 and err on standard error, if any.
func exitOn(err error, prefix string) {
	if err != nil {
		fmt.Fprintln(os.Stderr, prefix+err.Error())
		os.Exit(1)
	}
}

// loadEnvFile sets the variables of a docker-style env file that the
// environment does not set already: NAME=value per line, the value taken
// literally (quotes included), blank lines and # comments skipped.
func loadEnvFile(path string) error {
	if path == "" {
		return nil
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("--env-file: cannot read %s", path)
	}
	for i, line := range strings.Split(string(raw), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, value, found := strings.Cut(line, "=")
		if !found || strings.ContainsAny(name, " \t") {
			return fmt.Errorf("--env-file: %s line %d is not NAME=value", path, i+1)
		}
		if _, set := os.LookupEnv(name); !set {
			os.Setenv(name, value)
		}
	}
	return nil
}

// reportFatal writes why the bot could not start, one line per problem, in
// LOG_FORMAT: JSON log lines unless it asks for console text.
func reportFatal(w io.Writer, err error) {
	lines := strings.Split(err.Error(), "\n")
	if os.Getenv("LOG_FORMAT") == "console" {
		for _, l := range lines {
			fmt.Fprintln(w, l)
		}
		return
	}
	log := zerolog.New(w).With().Timestamp().Logger()
	for _, l := range lines {
		log.Error().Msg(l)
	}
}

// fullVersion is the stamped version or, in a plain go build, the commit the
// binary was built from, as Go records it.
func fullVersion() string {
	if version != "dev" {
		return version
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return version
	}
	rev, modified := "", false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if rev == "" {
		return version
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if modified {
		rev += "-modified"
	}
	return "dev-" + rev
}

// healthcheck asks the bot listening on addr (HTTP_ADDR; empty: its default)
// for /healthz, on this machine.
func healthcheck(addr string) error {
	if addr == "" {
		addr = ":8080"
	}
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("HTTP_ADDR is not host:port")
	}
	client := &http.Client{Timeout: 2 * time.Second}
	resp, err := client.Get("http://" + net.JoinHostPort("127.0.0.1", port) + "/healthz")
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("/healthz answered %d", resp.StatusCode)
	}
	return nil
}

// run starts the bot and serves until ctx ends. started, when set, receives
// the health server's address once everything is up (for tests).
func run(ctx context.Context, logOut io.Writer, started chan<- string) error {
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	logger, err := newLogger(cfg, logOut)
	if err != nil {
		return err
	}

	metrics := bot.NewMetrics()
	pv, err := newPlusVibe(cfg, metrics.PlusVibeTransport(plusVibeTransport(cfg)))
	if err != nil {
		return err
	}
	slackLog := log.New(logger.With().Str("component", "slack-go").Logger(), "", 0)
	hc := slackHTTPClient(cfg.MaxInFlight)
	api := newSlack(cfg, hc, slack.OptionLog(slackLog))
	authCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
	auth, err := api.AuthTestContext(authCtx)
	cancel()
	if err != nil {
		return fmt.Errorf("slack: auth.test with SLACK_BOT_TOKEN failed: %v", err)
	}
	logger.Info().Str("team_id", auth.TeamID).Str("bot_user_id", auth.UserID).Str("version", fullVersion()).Msg("starting")
	for _, warning := range cfg.Warnings() {
		logger.Warn().Msg(warning)
	}

	sm := socketmode.New(api, socketmode.OptionLog(slackLog))
	botCfg := cfg.botConfig()
	botCfg.Metrics = metrics
	botCfg.HTTPClient = hc
	botCfg.SlackAPIURL, botCfg.SlackToken = cfg.SlackAPIURL, cfg.SlackBotToken
	botCfg.BotID = auth.BotID
	if cfg.RedisURL != "" {
		store.SetLogger(logger)
		st, err := store.OpenRedis(cfg.RedisURL, storePrefix(auth))
		if err != nil {
			return err
		}
		defer st.Close()
		pingCtx, cancel := context.WithTimeout(ctx, 2*time.Second)
		if err := st.Ping(pingCtx); err != nil {
			logger.Warn().Err(err).Msg("Redis cannot be reached yet; work is refused until it can")
		}
		cancel()
		botCfg.Store = st
	}
	b, err := bot.New(botCfg, sm, pv, logger.With().Str("component", "bot").Logger())
	if err != nil {
		return err
	}

	var srv *http.Server
	if cfg.HTTPAddr != "" {
		l, err := net.Listen("tcp", cfg.HTTPAddr)
		if err != nil {
			return fmt.Errorf("HTTP_ADDR: %v", err)
		}
		srv = healthServer(b.HealthHandler())
		go func() { _ = srv.Serve(l) }()
		if started != nil {
			started <- l.Addr().String()
		}
	} else if started != nil {
		started <- ""
	}

	runErr := b.Run(ctx)
	if srv != nil {
		shutCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_ = srv.Shutdown(shutCtx)
		cancel()
	}
	if runErr != nil {
		return runErr
	}
	logger.Info().Msg("stopped")
	return nil
}

// storePrefix namespaces the store's keys by the Slack workspace and the
// app's bot, so that two apps can share one Redis.
func storePrefix(auth *slack.AuthTestResponse) string {
	return "plusvibe-slack-bot:" + auth.TeamID + ":" + auth.BotID + ":"
}

func newPlusVibe(cfg Config, transport http.RoundTripper) (*plusvibe.Client, error) {
	pv, err := plusvibe.NewClient(cfg.PlusVibeAPIKey,
		plusvibe.WithBaseURL(cfg.PlusVibeBaseURL),
		plusvibe.WithTimeout(cfg.PlusVibeTimeout),
		plusvibe.WithHTTPClient(&http.Client{Transport: transport}),
		plusvibe.WithUserAgent("plusvibe-slack-bot/"+version))
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return pv, nil
}

func newSlack(cfg Config, hc *http.Client, opts ...slack.Option) *slack.Client {
	return slack.New(cfg.SlackBotToken, append([]slack.Option{
		slack.OptionAPIURL(cfg.SlackAPIURL),
		slack.OptionAppLevelToken(cfg.SlackAppToken),
		slack.OptionHTTPClient(hc),
	}, opts...)...)
}

// The timeout budget, outermost first. Each bound below is at least as long
// as the bound it contains, so that the one that should decide always does:
//
//   - PlusVibe: PLUSVIBE_TIMEOUT bounds one request (plusvibe.WithTimeout, a
//     context deadline); its transport's dial, TLS and header timeouts equal
//     it, never less, so a POST answered after 12 s under 30 s still lands.
//     A call makes at most 3 attempts with at most plusvibe.DefaultRetryWait
//     of 429 waits: bot.Config.CreationBound, which SHUTDOWN_TIMEOUT covers.
//   - Slack Web API: one attempt is bounded by bot.Config.SlackCallTimeout
//     (10 s), retries and 429 waits by 30 s and by the caller's deadline (a
//     trigger's 3 s, an ack's 2.5 s, a report's 10 s settle). Under it, the
//     transport's header timeout is 10 s and the HTTP client's 15 s, so a
//     call's own deadline, not the transport, ends it.
//   - response_url posts use the same client: 15 s, under the caller's deadline.
//   - Redis: each store operation has 1 s (bot.storeTimeout), under go-redis's
//     own 3 s read and write timeouts; a Slack ack needs an answer in 3 s.
//   - The health server: 5 s to read a request, 10 s to write an answer.

// pooledTransport keeps up to perHost idle connections to each host, so that
// as many requests as the bot handles at once reuse connections instead of
// dialling (the default keeps 2).
func pooledTransport(perHost int) *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 2 * perHost
	t.MaxIdleConnsPerHost = perHost
	t.IdleConnTimeout = 90 * time.Second
	t.TLSHandshakeTimeout = 5 * time.Second
	t.ResponseHeaderTimeout = 10 * time.Second
	return t
}

// plusVibeTransport is PlusVibe's own: no phase of it may end a request
// before PLUSVIBE_TIMEOUT does. A POST /client cut short by the transport
// may still create the client, whose password is then lost.
func plusVibeTransport(cfg Config) *http.Transport {
	t := pooledTransport(cfg.MaxInFlight)
	d := max(cfg.PlusVibeTimeout, 5*time.Second)
	t.DialContext = (&net.Dialer{Timeout: d, KeepAlive: 30 * time.Second}).DialContext
	t.TLSHandshakeTimeout = d
	t.ResponseHeaderTimeout = d
	return t
}

// slackHTTPClient is the one HTTP client for Slack: the Web API, Socket
// Mode's connection requests and response URLs. Every phase has a bound, so a
// hung call cannot stall a handler or a reconnect, and enough connections
// stay open to Slack for every interaction handled at once.
func slackHTTPClient(inFlight int) *http.Client {
	return &http.Client{Transport: pooledTransport(inFlight), Timeout: 15 * time.Second}
}

// healthServer serves /healthz, /readyz and /metrics with every phase
// bounded, so that slow or idle clients cannot hold connections open.
func healthServer(h http.Handler) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 5 * time.Second,
		WriteTimeout: 10 * time.Second, IdleTimeout: 60 * time.Second}
}

// runCheck is what an admin runs first: it validates the configuration, calls
// Slack and PlusVibe as the bot would, prints what it found, and fails if
// anything would stop the bot from working.
func runCheck(ctx context.Context, out io.Writer) error {
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	bc := cfg.botConfig()
	fmt.Fprintf(out, "configuration: ok (command %s", cfg.SlackCommand)
	if cfg.ApprovalChannel != "" {
		fmt.Fprintf(out, ", approvals in %s for %s", cfg.ApprovalChannel, cfg.ApprovalFor)
	}
	if cfg.AuditChannel != "" {
		fmt.Fprintf(out, ", audit in %s", cfg.AuditChannel)
	}
	fmt.Fprintln(out, ")")
	for _, warning := range cfg.Warnings() {
		fmt.Fprintln(out, "warning: "+warning)
	}
	var problems []string
	fail := func(format string, args ...any) {
		msg := fmt.Sprintf(format, args...)
		problems = append(problems, msg)
		fmt.Fprintln(out, "PROBLEM: "+msg)
	}

	var scopes string
	api := newSlack(cfg, slackHTTPClient(cfg.MaxInFlight), slack.OptionOnResponseHeaders(func(_ string, h http.Header) {
		if s := h.Get("X-OAuth-Scopes"); s != "" {
			scopes = s
		}
	}))
	if auth, err := api.AuthTestContext(ctx); err != nil {
		fail("slack: auth.test with SLACK_BOT_TOKEN failed: %v: %s", err, slackHint(err, "SLACK_BOT_TOKEN"))
	} else {
		fmt.Fprintf(out, "slack: workspace %s (%s), bot user %s (%s)\n", auth.Team, auth.TeamID, auth.User, auth.UserID)
		if missing := bot.MissingScopes(bc, scopes); len(missing) > 0 {
			fail("slack: the bot token lacks the scopes %s; add them (see manifest.yaml) and reinstall the app", strings.Join(missing, ", "))
		} else {
			fmt.Fprintf(out, "slack: scopes ok (%s)\n", scopes)
		}
	}
	if _, _, err := api.StartSocketModeContext(ctx); err != nil {
		fail("slack: apps.connections.open with SLACK_APP_TOKEN failed: %v: %s", err, slackHint(err, "SLACK_APP_TOKEN"))
	} else {
		fmt.Fprintln(out, "slack: Socket Mode ok")
	}

	pv, err := newPlusVibe(cfg, nil)
	if err != nil {
		return err
	}
	ws, err := pv.Workspaces(ctx)
	if err != nil {
		fail("%v: %s", err, plusVibeHint(err))
	} else {
		fmt.Fprintf(out, "plusvibe: the API key reaches %d workspaces:\n", len(ws))
		known := map[string]bool{}
		for _, w := range ws {
			known[w.ID] = true
			fmt.Fprintf(out, "  %s  %s\n", w.ID, w.Name)
		}
		if !known[cfg.PlusVibeWorkspaceID] {
			fail("plusvibe: PLUSVIBE_WORKSPACE_ID %s is not one of them", cfg.PlusVibeWorkspaceID)
		}
		for _, w := range bc.StaticWorkspaces {
			if !known[w.ID] {
				fail("plusvibe: PLUSVIBE_WORKSPACES lists %s (%s), which the API key cannot reach", w.ID, w.Name)
			}
		}
	}
	if cfg.RedisURL != "" {
		if st, err := store.OpenRedis(cfg.RedisURL, ""); err != nil {
			fail("redis: %v", err)
		} else if err := st.Ping(ctx); err != nil {
			st.Close()
			fail("redis: REDIS_URL cannot be reached: %v", err)
		} else {
			st.Close()
			fmt.Fprintln(out, "redis: ok (once-only state shared by every replica)")
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("check: %d problem(s) found", len(problems))
	}
	fmt.Fprintln(out, "all checks passed")
	return nil
}

// slackHint says what to do about a failed Slack call made with the token
// in variable.
func slackHint(err error, variable string) string {
	var se slack.SlackErrorResponse
	var dns *net.DNSError
	var op *net.OpError
	switch {
	case errors.As(err, &dns):
		return "the name of Slack's API could not be resolved: check SLACK_API_URL and this machine's DNS"
	case errors.As(err, &op) || errors.Is(err, context.DeadlineExceeded):
		return "Slack could not be reached: check the network, a proxy or a firewall between here and SLACK_API_URL"
	case !errors.As(err, &se):
		return "check SLACK_API_URL"
	case se.Err == "invalid_auth" || se.Err == "not_authed" || se.Err == "token_revoked" || se.Err == "account_inactive":
		if variable == "SLACK_APP_TOKEN" {
			return "the app-level token is wrong or revoked: generate an xapp- token with connections:write (Basic Information → App-Level Tokens)"
		}
		return "the bot token is wrong or revoked: reinstall the app and copy its xoxb- Bot User OAuth Token"
	case se.Err == "not_allowed_token_type" || se.Err == "missing_scope":
		return variable + " lacks connections:write, or Socket Mode is off in the app's settings"
	}
	return "see Troubleshooting in README.md"
}

// plusVibeHint says what to do about a failed PlusVibe call.
func plusVibeHint(err error) string {
	var dns *net.DNSError
	switch {
	case errors.Is(err, plusvibe.ErrUnauthorized):
		return "the API key was rejected: check PLUSVIBE_API_KEY"
	case errors.As(err, &dns):
		return "the name of PlusVibe's API could not be resolved: check PLUSVIBE_BASE_URL and this machine's DNS"
	case errors.Is(err, plusvibe.ErrNetwork), errors.Is(err, plusvibe.ErrTimeout):
		return "PlusVibe could not be reached: check PLUSVIBE_BASE_URL, the network, a proxy or a firewall"
	}
	return "see Troubleshooting in README.md"
}

func newLogger(cfg Config, out io.Writer) (zerolog.Logger, error) {
	level, err := zerolog.ParseLevel(cfg.LogLevel)
	if err != nil || level == zerolog.NoLevel {
		return zerolog.Logger{}, errors.New("config: LOG_LEVEL must be one of trace, debug, info, warn, error")
	}
	if cfg.LogFormat == "console" {
		out = zerolog.ConsoleWriter{Out: out, TimeFormat: time.RFC3339}
	}
	return zerolog.New(out).Level(level).With().Timestamp().Logger(), nil
}
