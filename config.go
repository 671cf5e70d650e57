package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kelseyhightower/envconfig"
	"github.com/rs/zerolog"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/bot"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe"
)

// Config is the whole environment the bot reads. Never print it: it holds secrets.
type Config struct {
	SlackBotToken       string        `envconfig:"SLACK_BOT_TOKEN" desc:"required: xoxb- bot token (or SLACK_BOT_TOKEN_FILE)"`
	SlackAppToken       string        `envconfig:"SLACK_APP_TOKEN" desc:"required: xapp- app-level token with connections:write (or _FILE)"`
	SlackAPIURL         string        `envconfig:"SLACK_API_URL" default:"https://slack.com/api/" desc:"Slack Web API base URL (https; http on loopback only)"`
	SlackCommand        string        `envconfig:"SLACK_COMMAND" default:"/plusvibe-client" desc:"the slash command answered"`
	PlusVibeAPIKey      string        `envconfig:"PLUSVIBE_API_KEY" desc:"required: PlusVibe API key (or PLUSVIBE_API_KEY_FILE)"`
	PlusVibeWorkspaceID string        `envconfig:"PLUSVIBE_WORKSPACE_ID" desc:"required: top-level workspace_id of POST /client"`
	PlusVibeBaseURL     string        `envconfig:"PLUSVIBE_BASE_URL" default:"https://api.plusvibe.ai/api/v1" desc:"PlusVibe API root (https; http on loopback only)"`
	PlusVibeTimeout     time.Duration `envconfig:"PLUSVIBE_TIMEOUT" default:"30s" desc:"bound on one PlusVibe request"`
	PlusVibeWorkspaces  string        `envconfig:"PLUSVIBE_WORKSPACES" desc:"id=Name,id=Name; empty: listed from PlusVibe"`
	AllowedUsers        []string      `envconfig:"ALLOWED_USERS" desc:"user IDs who may create clients, or * (this or ALLOWED_USERGROUPS)"`
	AllowedUsergroups   []string      `envconfig:"ALLOWED_USERGROUPS" desc:"user group IDs whose members may create clients"`
	ApprovalChannel     string        `envconfig:"APPROVAL_CHANNEL" desc:"channel ID where requests wait for an approver"`
	ApprovalFor         string        `envconfig:"APPROVAL_FOR" default:"all" desc:"all, or FULL_ACCESS: only Full access waits"`
	RemindAfter         time.Duration `envconfig:"APPROVAL_REMIND_AFTER" default:"4h" desc:"first reminder of an undecided request in its thread, then after twice that, and so on; 0 turns them off"`
	EscalateTo          []string      `envconfig:"APPROVAL_ESCALATE_TO" desc:"user IDs or user group IDs added to the reminders once half of APPROVAL_TTL has passed; they may decide"`
	RequireReason       string        `envconfig:"REQUIRE_REASON" default:"approval" desc:"when a request must say why (ticket or link): approval (when it waits for an approver), all, or none"`
	Approvers           []string      `envconfig:"APPROVERS" desc:"user IDs who may approve, or * (with APPROVAL_CHANNEL)"`
	ApproverUsergroups  []string      `envconfig:"APPROVER_USERGROUPS" desc:"user group IDs whose members may approve"`
	ApprovalTTL         time.Duration `envconfig:"APPROVAL_TTL" default:"72h" desc:"time to decide a request, then to use the approval"`
	AuditChannel        string        `envconfig:"AUDIT_CHANNEL" desc:"channel ID for one line per outcome"`
	EndAction           string        `envconfig:"ACCESS_END_ACTION" default:"remove" desc:"what happens at a client's access end: remove (DELETE the client) or unibox (Full access reduced to Unibox only)"`
	EndNotice           time.Duration `envconfig:"ACCESS_END_NOTICE" default:"72h" desc:"how long before an access end the requester is told, with Extend; 0: not told"`
	FullAccessMaxDays   int           `envconfig:"FULL_ACCESS_MAX_DAYS" default:"0" desc:"Full access needs an end within this many days; 0: no limit"`
	ReviewEvery         time.Duration `envconfig:"REVIEW_EVERY" default:"0" desc:"how often the Full access clients are reviewed in REVIEW_CHANNEL (e.g. 720h); 0: never"`
	ReviewChannel       string        `envconfig:"REVIEW_CHANNEL" desc:"channel ID of the access reviews; default APPROVAL_CHANNEL"`
	RedisURL            string        `envconfig:"REDIS_URL" desc:"redis:// or rediss:// URL shared by several replicas (or _FILE)"`
	HTTPAddr            string        `envconfig:"HTTP_ADDR" default:":8080" desc:"address of /healthz, /readyz, /metrics; empty disables"`
	LogLevel            string        `envconfig:"LOG_LEVEL" default:"info" desc:"trace, debug, info, warn or error"`
	LogFormat           string        `envconfig:"LOG_FORMAT" default:"json" desc:"json, or console for humans"`
	MaxInFlight         int           `envconfig:"MAX_IN_FLIGHT" default:"32" desc:"creations and decisions handled at once; commands have 8 times as many"`
	ShutdownTimeout     time.Duration `envconfig:"SHUTDOWN_TIMEOUT" default:"65s" desc:"how long SIGTERM waits for creations in flight"`

	staticWorkspaces []plusvibe.Workspace
	// warnings are said once at start: by the log, and by --check.
	warnings []string
}

// secrets may each be given as NAME_FILE instead, Docker and Kubernetes style.
var secrets = []string{"SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "PLUSVIBE_API_KEY", "REDIS_URL"}

// usage prints the flags, then every variable the bot reads with its default
// and meaning, from Config's own tags.
func usage(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprintln(w, "plusvibe-slack-bot: create PlusVibe clients from Slack.")
	fmt.Fprintln(w, "\nUsage: plusvibe-slack-bot [flags]\n\nFlags:")
	fs.SetOutput(w)
	fs.PrintDefaults()
	fmt.Fprintln(w, "\nEnvironment (secrets may be given as NAME_FILE, a path to a file holding them):")
	typ := reflect.TypeFor[Config]()
	for i := range typ.NumField() {
		tag := typ.Field(i).Tag
		if name := tag.Get("envconfig"); name != "" {
			def := tag.Get("default")
			if def != "" {
				def = " (default " + def + ")"
			}
			fmt.Fprintf(w, "  %-22s %s%s\n", name, tag.Get("desc"), def)
		}
	}
	fmt.Fprintln(w, "\nTry it with nothing set up, from a checkout: go run ./cmd/demo. Details: README.md.")
}

// Problems lists everything wrong with the configuration, one line each,
// naming the variable and never quoting its value.
type Problems []string

func (p Problems) Error() string { return strings.Join(p, "\n") }

// loadConfig reads and checks the environment, and reports every problem at
// once.
func loadConfig() (Config, error) {
	var cfg Config
	var problems Problems
	bad, badProblems := badValues()
	problems = append(problems, badProblems...)
	// envconfig stops at its first bad value: the bad ones, reported above,
	// are set aside while it reads the rest.
	err := withoutVars(bad, func() error { return envconfig.Process("", &cfg) })
	if err != nil {
		var perr *envconfig.ParseError
		if errors.As(err, &perr) { // its own message would quote the value
			return cfg, append(problems, fmt.Sprintf("config: %s: not a valid %s", perr.KeyName, perr.TypeName))
		}
		return cfg, append(problems, "config: could not read the environment")
	}
	for _, name := range secrets {
		warning, err := readSecretFile(name, cfg.secret(name))
		if err != nil {
			problems = append(problems, err.Error())
		}
		if warning != "" {
			cfg.warnings = append(cfg.warnings, warning)
		}
	}
	problems = append(problems, cfg.check()...)
	if len(problems) > 0 {
		return cfg, problems
	}
	return cfg, nil
}

// badValues names the duration and number variables whose value does not
// parse, and says so for each.
func badValues() (names []string, problems Problems) {
	typ := reflect.TypeFor[Config]()
	for i := range typ.NumField() {
		f := typ.Field(i)
		name := f.Tag.Get("envconfig")
		v := os.Getenv(name)
		if v == "" {
			continue
		}
		var err error
		what := "duration (like 30s or 72h)"
		switch f.Type {
		case reflect.TypeFor[time.Duration]():
			_, err = time.ParseDuration(v)
		case reflect.TypeFor[int]():
			_, err = strconv.Atoi(v)
			what = "whole number"
		}
		if err != nil {
			names = append(names, name)
			problems = append(problems, fmt.Sprintf("config: %s: not a valid %s", name, what))
		}
	}
	return names, problems
}

// withoutVars runs f with the named variables unset, then restores them.
// It runs at start-up, before anything else reads the environment.
func withoutVars(names []string, f func() error) error {
	saved := map[string]string{}
	for _, n := range names {
		saved[n] = os.Getenv(n)
		os.Unsetenv(n)
	}
	defer func() {
		for n, v := range saved {
			os.Setenv(n, v)
		}
	}()
	return f()
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
	if p := c.check(); len(p) > 0 {
		return p
	}
	return nil
}

// idsStarting keeps the ids whose first letter is one of prefixes.
func idsStarting(ids []string, prefixes string) []string {
	var out []string
	for _, id := range ids {
		if id != "" && strings.ContainsRune(prefixes, rune(id[0])) {
			out = append(out, id)
		}
	}
	return out
}

// checkPeople checks who may create and approve.
func (c *Config) checkPeople() Problems {
	var p Problems
	for _, ids := range []struct {
		name   string
		list   []string
		prefix string
		what   string
	}{
		{"ALLOWED_USERS", c.AllowedUsers, "UW", "user IDs (like U0123456789)"},
		{"APPROVERS", c.Approvers, "UW", "user IDs (like U0123456789)"},
		{"ALLOWED_USERGROUPS", c.AllowedUsergroups, "S", "user group IDs (like S0123456789)"},
		{"APPROVER_USERGROUPS", c.ApproverUsergroups, "S", "user group IDs (like S0123456789)"},
		{"APPROVAL_ESCALATE_TO", c.EscalateTo, "UWS", "user or user group IDs (like U0123456789, S0123456789)"},
	} {
		if msg := checkIDs(ids.list, ids.prefix, ids.prefix == "UW"); msg != "" {
			p = append(p, fmt.Sprintf("config: %s must list %s, comma-separated%s", ids.name, ids.what, msg))
		}
	}
	approvers := len(clean(c.Approvers)) > 0 || len(clean(c.ApproverUsergroups)) > 0
	// Refuse rather than hold requests nobody can decide on, or create clients
	// without the approval apparently wanted.
	if c.ApprovalChannel != "" && !approvers {
		p = append(p, "config: APPROVAL_CHANNEL is set, so APPROVERS or APPROVER_USERGROUPS is required")
	}
	if c.ApprovalChannel == "" && approvers {
		p = append(p, "config: APPROVERS or APPROVER_USERGROUPS is set but APPROVAL_CHANNEL is not; set it to hold requests for approval")
	}
	if len(clean(c.AllowedUsers)) == 0 && len(clean(c.AllowedUsergroups)) == 0 {
		p = append(p, "config: ALLOWED_USERS or ALLOWED_USERGROUPS is required (ALLOWED_USERS=* lets everyone in)")
	}
	return p
}

// check lists every problem with the settings, and normalises them.
func (c *Config) check() Problems {
	var p Problems
	add := func(ok bool, msg string) {
		if !ok {
			p = append(p, "config: "+msg)
		}
	}
	for _, r := range []struct{ name, v string }{
		{"SLACK_BOT_TOKEN", c.SlackBotToken}, {"SLACK_APP_TOKEN", c.SlackAppToken},
		{"PLUSVIBE_API_KEY", c.PlusVibeAPIKey}, {"PLUSVIBE_WORKSPACE_ID", c.PlusVibeWorkspaceID},
	} {
		add(strings.TrimSpace(r.v) != "", r.name+" is required")
	}
	switch strings.ToLower(c.ApprovalFor) {
	case "all":
		c.ApprovalFor = "all"
	case "full_access":
		c.ApprovalFor = plusvibe.PermissionFullAccess
	}
	add(c.SlackBotToken == "" || strings.HasPrefix(c.SlackBotToken, "xoxb-"), "SLACK_BOT_TOKEN must be a bot token (starting xoxb-)")
	add(c.SlackAppToken == "" || strings.HasPrefix(c.SlackAppToken, "xapp-"), "SLACK_APP_TOKEN must be an app-level token (starting xapp-) with connections:write")
	add(c.PlusVibeWorkspaceID == "" || plusvibe.IsWorkspaceID(c.PlusVibeWorkspaceID), "PLUSVIBE_WORKSPACE_ID must be a workspace id (24 hexadecimal characters)")
	add(strings.HasPrefix(c.SlackCommand, "/") && len(c.SlackCommand) >= 2 && len(c.SlackCommand) <= 32, "SLACK_COMMAND must start with / and be at most 32 characters")
	add(c.PlusVibeTimeout > 0, "PLUSVIBE_TIMEOUT must be positive")
	add(c.ShutdownTimeout > 0, "SHUTDOWN_TIMEOUT must be positive")
	add(c.MaxInFlight > 0, "MAX_IN_FLIGHT must be a positive number")
	add(c.ApprovalTTL > 0, "APPROVAL_TTL must be positive")
	add(c.RemindAfter >= 0, "APPROVAL_REMIND_AFTER must be 0 (off) or positive")
	level, err := zerolog.ParseLevel(c.LogLevel)
	add(err == nil && level != zerolog.NoLevel && c.LogLevel != "", "LOG_LEVEL must be one of trace, debug, info, warn, error")
	add(c.LogFormat == "json" || c.LogFormat == "console", "LOG_FORMAT must be json or console")
	add(c.ApprovalFor == "all" || c.ApprovalFor == plusvibe.PermissionFullAccess, "APPROVAL_FOR must be all or FULL_ACCESS")
	c.checkEnds(add)
	c.RequireReason = strings.ToLower(strings.TrimSpace(c.RequireReason))
	add(c.RequireReason == "approval" || c.RequireReason == "all" || c.RequireReason == "none", "REQUIRE_REASON must be approval, all or none")
	add(c.ApprovalChannel == "" || isChannelID(c.ApprovalChannel), "APPROVAL_CHANNEL must be a channel ID (like C0123456789), not a name")
	add(c.AuditChannel == "" || isChannelID(c.AuditChannel), "AUDIT_CHANNEL must be a channel ID (like C0123456789), not a name")
	p = append(p, c.checkPeople()...)
	for _, api := range []struct{ name, url string }{{"SLACK_API_URL", c.SlackAPIURL}, {"PLUSVIBE_BASE_URL", c.PlusVibeBaseURL}} {
		msg := checkAPIURL(api.name, api.url)
		add(msg == "", msg)
	}
	if !strings.HasSuffix(c.SlackAPIURL, "/") {
		c.SlackAPIURL += "/" // slack-go appends method names to it
	}
	r, err := url.Parse(c.RedisURL)
	add(c.RedisURL == "" || (err == nil && (r.Scheme == "redis" || r.Scheme == "rediss") && r.Host != ""), "REDIS_URL must be a redis:// or rediss:// URL")
	ws, err := parseWorkspaces(c.PlusVibeWorkspaces)
	if err != nil {
		p = append(p, err.Error())
	}
	c.staticWorkspaces = ws
	return p
}

// checkAPIURL says what is wrong with an API's base URL ("" when nothing).
// Every call carries a token or the API key, so plain http is allowed only
// where it never leaves the machine: tests and the demo use loopback servers.
func checkAPIURL(name, raw string) string {
	u, err := url.Parse(raw)
	switch {
	case err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
		return name + " must be an absolute https URL (http only for a loopback host)"
	case u.Scheme == "http" && !isLoopbackHost(u.Hostname()):
		return name + " must use https; plain http is allowed only for loopback hosts (127.0.0.1, ::1, localhost)"
	}
	return ""
}

// isLoopbackHost: localhost, or a loopback IP address (127.0.0.0/8, ::1).
func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// checkIDs says what is wrong with a list of Slack IDs ("" when nothing):
// each starts with one of prefixes and has at least 9 upper-case letters
// and digits; star allows "*", alone, for everyone.
func checkIDs(list []string, prefixes string, star bool) string {
	ids := clean(list)
	for _, id := range ids {
		switch {
		case id == "*" && star && len(ids) == 1:
		case id == "*" && star:
			return "; * means everyone and stands alone"
		case id == "*" || !strings.ContainsRune(prefixes, rune(id[0])) || !isSlackID(id):
			return fmt.Sprintf(" (entry %d is not one)", slices.Index(ids, id)+1)
		}
	}
	return ""
}

func isSlackID(s string) bool {
	if len(s) < 9 {
		return false
	}
	for _, r := range s {
		if (r < 'A' || r > 'Z') && (r < '0' || r > '9') {
			return false
		}
	}
	return true
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
	return s != "" && (s[0] == 'C' || s[0] == 'G') && isSlackID(s)
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
	if len(clean(c.EscalateTo)) > 0 && (c.ApprovalChannel == "" || c.RemindAfter == 0) {
		w = append(w, "APPROVAL_ESCALATE_TO is set, but nothing escalates: it needs APPROVAL_CHANNEL and APPROVAL_REMIND_AFTER above 0")
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
		MaxInFlight:           c.MaxInFlight,
		CreationBound:         3*c.PlusVibeTimeout + plusvibe.DefaultRetryWait + 30*time.Second, // every attempt, every wait
		ApprovalChannel:       c.ApprovalChannel,
		ApproveFullAccessOnly: c.ApprovalFor == plusvibe.PermissionFullAccess,
		RequireReason:         c.RequireReason,
		RemindAfter:           c.RemindAfter,
		EscalateUsers:         idsStarting(clean(c.EscalateTo), "UW"),
		EscalateUsergroups:    idsStarting(clean(c.EscalateTo), "S"),
		ApproveAll:            approveAll,
		Approvers:             approvers,
		ApproverUsergroups:    clean(c.ApproverUsergroups),
		ApprovalTTL:           c.ApprovalTTL,
		AuditChannel:          c.AuditChannel,
		EndAction:             c.EndAction,
		EndNotice:             c.EndNotice,
		FullAccessMaxDays:     c.FullAccessMaxDays,
		ReviewEvery:           c.ReviewEvery,
		ReviewChannel:         c.ReviewChannel,
	}
}

// checkEnds checks the settings of access ends and reviews.
func (c *Config) checkEnds(add func(ok bool, msg string)) {
	c.EndAction = strings.ToLower(strings.TrimSpace(c.EndAction))
	add(c.EndAction == "remove" || c.EndAction == "unibox", "ACCESS_END_ACTION must be remove or unibox")
	add(c.FullAccessMaxDays >= 0 && c.FullAccessMaxDays <= 366, "FULL_ACCESS_MAX_DAYS must be between 0 and 366")
	add(c.FullAccessMaxDays == 0 || c.RedisURL != "" || c.AuditChannel != "" || c.ApprovalChannel != "",
		"FULL_ACCESS_MAX_DAYS needs somewhere to keep ends: REDIS_URL, AUDIT_CHANNEL or APPROVAL_CHANNEL")
	add(c.EndNotice >= 0 && c.ReviewEvery >= 0, "ACCESS_END_NOTICE and REVIEW_EVERY cannot be negative")
	if c.ReviewChannel == "" {
		c.ReviewChannel = c.ApprovalChannel
	}
	add(c.ReviewEvery == 0 || c.ReviewChannel != "", "REVIEW_EVERY needs REVIEW_CHANNEL (or APPROVAL_CHANNEL): where the review is posted")
	add(c.ReviewChannel == "" || isChannelID(c.ReviewChannel), "REVIEW_CHANNEL must be a channel ID (like C0123456789), not a name")
	add(c.ReviewEvery == 0 || c.ReviewEvery >= time.Hour, "REVIEW_EVERY must be at least 1h")
	add(c.ReviewEvery == 0 || len(clean(c.Approvers)) > 0 || len(clean(c.ApproverUsergroups)) > 0,
		"REVIEW_EVERY needs APPROVERS or APPROVER_USERGROUPS: only approvers decide a review")
}
