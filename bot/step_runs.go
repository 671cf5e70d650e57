package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/bot/store"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/internal/seal"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/request"
)

// stepRun is a Workflow Builder run waiting for its request to end, as the
// store keeps it: shared by replicas, and with Redis kept across restarts.
type stepRun struct {
	ExecutionID string `json:"x"`
	// Channel and TS are the request's record, once posted.
	Channel string `json:"c,omitempty"`
	TS      string `json:"t,omitempty"`
	// Direct: the record is the requester's DM, which only sweepSteps reads.
	Direct bool `json:"d,omitempty"`
	// At is when the run arrived, in Unix seconds.
	At int64 `json:"a,omitempty"`
	// Why is set once the run was refused and its completion failed: the
	// sweep completes it with this error, try Tries+1 no sooner than Next
	// (Unix seconds).
	Why   string `json:"w,omitempty"`
	Tries int    `json:"n,omitempty"`
	Next  int64  `json:"nt,omitempty"`
}

// stepToken is a run's newest token, sealed so that the store never holds
// it in the clear. It is kept apart from where the run lives, so that a
// click bringing a new token and the run's arrival never undo each other.
type stepToken struct {
	ExecutionID string `json:"x"`
	Sealed      string `json:"k"`
}

// The store's lists: runs not completed yet (the sweep reads them back),
// and their tokens.
const (
	stepRunsList   = "step-runs"
	stepTokensList = "step-tokens"
)

// maxStepRuns bounds the runs waiting at once; the oldest go first.
const maxStepRuns = 10000

func (r stepRun) ref() requestRef { return requestRef{r.Channel, r.TS} }

// noteStep puts id's value in list, kept while its request may still end: two
// TTLs (decide, collect).
func (b *Bot) noteStep(ctx context.Context, list, id string, value any) error {
	v, _ := json.Marshal(value)
	ctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	return b.cfg.Store.Note(ctx, list, store.Entry{ID: id, Value: string(v), Max: maxStepRuns,
		Keep: 2*b.cfg.ApprovalTTL + claimTTL})
}

// keepStepRun notes where run lives.
func (b *Bot) keepStepRun(ctx context.Context, run stepRun) error {
	return b.noteStep(ctx, stepRunsList, run.ExecutionID, run)
}

// keepStepToken notes token as run executionID's newest.
func (b *Bot) keepStepToken(ctx context.Context, executionID, token string) error {
	sealed, err := seal.Seal(seal.Key(b.cfg.SlackToken), token)
	if err != nil {
		return err
	}
	return b.noteStep(ctx, stepTokensList, executionID, stepToken{ExecutionID: executionID, Sealed: sealed})
}

// listed reads list's values as Ts.
func listed[T any](ctx context.Context, st store.Store, list string) ([]T, error) {
	ctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	values, err := st.List(ctx, list)
	if err != nil {
		return nil, err
	}
	out := make([]T, 0, len(values))
	for _, v := range values {
		var item T
		if json.Unmarshal([]byte(v), &item) == nil {
			out = append(out, item)
		}
	}
	return out, nil
}

// stepRuns lists the runs not completed yet.
func (b *Bot) stepRuns(ctx context.Context) ([]stepRun, error) {
	return listed[stepRun](ctx, b.cfg.Store, stepRunsList)
}

// stepToken is the newest token of run executionID; found is false when
// the store has none (kept in memory by a process since restarted), or it
// cannot be opened (sealed under another bot token).
func (b *Bot) stepToken(ctx context.Context, executionID string) (token string, found bool, err error) {
	tokens, err := listed[stepToken](ctx, b.cfg.Store, stepTokensList)
	if err != nil {
		return "", false, err
	}
	i := slices.IndexFunc(tokens, func(t stepToken) bool { return t.ExecutionID == executionID })
	if i < 0 {
		return "", false, nil
	}
	token, err = seal.Open(seal.Key(b.cfg.SlackToken), tokens[i].Sealed)
	return token, err == nil, err
}

// runToken is the token of the run that asked for r, if one did and the
// store has it.
func (b *Bot) runToken(ctx context.Context, r request.Record) (string, bool, error) {
	if r.Step == nil {
		return "", false, nil
	}
	return b.stepToken(ctx, r.Step.ExecutionID)
}

// forgetStepRun drops a completed run, and its token, from the store.
func (b *Bot) forgetStepRun(ctx context.Context, executionID string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeTimeout)
	defer cancel()
	for _, list := range []string{stepTokensList, stepRunsList} {
		if err := b.cfg.Store.Forget(ctx, list, executionID); err != nil {
			b.log.Warn().Err(err).Str("function_execution_id", executionID).Msg("a completed workflow run could not be dropped from the store")
		}
	}
}

// clickedRun is what a click on a message a run posted carries, which
// slack-go's InteractionCallback does not read.
type clickedRun struct {
	FunctionData struct {
		ExecutionID string `json:"execution_id"`
	} `json:"function_data"`
	Token string `json:"bot_access_token"`
}

// renewFromClick keeps the fresh token a click on a run's message brings:
// a run's tokens expire, and its clicks bring new ones.
func (b *Bot) renewFromClick(evt *socketmode.Event) {
	if evt.Request == nil || !bytes.Contains(evt.Request.Payload, []byte(`"function_data"`)) {
		return
	}
	var c clickedRun
	if json.Unmarshal(evt.Request.Payload, &c) != nil || c.FunctionData.ExecutionID == "" || c.Token == "" {
		return
	}
	runs, err := b.stepRuns(b.work)
	if err == nil && !slices.ContainsFunc(runs, func(r stepRun) bool { return r.ExecutionID == c.FunctionData.ExecutionID }) {
		return // completed already
	}
	if err == nil {
		err = b.keepStepToken(b.work, c.FunctionData.ExecutionID, c.Token)
	}
	if err != nil {
		b.log.Warn().Err(err).Msg("a workflow run's new token could not be kept")
	}
}

// postStepDM posts in user's DM with the app with a run's token, so that
// their clicks on it carry a fresh one.
func (b *Bot) postStepDM(ctx context.Context, token, user string, opts ...slack.MsgOption) (dm, ts string, err error) {
	ch, _, _, err := b.slack.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{user}})
	if err == nil {
		dm = ch.ID
		ts, err = b.runs.Post(ctx, token, dm, opts...)
	}
	if err != nil {
		b.log.Warn().Err(err).Str("user", user).Msg("could not write to a DM for a workflow run")
	}
	return dm, ts, err
}
