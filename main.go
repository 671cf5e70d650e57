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
	b, closeStore, err := newBot(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer closeStore()
	stopHealth, err := serveHealth(cfg.HTTPAddr, b, started)
	if err != nil {
		return err
	}
	runErr := b.Run(ctx)
	stopHealth()
	if runErr != nil {
		return runErr
	}
	logger.Info().Msg("stopped")
	return nil
}

// newBot connects to Slack (auth.test), PlusVibe and the store, and wires
// the bot. closeStore closes the store once the bot has stopped.
func newBot(ctx context.Context, cfg Config, logger zerolog.Logger) (*bot.Bot, func(), error) {
	metrics := bot.NewMetrics()
	pv, err := newPlusVibe(cfg, metrics.PlusVibeTransport(plusVibeTransport(cfg)))
	if err != nil {
		return nil, nil, err
	}
	slackLog := log.New(logger.With().Str("component", "slack-go").Logger(), "", 0)
	hc := slackHTTPClient(cfg.MaxInFlight)
	api := newSlack(cfg, hc, slack.OptionLog(slackLog))
	authCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
	auth, err := api.AuthTestContext(authCtx)
	cancel()
	if err != nil {
		return nil, nil, fmt.Errorf("slack: auth.test with SLACK_BOT_TOKEN failed: %v", err)
	}
	logger.Info().Str("team_id", auth.TeamID).Str("bot_user_id", auth.UserID).Str("version", fullVersion()).Msg("starting")
	for _, warning := range cfg.Warnings() {
		logger.Warn().Msg(warning)
	}
	botCfg := cfg.botConfig()
	botCfg.Metrics, botCfg.HTTPClient, botCfg.BotID = metrics, hc, auth.BotID
	botCfg.SlackAPIURL, botCfg.SlackToken = cfg.SlackAPIURL, cfg.SlackBotToken
	closeStore := func() {}
	if cfg.RedisURL != "" {
		st, err := openStore(ctx, cfg.RedisURL, storePrefix(auth), logger)
		if err != nil {
			return nil, nil, err
		}
		botCfg.Store, closeStore = st, func() { st.Close() }
	}
	b, err := bot.New(botCfg, socketmode.New(api, socketmode.OptionLog(slackLog)), pv, logger.With().Str("component", "bot").Logger())
	if err != nil {
		closeStore()
		return nil, nil, err
	}
	return b, closeStore, nil
}

// openStore opens the shared store; one not reachable yet only warns, as
// the bot refuses work until it is.
func openStore(ctx context.Context, url, prefix string, logger zerolog.Logger) (*store.Redis, error) {
	store.SetLogger(logger)
	st, err := store.OpenRedis(url, prefix)
	if err != nil {
		return nil, err
	}
	pingCtx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := st.Ping(pingCtx); err != nil {
		logger.Warn().Err(err).Msg("Redis cannot be reached yet; work is refused until it can")
	}
	return st, nil
}

// serveHealth serves /healthz, /readyz and /metrics on addr ("" for none)
// and says where on started (for tests); stop shuts the server down.
func serveHealth(addr string, b *bot.Bot, started chan<- string) (stop func(), err error) {
	if addr == "" {
		if started != nil {
			started <- ""
		}
		return func() {}, nil
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("HTTP_ADDR: %v", err)
	}
	srv := healthServer(b.HealthHandler())
	go func() { _ = srv.Serve(l) }()
	if started != nil {
		started <- l.Addr().String()
	}
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}, nil
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
