// A Bolt for JavaScript app that does what testdata/floor does, for the
// benchmarks to compare with: ack the slash command and open the form with
// views.open; ack the form's submission with the progress view. The views'
// JSON comes from the benchmark (FORM_JSON, PROGRESS_JSON), rendered by the
// bot's own modals package.
const fs = require('fs');
const { App, LogLevel } = require('@slack/bolt');

const form = JSON.parse(fs.readFileSync(process.env.FORM_JSON));
const progress = JSON.parse(fs.readFileSync(process.env.PROGRESS_JSON));
const clientOptions = { slackApiUrl: process.env.SLACK_API_URL };
const app = new App({
  token: process.env.SLACK_BOT_TOKEN,
  appToken: process.env.SLACK_APP_TOKEN,
  socketMode: true,
  logLevel: LogLevel.ERROR,
  clientOptions,
  installerOptions: { clientOptions },
});

app.command(process.env.SLACK_COMMAND, async ({ ack, body, client }) => {
  await ack();
  const view = { ...form, private_metadata: JSON.stringify({ channel_id: body.channel_id }) };
  await client.views.open({ trigger_id: body.trigger_id, view });
});

app.view(process.env.CALLBACK_CREATE, async ({ ack }) => {
  await ack({ response_action: 'update', view: progress });
});

process.on('SIGTERM', () => process.exit(0));
app.start();
