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

	"github.com/slack-go/slack"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/bot/slackapi"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/bot/store"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe"
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
	c := &checker{ctx: ctx, out: out, cfg: cfg}
	c.slack()
	c.plusVibe()
	c.redis()
	if len(c.problems) > 0 {
		return fmt.Errorf("check: %d problem(s) found", len(c.problems))
	}
	fmt.Fprintln(out, "all checks passed")
	return nil
}

// checker prints what each check finds, and keeps the problems.
type checker struct {
	ctx      context.Context
	out      io.Writer
	cfg      Config
	problems []string
}

func (c *checker) fail(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	c.problems = append(c.problems, msg)
	fmt.Fprintln(c.out, "PROBLEM: "+msg)
}

// slack checks both tokens, as the bot uses them, and the bot's scopes.
func (c *checker) slack() {
	var scopes string
	api := newSlack(c.cfg, slackHTTPClient(c.cfg.MaxInFlight), slack.OptionOnResponseHeaders(func(_ string, h http.Header) {
		if s := h.Get("X-OAuth-Scopes"); s != "" {
			scopes = s
		}
	}))
	bc := c.cfg.botConfig()
	needs := slackapi.Needs{Usergroups: len(bc.AllowedUsergroups) > 0 || len(bc.ApproverUsergroups) > 0, Approvals: bc.ApprovalChannel != ""}
	if auth, err := api.AuthTestContext(c.ctx); err != nil {
		c.fail("slack: auth.test with SLACK_BOT_TOKEN failed: %v: %s", err, slackapi.Hint(err, "SLACK_BOT_TOKEN"))
	} else {
		fmt.Fprintf(c.out, "slack: workspace %s (%s), bot user %s (%s)\n", auth.Team, auth.TeamID, auth.User, auth.UserID)
		if missing := slackapi.MissingScopes(needs, scopes); len(missing) > 0 {
			c.fail("slack: the bot token lacks the scopes %s; add them (see manifest.yaml) and reinstall the app", strings.Join(missing, ", "))
		} else {
			fmt.Fprintf(c.out, "slack: scopes ok (%s)\n", scopes)
		}
		if !strings.Contains(","+strings.ReplaceAll(scopes, " ", "")+",", ",im:history,") { // only the workflow step needs it
			fmt.Fprintln(c.out, "slack: note: without im:history the Workflow Builder step cannot read back a request granted at once; add it (manifest.yaml) and reinstall if you use the step")
		}
	}
	if _, _, err := api.StartSocketModeContext(c.ctx); err != nil {
		c.fail("slack: apps.connections.open with SLACK_APP_TOKEN failed: %v: %s", err, slackapi.Hint(err, "SLACK_APP_TOKEN"))
	} else {
		fmt.Fprintln(c.out, "slack: Socket Mode ok")
	}
}

// plusVibe checks the API key and that it reaches the workspaces configured.
func (c *checker) plusVibe() {
	pv, err := newPlusVibe(c.cfg, nil)
	if err != nil {
		c.fail("%v", err)
		return
	}
	ws, err := pv.Workspaces(c.ctx)
	if err != nil {
		c.fail("%v: %s", err, plusVibeHint(err))
		return
	}
	fmt.Fprintf(c.out, "plusvibe: the API key reaches %d workspaces:\n", len(ws))
	known := map[string]bool{}
	for _, w := range ws {
		known[w.ID] = true
		fmt.Fprintf(c.out, "  %s  %s\n", w.ID, w.Name)
	}
	if !known[c.cfg.PlusVibeWorkspaceID] {
		c.fail("plusvibe: PLUSVIBE_WORKSPACE_ID %s is not one of them", c.cfg.PlusVibeWorkspaceID)
	}
	for _, w := range c.cfg.botConfig().StaticWorkspaces {
		if !known[w.ID] {
			c.fail("plusvibe: PLUSVIBE_WORKSPACES lists %s (%s), which the API key cannot reach", w.ID, w.Name)
		}
	}
}

// redis checks that REDIS_URL, when set, answers.
func (c *checker) redis() {
	if c.cfg.RedisURL == "" {
		return
	}
	st, err := store.OpenRedis(c.cfg.RedisURL, "")
	if err != nil {
		c.fail("redis: %v", err)
		return
	}
	defer st.Close()
	if err := st.Ping(c.ctx); err != nil {
		c.fail("redis: REDIS_URL cannot be reached: %v", err)
		return
	}
	fmt.Fprintln(c.out, "redis: ok (once-only state shared by every replica)")
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
