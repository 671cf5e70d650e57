package main

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// The arrows of docs/architecture.md, as the code has them: each package
// of the product imports exactly these of the module's packages.
func TestArchitecture(t *testing.T) {
	want := map[string][]string{
		".":              {"bot", "bot/slackapi", "bot/store", "plusvibe"},
		"bot":            {"bot/slackapi", "bot/store", "internal/pause", "internal/seal", "modals", "plusvibe", "request"},
		"bot/slackapi":   {"internal/pause"},
		"bot/store":      nil,
		"request":        {"plusvibe"},
		"modals":         {"plusvibe", "request"},
		"plusvibe":       {"internal/pause"},
		"internal/pause": nil,
		"internal/seal":  nil,
	}
	const module = "github.com/plusvibe-slack-bot/plusvibe-slack-bot"
	for pkg, arrows := range want {
		out, err := exec.Command("go", "list", "-f", `{{join .Imports "\n"}}`, "./"+pkg).Output()
		if err != nil {
			t.Fatalf("go list %s: %v", pkg, err)
		}
		var got []string
		for _, imp := range strings.Fields(string(out)) {
			if rest, ours := strings.CutPrefix(imp, module+"/"); ours {
				got = append(got, rest)
			}
		}
		slices.Sort(got)
		if !slices.Equal(got, arrows) {
			t.Errorf("%s imports %v, want %v (docs/architecture.md)", pkg, got, arrows)
		}
	}
}
