package main

import (
	"os/exec"
	"strings"
	"testing"
)

// The product's binary carries no test code: not the fakes, nor what they
// are built on (testing, httptest, the OpenAPI validator, YAML).
func TestBinaryHoldsNoTestCode(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		switch {
		case pkg == "testing", pkg == "net/http/httptest",
			strings.HasPrefix(pkg, "github.com/getkin/kin-openapi"),
			strings.HasPrefix(pkg, "go.yaml.in/yaml"), strings.HasPrefix(pkg, "gopkg.in/yaml"),
			strings.HasSuffix(pkg, "/internal/slacktest"), strings.HasSuffix(pkg, "/plusvibetest"),
			strings.HasSuffix(pkg, "/redistest"):
			t.Errorf("the binary links %s", pkg)
		}
	}
}
