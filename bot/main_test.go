package bot_test

import (
	"testing"

	"go.uber.org/goleak"
)

// Every bot started by a test must have stopped all its goroutines: the
// socket loop, the workspace refresher, handlers, and HTTP keep-alives.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
