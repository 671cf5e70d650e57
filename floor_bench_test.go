package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/internal/slacktest"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe/plusvibetest"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/request"
)

// BenchmarkVersusFloor runs the bot's binary and a bare slack-go program
// (testdata/floor: ack, then views.open of the same form) as processes of
// their own against the same fake Slack, in interleaved rounds, and prints
// the command ack and views.open latencies and CPU per command of both, with
// the bot's ratio to the floor. b.N is the number of commands per round:
//
//	go test -run X -bench VersusFloor -benchtime 1000x
func BenchmarkVersusFloor(b *testing.B) {
	programs := benchPrograms(b)
	const rounds = 5
	for _, inFlight := range []int{20, 200} {
		b.Run(fmt.Sprintf("in-flight=%d", inFlight), func(b *testing.B) {
			got := map[string][]round{}
			for range rounds {
				for _, p := range programs {
					got[p.name] = append(got[p.name], runRound(b, p, b.N, inFlight))
				}
			}
			if b.N >= 100 { // not the framework's one-command probe
				report(b, inFlight, got)
			}
		})
	}
}

// program is one of the programs compared: the bot, the floor, and Bolt for
// JavaScript when testdata/bolt has its packages (npm ci there).
type program struct {
	name      string
	argv      []string
	goRuntime bool // serves the Go runtime's metrics on HTTP_ADDR
}

func benchPrograms(b *testing.B) []program {
	ps := []program{{"floor", []string{buildFloor(b)}, true}, {"bot", []string{buildLikeDockerfile(b, "bench")}, true}}
	// BENCH_BEFORE names another build of the bot (an earlier commit's) to
	// run in the same interleaved rounds, for a before/after comparison.
	if before := os.Getenv("BENCH_BEFORE"); before != "" {
		ps = append(ps, program{"before", []string{before}, true})
	}
	if _, err := os.Stat("testdata/bolt/node_modules/@slack/bolt"); err != nil {
		fmt.Println("Bolt for JavaScript left out: run npm ci in testdata/bolt to compare with it")
		return ps
	}
	app, err := filepath.Abs("testdata/bolt/app.js")
	if err != nil {
		b.Fatal(err)
	}
	return append(ps, program{"bolt", []string{"node", app}, false})
}

// boltViews writes the form and the progress view, as the bot renders them,
// for the Bolt app to send.
func boltViews(b *testing.B) (form, progress string) {
	dir := b.TempDir()
	form, progress = filepath.Join(dir, "form.json"), filepath.Join(dir, "progress.json")
	for path, view := range map[string]any{
		form:     modals.NewForm(request.Form{}, plusvibetest.DefaultWorkspaces, modals.Metadata{}, "", ""),
		progress: modals.Progress(request.Form{Email: "bench@example.com"}, modals.Metadata{}),
	} {
		raw, err := json.Marshal(view)
		if err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(path, raw, 0o600); err != nil {
			b.Fatal(err)
		}
	}
	return form, progress
}

func buildFloor(b testing.TB) string {
	out := filepath.Join(b.TempDir(), "floor")
	if msg, err := exec.Command("go", "build", "-trimpath", "-o", out, "./testdata/floor").CombinedOutput(); err != nil {
		b.Fatalf("building the floor: %v\n%s", err, msg)
	}
	return out
}

// round is what one program did with n commands.
type round struct {
	ackP50, ackP99, openP50, openP99 float64 // ms
	cpuPerCommand                    float64 // µs
	allocsPerCommand                 float64 // heap objects
	refused                          int
	rssMB                            float64 // resident memory after the round
}

// runRound starts bin against fresh fakes, warms it up, then sends n slash
// commands, inFlight at a time, and measures them.
func runRound(b *testing.B, p program, n, inFlight int) round {
	sl, cmd, metricsAt := startProgram(b, p)
	defer func() { _ = cmd.Process.Signal(syscall.SIGTERM); _ = cmd.Wait() }()
	send(b, sl, 50, inFlight) // warm-up: connections, caches
	cpu0, allocs0 := cpuTime(cmd.Process.Pid), mallocs(b, p, metricsAt)
	acks, opens, refused := send(b, sl, n, inFlight)
	r := round{refused: refused, cpuPerCommand: float64(cpuTime(cmd.Process.Pid)-cpu0) / float64(time.Microsecond) / float64(n)}
	r.allocsPerCommand = float64(mallocs(b, p, metricsAt)-allocs0) / float64(n)
	r.ackP50, r.ackP99 = percentile(acks, 50), percentile(acks, 99)
	r.openP50, r.openP99 = percentile(opens, 50), percentile(opens, 99)
	r.rssMB = float64(residentKB(cmd.Process.Pid)) / 1024
	return r
}

// startProgram runs bin against fresh fakes until the test ends. It returns
// where the program serves its Prometheus metrics.
func startProgram(b *testing.B, p program) (*slacktest.Server, *exec.Cmd, string) {
	sl := slacktest.New(b)
	pv := plusvibetest.NewServer(b)
	addr := freeAddr(b)
	cmd := exec.Command(p.argv[0], p.argv[1:]...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HTTP_ADDR=" + addr, "LOG_LEVEL=error", "ALLOWED_USERS=*"}
	if !p.goRuntime {
		form, progress := boltViews(b)
		cmd.Env = append(cmd.Env, "FORM_JSON="+form, "PROGRESS_JSON="+progress, "CALLBACK_CREATE="+modals.CallbackCreate)
	}
	for k, v := range fakeEnv(b, sl, pv) {
		if k != "HTTP_ADDR" && k != "ALLOWED_USERS" {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
	}
	cmd.Env = append(cmd.Env, "SLACK_COMMAND="+slacktest.DefaultCommand)
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	sl.WaitConnected(b, 1, 10*time.Second)
	return sl, cmd, "http://" + addr + "/metrics"
}

// mallocs is the number of heap objects the program has allocated so far,
// from the Go runtime's metrics that it serves. Both programs listen before
// they connect to Slack, so once connected the metrics can be read.
func mallocs(b *testing.B, p program, metricsAt string) int64 {
	if !p.goRuntime {
		return 0
	}
	resp, err := http.Get(metricsAt)
	if err != nil {
		b.Fatalf("no metrics at %s: %v", metricsAt, err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for line := range strings.Lines(string(raw)) {
		if v, ok := strings.CutPrefix(line, "go_memstats_mallocs_total "); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				b.Fatal(err)
			}
			return int64(f)
		}
	}
	b.Fatalf("%s has no go_memstats_mallocs_total", metricsAt)
	return 0
}

// BenchmarkSubmissionsVersusFloor runs the bot's binary and the floor
// (which acks a submission with the progress view and does nothing else) in
// interleaved rounds of b.N form submissions, 20 in flight, and prints the
// ack's p50 and p99, CPU per submission and resident memory of both. The bot
// also creates each client and hands its password over after the ack:
//
//	go test -run X -bench SubmissionsVersusFloor -benchtime 1000x
func BenchmarkSubmissionsVersusFloor(b *testing.B) {
	programs := benchPrograms(b)
	const rounds = 5
	got := map[string][]round{}
	for range rounds {
		for _, p := range programs {
			got[p.name] = append(got[p.name], submissionRound(b, p, b.N))
		}
	}
	if b.N < 100 { // the framework's one-submission probe
		return
	}
	fmt.Printf("\n%d submissions a round, 20 in flight, medians of %d interleaved rounds\n", b.N, rounds)
	compare(b, got, []row{
		{"ack p50 ms", func(r round) float64 { return r.ackP50 }},
		{"ack p99 ms", func(r round) float64 { return r.ackP99 }},
		{"CPU µs/submission", func(r round) float64 { return r.cpuPerCommand }},
		{"RSS MB after", func(r round) float64 { return r.rssMB }},
	})
	b.ReportMetric(median(got["bot"], func(r round) float64 { return r.ackP99 }), "bot-ack-p99-ms")
	b.ReportMetric(median(got["bot"], func(r round) float64 { return r.rssMB }), "bot-rss-MB")
}

// submissionRound starts bin against fresh fakes and sends n submissions,
// 20 in flight, each of a form opened by a slash command just before.
func submissionRound(b *testing.B, p program, n int) round {
	sl, cmd, _ := startProgram(b, p)
	defer func() { _ = cmd.Process.Signal(syscall.SIGTERM); _ = cmd.Wait() }()
	var mu sync.Mutex
	var acks []time.Duration
	var cpu0 time.Duration
	var wg sync.WaitGroup
	sem := make(chan struct{}, 20)
	for i := range n + 50 { // the first 50 warm up: connections, caches
		if i == 50 {
			wg.Wait()
			cpu0 = cpuTime(cmd.Process.Pid)
		}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			c := sl.SendCommand(b, "U0BENCH001", slacktest.DefaultCommand, "")
			sl.WaitAck(b, c.EnvelopeID, 10*time.Second)
			env := sl.SendSubmission(b, "U0BENCH001", sl.WaitView(b, c, 10*time.Second), slacktest.Fill{
				"client_email": fmt.Sprintf("bench%d@example.com", i), "client_first_name": "Nova", "client_last_name": "Smith",
				"client_business_name": "Nova Ltd", "workspaces": []string{"Zeta Labs"}, "permission": "Unibox only"})
			ack := sl.WaitAck(b, env, 10*time.Second)
			if i >= 50 {
				mu.Lock()
				acks = append(acks, ack.At.Sub(sl.SentAt(env)))
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	r := round{cpuPerCommand: float64(cpuTime(cmd.Process.Pid)-cpu0) / float64(time.Microsecond) / float64(n)}
	r.ackP50, r.ackP99 = percentile(acks, 50), percentile(acks, 99)
	r.rssMB = float64(residentKB(cmd.Process.Pid)) / 1024
	return r
}

// send sends n commands, inFlight at a time, and returns each one's ack and
// views.open latency, from the envelope's sending, and how many were refused.
func send(b *testing.B, sl *slacktest.Server, n, inFlight int) (acks, opens []time.Duration, refused int) {
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, inFlight)
	for range n {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			c := sl.SendCommand(b, "U0BENCH001", slacktest.DefaultCommand, "")
			ack := sl.WaitAck(b, c.EnvelopeID, 10*time.Second)
			sent := sl.SentAt(c.EnvelopeID)
			mu.Lock()
			defer mu.Unlock()
			acks = append(acks, ack.At.Sub(sent))
			if p := string(ack.Payload); p != "" && p != "{}" { // an answer instead of a form: refused
				refused++
				return
			}
			sl.WaitView(b, c, 10*time.Second)
			opens = append(opens, sl.ViewOpenedAt(c)-time.Duration(sent.UnixNano()))
		})
	}
	wg.Wait()
	return acks, opens, refused
}

// cpuTime is the user and system CPU a process has used (Linux /proc).
func cpuTime(pid int) time.Duration {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	fields := strings.Fields(string(raw[strings.LastIndexByte(string(raw), ')')+1:]))
	utime, _ := strconv.Atoi(fields[11])
	stime, _ := strconv.Atoi(fields[12])
	return time.Duration(utime+stime) * (time.Second / 100) // USER_HZ
}

func percentile(d []time.Duration, p int) float64 {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return float64(s[(len(s)-1)*p/100]) / float64(time.Millisecond)
}

func median(rs []round, f func(round) float64) float64 {
	v := make([]float64, len(rs))
	for i, r := range rs {
		v[i] = f(r)
	}
	slices.Sort(v)
	return v[len(v)/2]
}

// row is one line of a comparison: a name and what it reads off a round.
type row struct {
	name string
	f    func(round) float64
}

// report prints the commands' comparison and reports its ratios.
func report(b *testing.B, inFlight int, got map[string][]round) {
	rows := []row{
		{"ack p50 ms", func(r round) float64 { return r.ackP50 }},
		{"ack p99 ms", func(r round) float64 { return r.ackP99 }},
		{"views.open p50 ms", func(r round) float64 { return r.openP50 }},
		{"views.open p99 ms", func(r round) float64 { return r.openP99 }},
		{"CPU µs/command", func(r round) float64 { return r.cpuPerCommand }},
		{"allocs/command", func(r round) float64 { return r.allocsPerCommand }},
		{"refused", func(r round) float64 { return float64(r.refused) }},
		{"RSS MB after", func(r round) float64 { return r.rssMB }},
	}
	fmt.Printf("\n%d commands a round, %d in flight, medians of %d interleaved rounds\n", b.N, inFlight, len(got["bot"]))
	compare(b, got, rows)
	vsFloor := func(r row) float64 { return median(got["bot"], r.f) / median(got["floor"], r.f) }
	b.ReportMetric(vsFloor(rows[1]), "ack-p99-vs-floor")
	b.ReportMetric(vsFloor(rows[3]), "open-p99-vs-floor")
	b.ReportMetric(vsFloor(rows[5]), "allocs-vs-floor")
	b.ReportMetric(median(got["bot"], rows[6].f), "bot-refused")
	if _, ok := got["bolt"]; ok {
		b.ReportMetric(median(got["bot"], rows[1].f)/median(got["bolt"], rows[1].f), "ack-p99-vs-bolt")
	}
}

// compare prints the medians of the rounds side by side, with the ratios.
func compare(b *testing.B, got map[string][]round, rows []row) {
	names := []string{"floor", "bot"}
	for _, other := range []string{"bolt", "before"} {
		if _, ok := got[other]; ok {
			names = append(names, other)
		}
	}
	fmt.Printf("%-20s", "")
	for _, n := range names {
		fmt.Printf(" %10s", n)
	}
	for _, n := range names[2:] {
		fmt.Printf(" %8s", "bot/"+n)
	}
	fmt.Printf(" %9s\n", "bot/floor")
	for _, row := range rows {
		fmt.Printf("%-20s", row.name)
		for _, n := range names {
			fmt.Printf(" %10.2f", median(got[n], row.f))
		}
		for _, n := range append(names[2:], "floor") {
			fmt.Printf(" %8s", ratio(median(got["bot"], row.f), median(got[n], row.f)))
		}
		fmt.Println()
	}
}

func ratio(a, b float64) string {
	if b <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f", a/b)
}

// The floor the benchmarks compare with still builds against the bot's own
// packages (testdata is outside ./...).
func TestFloorBuilds(t *testing.T) {
	if _, err := os.Stat(buildFloor(t)); err != nil {
		t.Fatal(err)
	}
}
