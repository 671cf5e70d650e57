// Command floor is the least a Socket Mode bot built on slack-go can do for
// the slash command: ack it and open the same form with views.open; and for
// the form's submission: ack it with the progress view. The
// benchmark BenchmarkVersusFloor runs it beside the bot, against the same fake
// Slack, to show what the bot adds to that floor. It serves the Go runtime's
// metrics on HTTP_ADDR, as the bot does, so both are measured alike.
package main

import (
	"context"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/request"
)

func main() {
	api := slack.New(os.Getenv("SLACK_BOT_TOKEN"), slack.OptionAPIURL(os.Getenv("SLACK_API_URL")),
		slack.OptionAppLevelToken(os.Getenv("SLACK_APP_TOKEN")), slack.OptionHTTPClient(&http.Client{Timeout: 10 * time.Second}))
	sm := socketmode.New(api)
	workspaces := []plusvibe.Workspace{{ID: "65f99a0dd96fae8ab61130c0", Name: "Acme Outreach"},
		{ID: "65f99a0dd96fae8ab61130c1", Name: "Nova Consulting"}, {ID: "65f99a0dd96fae8ab61130c2", Name: "Zeta Labs"}}
	if addr := os.Getenv("HTTP_ADDR"); addr != "" {
		l, err := net.Listen("tcp", addr) // before connecting, as the bot does
		if err != nil {
			panic(err)
		}
		go func() { _ = http.Serve(l, promhttp.Handler()) }()
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	h := socketmode.NewSocketmodeHandler(sm)
	h.HandleSlashCommand(os.Getenv("SLACK_COMMAND"), func(evt *socketmode.Event, c *socketmode.Client) {
		cmd, _ := evt.Data.(slack.SlashCommand)
		c.Ack(*evt.Request)
		view := modals.NewForm(request.Form{}, workspaces, modals.Metadata{ChannelID: cmd.ChannelID}, "", "")
		_, _ = api.OpenViewContext(ctx, cmd.TriggerID, view)
	})
	// A submission: acked with the progress view, as the bot acks it
	// before it calls PlusVibe; nothing is created.
	h.HandleViewSubmission(modals.CallbackCreate, func(evt *socketmode.Event, c *socketmode.Client) {
		cb, _ := evt.Data.(slack.InteractionCallback)
		progress := modals.Progress(modals.ParseForm(cb.View.State), modals.DecodeMetadata(cb.View.PrivateMetadata))
		c.Ack(*evt.Request, slack.NewUpdateViewSubmissionResponse(&progress))
	})
	h.HandleDefault(func(evt *socketmode.Event, c *socketmode.Client) {
		if evt.Request != nil && evt.Request.EnvelopeID != "" {
			c.Ack(*evt.Request)
		}
	})
	_ = h.RunEventLoopContext(ctx)
}
