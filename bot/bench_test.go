package bot_test

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/bot"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/internal/slacktest"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"
)

// BenchmarkCommandToModal drives the hot path through the fake Slack with 20
// commands in flight: slash command → ack → views.open. It reports the p50 and
// p99 of the ack and of views.open, measured from when the envelope was sent,
// and the heap in use afterwards (bot and fakes share the process).
func BenchmarkCommandToModal(b *testing.B) {
	w := start(b, setup{})
	acks := inFlight(b, 20, func(int) time.Duration {
		cmd := w.slack.SendCommand(b, requester, slacktest.DefaultCommand, "")
		ack := w.slack.WaitAck(b, cmd.EnvelopeID, wait)
		w.slack.WaitView(b, cmd, wait)
		return ack.At.Sub(w.slack.SentAt(cmd.EnvelopeID))
	})
	opens := openLatencies(w)
	b.ReportMetric(pct(acks, 50), "ack-p50-ms")
	b.ReportMetric(pct(acks, 99), "ack-p99-ms")
	b.ReportMetric(pct(opens, 50), "open-p50-ms")
	b.ReportMetric(pct(opens, 99), "open-p99-ms")
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	b.ReportMetric(float64(m.HeapInuse)/(1<<20), "heap-inuse-MB")
	b.ReportMetric(float64(m.Sys)/(1<<20), "sys-MB")
}

// openLatencies pairs each views.open with the command whose trigger it used.
func openLatencies(w *world) []time.Duration {
	var out []time.Duration
	for _, c := range w.slack.Calls("views.open") {
		if at := w.slack.TriggerIssuedAt(c.Params["trigger_id"]); !at.IsZero() {
			out = append(out, c.At.Sub(at))
		}
	}
	return out
}

func pct(d []time.Duration, p int) float64 {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	i := (len(s)*p + 99) / 100
	if i > 0 {
		i--
	}
	return float64(s[i]) / float64(time.Millisecond)
}

// BenchmarkCollectToCreated measures an approved request's creation end to
// end, one request at a time: the requester's Create client click → the
// request message saying the client was created (record confirmed from
// Slack, "creating…" written, modal opened, PlusVibe asked, password
// delivered, DM and request updated). It reports the p50 and p99 of that span.
func BenchmarkCollectToCreated(b *testing.B) {
	w := start(b, approvalSetup())
	var spans []time.Duration
	for i := range b.N {
		fill := fullAccessFill()
		fill[modals.BlockEmail] = fmt.Sprintf("client%d@example.com", i)
		_, ts := w.request(fill)
		w.slack.ClickMessage(b, approver, approvals, ts, modals.ActionApprove)
		w.waitMessage(ts, "Waiting for <@"+requester+"> to create the client")
		var dm slacktest.Message
		w.slack.WaitUntil(b, wait, "the grant DM", func() bool {
			msgs := w.slack.Messages("D" + requester)
			if len(msgs) == i+1 {
				dm = msgs[i]
			}
			return len(msgs) == i+1
		})
		click := w.slack.ClickMessage(b, requester, dm.Channel, dm.TS, modals.ActionCollect)
		w.waitMessage(ts, "Created by")
		var done time.Time
		for _, c := range w.slack.Calls("chat.update") {
			if c.Params["ts"] == ts && strings.Contains(c.Params["blocks"], "Created by") {
				done = c.At
			}
		}
		spans = append(spans, done.Sub(w.slack.SentAt(click.EnvelopeID)))
	}
	b.ReportMetric(pct(spans, 50), "click-to-created-p50-ms")
	b.ReportMetric(pct(spans, 99), "click-to-created-p99-ms")
}

// BenchmarkSubmitAck measures the view_submission ack with 20 submissions in
// flight: with the in-memory store, with Redis (a real redis-server on
// loopback: the claim is a round trip before the ack), and on the approval
// path (the request is posted after the ack). It reports the p50 and p99 of
// envelope sent → ack read and, where a client is created, of envelope sent
// → the password's ephemeral message.
func BenchmarkSubmitAck(b *testing.B) {
	for _, kind := range []string{"memory", "redis", "approval"} {
		b.Run(kind, func(b *testing.B) {
			// Creations go on after their ack: room for them and the next 20.
			s := setup{cfg: bot.Config{MaxInFlight: 200}}
			switch kind {
			case "redis":
				s.store, _ = redisStore(b)
			case "approval":
				s = approvalSetup()
				s.cfg.MaxInFlight = 200
			}
			w := start(b, s)
			var mu sync.Mutex
			sent := map[string]time.Time{}
			acks := inFlight(b, 20, func(i int) time.Duration {
				viewID := w.openForm(requester, "")
				fill := goodFill()
				fill[modals.BlockEmail] = fmt.Sprintf("bench%d@example.com", i)
				env := w.slack.SendSubmission(b, requester, viewID, fill)
				mu.Lock()
				sent[fill[modals.BlockEmail].(string)] = w.slack.SentAt(env)
				mu.Unlock()
				return w.slack.WaitAck(b, env, wait).At.Sub(w.slack.SentAt(env))
			})
			b.ReportMetric(pct(acks, 50), "ack-p50-ms")
			b.ReportMetric(pct(acks, 99), "ack-p99-ms")
			if kind != "approval" {
				spans := passwordSpans(w, sent)
				b.ReportMetric(pct(spans, 50), "submit-to-password-p50-ms")
				b.ReportMetric(pct(spans, 99), "submit-to-password-p99-ms")
			}
		})
	}
}

// passwordSpans waits for every client's password and pairs each ephemeral
// with its submission by the client's email.
func passwordSpans(w *world, sent map[string]time.Time) []time.Duration {
	w.slack.WaitUntil(w.t, 30*time.Second, "every password delivered", func() bool {
		return len(w.slack.Calls("chat.postEphemeral")) >= len(sent)
	})
	var spans []time.Duration
	for _, c := range w.slack.Calls("chat.postEphemeral") {
		for email, at := range sent {
			if strings.Contains(c.Params["text"], email+"*") {
				spans = append(spans, c.At.Sub(at))
			}
		}
	}
	return spans
}

// inFlight runs op b.N times, n at a time, and returns what each measured.
func inFlight(b *testing.B, n int, op func(i int) time.Duration) []time.Duration {
	var (
		mu    sync.Mutex
		spans []time.Duration
		wg    sync.WaitGroup
	)
	sem := make(chan struct{}, n)
	b.ResetTimer()
	for i := range b.N {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			d := op(i)
			mu.Lock()
			spans = append(spans, d)
			mu.Unlock()
		})
	}
	wg.Wait()
	b.StopTimer()
	return spans
}
