package plusvibe_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe"
)

const secret = "Xp9#Ld2!ak"

func TestPasswordIsRedactedEverywhere(t *testing.T) {
	t.Parallel()
	pw := plusvibe.NewPassword(secret)
	resp := plusvibe.CreateClientResponse{ClientID: "c1", Email: "a@b.co", Password: pw}
	hidden := struct{ pw plusvibe.Password }{pw} // unexported: fmt cannot call its methods

	var out []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d", "%10.3s"} {
		out = append(out, fmt.Sprintf(verb, pw), fmt.Sprintf(verb, resp), fmt.Sprintf(verb, &resp), fmt.Sprintf(verb, hidden))
	}
	out = append(out, fmt.Sprint(pw), fmt.Sprintln(resp), pw.String())
	j, err := json.Marshal(resp)
	if err != nil {
		t.Fatal(err)
	}
	out = append(out, string(j))
	out = append(out, fmt.Errorf("wrapped: %v", resp).Error())

	var logs bytes.Buffer
	log := zerolog.New(&logs)
	log.Info().Interface("resp", resp).Any("pw", pw).Stringer("s", pw).Msgf("%v", resp)
	log.Info().Fields(map[string]any{"pw": pw}).Send()
	out = append(out, logs.String())

	for _, s := range out {
		if strings.Contains(s, secret) || strings.Contains(s, fmt.Sprintf("%x", secret)) {
			t.Errorf("password leaked in %q", s)
		}
	}
	if !strings.Contains(string(j), "[REDACTED]") {
		t.Errorf("JSON %s shows no redaction", j)
	}
	if pw.Reveal() != secret {
		t.Errorf("Reveal() lost the value")
	}
}

func TestPasswordDecodesFromPlusVibe(t *testing.T) {
	t.Parallel()
	var resp plusvibe.CreateClientResponse
	if err := json.Unmarshal([]byte(`{"client_id":"c","email":"e@x.io","password":"`+secret+`"}`), &resp); err != nil {
		t.Fatal(err)
	}
	if resp.Password.Reveal() != secret || resp.Password.IsZero() {
		t.Errorf("decoded password wrong")
	}
	if !(plusvibe.Password{}).IsZero() {
		t.Error("zero Password is not IsZero")
	}
}
