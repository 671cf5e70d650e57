package bot

import (
	"context"
	"encoding/json"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"
	"github.com/slack-go/slack"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/bot/store"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"
)

// claimTTL is how long a finished submission is remembered; Slack redelivers
// within seconds, so a day is generous.
const claimTTL = 24 * time.Hour

// storeTimeout bounds one store operation, well inside Slack's 3 s.
const storeTimeout = time.Second

// onceOnly makes each step (a submission, a decision, a creation) happen once
// across every replica sharing the store. keys are namespaced by the step.
type onceOnly struct {
	store store.Store
	log   zerolog.Logger
	// hold is how long a step may run before its key is free again (its
	// replica died); keep is how long a finished step is remembered.
	hold, keep time.Duration
	// healthy is false after a store operation failed, until one succeeds.
	healthy *healthFlag
}

// claim takes key. first: the caller acts. told: what the holder finished
// with, nil while it runs. err: the store could not be reached, and nothing
// may be done.
func (o *onceOnly) claim(ctx context.Context, key string) (first bool, told *string, err error) {
	ctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	c, err := o.store.Take(ctx, key, o.hold)
	if o.healthy.note(err) != nil {
		o.log.Error().Err(err).Msg("the store could not be reached; refusing the work")
		return false, nil, err
	}
	if c.Done {
		return false, &c.Final, nil
	}
	return c.First, nil, nil
}

// finish records what key's step ended with, for late duplicates.
func (o *onceOnly) finish(ctx context.Context, key, final string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeTimeout)
	defer cancel()
	if err := o.healthy.note(o.store.Finish(ctx, key, final, o.keep)); err != nil {
		o.log.Error().Err(err).Msg("the store could not record an outcome; a late duplicate is refused until the claim runs out")
	}
}

// release frees key after a failure that changed nothing.
func (o *onceOnly) release(ctx context.Context, key string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeTimeout)
	defer cancel()
	if err := o.healthy.note(o.store.Release(ctx, key)); err != nil {
		o.log.Error().Err(err).Msg("the store could not release a claim; it frees itself when its hold runs out")
	}
}

// shown is what a late duplicate of a submission is answered with: that the
// client was created, or created without a usable password; or, with
// neither, a note pushed on top of a modal that may hold the password, so
// that it is neither replaced nor repeated. It keeps what the view needs,
// not the view, as it is kept for a day.
type shown struct {
	Created    string `json:"created,omitempty"`    // the client's email
	Incomplete string `json:"incomplete,omitempty"` // the client's email
	Reason     string `json:"reason,omitempty"`
	// Title and Text are an edit's or a removal's outcome, as its modal says it.
	Title string `json:"title,omitempty"`
	Text  string `json:"text,omitempty"`
	// View is what earlier versions kept: read during a rolling update.
	View *slack.ModalViewRequest `json:"view,omitempty"`
}

// claimView takes a submitted view; s is what a late duplicate is shown
// (nil while the first runs).
func (o *onceOnly) claimView(ctx context.Context, viewID string) (first bool, s *shown, err error) {
	first, told, err := o.claim(ctx, "view:"+viewID)
	if told != nil {
		s = &shown{}
		_ = json.Unmarshal([]byte(*told), s) // only ever written by finishView
	}
	return first, s, err
}

func (o *onceOnly) finishView(ctx context.Context, viewID string, s shown) {
	b, _ := json.Marshal(s) // views hold plain text: cannot fail
	o.finish(ctx, "view:"+viewID, string(b))
}

func (o *onceOnly) releaseView(ctx context.Context, viewID string) { o.release(ctx, "view:"+viewID) }

// claimSubmission takes a submitted view, as claimView does, for a flow
// whose outcome its modal shows as text (an edit, a removal). ack is what
// the submission is answered with: progress while it is first, else what
// the first did or is doing; "" key means the store could not be reached.
func (o *onceOnly) claimSubmission(ctx context.Context, viewID string, progress slack.ModalViewRequest) (first bool, ack *slack.ViewSubmissionResponse, err error) {
	first, s, err := o.claimView(ctx, viewID)
	if err != nil || first {
		return first, slack.NewUpdateViewSubmissionResponse(&progress), err
	}
	return false, s.answer(progress), nil
}

// finishSubmission records an edit's or a removal's outcome for late duplicates.
func (o *onceOnly) finishSubmission(ctx context.Context, viewID, title, text string) {
	o.finishView(ctx, viewID, shown{Title: title, Text: text})
}

// answer is the ack for a duplicate; s is nil while the first is running.
func (s *shown) answer(progress slack.ModalViewRequest) *slack.ViewSubmissionResponse {
	switch {
	case s == nil:
		return slack.NewUpdateViewSubmissionResponse(&progress)
	case s.Created != "":
		view := modals.Success(s.Created)
		return slack.NewUpdateViewSubmissionResponse(&view)
	case s.Incomplete != "":
		view := modals.FailureFinal(s.Incomplete, s.Reason)
		return slack.NewUpdateViewSubmissionResponse(&view)
	case s.Text != "":
		view := modals.ClientResult(s.Title, s.Text)
		return slack.NewUpdateViewSubmissionResponse(&view)
	case s.View != nil:
		return slack.NewUpdateViewSubmissionResponse(s.View)
	}
	note := modals.AlreadyHandled()
	return slack.NewPushViewSubmissionResponse(&note)
}

// healthFlag remembers whether the store answered last time.
type healthFlag struct{ down atomic.Bool }

// note records err's outcome and returns it.
func (h *healthFlag) note(err error) error {
	h.down.Store(err != nil)
	return err
}
