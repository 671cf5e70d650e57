package bot

import (
	"fmt"
	"net/http"
	"path"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are the bot's Prometheus metrics, in a registry of their own so that
// several bots (tests) can live in one process. Every label value is a fixed
// word chosen by the code, never text a person typed.
type Metrics struct {
	reg         *prometheus.Registry
	commands    prometheus.Counter
	modals      *prometheus.CounterVec
	submissions *prometheus.CounterVec
	approvals   *prometheus.CounterVec
	plusvibe    *prometheus.HistogramVec
	connected   prometheus.Gauge
	reconnects  prometheus.Counter
	// slackRetries counts Web API calls retried, by why.
	slackRetries  *prometheus.CounterVec
	clientChanges *prometheus.CounterVec
	// reminders counts reminders by whom they went to; waits times how
	// long people waited, for a decision and then for the requester.
	reminders *prometheus.CounterVec
	waits     *prometheus.HistogramVec
	// steps counts Workflow Builder runs by what became of them.
	steps *prometheus.CounterVec
	// ends counts access ends, reviews their posts and decisions.
	ends, reviews *prometheus.CounterVec
}

// NewMetrics registers the bot's metrics and the Go runtime's.
func NewMetrics() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		commands: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "plusvibe_bot_commands_total", Help: "Slash commands received."}),
		modals: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "plusvibe_bot_modals_opened_total", Help: "Create-client forms opened, by where from: command, shortcut, message_shortcut, home."}, []string{"from"}),
		submissions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "plusvibe_bot_submissions_total", Help: "Form submissions, by outcome."}, []string{"outcome"}),
		approvals: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "plusvibe_bot_approvals_total", Help: "Approval requests by what became of them: approved, denied, collected (created by the requester), expired_undecided, expired_uncollected, withdrawn (by the requester), and refused clicks."}, []string{"decision"}),
		plusvibe: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "plusvibe_bot_plusvibe_request_duration_seconds",
			Help:    "PlusVibe API requests (each attempt), by endpoint and status class.",
			Buckets: []float64{.05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"endpoint", "status_class"}),
		connected: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "plusvibe_bot_socket_connected", Help: "1 while the Socket Mode connection is up."}),
		reconnects: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "plusvibe_bot_socket_reconnects_total", Help: "Socket Mode connections opened after the first."}),
		clientChanges: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "plusvibe_bot_client_changes_total", Help: "Changes to existing clients, by outcome: access_changed, access_requested (waits for approval), removed, stale (changed meanwhile: refused), failed."}, []string{"outcome"}),
		slackRetries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "plusvibe_bot_slack_retries_total", Help: "Slack Web API calls retried: rate_limited, server_error, timeout."}, []string{"reason"}),
	}
	m.reminders = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "plusvibe_bot_reminders_total", Help: "Reminders sent: approvers (in the request's thread), escalation (the same, once half of APPROVAL_TTL passed), requester (an approval not used yet)."}, []string{"kind"})
	m.waits = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "plusvibe_bot_wait_seconds",
		Help:    "How long people waited: decision (request to approval or denial), collection (approval to the client created).",
		Buckets: []float64{60, 300, 900, 3600, 4 * 3600, 12 * 3600, 24 * 3600, 72 * 3600},
	}, []string{"wait"})
	m.steps = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "plusvibe_bot_workflow_steps_total", Help: "Workflow Builder runs of Create PlusVibe client, by outcome. Arrivals: requested (posted for approval), granted (sent to the requester at once), invalid, refused (requester not allowed), already_a_client, approval_post_failed, dm_failed, store_unreachable, duplicate (redelivered), interrupted (the arrival never finished), refused_last_delivery (not taken by Slack's last delivery). Endings: completed_success, completed_error, not_running (Slack had ended the run), completion_refused (Slack will never take it), completion_failed (made again by the sweep)."}, []string{"outcome"})
	m.ends = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "plusvibe_bot_access_ends_total", Help: "Access ends: scheduled, extended, extension_requested (waits for approval), noticed (the requester told), applied (removed or reduced), gone (the client was removed meanwhile), changed (its access changed meanwhile: left alone), failed (tried again later)."}, []string{"outcome"})
	m.reviews = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "plusvibe_bot_access_reviews_total", Help: "Access reviews: posted, and decisions: keep, reduce, remove."}, []string{"outcome"})
	m.reg.MustRegister(m.reminders, m.waits, m.steps, m.ends, m.reviews)
	m.reg.MustRegister(m.commands, m.modals, m.submissions, m.approvals, m.plusvibe, m.connected, m.reconnects, m.slackRetries, m.clientChanges,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	for _, from := range formFrom { // each series exports 0 from the start
		m.modals.WithLabelValues(from)
	}
	return m
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// observe counts one finished request by its interaction and outcome.
func (m *Metrics) observe(interaction, outcome string) {
	switch interaction {
	case "command":
		m.commands.Inc()
	case "submit":
		m.submissions.WithLabelValues(outcome).Inc()
	case "workflow_step":
		m.steps.WithLabelValues(outcome).Inc()
	}
	if from, opens := formFrom[interaction]; opens && outcome == "opened" {
		m.modals.WithLabelValues(from).Inc()
	}
}

// formFrom names, by interaction, where a create-client form is opened from.
var formFrom = map[string]string{"command": "command", "shortcut": "shortcut", "message_shortcut": "message_shortcut", "home_create": "home"}

// PlusVibeTransport wraps next (nil: http.DefaultTransport) so that every
// PlusVibe request is timed.
func (m *Metrics) PlusVibeTransport(next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	return roundTripper(func(r *http.Request) (*http.Response, error) {
		start := time.Now()
		resp, err := next.RoundTrip(r)
		class := "error"
		if err == nil {
			class = fmt.Sprintf("%dxx", resp.StatusCode/100)
		}
		m.plusvibe.WithLabelValues(endpointLabel(r), class).Observe(time.Since(start).Seconds())
		return resp, err
	})
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// endpointLabel names the PlusVibe operation; unknown paths share one label,
// so a path can never grow the label set.
func endpointLabel(r *http.Request) string {
	switch p := path.Base(r.URL.Path); p {
	case "client", "authenticate":
		return r.Method + " /" + p
	}
	return "other"
}
