package request

// AskedEvent is the type of the metadata event an audit line carries when
// it records who asked for a client (created it, or asked for its Full
// access): read back for reviews where no Redis keeps it.
const AskedEvent = "plusvibe_client_asked"

// Asked is who asked for a client.
type Asked struct {
	ClientID  string `json:"id"`
	Requester string `json:"u"`
}

// Payload is a as a metadata event's payload.
func (a Asked) Payload() map[string]any { return payload(a) }

// AskedFromPayload reads who asked for a client from an event of
// eventType; ok is false when it is not one, or not whole.
func AskedFromPayload(eventType string, p map[string]any) (Asked, bool) {
	var a Asked
	if eventType != AskedEvent || !fromPayload(p, &a) || a.ClientID == "" || a.Requester == "" {
		return Asked{}, false
	}
	return a, true
}
