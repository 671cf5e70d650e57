package main

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/kelseyhightower/envconfig"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/bot"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe"
)

// Config is the whole environment the bot reads. Never print it: it holds secrets.
type Config struct {
	SlackBotToken       string        `envconfig:"SLACK_BOT_TOKEN"`
	SlackAppToken       string        `envconfig:"SLACK_APP_TOKEN"`
	SlackAPIURL         string        `envconfig:"SLACK_API_URL" default:"https://slack.com/api/"`
	SlackCommand        string        `envconfig:"SLACK_COMMAND" default:"/plusvibe-client"`
	PlusVibeAPIKey      string        `envconfig:"PLUSVIBE_API_KEY"`
	PlusVibeWorkspaceID string        `envconfig:"PLUSVIBE_WORKSPACE_ID"`
	PlusVibeBaseURL     string        `envconfig:"PLUSVIBE_BASE_URL" default:"https://api.plusvibe.ai/api/v1"`
	PlusVibeTimeout     time.Duration `envconfig:"PLUSVIBE_TIMEOUT" default:"30s"`
	PlusVibeWorkspaces  string        `envconfig:"PLUSVIBE_WORKSPACES"`
	AllowedUsers        []string      `envconfig:"ALLOWED_USERS"`
	AllowedUsergroups   []string      `envconfig:"ALLOWED_USERGROUPS"`
	ApprovalChannel     string        `envconfig:"APPROVAL_CHANNEL"`
	ApprovalFor         string        `envconfig:"APPROVAL_FOR" default:"all"`
	Approvers           []string      `envconfig:"APPROVERS"`
	ApproverUsergroups  []string      `envconfig:"APPROVER_USERGROUPS"`
	ApprovalTTL         time.Duration `envconfig:"APPROVAL_TTL" default:"72h"`
	AuditChannel        string        `envconfig:"AUDIT_CHANNEL"`
	RedisURL            string        `envconfig:"REDIS_URL"`
	HTTPAddr            string        `envconfig:"HTTP_ADDR" default:":8080"`
	LogLevel            string        `envconfig:"LOG_LEVEL" default:"info"`
	LogFormat           string        `envconfig:"LOG_FORMAT" default:"json"`
	ShutdownTimeout     time.Duration `envconfig:"SHUTDOWN_TIMEOUT" default:"65s"`

	staticWorkspaces []plusvibe.Workspace
	// warnings are said once at start: by the log, and by --check.
	warnings []string
}

// secrets may each be given as NAME_FILE instead, Docker and Kubernetes style.
var secrets = []string{"SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "PLUSVIBE_API_KEY", "REDIS_URL"}

// loadConfig reads and checks the environment. Its errors name the variable
// and never quote a value.
func loadConfig() (Config, error) {
	var cfg Config
	if err := envconfig.Process("", &cfg); err != nil {
		var perr *envconfig.ParseError
		if errors.As(err, &perr) { // its own message would quote the value
			return cfg, fmt.Errorf("config: %s: not a valid %s", perr.KeyName, perr.TypeName)
		}
		return cfg, errors.New("config: could not read the environment")
	}
	for _, name := range secrets {
		warning, err := readSecretFile(name, cfg.secret(name))
		if err != nil {
			return cfg, err
		}
		if warning != "" {
			cfg.warnings = append(cfg.warnings, warning)
		}
	}
	return cfg, cfg.Validate()
}

func (c *Config) secret(name string) *string {
	switch name {
	case "SLACK_BOT_TOKEN":
		return &c.SlackBotToken
	case "SLACK_APP_TOKEN":
		return &c.SlackAppToken
	case "REDIS_URL":
		return &c.RedisURL // it may carry the password
	}
	return &c.PlusVibeAPIKey
}

// maxSecretFile bounds a secret file: a token is a few hundred bytes, and a
// path pointing at something else should fail loudly, not be sent to Slack.
const maxSecretFile = 64 << 10

// readSecretFile reads NAME_FILE into dst. It reports, as a warning, a file
// that others may read.
func readSecretFile(name string, dst *string) (warning string, err error) {
	path := os.Getenv(name + "_FILE")
	if path == "" {
		return "", nil
	}
	if *dst != "" {
		return "", fmt.Errorf("config: set %s or %s_FILE, not both", name, name)
	}
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("config: %s_FILE: cannot read %s", name, path)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxSecretFile+1))
	switch {
	case err != nil:
		return "", fmt.Errorf("config: %s_FILE: cannot read %s", name, path)
	case len(b) > maxSecretFile:
		return "", fmt.Errorf("config: %s_FILE: %s is larger than 64 KiB, so it is not a secret", name, path)
	}
	*dst = strings.TrimSpace(string(b))
	if info, err := f.Stat(); err == nil && info.Mode().Perm()&0o004 != 0 {
		warning = fmt.Sprintf("%s_FILE: %s can be read by every user of this machine; make it readable by the bot alone (chmod 600)", name, path)
	}
	return warning, nil
}

// Validate checks every setting; it reads no environment.
func (c *Config) Validate() error {
	required := func(name, v string) error {
		if strings.TrimSpace(v) == "" {
			return fmt.Errorf("config: %s is required", name)
		}
		return nil
	}
	for _, r := range []struct{ name, v string }{
		{"SLACK_BOT_TOKEN", c.SlackBotToken}, {"SLACK_APP_TOKEN", c.SlackAppToken},
		{"PLUSVIBE_API_KEY", c.PlusVibeAPIKey}, {"PLUSVIBE_WORKSPACE_ID", c.PlusVibeWorkspaceID},
	} {
		if err := required(r.name, r.v); err != nil {
			return err
		}
	}
	switch strings.ToLower(c.ApprovalFor) {
	case "all":
		c.ApprovalFor = "all"
	case "full_access":
		c.ApprovalFor = plusvibe.PermissionFullAccess
	}
	switch {
	case !strings.HasPrefix(c.SlackBotToken, "xoxb-"):
		return errors.New("config: SLACK_BOT_TOKEN must be a bot token (starting xoxb-)")
	case !strings.HasPrefix(c.SlackAppToken, "xapp-"):
		return errors.New("config: SLACK_APP_TOKEN must be an app-level token (starting xapp-) with connections:write")
	case !plusvibe.IsWorkspaceID(c.PlusVibeWorkspaceID):
		return errors.New("config: PLUSVIBE_WORKSPACE_ID must be a workspace id (24 hexadecimal characters)")
	case !strings.HasPrefix(c.SlackCommand, "/") || len(c.SlackCommand) < 2 || len(c.SlackCommand) > 32:
		return errors.New("config: SLACK_COMMAND must start with / and be at most 32 characters")
	case c.PlusVibeTimeout <= 0:
		return errors.New("config: PLUSVIBE_TIMEOUT must be positive")
	case c.ShutdownTimeout <= 0:
		return errors.New("config: SHUTDOWN_TIMEOUT must be positive")
	case c.LogFormat != "json" && c.LogFormat != "console":
		return errors.New("config: LOG_FORMAT must be json or console")
	case c.ApprovalFor != "all" && c.ApprovalFor != plusvibe.PermissionFullAccess:
		return errors.New("config: APPROVAL_FOR must be all or FULL_ACCESS")
	case c.ApprovalTTL <= 0:
		return errors.New("config: APPROVAL_TTL must be positive")
	case c.ApprovalChannel != "" && !isChannelID(c.ApprovalChannel):
		return errors.New("config: APPROVAL_CHANNEL must be a channel ID (like C0123456789), not a name")
	case c.AuditChannel != "" && !isChannelID(c.AuditChannel):
		return errors.New("config: AUDIT_CHANNEL must be a channel ID (like C0123456789), not a name")
	case c.ApprovalChannel != "" && len(clean(c.Approvers)) == 0 && len(clean(c.ApproverUsergroups)) == 0:
		// Refuse rather than hold requests nobody can decide on.
		return errors.New("config: APPROVAL_CHANNEL is set, so APPROVERS or APPROVER_USERGROUPS is required")
	case c.ApprovalChannel == "" && (len(clean(c.Approvers)) > 0 || len(clean(c.ApproverUsergroups)) > 0):
		// Refuse rather than create clients without the approval apparently wanted.
		return errors.New("config: APPROVERS or APPROVER_USERGROUPS is set but APPROVAL_CHANNEL is not; set it to hold requests for approval")
	}
	u, err := url.Parse(c.SlackAPIURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return errors.New("config: SLACK_API_URL must be an absolute http(s) URL")
	}
	if !strings.HasSuffix(c.SlackAPIURL, "/") {
		c.SlackAPIURL += "/" // slack-go appends method names to it
	}
	if u, err := url.Parse(c.PlusVibeBaseURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return errors.New("config: PLUSVIBE_BASE_URL must be an absolute http(s) URL")
	}
	if r, err := url.Parse(c.RedisURL); c.RedisURL != "" && (err != nil || (r.Scheme != "redis" && r.Scheme != "rediss") || r.Host == "") {
		return errors.New("config: REDIS_URL must be a redis:// or rediss:// URL")
	}
	if len(clean(c.AllowedUsers)) == 0 && len(clean(c.AllowedUsergroups)) == 0 {
		return errors.New("config: ALLOWED_USERS or ALLOWED_USERGROUPS is required (ALLOWED_USERS=* lets everyone in)")
	}
	ws, err := parseWorkspaces(c.PlusVibeWorkspaces)
	if err != nil {
		return err
	}
	c.staticWorkspaces = ws
	return nil
}

// parseWorkspaces reads PLUSVIBE_WORKSPACES: "id=Name,id=Name".
func parseWorkspaces(s string) ([]plusvibe.Workspace, error) {
	var out []plusvibe.Workspace
	for _, item := range clean(strings.Split(s, ",")) {
		id, name, found := strings.Cut(item, "=")
		id, name = strings.TrimSpace(id), strings.TrimSpace(name)
		if !found || name == "" || !plusvibe.IsWorkspaceID(id) {
			return nil, fmt.Errorf("config: PLUSVIBE_WORKSPACES: entry %d must be id=Name with a 24-hex id", len(out)+1)
		}
		out = append(out, plusvibe.Workspace{ID: id, Name: name})
	}
	return out, nil
}

// isChannelID accepts public (C…) and private (G…) channel IDs.
func isChannelID(s string) bool {
	if len(s) < 9 || (s[0] != 'C' && s[0] != 'G') {
		return false
	}
	for _, r := range s {
		if (r < 'A' || r > 'Z') && (r < '0' || r > '9') {
			return false
		}
	}
	return true
}

func clean(list []string) []string {
	var out []string
	for _, s := range list {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// Warnings are what the configuration allows but an admin should fix.
func (c Config) Warnings() []string {
	w := c.warnings
	if short := c.drainShort(); short != "" {
		w = append(w, short)
	}
	return w
}

// drainShort says why SHUTDOWN_TIMEOUT may cut creations short, or "": a
// creation can take one PlusVibe attempt plus its waits after 429s.
func (c Config) drainShort() string {
	need := c.PlusVibeTimeout + plusvibe.DefaultRetryWait
	if c.ShutdownTimeout >= need {
		return ""
	}
	return fmt.Sprintf("SHUTDOWN_TIMEOUT %s is shorter than one PlusVibe attempt (PLUSVIBE_TIMEOUT %s) plus its 429 waits (%s): a creation in flight at shutdown may end as \"may have been created\"",
		c.ShutdownTimeout, c.PlusVibeTimeout, plusvibe.DefaultRetryWait)
}

func (c Config) botConfig() bot.Config {
	users := clean(c.AllowedUsers)
	allowAll := len(users) == 1 && users[0] == "*"
	if allowAll {
		users = nil
	}
	approvers := clean(c.Approvers)
	approveAll := len(approvers) == 1 && approvers[0] == "*"
	if approveAll {
		approvers = nil
	}
	return bot.Config{
		Command:               c.SlackCommand,
		APIWorkspaceID:        c.PlusVibeWorkspaceID,
		StaticWorkspaces:      c.staticWorkspaces,
		AllowAll:              allowAll,
		AllowedUsers:          users,
		AllowedUsergroups:     clean(c.AllowedUsergroups),
		DrainTimeout:          c.ShutdownTimeout,
		CreationBound:         3*c.PlusVibeTimeout + plusvibe.DefaultRetryWait + 30*time.Second, // every attempt, every wait
		ApprovalChannel:       c.ApprovalChannel,
		ApproveFullAccessOnly: c.ApprovalFor == plusvibe.PermissionFullAccess,
		ApproveAll:            approveAll,
		Approvers:             approvers,
		ApproverUsergroups:    clean(c.ApproverUsergroups),
		ApprovalTTL:           c.ApprovalTTL,
		AuditChannel:          c.AuditChannel,
	}
}
