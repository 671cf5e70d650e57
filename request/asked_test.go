package request

import "testing"

func TestAskedRoundTripsThroughAPayload(t *testing.T) {
	a := Asked{ClientID: "c1", Requester: "U1"}
	if got, ok := AskedFromPayload(AskedEvent, a.Payload()); !ok || got != a {
		t.Errorf("read back %+v (%v), want %+v", got, ok, a)
	}
	for name, tt := range map[string]struct {
		event string
		p     map[string]any
	}{
		"another event": {EndEvent, a.Payload()},
		"no requester":  {AskedEvent, map[string]any{"id": "c1"}},
		"no client":     {AskedEvent, map[string]any{"u": "U1"}},
		"not strings":   {AskedEvent, map[string]any{"id": 4, "u": "U1"}},
	} {
		if got, ok := AskedFromPayload(tt.event, tt.p); ok {
			t.Errorf("%s: read %+v", name, got)
		}
	}
}
