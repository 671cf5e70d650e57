package main

import (
	"os"
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
	drawn := drawnArrows(t)
	const module = "github.com/plusvibe-slack-bot/plusvibe-slack-bot"
	for pkg, arrows := range want {
		if d := drawn[pkg]; !slices.Equal(d, arrows) {
			t.Errorf("docs/architecture.md draws %s -> %v, want %v", pkg, d, arrows)
		}
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

// drawnArrows reads the arrows docs/architecture.md draws: "pkg ──> a, b"
// lines, and one line of the packages that import nothing of ours.
func drawnArrows(t *testing.T) map[string][]string {
	t.Helper()
	doc, err := os.ReadFile("docs/architecture.md")
	if err != nil {
		t.Fatal(err)
	}
	drawn := map[string][]string{}
	for _, line := range strings.Split(string(doc), "\n") {
		if from, to, arrow := strings.Cut(line, "─>"); arrow {
			pkg := strings.TrimRight(strings.TrimSpace(from), "─ ")
			for _, p := range strings.Split(to, ",") {
				drawn[asListed(pkg)] = append(drawn[asListed(pkg)], strings.TrimSpace(p))
			}
			slices.Sort(drawn[asListed(pkg)])
		} else if pkgs, none := strings.CutSuffix(line, ": nothing of ours"); none {
			for _, p := range strings.Split(pkgs, ",") {
				drawn[strings.TrimSpace(p)] = nil
			}
		}
	}
	return drawn
}

// asListed is the package as the test's table names it: main is ".".
func asListed(pkg string) string {
	if pkg == "main" {
		return "."
	}
	return pkg
}
