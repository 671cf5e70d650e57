package main

import (
	"fmt"
	"os"
	"strings"
)

// loadEnvFile sets the variables of a docker-style env file that the
// environment does not set already: NAME=value per line, the value taken
// literally (quotes included), blank lines and # comments skipped.
func loadEnvFile(path string) error {
	if path == "" {
		return nil
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("--env-file: cannot read %s", path)
	}
	for i, line := range strings.Split(string(raw), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, value, found := strings.Cut(line, "=")
		if !found || strings.ContainsAny(name, " \t") {
			return fmt.Errorf("--env-file: %s line %d is not NAME=value", path, i+1)
		}
		if _, set := os.LookupEnv(name); !set {
			os.Setenv(name, value)
		}
	}
	return nil
}
