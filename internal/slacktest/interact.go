package slacktest

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// DefaultCommand is the slash command Command sends.
const DefaultCommand = "/plusvibe-client"

// CommandChannel is the channel commands are typed in.
const CommandChannel = "C0SUPPORT"

type trigger struct {
	issued   time.Time
	used     bool
	opened   chan string   // receives the id of the view opened with it
	openedAt time.Duration // when, since the Unix epoch
}

func (s *Server) newTrigger() (string, *trigger) {
	id := s.nextID("trigger-")
	tr := &trigger{issued: time.Now(), opened: make(chan string, 1)}
	s.mu.Lock()
	s.triggers[id] = tr
	s.mu.Unlock()
	return id, tr
}

// TriggerIssuedAt is when a trigger_id was handed out (with its envelope).
func (s *Server) TriggerIssuedAt(id string) time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	if tr, found := s.triggers[id]; found {
		return tr.issued
	}
	return time.Time{}
}

// Command is a slash command the fake sent.
type Command struct {
	EnvelopeID string
	TriggerID  string
	trigger    *trigger
}

// SendCommand types command text as user and returns at once.
func (s *Server) SendCommand(t T, user, command, text string) Command {
	t.Helper()
	triggerID, tr := s.newTrigger()
	env := s.send(t, "slash_commands", map[string]any{
		"token":                 "deprecated-verification-token",
		"team_id":               TeamID,
		"team_domain":           "fake",
		"channel_id":            CommandChannel,
		"channel_name":          "support",
		"user_id":               user,
		"user_name":             strings.ToLower(user),
		"command":               command,
		"text":                  text,
		"api_app_id":            "A0FAKE",
		"is_enterprise_install": "false",
		"response_url":          s.srv.URL + "/response/" + s.nextID("R"),
		"trigger_id":            triggerID,
	}, "")
	return Command{EnvelopeID: env, TriggerID: triggerID, trigger: tr}
}

// WaitView waits for the view opened with the command's trigger and returns its id.
func (s *Server) WaitView(t T, c Command, timeout time.Duration) string {
	t.Helper()
	select {
	case id := <-c.trigger.opened:
		c.trigger.opened <- id // keep it for later callers
		return id
	case <-time.After(timeout):
		t.Fatalf("slacktest: no view opened for %s within %s", c.TriggerID, timeout)
		return ""
	}
}

// ViewOpenedAt is when the view opened with the command's trigger was
// stored, as an offset from the Unix epoch; 0 if none was.
func (s *Server) ViewOpenedAt(c Command) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return c.trigger.openedAt
}

// Raw is a forged state value for one input, bypassing what the Slack client
// would allow a person to enter (stale forms, crafted payloads).
type Raw map[string]any

// Fill says what a person enters, by input block_id: a string for text and
// email inputs and for radio buttons (the option's label), []string for a
// multi-select (option labels), or Raw. Inputs not named keep their initial value.
type Fill map[string]any

// ViewResponse is the app's answer to a view submission, as applied by Slack.
type ViewResponse struct {
	EnvelopeID string
	Action     string            // "", "update", "errors", "push", "clear"
	Errors     map[string]string // for "errors"
	Ack        Ack
}

// SendSubmission submits the view as user with the given input, and returns
// the envelope id without waiting for the ack.
func (s *Server) SendSubmission(t T, user, viewID string, fill Fill) string {
	t.Helper()
	return s.SendSubmissionSeen(t, user, s.View(t, viewID), fill)
}

// SendSubmissionSeen submits view as a person's Slack client still shows it
// (a double click lands after the app has answered the first one).
func (s *Server) SendSubmissionSeen(t T, user string, view map[string]any, fill Fill) string {
	t.Helper()
	viewID, _ := view["id"].(string)
	values, err := stateFor(view, fill, s.suggester(t, user, view))
	if err != nil {
		t.Fatalf("slacktest: the Slack client would not submit this form: %v", err)
	}
	submitted := cloneMap(view)
	submitted["state"] = map[string]any{"values": values}
	payload, _ := s.interaction("view_submission", user, map[string]any{"view": submitted})
	return s.send(t, "interactive", payload, viewID)
}

// interaction is an interaction payload of typ from user, as Slack sends
// it, with a fresh trigger and fields; it returns the trigger too.
func (s *Server) interaction(typ, user string, fields map[string]any) (map[string]any, Command) {
	triggerID, tr := s.newTrigger()
	payload := map[string]any{
		"type":       typ,
		"team":       map[string]any{"id": TeamID, "domain": "fake"},
		"user":       map[string]any{"id": user, "username": strings.ToLower(user), "team_id": TeamID},
		"api_app_id": "A0FAKE",
		"trigger_id": triggerID,
	}
	for k, v := range fields {
		payload[k] = v
	}
	return payload, Command{TriggerID: triggerID, trigger: tr}
}

// Submit submits the view, waits for the ack and applies it as Slack would.
func (s *Server) Submit(t T, user, viewID string, fill Fill) ViewResponse {
	t.Helper()
	env := s.SendSubmission(t, user, viewID, fill)
	return s.ApplyAck(t, viewID, env, 5*time.Second)
}

// ApplyAck waits for a submission's ack (which the fake applied to the view
// as it arrived) and checks it is an answer Slack accepts.
func (s *Server) ApplyAck(t T, viewID, envelopeID string, timeout time.Duration) ViewResponse {
	t.Helper()
	ack := s.WaitAck(t, envelopeID, timeout)
	resp := ViewResponse{EnvelopeID: envelopeID, Ack: ack}
	if len(ack.Payload) == 0 {
		return resp
	}
	var p struct {
		ResponseAction string            `json:"response_action"`
		Errors         map[string]string `json:"errors"`
		View           map[string]any    `json:"view"`
	}
	if err := json.Unmarshal(ack.Payload, &p); err != nil {
		t.Fatalf("slacktest: ack payload is not JSON: %v", err)
	}
	resp.Action, resp.Errors = p.ResponseAction, p.Errors
	switch p.ResponseAction {
	case "update", "push":
		if p.View == nil || p.View["type"] != "modal" {
			t.Fatalf("slacktest: %s without a modal view: %s", p.ResponseAction, ack.Payload)
		}
	case "errors":
		inputs := inputBlockIDs(s.View(t, viewID))
		for k := range p.Errors {
			if !slices.Contains(inputs, k) {
				// Slack shows "We had some trouble connecting" instead.
				t.Errorf("slacktest: errors key %q is not an input block of the view", k)
			}
		}
	case "clear":
	default:
		t.Fatalf("slacktest: unsupported response_action %q", p.ResponseAction)
	}
	return resp
}

// applyResponse does to the stored view what a submission's ack asks.
func (s *Server) applyResponse(viewID string, payload json.RawMessage) {
	if len(payload) == 0 {
		s.closeView(viewID) // an empty ack closes the submitted view
		return
	}
	var p struct {
		ResponseAction string         `json:"response_action"`
		View           map[string]any `json:"view"`
	}
	if json.Unmarshal(payload, &p) != nil {
		return // ApplyAck reports it
	}
	switch {
	case p.ResponseAction == "update" && p.View != nil:
		s.storeView(viewID, p.View)
	case p.ResponseAction == "push" && p.View != nil:
		// A new view on top; the submitted one stays, as it was, beneath it.
		s.mu.Lock()
		s.pushed[viewID] = append(s.pushed[viewID], s.nextIDLocked("V"))
		id := s.pushed[viewID][len(s.pushed[viewID])-1]
		s.mu.Unlock()
		s.storeView(id, p.View)
	case p.ResponseAction == "clear":
		s.closeView(viewID)
	}
}

func (s *Server) closeView(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.views, id)
}

// Pushed returns the ids of the views pushed on top of viewID, oldest first.
func (s *Server) Pushed(viewID string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.pushed[viewID])
}

// Change is a person changing the input changed of a modal, having typed
// fill so far (as in a submission; inputs not in fill keep what they hold).
// Slack tells the app only when that input's block has dispatch_action,
// with the whole view's state.
func (s *Server) Change(t T, user, viewID, changed string, fill Fill) Command {
	t.Helper()
	if _, ok := fill[changed]; !ok {
		t.Fatalf("slacktest: fill has no value for %s", changed)
	}
	view := s.View(t, viewID)
	values, err := inputState(view, fill, s.suggester(t, user, view), false)
	if err != nil {
		t.Fatalf("slacktest: the Slack client would not allow this change: %v", err)
	}
	var action map[string]any
	for _, b := range blocks(view) {
		if b["block_id"] != changed {
			continue
		}
		if dispatch, _ := b["dispatch_action"].(bool); !dispatch {
			t.Fatalf("slacktest: %v has no dispatch_action: Slack tells the app nothing of this change", b["block_id"])
		}
		el, _ := b["element"].(map[string]any)
		state, _ := values[fmt.Sprint(b["block_id"])].(map[string]any)
		action = cloneMap(state[fmt.Sprint(el["action_id"])].(map[string]any))
		action["action_id"], action["block_id"], action["action_ts"] = el["action_id"], b["block_id"], s.ts()
	}
	if action == nil {
		t.Fatalf("slacktest: view %s has no input %s", viewID, changed)
	}
	seen := cloneMap(view)
	seen["state"] = map[string]any{"values": values}
	payload, c := s.interaction("block_actions", user, map[string]any{
		"container": map[string]any{"type": "view", "view_id": viewID},
		"view":      seen,
		"actions":   []any{action},
	})
	c.EnvelopeID = s.send(t, "interactive", payload, "")
	return c
}

// Click presses the button with actionID in the view, as user, and waits for the ack.
func (s *Server) Click(t T, user, viewID, actionID string) Ack {
	t.Helper()
	c := s.ClickViewSeen(t, user, s.View(t, viewID), actionID)
	return s.WaitAck(t, c.EnvelopeID, 5*time.Second)
}

// ClickViewSeen presses a button of view, a modal as the person's Slack
// client still shows it, and returns at once.
func (s *Server) ClickViewSeen(t T, user string, view map[string]any, actionID string) Command {
	t.Helper()
	viewID, _ := view["id"].(string)
	return s.click(t, user, target{blocks(view), "view " + viewID}, actionID, map[string]any{
		"container": map[string]any{"type": "view", "view_id": viewID},
		"view":      cloneMap(view),
	})
}

// target is where a button is clicked: its blocks, and what to call them
// in failures.
type target struct {
	blocks []map[string]any
	where  string
}

// click sends a block_actions payload for the button actionID among the
// target's blocks; fields add the container's own parts.
func (s *Server) click(t T, user string, on target, actionID string, fields map[string]any) Command {
	t.Helper()
	var action map[string]any
	for _, b := range on.blocks {
		elements := asList(b["elements"])
		if acc, _ := b["accessory"].(map[string]any); acc != nil {
			elements = append(elements, acc) // a section's button
		}
		for _, e := range elements {
			if e["action_id"] == actionID {
				action = map[string]any{"type": e["type"], "action_id": actionID, "block_id": b["block_id"],
					"value": e["value"], "text": e["text"], "action_ts": s.ts()}
			}
		}
	}
	if action == nil {
		t.Fatalf("slacktest: %s has no button %q", on.where, actionID)
	}
	fields["actions"] = []any{action}
	payload, c := s.interaction("block_actions", user, fields)
	c.EnvelopeID = s.send(t, "interactive", payload, "")
	return c
}

// suggest asks the app for an external select's options, as the Slack
// client does while a person types query.
type suggest func(blockID, actionID, query string) ([]map[string]any, error)

// Suggest types query into an external select of a view, as user, and
// returns the labels of the options the app offers.
func (s *Server) Suggest(t T, user, viewID, blockID, query string) []string {
	t.Helper()
	view := s.View(t, viewID)
	actionID := ""
	for _, b := range blocks(view) {
		if b["block_id"] == blockID {
			el, _ := b["element"].(map[string]any)
			actionID, _ = el["action_id"].(string)
		}
	}
	opts, err := s.suggester(t, user, view)(blockID, actionID, query)
	if err != nil {
		t.Fatalf("slacktest: %v", err)
	}
	var labels []string
	for _, o := range opts {
		text, _ := o["text"].(map[string]any)
		labels = append(labels, fmt.Sprint(text["text"]))
	}
	return labels
}

// suggester sends block_suggestion envelopes for user typing into view.
func (s *Server) suggester(t T, user string, view map[string]any) suggest {
	return func(blockID, actionID, query string) ([]map[string]any, error) {
		t.Helper()
		viewID, _ := view["id"].(string)
		env := s.send(t, "interactive", map[string]any{
			"type":       "block_suggestion",
			"team":       map[string]any{"id": TeamID, "domain": "fake"},
			"user":       map[string]any{"id": user, "username": strings.ToLower(user), "team_id": TeamID},
			"api_app_id": "A0FAKE",
			"container":  map[string]any{"type": "view", "view_id": viewID},
			"action_id":  actionID,
			"block_id":   blockID,
			"value":      query,
			"view":       cloneMap(view),
		}, "")
		ack := s.WaitAck(t, env, 5*time.Second)
		var p struct {
			Options      []map[string]any `json:"options"`
			OptionGroups []map[string]any `json:"option_groups"`
		}
		if err := json.Unmarshal(ack.Payload, &p); err != nil {
			return nil, fmt.Errorf("block_suggestion answered %s", ack.Payload)
		}
		opts := p.Options
		for _, g := range p.OptionGroups {
			opts = append(opts, asList(g["options"])...)
		}
		if len(p.Options) > 100 || len(p.OptionGroups) > 100 {
			return nil, fmt.Errorf("block_suggestion answered %d options, Slack shows at most 100", len(opts))
		}
		return opts, nil
	}
}

// stateFor computes view.state.values for a submission, enforcing what the
// Slack client enforces: required inputs, max_length, email shape, and
// options that exist (for an external select: that the app suggested when
// the option's name was typed).
func stateFor(view map[string]any, fill Fill, suggest suggest) (map[string]any, error) {
	return inputState(view, fill, suggest, true)
}

// inputState is what a view's inputs hold with fill typed in; a submission
// also needs every required input filled.
func inputState(view map[string]any, fill Fill, suggest suggest, submitting bool) (map[string]any, error) {
	values := map[string]any{}
	for _, b := range blocks(view) {
		if b["type"] != "input" {
			continue
		}
		var in input
		in.blockID, _ = b["block_id"].(string)
		in.el, _ = b["element"].(map[string]any)
		in.actionID, _ = in.el["action_id"].(string)
		in.typ, _ = in.el["type"].(string)
		in.given, in.hasGiven = fill[in.blockID]
		if raw, isRaw := in.given.(Raw); isRaw {
			v := map[string]any{"type": in.typ}
			for k, x := range raw {
				v[k] = x
			}
			values[in.blockID] = map[string]any{in.actionID: v}
			continue
		}
		state, empty, err := in.state(suggest)
		if err != nil {
			return nil, err
		}
		if optional, _ := b["optional"].(bool); empty && !optional && submitting {
			return nil, fmt.Errorf("%s is required", in.blockID)
		}
		values[in.blockID] = map[string]any{in.actionID: state}
	}
	return values, nil
}

// input is one input block of a view, with what the person gives it.
type input struct {
	el                     map[string]any
	blockID, actionID, typ string
	given                  any
	hasGiven               bool
}

// state is the input's value as Slack sends it, and whether it is empty.
func (in input) state(suggest suggest) (map[string]any, bool, error) {
	switch in.typ {
	case "plain_text_input", "email_text_input":
		return in.text()
	case "multi_external_select":
		return in.external(suggest)
	case "multi_static_select", "checkboxes":
		return in.static()
	case "radio_buttons":
		return in.radio()
	case "datetimepicker":
		return in.datetime()
	}
	return nil, false, fmt.Errorf("%s: element type %s not supported by this fake", in.blockID, in.typ)
}

func (in input) text() (map[string]any, bool, error) {
	state := map[string]any{"type": in.typ}
	text, _ := in.el["initial_value"].(string)
	if in.hasGiven {
		text, _ = in.given.(string)
	}
	if max, _ := in.el["max_length"].(float64); max > 0 && len([]rune(text)) > int(max) {
		return nil, false, fmt.Errorf("%s: %d characters, the input allows %d", in.blockID, len([]rune(text)), int(max))
	}
	if in.typ == "email_text_input" && text != "" && !looksLikeEmail(text) {
		return nil, false, fmt.Errorf("%s: %q is not an email address to the Slack client", in.blockID, text)
	}
	if text == "" {
		state["value"] = nil
		return state, true, nil
	}
	state["value"] = text
	return state, false, nil
}

// external picks, for each name given, what typing it offers.
func (in input) external(suggest suggest) (map[string]any, bool, error) {
	selected := asList(in.el["initial_options"])
	if in.hasGiven {
		selected = nil
		names, _ := in.given.([]string)
		for _, name := range names {
			offered, err := suggest(in.blockID, in.actionID, name)
			if err != nil {
				return nil, false, err
			}
			o := optionByLabel(toAny(offered), name)
			if o == nil {
				return nil, false, fmt.Errorf("%s: typing %q offers no such option", in.blockID, name)
			}
			selected = append(selected, o)
		}
	}
	return map[string]any{"type": in.typ, "selected_options": selected}, len(selected) == 0, nil
}

func (in input) static() (map[string]any, bool, error) {
	selected := asList(in.el["initial_options"])
	if in.hasGiven {
		selected = nil
		names, _ := in.given.([]string)
		for _, name := range names {
			o := optionByLabel(in.el["options"], name)
			if o == nil {
				return nil, false, fmt.Errorf("%s: no option %q is offered", in.blockID, name)
			}
			selected = append(selected, o)
		}
	}
	return map[string]any{"type": in.typ, "selected_options": selected}, len(selected) == 0, nil
}

func (in input) radio() (map[string]any, bool, error) {
	var selected map[string]any
	if o, isMap := in.el["initial_option"].(map[string]any); isMap {
		selected = o
	}
	if in.hasGiven {
		label, _ := in.given.(string)
		if selected = optionByLabel(in.el["options"], label); selected == nil {
			return nil, false, fmt.Errorf("%s: no option %q is offered", in.blockID, label)
		}
	}
	if selected == nil {
		return map[string]any{"type": in.typ, "selected_option": nil}, true, nil
	}
	return map[string]any{"type": in.typ, "selected_option": selected}, false, nil
}

// datetime is a datetimepicker's state: selected_date_time, Unix seconds
// (a time.Time given is sent as it is: the API carries seconds).
func (in input) datetime() (map[string]any, bool, error) {
	var at int64
	if v, isNum := in.el["initial_date_time"].(float64); isNum {
		at = int64(v)
	}
	if in.hasGiven {
		switch v := in.given.(type) {
		case time.Time:
			at = v.Unix()
		case nil:
			at = 0
		default:
			return nil, false, fmt.Errorf("%s: give a datetimepicker a time.Time, not %T", in.blockID, in.given)
		}
	}
	if at == 0 {
		return map[string]any{"type": in.typ, "selected_date_time": nil}, true, nil
	}
	return map[string]any{"type": in.typ, "selected_date_time": at}, false, nil
}

func looksLikeEmail(s string) bool {
	at := strings.LastIndex(s, "@")
	return at > 0 && at < len(s)-1 && !strings.ContainsAny(s, " \t")
}

func optionByLabel(options any, label string) map[string]any {
	for _, o := range asList(options) {
		if text, _ := o["text"].(map[string]any); text["text"] == label {
			return o
		}
	}
	return nil
}

func blocks(view map[string]any) []map[string]any { return asList(view["blocks"]) }

func inputBlockIDs(view map[string]any) []string {
	var ids []string
	for _, b := range blocks(view) {
		if b["type"] == "input" {
			id, _ := b["block_id"].(string)
			ids = append(ids, id)
		}
	}
	return ids
}

func asList(v any) []map[string]any {
	list, _ := v.([]any)
	out := make([]map[string]any, 0, len(list))
	for _, x := range list {
		if m, isMap := x.(map[string]any); isMap {
			out = append(out, m)
		}
	}
	return out
}

func cloneMap(m map[string]any) map[string]any {
	b, _ := json.Marshal(m)
	var out map[string]any
	_ = json.Unmarshal(b, &out)
	return out
}

func toAny(list []map[string]any) []any {
	out := make([]any, len(list))
	for i, m := range list {
		out[i] = m
	}
	return out
}
