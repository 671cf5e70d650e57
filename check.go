package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/bot/slackapi"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/bot/store"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe"
	"github.com/slack-go/slack"
)

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
		fail("slack: auth.test with SLACK_BOT_TOKEN failed: %v: %s", err, slackapi.Hint(err, "SLACK_BOT_TOKEN"))
	} else {
		fmt.Fprintf(out, "slack: workspace %s (%s), bot user %s (%s)\n", auth.Team, auth.TeamID, auth.User, auth.UserID)
		if missing := slackapi.MissingScopes(slackapi.Needs{Usergroups: len(bc.AllowedUsergroups) > 0 || len(bc.ApproverUsergroups) > 0, Approvals: bc.ApprovalChannel != ""}, scopes); len(missing) > 0 {
			fail("slack: the bot token lacks the scopes %s; add them (see manifest.yaml) and reinstall the app", strings.Join(missing, ", "))
		} else {
			fmt.Fprintf(out, "slack: scopes ok (%s)\n", scopes)
		}
	}
	if _, _, err := api.StartSocketModeContext(ctx); err != nil {
		fail("slack: apps.connections.open with SLACK_APP_TOKEN failed: %v: %s", err, slackapi.Hint(err, "SLACK_APP_TOKEN"))
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
