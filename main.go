// Command plusvibe-slack-bot lets a support team create PlusVibe clients from
// Slack: /plusvibe-client opens a form, and the one-time password goes to the
// requester alone.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/rs/zerolog"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/bot"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe"
)

// version is stamped at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Stderr, nil); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
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

	pv, err := plusvibe.NewClient(cfg.PlusVibeAPIKey,
		plusvibe.WithBaseURL(cfg.PlusVibeBaseURL),
		plusvibe.WithTimeout(cfg.PlusVibeTimeout),
		plusvibe.WithUserAgent("plusvibe-slack-bot/"+version))
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}

	slackLog := log.New(logger.With().Str("component", "slack-go").Logger(), "", 0)
	api := slack.New(cfg.SlackBotToken,
		slack.OptionAPIURL(cfg.SlackAPIURL),
		slack.OptionAppLevelToken(cfg.SlackAppToken),
		// Without a timeout a hung call would also stall socket reconnects.
		slack.OptionHTTPClient(&http.Client{Timeout: 10 * time.Second}),
		slack.OptionLog(slackLog))
	authCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
	auth, err := api.AuthTestContext(authCtx)
	cancel()
	if err != nil {
		return fmt.Errorf("slack: auth.test with SLACK_BOT_TOKEN failed: %v", err)
	}
	logger.Info().Str("team_id", auth.TeamID).Str("bot_user_id", auth.UserID).Str("version", version).Msg("starting")

	sm := socketmode.New(api, socketmode.OptionLog(slackLog))
	b, err := bot.New(cfg.botConfig(), sm, pv, logger.With().Str("component", "bot").Logger())
	if err != nil {
		return err
	}

	var srv *http.Server
	if cfg.HTTPAddr != "" {
		l, err := net.Listen("tcp", cfg.HTTPAddr)
		if err != nil {
			return fmt.Errorf("HTTP_ADDR: %v", err)
		}
		srv = &http.Server{Handler: b.HealthHandler(), ReadHeaderTimeout: 5 * time.Second}
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
