package bot

import (
	"context"
	"encoding/json"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/bot/store"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/internal/seal"
)

// stepRun is a Workflow Builder run waiting for its request to end, as the
// store keeps it: shared by replicas, and with Redis kept across restarts.
// Its token is the run's own (a run completes only with it), sealed so that
// the store never holds it in the clear.
type stepRun struct {
	ExecutionID string `json:"x"`
	Sealed      string `json:"k"`
	// Channel and TS are the request's record, once posted.
	Channel string `json:"c,omitempty"`
	TS      string `json:"t,omitempty"`
	// Direct: the record is the requester's DM, which only sweepSteps reads.
	Direct bool `json:"d,omitempty"`
	// At is when the run arrived, in Unix seconds.
	At int64 `json:"a,omitempty"`
}

// stepRunsList is the store's list of runs not completed yet; the sweep
// reads it back.
const stepRunsList = "step-runs"

// maxStepRuns bounds the runs waiting at once; the oldest go first.
const maxStepRuns = 10000

func (r stepRun) ref() requestRef { return requestRef{r.Channel, r.TS} }

// keepStepRun notes run, with token sealed, in the store.
func (b *Bot) keepStepRun(ctx context.Context, run stepRun, token string) error {
	sealed, err := seal.Seal(seal.Key(b.cfg.SlackToken), token)
	if err != nil {
		return err
	}
	run.Sealed = sealed
	v, _ := json.Marshal(run)
	ctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	// Kept while its request may still end: two TTLs (decide, collect).
	return b.cfg.Store.Note(ctx, stepRunsList, store.Entry{ID: run.ExecutionID, Value: string(v), Max: maxStepRuns,
		Keep: 2*b.cfg.ApprovalTTL + claimTTL})
}

// stepRuns lists the runs not completed yet.
func (b *Bot) stepRuns(ctx context.Context) ([]stepRun, error) {
	ctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	values, err := b.cfg.Store.List(ctx, stepRunsList)
	if err != nil {
		return nil, err
	}
	runs := make([]stepRun, 0, len(values))
	for _, v := range values {
		var run stepRun
		if json.Unmarshal([]byte(v), &run) == nil && run.ExecutionID != "" {
			runs = append(runs, run)
		}
	}
	return runs, nil
}

// stepToken is the token of run executionID; found is false when the store
// has no such run (kept in memory by a process since restarted), or its
// token cannot be opened (sealed under another bot token).
func (b *Bot) stepToken(ctx context.Context, executionID string) (token string, found bool, err error) {
	runs, err := b.stepRuns(ctx)
	if err != nil {
		return "", false, err
	}
	for _, run := range runs {
		if run.ExecutionID == executionID {
			token, err := seal.Open(seal.Key(b.cfg.SlackToken), run.Sealed)
			return token, err == nil, err
		}
	}
	return "", false, nil
}

// forgetStepRun drops a completed run, and its token, from the store.
func (b *Bot) forgetStepRun(ctx context.Context, executionID string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeTimeout)
	defer cancel()
	if err := b.cfg.Store.Forget(ctx, stepRunsList, executionID); err != nil {
		b.log.Warn().Err(err).Str("function_execution_id", executionID).Msg("a completed workflow run could not be dropped from the store")
	}
}
