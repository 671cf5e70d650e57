package slackapi

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/slack-go/slack"
)

// LeanViews calls views.open and views.update and reads back only whether
// they worked and the view's id. Slack echoes the whole view in its answer,
// and decoding that into slack-go's ViewResponse was the largest single cost
// of answering a command. Its errors are slack-go's own types, so Calls
// retries them, and callers read them, as those of any other call.
type LeanViews struct {
	http  *http.Client
	url   string // the Web API's base URL, ending in "/"
	token string
}

// NewLeanViews calls the Web API at url (ending in "/") with the bot token.
func NewLeanViews(hc *http.Client, url, token string) *LeanViews {
	return &LeanViews{http: hc, url: url, token: token}
}

type openViewBody struct {
	TriggerID string                 `json:"trigger_id"`
	View      slack.ModalViewRequest `json:"view"`
}

type updateViewBody struct {
	View   slack.ModalViewRequest `json:"view"`
	Hash   string                 `json:"hash,omitempty"`
	ViewID string                 `json:"view_id"`
}

// viewAnswer is the part of a views.* answer the bot uses.
type viewAnswer struct {
	slack.SlackResponse
	View struct {
		ID string `json:"id"`
	} `json:"view"`
}

func (v *LeanViews) open(ctx context.Context, triggerID string, view slack.ModalViewRequest) (*slack.ViewResponse, error) {
	if triggerID == "" {
		return nil, slack.ErrParametersMissing
	}
	return v.call(ctx, "views.open", openViewBody{TriggerID: triggerID, View: view})
}

func (v *LeanViews) update(ctx context.Context, view slack.ModalViewRequest, hash, viewID string) (*slack.ViewResponse, error) {
	if viewID == "" {
		return nil, slack.ErrParametersMissing
	}
	return v.call(ctx, "views.update", updateViewBody{View: view, Hash: hash, ViewID: viewID})
}

func (v *LeanViews) call(ctx context.Context, method string, body any) (*slack.ViewResponse, error) {
	encoded, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, v.url+method, bytes.NewReader(encoded))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("Authorization", "Bearer "+v.token)
	resp, err := v.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer func() {
		_, _ = io.Copy(io.Discard, resp.Body) // so the connection is reused
		_ = resp.Body.Close()
	}()
	// As slack-go reads them: a 429 with Retry-After is a rate limit, any
	// other status but 200 carries an HTML page, not JSON.
	if secs, err := strconv.Atoi(resp.Header.Get("Retry-After")); resp.StatusCode == http.StatusTooManyRequests && err == nil {
		return nil, &slack.RateLimitedError{RetryAfter: time.Duration(secs) * time.Second}
	}
	if resp.StatusCode != http.StatusOK {
		return nil, slack.StatusCodeError{Code: resp.StatusCode, Status: resp.Status}
	}
	var answer viewAnswer
	if err := json.NewDecoder(resp.Body).Decode(&answer); err != nil {
		return nil, err
	}
	if err := answer.Err(); err != nil {
		return nil, err
	}
	return &slack.ViewResponse{SlackResponse: answer.SlackResponse, View: slack.View{ID: answer.View.ID}}, nil
}
