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

// stepRun is what the fake keeps of a run.
type stepRun struct {
	token   string
	revoked bool
	done    *Completion
}

// RevokeRunToken makes Slack refuse run id's token from now on, as it does
// once a run's token has expired.
func (s *Server) RevokeRunToken(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r := s.runs[id]; r != nil {
		r.revoked = true
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
	id, workflow, token := s.nextID("Fx"), s.nextID("Wx"), s.nextID("xwfp-run-")
	s.mu.Lock()
	s.runs[id] = &stepRun{token: token}
	s.runStep[id] = callbackID
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

// runToken is the token run id completes with; "" if there is no such run.
func (s *Server) runToken(id string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r := s.runs[id]; r != nil {
		return r.token
	}
	return ""
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
	case run.revoked:
		return failure("token_revoked")
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
		if problem := s.stepOutputs[s.runStep[id]].check(c.Outputs); problem != "" {
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

// WaitCompleted waits for run id to end.
func (s *Server) WaitCompleted(t T, id string, timeout time.Duration) Completion {
	t.Helper()
	var c *Completion
	if !s.waitFor(timeout, func() bool { c = s.Completed(id); return c != nil }) {
		t.Fatalf("slacktest: run %s did not complete within %s", id, timeout)
	}
	return *c
}

// RunTokens are the tokens of every run sent.
func (s *Server) RunTokens() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.runs))
	for _, r := range s.runs {
		out = append(out, r.token)
	}
	return out
}
