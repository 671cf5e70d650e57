package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/bot/slackapi"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/bot/store/redistest"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/internal/slacktest"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe/plusvibetest"
)

// These tests set process environment, so they do not run in parallel.

// syncBuffer takes log lines from several goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func baseEnv(t testing.TB) map[string]string {
	return map[string]string{
		"SLACK_BOT_TOKEN":       "xoxb-secret-bot",
		"SLACK_APP_TOKEN":       "xapp-secret-app",
		"PLUSVIBE_API_KEY":      "pv-secret-key",
		"PLUSVIBE_WORKSPACE_ID": "65f99a0dd96fae8ab61130c0",
		"ALLOWED_USERS":         "U012ABCDEF,U034GHIJKL",
	}
}

func setEnv(t *testing.T, env map[string]string) {
	for _, k := range []string{"SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "PLUSVIBE_API_KEY", "PLUSVIBE_WORKSPACE_ID",
		"ALLOWED_USERS", "ALLOWED_USERGROUPS", "PLUSVIBE_WORKSPACES", "PLUSVIBE_TIMEOUT", "APPROVAL_CHANNEL",
		"APPROVAL_FOR", "APPROVERS", "APPROVER_USERGROUPS", "APPROVAL_TTL", "AUDIT_CHANNEL",
		"SLACK_BOT_TOKEN_FILE", "SLACK_APP_TOKEN_FILE", "PLUSVIBE_API_KEY_FILE", "SLACK_API_URL", "PLUSVIBE_BASE_URL",
		"HTTP_ADDR", "LOG_FORMAT", "LOG_LEVEL", "SHUTDOWN_TIMEOUT", "REDIS_URL", "REDIS_URL_FILE", "SLACK_COMMAND", "MAX_IN_FLIGHT",
		"APPROVAL_REMIND_AFTER", "APPROVAL_ESCALATE_TO", "REQUIRE_REASON"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	for k, v := range env {
		t.Setenv(k, v)
	}
}

func TestConfigErrorsNameTheVariable(t *testing.T) {
	tests := []struct {
		name, key, value, want string
	}{
		{"missing bot token", "SLACK_BOT_TOKEN", "", "SLACK_BOT_TOKEN is required"},
		{"user token as bot token", "SLACK_BOT_TOKEN", "xoxp-secret-user", "SLACK_BOT_TOKEN must be a bot token"},
		{"bot token as app token", "SLACK_APP_TOKEN", "xoxb-secret-x", "SLACK_APP_TOKEN must be an app-level token"},
		{"missing API key", "PLUSVIBE_API_KEY", " ", "PLUSVIBE_API_KEY is required"},
		{"bad workspace id", "PLUSVIBE_WORKSPACE_ID", "nope", "PLUSVIBE_WORKSPACE_ID must be"},
		{"bad timeout", "PLUSVIBE_TIMEOUT", "soon-secret", "PLUSVIBE_TIMEOUT: not a valid"},
		{"nobody allowed", "ALLOWED_USERS", "", "ALLOWED_USERS or ALLOWED_USERGROUPS is required"},
		{"bad static workspaces", "PLUSVIBE_WORKSPACES", "abc=Acme", "PLUSVIBE_WORKSPACES: entry 1"},
		{"approval channel by name", "APPROVAL_CHANNEL", "#approvals", "APPROVAL_CHANNEL must be a channel ID"},
		{"approvals without approvers", "APPROVAL_CHANNEL", "C0APPROVALS", "APPROVERS or APPROVER_USERGROUPS is required"},
		{"approvers without a channel", "APPROVERS", "U0111111111", "APPROVAL_CHANNEL is not"},
		{"bad approval policy", "APPROVAL_FOR", "UNIBOX", "APPROVAL_FOR must be all or FULL_ACCESS"},
		{"bad approval TTL", "APPROVAL_TTL", "-1h", "APPROVAL_TTL must be positive"},
		{"negative reminders", "APPROVAL_REMIND_AFTER", "-4h", "APPROVAL_REMIND_AFTER must be 0 (off) or positive"},
		{"escalation by name", "APPROVAL_ESCALATE_TO", "@secret-boss", "APPROVAL_ESCALATE_TO must list user or user group IDs"},
		{"escalation to everyone", "APPROVAL_ESCALATE_TO", "*", "APPROVAL_ESCALATE_TO must list user or user group IDs"},
		{"unknown reason rule", "REQUIRE_REASON", "sometimes-secret", "REQUIRE_REASON must be approval, all or none"},
		{"audit channel by name", "AUDIT_CHANNEL", "audit-secret", "AUDIT_CHANNEL must be a channel ID"},
		{"review channel by name", "REVIEW_CHANNEL", "#reviews-secret", "REVIEW_CHANNEL must be a channel ID"},
		{"bad Slack URL", "SLACK_API_URL", "slack.com", "SLACK_API_URL must be"},
		{"bad log format", "LOG_FORMAT", "xml", "LOG_FORMAT"},
		{"Redis URL of another kind", "REDIS_URL", "http://user:secret@redis:6379", "REDIS_URL must be a redis:// or rediss:// URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := baseEnv(t)
			env[tt.key] = tt.value
			setEnv(t, env)
			_, err := loadConfig()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error containing %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "secret") {
				t.Error("the error quotes a value")
			}
		})
	}
}

// TestConfigAPIURLs: the bot token and the API key travel with every call,
// so the API URLs must be https, except on loopback (tests, the demo).
func TestConfigAPIURLs(t *testing.T) {
	const plainHTTP = " must use https; plain http is allowed only for loopback hosts (127.0.0.1, ::1, localhost)"
	tests := []struct {
		name, key, value, want string // want "": accepted
	}{
		{"Slack over https", "SLACK_API_URL", "https://slack.example.com/api/", ""},
		{"Slack over http", "SLACK_API_URL", "http://slack.example.com/api/", "SLACK_API_URL" + plainHTTP},
		{"Slack over http, host name only looks local", "SLACK_API_URL", "http://127.0.0.1.secret.example.com/api/", "SLACK_API_URL" + plainHTTP},
		{"Slack over http, a localhost subdomain elsewhere", "SLACK_API_URL", "http://localhost.secret.example.com/api/", "SLACK_API_URL" + plainHTTP},
		{"Slack on 127.0.0.1", "SLACK_API_URL", "http://127.0.0.1:8123/api/", ""},
		{"Slack on another loopback address", "SLACK_API_URL", "http://127.0.0.2:8123/api/", ""},
		{"Slack on ::1", "SLACK_API_URL", "http://[::1]:8123/api/", ""},
		{"Slack on localhost", "SLACK_API_URL", "http://localhost:8123/api/", ""},
		{"Slack without a scheme", "SLACK_API_URL", "slack.com/api/", "SLACK_API_URL must be an absolute https URL"},
		{"Slack over ftp", "SLACK_API_URL", "ftp://secret.example.com/api/", "SLACK_API_URL must be an absolute https URL"},
		{"PlusVibe over https", "PLUSVIBE_BASE_URL", "https://api.plusvibe.ai/api/v1", ""},
		{"PlusVibe over http", "PLUSVIBE_BASE_URL", "http://secret.plusvibe.ai/api/v1", "PLUSVIBE_BASE_URL" + plainHTTP},
		{"PlusVibe on 127.0.0.1", "PLUSVIBE_BASE_URL", "http://127.0.0.1:8124/api/v1", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := baseEnv(t)
			env[tt.key] = tt.value
			setEnv(t, env)
			_, err := loadConfig()
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("got %v, want an error containing %q", err, tt.want)
			case err != nil && strings.Contains(err.Error(), "secret"):
				t.Error("the error quotes the URL")
			}
		})
	}
}

func TestConfigReportsEveryProblemAtOnce(t *testing.T) {
	env := baseEnv(t)
	env["SLACK_BOT_TOKEN"] = "xoxp-secret-user"
	env["ALLOWED_USERS"] = "*,U012ABCDEF"
	env["APPROVAL_TTL"] = "soon-secret"
	env["PLUSVIBE_TIMEOUT"] = "later-secret"
	env["LOG_LEVEL"] = "bogus"
	env["MAX_IN_FLIGHT"] = "many-secret"
	env["APPROVER_USERGROUPS"] = "engineers"
	setEnv(t, env)
	_, err := loadConfig()
	if err == nil {
		t.Fatal("accepted")
	}
	lines := strings.Split(err.Error(), "\n")
	for _, want := range []string{"SLACK_BOT_TOKEN must be a bot token", "ALLOWED_USERS must list user IDs", "* means everyone and stands alone",
		"APPROVAL_TTL: not a valid duration", "PLUSVIBE_TIMEOUT: not a valid duration", "MAX_IN_FLIGHT: not a valid whole number", "LOG_LEVEL must be one of",
		"APPROVER_USERGROUPS must list user group IDs", "APPROVERS or APPROVER_USERGROUPS is set but APPROVAL_CHANNEL is not"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the problems lack %q:\n%s", want, err)
		}
	}
	if len(lines) != 8 {
		t.Errorf("%d lines, want one for each of the 8 problems:\n%s", len(lines), err)
	}
	if strings.Contains(err.Error(), "secret") || strings.Contains(err.Error(), "engineers") || strings.Contains(err.Error(), "bogus") {
		t.Errorf("a problem quotes a value:\n%s", err)
	}
	if os.Getenv("APPROVAL_TTL") != "soon-secret" {
		t.Error("reading the configuration changed the environment")
	}
}

func TestConfigSecretsFromFiles(t *testing.T) {
	env := baseEnv(t)
	delete(env, "SLACK_BOT_TOKEN")
	path := filepath.Join(t.TempDir(), "bot-token")
	if err := os.WriteFile(path, []byte("xoxb-from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env["SLACK_BOT_TOKEN_FILE"] = path
	env["PLUSVIBE_WORKSPACES"] = "65f99a0dd96fae8ab61130c1=Acme, 65f99a0dd96fae8ab61130c2=Nova"
	env["ALLOWED_USERS"] = "*"
	setEnv(t, env)
	cfg, err := loadConfig()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.SlackBotToken != "xoxb-from-file" || len(cfg.botConfig().StaticWorkspaces) != 2 || !cfg.botConfig().AllowAll {
		t.Errorf("config not read as expected")
	}
	env["SLACK_BOT_TOKEN"] = "xoxb-both"
	setEnv(t, env)
	if _, err := loadConfig(); err == nil || !strings.Contains(err.Error(), "not both") {
		t.Errorf("got %v, want a refusal of both forms", err)
	}
}

func TestConfigSecretFileLimits(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big")
	if err := os.WriteFile(big, []byte("xoxb-"+strings.Repeat("s", 64<<10)), 0o600); err != nil {
		t.Fatal(err)
	}
	env := baseEnv(t)
	delete(env, "SLACK_BOT_TOKEN")
	env["SLACK_BOT_TOKEN_FILE"] = big
	setEnv(t, env)
	if _, err := loadConfig(); err == nil || !strings.Contains(err.Error(), "SLACK_BOT_TOKEN_FILE") || !strings.Contains(err.Error(), "64 KiB") {
		t.Errorf("a 64 KiB file as a token: %v", err)
	}

	open := filepath.Join(dir, "open")
	if err := os.WriteFile(open, []byte("xoxb-readable\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(open, 0o644); err != nil { // whatever the umask
		t.Fatal(err)
	}
	env["SLACK_BOT_TOKEN_FILE"] = open
	setEnv(t, env)
	cfg, err := loadConfig()
	if err != nil {
		t.Fatal(err)
	}
	if w := cfg.Warnings(); len(w) != 1 || !strings.Contains(w[0], "SLACK_BOT_TOKEN_FILE") || !strings.Contains(w[0], "chmod 600") ||
		strings.Contains(w[0], "xoxb-readable") {
		t.Errorf("warnings %q, want one naming the world-readable file", w)
	}
	if err := os.Chmod(open, 0o600); err != nil {
		t.Fatal(err)
	}
	if cfg, _ = loadConfig(); len(cfg.Warnings()) != 0 {
		t.Errorf("a private file warns: %q", cfg.Warnings())
	}
}

// TestRunAgainstFakes boots the whole program and stops it as SIGTERM would.
func TestRunAgainstFakes(t *testing.T) {
	sl := slacktest.New(t)
	pv := plusvibetest.NewServer(t)
	env := baseEnv(t)
	env["SLACK_BOT_TOKEN"], env["SLACK_APP_TOKEN"], env["PLUSVIBE_API_KEY"] = sl.BotToken, sl.AppToken, pv.APIKey()
	env["SLACK_API_URL"], env["PLUSVIBE_BASE_URL"], env["HTTP_ADDR"] = sl.APIURL(), pv.URL(), "127.0.0.1:0"
	setEnv(t, env)

	var logs syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- run(ctx, &logs, started) }()
	addr := <-started
	sl.WaitConnected(t, 1, 5*time.Second)

	get := func(path string) int {
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if get("/healthz") != 200 {
		t.Error("/healthz not 200")
	}
	// Ready flips on the connected event, which may trail the hello by a moment.
	sl.WaitConnected(t, 1, 5*time.Second)
	cmd := sl.SendCommand(t, "U1", slacktest.DefaultCommand, "help")
	sl.WaitAck(t, cmd.EnvelopeID, 5*time.Second)
	if code := get("/readyz"); code != 200 {
		t.Errorf("/readyz = %d while connected, want 200", code)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run returned %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("run did not return after cancel")
	}
	for _, secret := range []string{sl.BotToken, sl.AppToken, pv.APIKey()} {
		if strings.Contains(logs.String(), secret) {
			t.Error("a secret reached the logs")
		}
	}
}

func TestRunFailsClearlyOnRejectedToken(t *testing.T) {
	sl := slacktest.New(t)
	env := baseEnv(t)
	env["SLACK_BOT_TOKEN"], env["SLACK_API_URL"], env["HTTP_ADDR"] = "xoxb-revoked", sl.APIURL(), ""
	setEnv(t, env)
	err := run(context.Background(), &bytes.Buffer{}, nil)
	if err == nil || !strings.Contains(err.Error(), "auth.test") || !strings.Contains(err.Error(), "invalid_auth") {
		t.Fatalf("got %v, want a clear auth.test failure", err)
	}
	if strings.Contains(err.Error(), "xoxb-revoked") {
		t.Error("error quotes the token")
	}
}

func TestConfigApprovals(t *testing.T) {
	env := baseEnv(t)
	env["APPROVAL_CHANNEL"] = "C0APPROVALS"
	env["APPROVAL_FOR"] = "full_access"
	env["APPROVERS"] = "U0777777777, U0888888888"
	env["APPROVER_USERGROUPS"] = "S0111111111"
	env["APPROVAL_TTL"] = "24h"
	env["AUDIT_CHANNEL"] = "G0AUDIT123"
	env["APPROVAL_REMIND_AFTER"] = "2h"
	env["APPROVAL_ESCALATE_TO"] = "U0999999999, S0222222222"
	env["REQUIRE_REASON"] = "ALL"
	setEnv(t, env)
	cfg, err := loadConfig()
	if err != nil {
		t.Fatal(err)
	}
	b := cfg.botConfig()
	if b.ApprovalChannel != "C0APPROVALS" || !b.ApproveFullAccessOnly || len(b.Approvers) != 2 || b.Approvers[1] != "U0888888888" ||
		b.ApproverUsergroups[0] != "S0111111111" || b.ApprovalTTL != 24*time.Hour || b.AuditChannel != "G0AUDIT123" || b.ApproveAll ||
		b.RemindAfter != 2*time.Hour || len(b.EscalateUsers) != 1 || b.EscalateUsers[0] != "U0999999999" ||
		len(b.EscalateUsergroups) != 1 || b.EscalateUsergroups[0] != "S0222222222" || b.RequireReason != "all" {
		t.Errorf("approval settings not passed on: %+v", b)
	}
}

func TestShutdownTimeoutCoversACreation(t *testing.T) {
	env := baseEnv(t)
	setEnv(t, env)
	cfg, err := loadConfig()
	if err != nil {
		t.Fatal(err)
	}
	if w := cfg.Warnings(); len(w) != 0 {
		t.Errorf("the defaults warn: %s", w)
	}
	env["PLUSVIBE_TIMEOUT"] = "60s"
	setEnv(t, env)
	if cfg, err = loadConfig(); err != nil {
		t.Fatal(err)
	}
	if w := cfg.drainShort(); !strings.Contains(w, "SHUTDOWN_TIMEOUT 1m5s is shorter") {
		t.Errorf("a PLUSVIBE_TIMEOUT longer than the drain allows: warning %q", w)
	}
}

func fakeEnv(t testing.TB, sl *slacktest.Server, pv *plusvibetest.Server) map[string]string {
	env := baseEnv(t)
	env["SLACK_BOT_TOKEN"], env["SLACK_APP_TOKEN"], env["PLUSVIBE_API_KEY"] = sl.BotToken, sl.AppToken, pv.APIKey()
	env["SLACK_API_URL"], env["PLUSVIBE_BASE_URL"], env["HTTP_ADDR"] = sl.APIURL(), pv.URL(), "127.0.0.1:0"
	env["PLUSVIBE_WORKSPACE_ID"] = plusvibetest.DefaultWorkspaces[0].ID
	return env
}

func TestCheckPrintsWhatItFound(t *testing.T) {
	sl := slacktest.New(t)
	pv := plusvibetest.NewServer(t)
	setEnv(t, fakeEnv(t, sl, pv))
	var out bytes.Buffer
	if err := runCheck(context.Background(), &out); err != nil {
		t.Fatalf("check failed: %v\n%s", err, out.String())
	}
	for _, want := range []string{"configuration: ok", "bot user plusvibe (" + slacktest.BotUserID + ")", "scopes ok",
		"Socket Mode ok", "reaches 3 workspaces", "Acme Outreach", "Nova Consulting", "Zeta Labs", "all checks passed"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("check output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestCheckPingsRedis(t *testing.T) {
	sl := slacktest.New(t)
	pv := plusvibetest.NewServer(t)
	srv := redistest.Start(t)
	env := fakeEnv(t, sl, pv)
	env["REDIS_URL"] = srv.URL()
	setEnv(t, env)
	var out bytes.Buffer
	if err := runCheck(context.Background(), &out); err != nil || !strings.Contains(out.String(), "redis: ok") {
		t.Fatalf("check with Redis up: %v\n%s", err, out.String())
	}
	srv.Stop()
	env["REDIS_URL"] = strings.Replace(srv.URL(), "redis://", "redis://:hunter2-secret@", 1)
	setEnv(t, env)
	out.Reset()
	err := runCheck(context.Background(), &out)
	if err == nil || !strings.Contains(out.String(), "REDIS_URL cannot be reached") {
		t.Errorf("check with Redis down: %v\n%s", err, out.String())
	}
	if strings.Contains(out.String(), "hunter2") {
		t.Error("check printed the Redis password")
	}
}

func TestCheckReportsProblems(t *testing.T) {
	sl := slacktest.New(t)
	sl.SetScopes("commands", "chat:write")
	pv := plusvibetest.NewServer(t)
	env := fakeEnv(t, sl, pv)
	env["ALLOWED_USERGROUPS"] = "S0111111111"
	env["APPROVAL_CHANNEL"], env["APPROVERS"] = "C0APPROVALS", "U0777777777"
	env["PLUSVIBE_WORKSPACES"] = "65f99a0dd96fae8ab611ffff=Gone Ltd"
	env["SLACK_APP_TOKEN"] = "xapp-revoked-secret"
	setEnv(t, env)
	var out bytes.Buffer
	err := runCheck(context.Background(), &out)
	if err == nil || !strings.Contains(err.Error(), "3 problem(s)") {
		t.Fatalf("check returned %v, want 3 problems:\n%s", err, out.String())
	}
	for _, want := range []string{"lacks the scopes im:write, usergroups:read, channels:history, groups:history", "SLACK_APP_TOKEN failed: invalid_auth",
		"PLUSVIBE_WORKSPACES lists 65f99a0dd96fae8ab611ffff (Gone Ltd)"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("check output lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "secret") || strings.Contains(out.String(), pv.APIKey()) {
		t.Error("check printed a secret")
	}

	// A wrong PlusVibe key is named as such.
	env["SLACK_APP_TOKEN"], env["PLUSVIBE_WORKSPACES"], env["ALLOWED_USERGROUPS"] = sl.AppToken, "", ""
	env["APPROVAL_CHANNEL"], env["APPROVERS"] = "", ""
	env["PLUSVIBE_API_KEY"] = "pv-wrong-secret"
	sl.SetScopes(slackapi.Scopes()...)
	setEnv(t, env)
	out.Reset()
	if err := runCheck(context.Background(), &out); err == nil || !strings.Contains(out.String(), "PROBLEM: plusvibe: GET /authenticate: 401") ||
		!strings.Contains(out.String(), "check PLUSVIBE_API_KEY") || strings.Count(out.String(), "plusvibe: ") != 1 {
		t.Errorf("check with a wrong PlusVibe key: %v\n%s", err, out.String())
	}

	// Names that do not resolve are named as such, not as a token problem.
	env["PLUSVIBE_API_KEY"] = pv.APIKey()
	env["SLACK_API_URL"], env["PLUSVIBE_BASE_URL"] = "https://slack.invalid/api/", "https://plusvibe.invalid/api/v1"
	setEnv(t, env)
	out.Reset()
	_ = runCheck(context.Background(), &out)
	if strings.Count(out.String(), "could not be resolved") != 3 || strings.Contains(out.String(), "connections:write") {
		t.Errorf("check with unresolvable hosts:\n%s", out.String())
	}
}

// The whole program, started and stopped in-process, leaves no goroutine behind.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestEscalationThatCannotHappenWarns(t *testing.T) {
	env := baseEnv(t)
	env["APPROVAL_ESCALATE_TO"] = "U0999999999"
	setEnv(t, env)
	cfg, err := loadConfig()
	if err != nil {
		t.Fatal(err)
	}
	if w := cfg.Warnings(); len(w) != 1 || !strings.Contains(w[0], "APPROVAL_ESCALATE_TO") {
		t.Errorf("warnings %q, want one saying nothing escalates without an approval channel", w)
	}
}
