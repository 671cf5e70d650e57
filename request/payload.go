package request

import "encoding/json"

// payload is v as a Slack metadata event's payload: its JSON fields.
func payload(v any) map[string]any {
	b, _ := json.Marshal(v) // plain strings and numbers: cannot fail
	var p map[string]any
	_ = json.Unmarshal(b, &p)
	return p
}

// fromPayload reads a metadata event's payload into v; false when it does
// not fit.
func fromPayload(p map[string]any, v any) bool {
	b, err := json.Marshal(p)
	return err == nil && json.Unmarshal(b, v) == nil
}
