package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestDemo runs the demo as a newcomer would (go run ./cmd/demo), with no
// configuration at all, and reads its transcript.
func TestDemo(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "demo")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")} // nothing configured
	done := make(chan struct{})
	var out []byte
	var err error
	go func() { out, err = cmd.CombinedOutput(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		<-done
		t.Fatalf("the demo did not finish within 10 s:\n%s", out)
	}
	transcript := string(out)
	if err != nil {
		t.Fatalf("the demo failed: %v\n%s", err, transcript)
	}
	for _, want := range []string{
		"[New PlusVibe client]", "Client email: []", "Workspaces: {Acme Outreach | Nova Consulting | Zeta Labs}", // the form
		`shows under "First name"`, "The first name cannot be blank.", // a mistake
		"✅ Client nova.smith@example.com created.",                                                                      // the form path
		"PlusVibe had an internal error (HTTP 500)", "[ Edit and try again ]", "Client email: [zeta.jones@example.com]", // a failure, the form back
		"#approvals shows (nothing is created yet)", "[ Approve ]  [ Deny ]", "@Bob approved your request", "[ Create client ]",
		"✅ Approved by @Bob. Created by @Alice", "☑️ approved", // the approval path
		"A Workflow Builder run", "status: created", "client_email: vega.lee@example.com", // the workflow step
		"Jane Doe <jane.doe@acme.com>", "💬 The email and name were taken from the message", "First name: [Jane]", // from a message
		"== PlusVibe clients ==", "Your requests", "zeta.jones@example.com · Nova Consulting Ltd", // the Home tab
		"2 PlusVibe clients match nova.", "• Zeta Labs: Full access", "[ Edit access ]  [ Remove ]", // find
	} {
		if !strings.Contains(transcript, want) {
			t.Errorf("the transcript lacks %q:\n%s", want, transcript)
		}
	}
	// Each password shows once, right under the heading of Alice's own DM.
	lines := strings.Split(transcript, "\n")
	passwords := 0
	for i, l := range lines {
		if strings.Contains(l, "One-time password") {
			passwords++
			if i == 0 || !strings.Contains(lines[i-1], "Only Alice sees this in Alice's DM") || !strings.Contains(lines[i+2], "no channel message carries the password") {
				t.Errorf("a password is shown outside Alice's DM: %q", l)
			}
		}
	}
	if passwords != 3 {
		t.Errorf("%d password deliveries in the transcript, want 3 (the form path, the approval path, the workflow)", passwords)
	}
}
