package main

import (
	"bufio"
	"debug/buildinfo"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/moby/patternmatcher"
	"go.yaml.in/yaml/v4"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/bot"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/bot/slackapi"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/internal/slacktest"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe/plusvibetest"
)

// envVars reads Config's envconfig tags: variable name → default.
func envVars() map[string]string {
	out := map[string]string{}
	typ := reflect.TypeFor[Config]()
	for i := range typ.NumField() {
		if name := typ.Field(i).Tag.Get("envconfig"); name != "" {
			out[name] = typ.Field(i).Tag.Get("default")
		}
	}
	return out
}

func TestManifest(t *testing.T) {
	raw, err := os.ReadFile("manifest.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Display struct {
			Name string `yaml:"name"`
		} `yaml:"display_information"`
		Features struct {
			AppHome struct {
				Messages bool `yaml:"messages_tab_enabled"`
				Home     bool `yaml:"home_tab_enabled"`
			} `yaml:"app_home"`
			Shortcuts []struct {
				Name       string `yaml:"name"`
				Type       string `yaml:"type"`
				CallbackID string `yaml:"callback_id"`
				Desc       string `yaml:"description"`
			} `yaml:"shortcuts"`
			BotUser struct {
				DisplayName string `yaml:"display_name"`
			} `yaml:"bot_user"`
			Commands []struct {
				Command string `yaml:"command"`
				URL     string `yaml:"url"`
			} `yaml:"slash_commands"`
		} `yaml:"features"`
		OAuth struct {
			Scopes struct {
				Bot  []string `yaml:"bot"`
				User []string `yaml:"user"`
			} `yaml:"scopes"`
		} `yaml:"oauth_config"`
		Settings struct {
			Interactivity struct {
				Enabled    bool   `yaml:"is_enabled"`
				RequestURL string `yaml:"request_url"`
			} `yaml:"interactivity"`
			SocketMode bool `yaml:"socket_mode_enabled"`
			Events     struct {
				Bot []string `yaml:"bot_events"`
			} `yaml:"event_subscriptions"`
		} `yaml:"settings"`
	}
	if err := yaml.Unmarshal(raw, &m); err != nil {
		t.Fatalf("manifest.yaml does not parse: %v", err)
	}
	if m.Display.Name == "" || len(m.Display.Name) > 35 || m.Features.BotUser.DisplayName == "" {
		t.Errorf("app name %q / bot name %q", m.Display.Name, m.Features.BotUser.DisplayName)
	}
	if !m.Settings.SocketMode || !m.Settings.Interactivity.Enabled || m.Settings.Interactivity.RequestURL != "" {
		t.Error("Socket Mode and interactivity must be on, with no request URL")
	}
	if !m.Features.AppHome.Messages {
		t.Error("the Messages tab (the bot's DM, where passwords go) must be enabled")
	}
	if len(m.Features.Commands) != 1 || m.Features.Commands[0].Command != envVars()["SLACK_COMMAND"] || m.Features.Commands[0].URL != "" {
		t.Errorf("slash commands %+v, want only %s, without a URL", m.Features.Commands, envVars()["SLACK_COMMAND"])
	}
	// The shortcuts the bot answers, within Slack's limits on their fields.
	want := map[string]string{bot.ShortcutCreate: "global", bot.ShortcutCreateFromMessage: "message"}
	for _, sc := range m.Features.Shortcuts {
		if want[sc.CallbackID] != sc.Type || sc.Name == "" || len(sc.Name) > 255 || sc.Desc == "" || len(sc.Desc) > 150 {
			t.Errorf("shortcut %+v is not one the bot answers, or breaks a limit", sc)
		}
		delete(want, sc.CallbackID)
	}
	if len(want) != 0 {
		t.Errorf("the manifest lacks the shortcuts %v", want)
	}
	if !m.Features.AppHome.Home || !slices.Equal(m.Settings.Events.Bot, []string{"app_home_opened"}) {
		t.Errorf("Home tab %v, bot events %v: want the Home tab and app_home_opened alone", m.Features.AppHome.Home, m.Settings.Events.Bot)
	}
	// Exactly the scopes the code's Web API calls need; the bot suite runs with
	// these scopes only, against a fake Slack that enforces them.
	got := slices.Sorted(slices.Values(m.OAuth.Scopes.Bot))
	if !slices.Equal(got, slackapi.Scopes()) || len(m.OAuth.Scopes.User) != 0 {
		t.Errorf("bot scopes %v, want %v and no user scopes", got, slackapi.Scopes())
	}
}

func TestREADMEConfigurationTable(t *testing.T) {
	raw, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	section := string(raw)
	if i := strings.Index(section, "\n## Configuration"); i >= 0 {
		section = section[i+1:]
		if j := strings.Index(section[1:], "\n## "); j >= 0 {
			section = section[:j+1]
		}
	}
	code := regexp.MustCompile("`([^`]*)`")
	documented := map[string]string{}
	for line := range strings.Lines(section) {
		cells := strings.Split(strings.TrimSpace(line), "|")
		if len(cells) < 5 || !strings.HasPrefix(strings.TrimSpace(cells[1]), "`") {
			continue
		}
		names := code.FindAllStringSubmatch(cells[1], -1)
		defaults := code.FindAllStringSubmatch(cells[3], -1)
		for i, n := range names {
			d := ""
			if i < len(defaults) {
				d = defaults[i][1]
			}
			documented[n[1]] = d
		}
	}
	want := envVars()
	for name, def := range want {
		got, found := documented[name]
		switch {
		case !found:
			t.Errorf("README's configuration table lacks %s", name)
		case got != def:
			t.Errorf("README says %s defaults to %q; the code says %q", name, got, def)
		}
	}
	for name := range documented {
		if _, found := want[name]; !found {
			t.Errorf("README documents %s, which the bot does not read", name)
		}
	}
}

func TestDockerfile(t *testing.T) {
	raw, err := os.ReadFile("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	df := string(raw)
	if strings.Count(df, "\nFROM ") < 2 {
		t.Error("not a multi-stage build")
	}
	port := strings.TrimPrefix(envVars()["HTTP_ADDR"], ":")
	for _, want := range []string{"CGO_ENABLED=0", "-trimpath", "-X main.version=${VERSION}", "USER 65532:65532", "EXPOSE " + port,
		"distroless/static", // distroless static carries CA certificates
		"--platform=$BUILDPLATFORM", "GOOS=$TARGETOS GOARCH=$TARGETARCH", "--mount=type=cache,target=/root/.cache/go-build",
		`CMD ["/plusvibe-slack-bot", "--healthcheck"]`, "org.opencontainers.image.source=", "org.opencontainers.image.version=",
		"org.opencontainers.image.revision=", "org.opencontainers.image.licenses="} {
		if !strings.Contains(df, want) {
			t.Errorf("Dockerfile lacks %q", want)
		}
	}
	ignore, err := os.ReadFile(".dockerignore")
	if err != nil || !strings.Contains(string(ignore), ".git") || !strings.Contains(string(ignore), "plusvibe.env") {
		t.Error(".dockerignore missing, or lets .git or plusvibe.env into the build context")
	}
	if gi, err := os.ReadFile(".gitignore"); err != nil || !strings.Contains(string(gi), "plusvibe.env") {
		t.Error(".gitignore lets plusvibe.env be committed")
	}
}

// dropMounts removes BuildKit's --mount options from a RUN command.
func dropMounts(cmd string) string {
	fields := strings.Fields(cmd)
	for len(fields) > 0 && strings.HasPrefix(fields[0], "--mount=") {
		fields = fields[1:]
	}
	return strings.Join(fields, " ")
}

// buildLikeDockerfile runs the Dockerfile's go build line in the checkout and
// returns the binary.
func buildLikeDockerfile(t testing.TB, version string) string {
	t.Helper()
	return runBuildLine(t, ".", dockerfileBuildLine(t, "Dockerfile"), version)
}

// dockerfileBuildLine is a Dockerfile's RUN … go build … line, without mounts.
func dockerfileBuildLine(t testing.TB, path string) string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var build string
	for line := range strings.Lines(string(raw)) {
		if cmd, found := strings.CutPrefix(strings.TrimSpace(line), "RUN "); found && strings.Contains(cmd, "go build") {
			build = dropMounts(cmd)
		}
	}
	if build == "" {
		t.Fatalf("no go build line in %s", path)
	}
	return build
}

// runBuildLine runs a build line in dir, for the host's platform (what
// BuildKit's TARGETOS and TARGETARCH would be there), with /out/ moved to a
// temporary directory, and returns the binary.
func runBuildLine(t testing.TB, dir, build, version string) string {
	t.Helper()
	out := t.TempDir()
	cmd := exec.Command("sh", "-c", strings.ReplaceAll(build, "/out/", out+"/"))
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "VERSION="+version, "TARGETOS="+runtime.GOOS, "TARGETARCH="+runtime.GOARCH)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", build, err, b)
	}
	return filepath.Join(out, "plusvibe-slack-bot")
}

// TestBinary builds the binary as the image does and runs it as an admin
// would: --version, --check, then the bot itself, stopped with SIGTERM.
func TestBinary(t *testing.T) {
	bin := buildLikeDockerfile(t, "v1.2.3-test")
	info, err := buildinfo.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	if settings["CGO_ENABLED"] != "0" || settings["-trimpath"] != "true" {
		t.Errorf("build settings %v, want a static, trimmed build", settings)
	}
	if st, err := os.Stat(bin); err == nil {
		t.Logf("binary: %.1f MB", float64(st.Size())/(1<<20))
	}

	out, err := exec.Command(bin, "--version").Output()
	if err != nil || strings.TrimSpace(string(out)) != "plusvibe-slack-bot v1.2.3-test" {
		t.Errorf("--version printed %q (%v)", out, err)
	}
	t.Run("startup errors", func(t *testing.T) { checkStartupErrors(t, bin) })

	sl := slacktest.New(t)
	pv := plusvibetest.NewServer(t)
	env := os.Environ()
	fake := fakeEnv(t, sl, pv)
	fake["HTTP_ADDR"] = freeAddr(t) // a known port, for --healthcheck
	for k, v := range fake {
		env = append(env, k+"="+v)
	}
	healthy := func() error {
		probe := exec.Command(bin, "--healthcheck")
		probe.Env = env
		return probe.Run()
	}
	check := exec.Command(bin, "--check")
	check.Env = env
	out, err = check.Output()
	if err != nil || !strings.Contains(string(out), "Acme Outreach") || !strings.Contains(string(out), "all checks passed") {
		t.Errorf("--check: %v\n%s", err, out)
	}

	// The bot itself, until SIGTERM.
	run := exec.Command(bin)
	run.Env = env
	var logs syncBuffer
	run.Stderr = &logs
	if err := run.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- run.Wait() }()
	t.Cleanup(func() { _ = run.Process.Kill() })
	sl.WaitConnected(t, 1, 10*time.Second)
	cmd := sl.SendCommand(t, "U1", slacktest.DefaultCommand, "help")
	if ack := sl.WaitAck(t, cmd.EnvelopeID, 5*time.Second); !strings.Contains(string(ack.Payload), "creates a PlusVibe client") {
		t.Errorf("help answered %s", ack.Payload)
	}
	if rss := residentKB(run.Process.Pid); rss > 0 {
		t.Logf("resident memory, connected and idle: %.1f MB", float64(rss)/1024)
	}
	if err := healthy(); err != nil {
		t.Errorf("--healthcheck against the running bot: %v", err)
	}
	if err := run.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("exit after SIGTERM: %v, want status 0\n%s", err, logs.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no exit within 30 s of SIGTERM")
	}
	if healthy() == nil {
		t.Error("--healthcheck passes with the bot stopped")
	}
	if !strings.Contains(logs.String(), `"message":"stopped"`) {
		t.Errorf("no stopped line in the logs:\n%s", logs.String())
	}
	for _, secret := range []string{sl.BotToken, sl.AppToken, pv.APIKey()} {
		if strings.Contains(logs.String(), secret) {
			t.Error("a secret reached the logs")
		}
	}
}

// freeAddr is a loopback address whose port was free a moment ago.
func freeAddr(t testing.TB) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// residentKB reads a process's resident memory from /proc (Linux), or 0.
func residentKB(pid int) int {
	f, err := os.Open(filepath.Join("/proc", strconv.Itoa(pid), "status"))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, found := strings.CutPrefix(sc.Text(), "VmRSS:"); found {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return kb
		}
	}
	return 0
}

// readYAMLDocs parses every document of a YAML file.
func readYAMLDocs(t *testing.T, path string) []map[string]any {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dec := yaml.NewDecoder(f)
	var docs []map[string]any
	for {
		var d map[string]any
		if err := dec.Decode(&d); err != nil {
			if errors.Is(err, io.EOF) {
				return docs
			}
			t.Fatalf("%s: %v", path, err)
		}
		if d != nil {
			docs = append(docs, d)
		}
	}
}

// dig walks maps and lists by key or index.
func dig(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			l, _ := v.([]any)
			if k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

// knownVariable: a variable the bot reads, or NAME_FILE of a secret one.
func knownVariable(name string) bool {
	if _, found := envVars()[name]; found {
		return true
	}
	secret, isFile := strings.CutSuffix(name, "_FILE")
	return isFile && slices.Contains(secrets, secret)
}

func TestKubernetesManifests(t *testing.T) {
	byKind := map[string]map[string]any{}
	for _, path := range []string{"deploy/kubernetes/deployment.yaml", "deploy/kubernetes/redis.yaml"} {
		for _, d := range readYAMLDocs(t, path) {
			if dig(d, "metadata", "name") == "plusvibe-slack-bot" || dig(d, "kind") == "Service" {
				byKind[dig(d, "kind").(string)] = d
			}
		}
	}
	dep, cm, pdb := byKind["Deployment"], byKind["ConfigMap"], byKind["PodDisruptionBudget"]
	if dep == nil || cm == nil || pdb == nil || byKind["Service"] == nil {
		t.Fatalf("manifests lack a Deployment, ConfigMap, PodDisruptionBudget or the Redis Service: %v", slices.Collect(maps.Keys(byKind)))
	}
	if n, _ := dig(dep, "spec", "replicas").(int); n < 2 {
		t.Errorf("replicas: %v, want 2 or more", dig(dep, "spec", "replicas"))
	}
	pod := dig(dep, "spec", "template", "spec")
	c := dig(pod, "containers", 0)
	if img, _ := dig(c, "image").(string); !strings.HasPrefix(img, "plusvibe-slack-bot:") {
		t.Errorf("image %q is not the one README builds", img)
	}
	port := strings.TrimPrefix(envVars()["HTTP_ADDR"], ":")
	if p := dig(c, "ports", 0, "containerPort"); strconv.Itoa(p.(int)) != port {
		t.Errorf("container port %v, HTTP_ADDR's default is %s", p, port)
	}
	for probe, path := range map[string]string{"livenessProbe": "/healthz", "readinessProbe": "/readyz", "startupProbe": "/healthz"} {
		if got := dig(c, probe, "httpGet", "path"); got != path {
			t.Errorf("%s path %v, want %s", probe, got, path)
		}
	}
	for _, e := range dig(c, "env").([]any) {
		if name := dig(e, "name").(string); !knownVariable(name) {
			t.Errorf("the Deployment sets %s, which the bot does not read", name)
		}
		if name := dig(e, "name").(string); !strings.HasSuffix(name, "_FILE") && slices.Contains(secrets, name) {
			t.Errorf("the Deployment puts secret %s in the environment; mount it and use %s_FILE", name, name)
		}
	}
	for name := range dig(cm, "data").(map[string]any) {
		if !knownVariable(name) || slices.Contains(secrets, name) {
			t.Errorf("the ConfigMap sets %s: unknown, or a secret", name)
		}
	}
	if dig(pod, "securityContext", "runAsNonRoot") != true || dig(c, "securityContext", "allowPrivilegeEscalation") != false ||
		dig(c, "securityContext", "readOnlyRootFilesystem") != true {
		t.Error("the pod may run as root, escalate, or write its root filesystem")
	}
	if dig(c, "resources", "requests", "memory") == nil || dig(c, "resources", "limits", "memory") == nil {
		t.Error("no memory request or limit")
	}
	shutdown, _ := time.ParseDuration(envVars()["SHUTDOWN_TIMEOUT"])
	if g, _ := dig(pod, "terminationGracePeriodSeconds").(int); time.Duration(g)*time.Second < shutdown+10*time.Second {
		t.Errorf("terminationGracePeriodSeconds %d is not above SHUTDOWN_TIMEOUT %s with room to report", g, shutdown)
	}
	labels := dig(dep, "spec", "selector", "matchLabels")
	if !reflect.DeepEqual(dig(pdb, "spec", "selector", "matchLabels"), labels) || dig(pdb, "spec", "minAvailable") != 1 {
		t.Error("the PodDisruptionBudget does not keep one of the bot's pods")
	}
}

func TestComposeFile(t *testing.T) {
	docs := readYAMLDocs(t, "deploy/compose.yaml")
	if len(docs) != 1 {
		t.Fatalf("%d documents", len(docs))
	}
	bot, redis := dig(docs[0], "services", "bot"), dig(docs[0], "services", "redis")
	if bot == nil || redis == nil {
		t.Fatal("compose.yaml lacks the bot or redis service")
	}
	if n, _ := dig(bot, "deploy", "replicas").(int); n < 2 {
		t.Errorf("bot replicas %v, want 2 or more", n)
	}
	for name := range dig(bot, "environment").(map[string]any) {
		if !knownVariable(name) {
			t.Errorf("compose sets %s, which the bot does not read", name)
		}
	}
	if img, _ := dig(bot, "image").(string); !strings.HasPrefix(img, "plusvibe-slack-bot:") {
		t.Errorf("image %q", img)
	}
	for _, name := range secrets {
		checkComposeSecret(t, docs[0], bot, name)
	}
	// Redis asks for a password from its secret file, and so does its health check.
	pw := composeSecretPath(t, docs[0], redis, "redis_password")
	start := fmt.Sprint(dig(redis, "entrypoint"), dig(redis, "command"))
	if !strings.Contains(start, "--requirepass") || !strings.Contains(start, pw) {
		t.Errorf("Redis starts without --requirepass from %s: %s", pw, start)
	}
	if probe := fmt.Sprint(dig(redis, "healthcheck", "test")); !strings.Contains(probe, "REDISCLI_AUTH") || !strings.Contains(probe, pw) ||
		!strings.Contains(probe, "redis-cli -e ") {
		t.Errorf("Redis's health check does not authenticate, or passes on an error reply: %s", probe)
	}
}

// checkComposeSecret: the bot gets secret name only as NAME_FILE, a compose
// secret read from a file that neither git nor the image build can pick up.
func checkComposeSecret(t *testing.T, compose, svc any, name string) {
	t.Helper()
	env, _ := dig(svc, "environment").(map[string]any)
	if _, found := env[name]; found {
		t.Errorf("compose puts %s in the environment; use %s_FILE and a secret", name, name)
	}
	path, _ := env[name+"_FILE"].(string)
	secret, found := strings.CutPrefix(path, "/run/secrets/")
	if !found {
		t.Errorf("%s_FILE = %q, want a compose secret under /run/secrets/", name, path)
		return
	}
	composeSecretPath(t, compose, svc, secret)
}

// composeSecretPath checks that svc gets secret from a file kept out of git
// and of the build context, and returns where the service reads it.
func composeSecretPath(t *testing.T, compose, svc any, secret string) string {
	t.Helper()
	granted, _ := dig(svc, "secrets").([]any)
	if !slices.Contains(granted, any(secret)) {
		t.Errorf("the service is not given the secret %s", secret)
	}
	file, _ := dig(compose, "secrets", secret, "file").(string)
	if file == "" {
		t.Errorf("secret %s is not read from a file", secret)
		return ""
	}
	rel := filepath.ToSlash(filepath.Join("deploy", file))
	if exec.Command("git", "check-ignore", "-q", "--no-index", rel).Run() != nil {
		t.Errorf(".gitignore lets %s be committed", rel)
	}
	pm, err := patternmatcher.New(dockerIgnorePatterns(t, ".", "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	if out, err := pm.MatchesOrParentMatches(rel); err != nil {
		t.Fatal(err)
	} else if !out {
		t.Errorf(".dockerignore lets %s into the build context", rel)
	}
	return "/run/secrets/" + secret
}

// unversionedImages publish no version tags, only moving ones, with the reason.
var unversionedImages = map[string]string{
	// Only latest, nonroot, debug…: each follows Debian 12's security updates.
	"gcr.io/distroless/static-debian12:nonroot": "distroless",
}

// TestImagesPinned: every image the Dockerfile, Kubernetes and compose name
// carries an exact version, and the bot's is the tag README builds.
func TestImagesPinned(t *testing.T) {
	var refs []string
	raw, err := os.ReadFile("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(string(raw)) {
		if fields := strings.Fields(line); len(fields) > 1 && fields[0] == "FROM" {
			refs = append(refs, dropFlags(fields[1:])[0])
		}
	}
	for _, path := range []string{"deploy/kubernetes/deployment.yaml", "deploy/kubernetes/redis.yaml", "deploy/compose.yaml"} {
		for _, d := range readYAMLDocs(t, path) {
			refs = append(refs, imagesIn(d)...)
		}
	}
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	built := regexp.MustCompile(`docker build .* -t (\S+) `).FindStringSubmatch(string(readme))
	if built == nil {
		t.Fatal("README has no docker build line with -t")
	}
	version := regexp.MustCompile(`^v?\d+\.\d+\.\d+([-.+].*)?$`)
	for _, ref := range refs {
		name, _, _ := strings.Cut(ref, "@")
		i := strings.LastIndex(name, ":")
		tag := name[i+1:]
		if i < 0 || strings.Contains(tag, "/") { // a registry's port, not a tag
			tag = ""
		}
		if _, moving := unversionedImages[name]; !moving && !version.MatchString(tag) {
			t.Errorf("image %s is not pinned to an exact version", ref)
		}
		if strings.HasPrefix(ref, "plusvibe-slack-bot:") && ref != built[1] {
			t.Errorf("image %s is not the one README builds (%s)", ref, built[1])
		}
	}
	if len(refs) < 5 {
		t.Errorf("found only the images %v", refs)
	}
}

// dropFlags removes a Dockerfile instruction's leading --flags.
func dropFlags(fields []string) []string {
	for len(fields) > 1 && strings.HasPrefix(fields[0], "--") {
		fields = fields[1:]
	}
	return fields
}

// imagesIn lists the values of every image: key in a YAML tree.
func imagesIn(node any) []string {
	var out []string
	switch n := node.(type) {
	case map[string]any:
		for k, v := range n {
			if img, ok := v.(string); ok && k == "image" {
				out = append(out, img)
			}
			out = append(out, imagesIn(v)...)
		}
	case []any:
		for _, v := range n {
			out = append(out, imagesIn(v)...)
		}
	}
	return out
}

// TestKubernetesRedis: Redis asks for a password from a Secret, its probe
// gives it, and only the bot's pods reach it, on its port alone.
func TestKubernetesRedis(t *testing.T) {
	var redis, policy, bot any
	for _, path := range []string{"deploy/kubernetes/deployment.yaml", "deploy/kubernetes/redis.yaml"} {
		for _, d := range readYAMLDocs(t, path) {
			switch kind, name := dig(d, "kind"), dig(d, "metadata", "name"); {
			case kind == "Deployment" && name == "redis":
				redis = d
			case kind == "Deployment" && name == "plusvibe-slack-bot":
				bot = d
			case kind == "NetworkPolicy":
				policy = d
			}
		}
	}
	if redis == nil || bot == nil || policy == nil {
		t.Fatal("no Redis Deployment, bot Deployment or NetworkPolicy")
	}
	c := dig(redis, "spec", "template", "spec", "containers", 0)
	secretEnv := map[string]any{} // variable → its secretKeyRef
	for _, e := range dig(c, "env").([]any) {
		if ref := dig(e, "valueFrom", "secretKeyRef"); ref != nil {
			secretEnv[dig(e, "name").(string)] = ref
		}
	}
	args := fmt.Sprint(dig(c, "args"))
	i := strings.Index(args, "--requirepass $(")
	if i < 0 {
		t.Fatalf("Redis runs without --requirepass $(VARIABLE): %s", args)
	}
	pwVar, _, _ := strings.Cut(args[i+len("--requirepass $("):], ")")
	if secretEnv[pwVar] == nil {
		t.Errorf("--requirepass takes $(%s), which is not from a Secret", pwVar)
	}
	if probe := fmt.Sprint(dig(c, "readinessProbe", "exec", "command")); !strings.HasPrefix(probe, "[redis-cli -e ") ||
		!reflect.DeepEqual(secretEnv["REDISCLI_AUTH"], secretEnv[pwVar]) {
		t.Errorf("the readiness probe %s does not give the password (REDISCLI_AUTH from %v), or passes on an error reply", probe, secretEnv[pwVar])
	}
	checkRedisPolicy(t, policy, redis, bot)
}

// checkRedisPolicy: the NetworkPolicy admits the bot's pods to Redis, on its
// port, and nothing else.
func checkRedisPolicy(t *testing.T, policy, redis, bot any) {
	if !reflect.DeepEqual(dig(policy, "spec", "podSelector", "matchLabels"), dig(redis, "spec", "template", "metadata", "labels")) ||
		!slices.Contains(dig(policy, "spec", "policyTypes").([]any), any("Ingress")) {
		t.Error("the NetworkPolicy does not restrict ingress to the Redis pods")
	}
	botLabels := dig(bot, "spec", "template", "metadata", "labels")
	rules, _ := dig(policy, "spec", "ingress").([]any)
	for _, rule := range rules {
		from, _ := dig(rule, "from").([]any)
		ports := dig(rule, "ports")
		if len(from) == 0 || !reflect.DeepEqual(ports, []any{map[string]any{"protocol": "TCP", "port": 6379}}) {
			t.Errorf("an ingress rule admits everyone, or ports other than 6379/TCP: %v", rule)
		}
		for _, peer := range from {
			if !reflect.DeepEqual(peer, map[string]any{"podSelector": map[string]any{"matchLabels": botLabels}}) {
				t.Errorf("ingress from %v, want the bot's pods (%v) only", peer, botLabels)
			}
		}
	}
	if len(rules) == 0 {
		t.Error("the NetworkPolicy admits nobody, not even the bot")
	}
}

// checkStartupErrors starts the binary with three mistakes: three JSON log
// lines (LOG_FORMAT's default), exit status 1, no value echoed.
func checkStartupErrors(t *testing.T, bin string) {
	cmd := exec.Command(bin)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "SLACK_BOT_TOKEN=xoxp-secret-1", "SLACK_APP_TOKEN=xapp-1",
		"PLUSVIBE_API_KEY=k", "PLUSVIBE_WORKSPACE_ID=65f99a0dd96fae8ab61130c0", "ALLOWED_USERS=alice-secret",
		"APPROVAL_TTL=soon-secret"}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("exit: %v, want status 1", err)
	}
	lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	if len(lines) != 3 {
		t.Errorf("%d lines, want 3:\n%s", len(lines), stderr.String())
	}
	for _, l := range lines {
		var entry map[string]any
		if json.Unmarshal([]byte(l), &entry) != nil || entry["level"] != "error" || !strings.HasPrefix(fmt.Sprint(entry["message"]), "config: ") {
			t.Errorf("not a JSON error line: %s", l)
		}
	}
	if strings.Contains(stderr.String(), "secret") {
		t.Errorf("a value was echoed:\n%s", stderr.String())
	}
}

// TestREADMECommands: every command the README shows for this program parses
// with its flags, and CI runs the README's test command.
func TestREADMECommands(t *testing.T) {
	raw, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	commands := 0
	for line := range strings.Lines(string(raw)) {
		line, _, _ = strings.Cut(strings.TrimSpace(line), "#")
		fields := strings.Fields(line)
		var args []string
		switch {
		case len(fields) >= 3 && fields[0] == "go" && fields[1] == "run" && fields[2] == ".":
			args = fields[3:]
		case len(fields) >= 2 && fields[0] == "docker" && fields[1] == "run":
			i := slices.IndexFunc(fields, func(f string) bool { return strings.HasPrefix(f, "plusvibe-slack-bot:") })
			if i < 0 {
				t.Errorf("a docker run line does not run a tagged plusvibe-slack-bot image: %s", line)
				continue
			}
			args = fields[i+1:]
		default:
			continue
		}
		commands++
		var o options
		fs := newFlags(&o)
		fs.SetOutput(io.Discard)
		if err := fs.Parse(args); err != nil || fs.NArg() != 0 {
			t.Errorf("README shows %q: %v (left over: %v)", line, err, fs.Args())
		}
		if o.envFile != "" && o.envFile != "plusvibe.env" {
			t.Errorf("README reads settings from %s; the example is copied to plusvibe.env", o.envFile)
		}
	}
	if commands < 4 {
		t.Errorf("found %d commands of this program in README.md", commands)
	}
	if !strings.Contains(string(raw), "go run ./cmd/demo") {
		t.Error("README does not show how to run the demo, a command of its own")
	}
	ci, err := os.ReadFile(".ci/run")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(raw), "go test ./...") || !strings.Contains(string(ci), "\ngo test ./...") {
		t.Error("CI does not run the test command README gives")
	}
	if _, err := os.Stat("plusvibe.env.example"); err != nil {
		t.Error("README copies plusvibe.env.example, which is missing")
	}
}

func TestEnvFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "plusvibe.env")
	if err := os.WriteFile(path, []byte("# comment\n\nLOG_FORMAT=console\nPLUSVIBE_WORKSPACES=65f99a0dd96fae8ab61130c1=Acme Outreach\nSLACK_COMMAND=\"/quoted\"\nHTTP_ADDR=:9999\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	setEnv(t, map[string]string{"HTTP_ADDR": ":7777"})
	if err := loadEnvFile(path); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"LOG_FORMAT": "console", "PLUSVIBE_WORKSPACES": "65f99a0dd96fae8ab61130c1=Acme Outreach",
		"SLACK_COMMAND": `"/quoted"`, "HTTP_ADDR": ":7777"} {
		if got := os.Getenv(name); got != want {
			t.Errorf("%s = %q, want %q (as docker --env-file reads it; the environment wins)", name, got, want)
		}
	}
	if err := os.WriteFile(path, []byte("export X Y\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := loadEnvFile(path); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("a line that is not NAME=value: %v", err)
	}
}

// TestVersionFromVCS: a plain go build, without the -X stamp, names the commit.
func TestVersionFromVCS(t *testing.T) {
	head, err := exec.Command("git", "rev-parse", "HEAD").Output()
	if err != nil {
		t.Fatalf("git rev-parse: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "bot")
	if out, err := exec.Command("go", "build", "-buildvcs=true", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "--version").Output()
	if want := "plusvibe-slack-bot dev-" + string(head[:12]); err != nil || !strings.HasPrefix(string(out), want) {
		t.Errorf("--version printed %q (%v), want it to start %q", out, err, want)
	}
}

func TestHelpListsEveryVariable(t *testing.T) {
	var o options
	var out strings.Builder
	usage(&out, newFlags(&o))
	for name, def := range envVars() {
		line := ""
		for l := range strings.Lines(out.String()) {
			if strings.HasPrefix(strings.TrimSpace(l), name+" ") {
				line = l
			}
		}
		if line == "" || (def != "" && !strings.Contains(line, "(default "+def+")")) {
			t.Errorf("--help lacks %s with its default %q:\n%s", name, def, out.String())
		}
	}
	for _, flag := range []string{"-check", "-env-file", "-healthcheck", "-version"} {
		if !strings.Contains(out.String(), flag) {
			t.Errorf("--help lacks %s", flag)
		}
	}
}
