package plusvibe_test

import (
	"testing"

	"go.uber.org/goleak"
)

// Retries, timeouts and cancelled calls leave no goroutine behind.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
