package main

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
)

// TestImageBuildContext builds the binary from exactly what Docker would send
// as the build context, filtered by .dockerignore, for the Dockerfile and for
// every compose service that builds. A build from the checkout (TestBinary)
// sees files the image never gets, such as anything under testdata.
func TestImageBuildContext(t *testing.T) {
	t.Parallel()
	t.Run("Dockerfile", func(t *testing.T) {
		t.Parallel()
		checkBuildContext(t, ".", "Dockerfile")
	})
	for _, d := range readYAMLDocs(t, "deploy/compose.yaml") {
		services, _ := dig(d, "services").(map[string]any)
		for name, svc := range services {
			contextDir, dockerfile, builds := composeBuild(dig(svc, "build"))
			if !builds {
				continue
			}
			t.Run("compose "+name, func(t *testing.T) {
				t.Parallel()
				checkBuildContext(t, filepath.Join("deploy", contextDir), dockerfile)
			})
		}
	}
}

// composeBuild reads a service's build: (a context path, or a map with
// context and dockerfile). Compose resolves context against the compose
// file's directory, and dockerfile against the context.
func composeBuild(build any) (contextDir, dockerfile string, builds bool) {
	switch b := build.(type) {
	case string:
		return b, "Dockerfile", true
	case map[string]any:
		contextDir, _ = b["context"].(string)
		dockerfile, _ = b["dockerfile"].(string)
		if contextDir == "" {
			contextDir = "."
		}
		if dockerfile == "" {
			dockerfile = "Dockerfile"
		}
		return contextDir, dockerfile, true
	}
	return "", "", false
}

// checkBuildContext copies contextDir as Docker would, runs the Dockerfile's
// build line in the copy and runs the binary.
func checkBuildContext(t *testing.T, contextDir, dockerfile string) {
	copied := copyBuildContext(t, contextDir, dockerfile)
	for _, leak := range []string{".git", "plusvibe.env", "main_test.go", "testdata"} {
		if _, err := os.Lstat(filepath.Join(copied, leak)); err == nil {
			t.Errorf("%s is in the build context", leak)
		}
	}
	build := dockerfileBuildLine(t, filepath.Join(contextDir, dockerfile))
	bin := runBuildLine(t, copied, build, "v0.0.0-context")
	out, err := exec.Command(bin, "--version").Output()
	if err != nil || strings.TrimSpace(string(out)) != "plusvibe-slack-bot v0.0.0-context" {
		t.Errorf("--version printed %q (%v)", out, err)
	}
}

// copyBuildContext copies the files of contextDir that Docker would send:
// those a fresh clone has (git's tracked and unignored files, so that a file
// only this machine has cannot hide a failure), minus .dockerignore's matches.
func copyBuildContext(t *testing.T, contextDir, dockerfile string) string {
	t.Helper()
	pm, err := patternmatcher.New(dockerIgnorePatterns(t, contextDir, dockerfile))
	if err != nil {
		t.Fatal(err)
	}
	list := exec.Command("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	list.Dir = contextDir
	names, err := list.Output()
	if err != nil {
		t.Fatalf("listing the checkout's files with git: %v", err)
	}
	dst := t.TempDir()
	for name := range strings.SplitSeq(strings.TrimSuffix(string(names), "\x00"), "\x00") {
		excluded, err := pm.MatchesOrParentMatches(name)
		if err != nil {
			t.Fatal(err)
		}
		if !excluded {
			copyFile(t, filepath.Join(contextDir, filepath.FromSlash(name)), filepath.Join(dst, filepath.FromSlash(name)))
		}
	}
	return dst
}

// dockerIgnorePatterns reads the ignore file BuildKit uses: <Dockerfile>.dockerignore
// beside the Dockerfile if there is one, else the context's .dockerignore.
func dockerIgnorePatterns(t *testing.T, contextDir, dockerfile string) []string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(contextDir, dockerfile+".dockerignore"))
	if errors.Is(err, fs.ErrNotExist) {
		raw, err = os.ReadFile(filepath.Join(contextDir, ".dockerignore"))
	}
	if err != nil {
		t.Fatal(err)
	}
	patterns, err := ignorefile.ReadAll(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	return patterns
}

// copyFile copies one file, or a symbolic link as a link; a file git still
// tracks but the checkout deleted is skipped.
func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	st, err := os.Lstat(src)
	if errors.Is(err, fs.ErrNotExist) {
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	if st.Mode()&fs.ModeSymlink != 0 {
		target, err := os.Readlink(src)
		if err == nil {
			err = os.Symlink(target, dst)
		}
		if err != nil {
			t.Fatal(err)
		}
		return
	}
	raw, err := os.ReadFile(src)
	if err == nil {
		err = os.WriteFile(dst, raw, st.Mode().Perm())
	}
	if err != nil {
		t.Fatal(err)
	}
}
