package slacktest

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// StepRun is one Workflow Builder run of a custom step, as sent.
type StepRun struct {
	EnvelopeID  string
	ExecutionID string
	// Token is the run's own bot_access_token: the only one its
	// completion is accepted with.
	Token string
}

// Completion is how a run ended: Outputs on success, else Error.
type Completion struct {
	Success bool
	Outputs map[string]any
	Error   string
}

// stepRun is what the fake keeps of a run: its tokens are the event's and
// one per click on a message posted with one of them, each good until
// ExpireRunTokens.
type stepRun struct {
	step   string
	inputs map[string]any
	tokens []string
	valid  map[string]bool
	done   *Completion
}

// issueLocked makes a new token for run id, as Slack does for the event and
// for each interaction with a message the run posted.
func (s *Server) issueLocked(id string) string {
	r := s.runs[id]
	token := s.nextIDLocked("xwfp-" + id + "-")
	r.tokens = append(r.tokens, token)
	r.valid[token] = true
	s.runTokens[token] = id
	return token
}

// ExpireRunTokens makes Slack refuse every token run id has had so far, as
// it does once they expire; tokens issued later (a click) work.
func (s *Server) ExpireRunTokens(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r := s.runs[id]; r != nil {
		clear(r.valid)
	}
}

// runOf is the run a token was issued to, and whether it is still good.
func (s *Server) runOf(token string) (id string, good bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id = s.runTokens[token]
	return id, id != "" && s.runs[id].valid[token]
}

// functionData is what an interaction with a message run id posted carries:
// the run, and a fresh token for it.
func (s *Server) functionData(id string) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.runs[id]
	if r == nil {
		return nil
	}
	return map[string]any{
		"function_data":    map[string]any{"execution_id": id, "function": map[string]any{"callback_id": r.step}, "inputs": r.inputs},
		"bot_access_token": s.issueLocked(id),
	}
}

// StepOutputs are a step's output parameters, as its manifest declares
// them: completeSuccess is checked against them.
type StepOutputs struct {
	Required, Optional []string
}

// SetStepOutputs declares the output parameters of callbackID's step.
func (s *Server) SetStepOutputs(callbackID string, out StepOutputs) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stepOutputs[callbackID] = out
}

// SendStepRun runs callbackID's step with inputs, as Slack does when a
// workflow reaches it: a function_executed event carrying a token made for
// this run alone.
func (s *Server) SendStepRun(t T, callbackID string, inputs map[string]any) StepRun {
	t.Helper()
	id, workflow := s.nextID("Fx"), s.nextID("Wx")
	s.mu.Lock()
	s.runs[id] = &stepRun{step: callbackID, inputs: inputs, valid: map[string]bool{}}
	token := s.issueLocked(id)
	s.mu.Unlock()
	env := s.sendEvent(t, map[string]any{
		"type": "function_executed",
		"function": map[string]any{"id": "Fn0FAKE", "callback_id": callbackID, "title": "Create PlusVibe client",
			"type": "app", "app_id": "A0FAKE"},
		"inputs": inputs, "function_execution_id": id, "workflow_execution_id": workflow,
		"event_ts": fmt.Sprintf("%d.000000", time.Now().Unix()), "bot_access_token": token,
	})
	return StepRun{EnvelopeID: env, ExecutionID: id, Token: token}
}

// complete answers functions.completeSuccess and functions.completeError.
func (s *Server) complete(method string, p map[string]string) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := p["function_execution_id"]
	run := s.runs[id]
	switch {
	case run == nil:
		return failure("function_execution_not_found")
	case run.done != nil:
		return failure("execution_not_in_running_state")
	}
	c := Completion{Success: method == "functions.completeSuccess", Error: p["error"]}
	if !c.Success {
		if strings.TrimSpace(c.Error) == "" {
			return failure("invalid_arguments")
		}
	} else {
		if err := json.Unmarshal([]byte(p["outputs"]), &c.Outputs); err != nil || c.Outputs == nil {
			return failure("parameter_validation_failed")
		}
		if problem := s.stepOutputs[run.step].check(c.Outputs); problem != "" {
			answer := failure("parameter_validation_failed")
			answer["errors"] = []string{problem}
			return answer
		}
	}
	run.done = &c
	s.notifyLocked()
	return ok(map[string]any{})
}

// check says what is wrong with outputs: a required one missing, one not
// declared, or one not a string.
func (o StepOutputs) check(outputs map[string]any) string {
	for _, name := range o.Required {
		if _, found := outputs[name]; !found {
			return "missing required output " + name
		}
	}
	names := make([]string, 0, len(outputs))
	for name := range outputs {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if !slices.Contains(o.Required, name) && !slices.Contains(o.Optional, name) {
			return "unknown output " + name
		}
		if _, isString := outputs[name].(string); !isString {
			return "output " + name + " is not a string"
		}
	}
	return ""
}

// Completed is how run id ended, or nil while it runs.
func (s *Server) Completed(id string) *Completion {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r := s.runs[id]; r != nil && r.done != nil {
		c := *r.done
		return &c
	}
	return nil
}

// WaitCompleted waits for run id to end, and for the call that ended it
// to be recorded.
func (s *Server) WaitCompleted(t T, id string, timeout time.Duration) Completion {
	t.Helper()
	var c *Completion
	recorded := func() bool {
		return slices.ContainsFunc(append(s.Calls("functions.completeSuccess"), s.Calls("functions.completeError")...), func(c Call) bool {
			return c.Error == "" && c.Params["function_execution_id"] == id
		})
	}
	if !s.waitFor(timeout, func() bool { c = s.Completed(id); return c != nil && recorded() }) {
		t.Fatalf("slacktest: run %s did not complete within %s", id, timeout)
	}
	return *c
}

// RunTokens are the tokens of every run sent.
func (s *Server) RunTokens() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, r := range s.runs {
		out = append(out, r.tokens...)
	}
	return out
}
