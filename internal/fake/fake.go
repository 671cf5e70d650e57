// Package fake holds what the fakes of Slack and PlusVibe share.
package fake

// T is what a fake needs of whoever runs it: a test (*testing.T and
// *testing.B have it) or the demo. It reports failures and cleans up.
type T interface {
	Helper()
	Errorf(format string, args ...any)
	Fatal(args ...any)
	Fatalf(format string, args ...any)
	Cleanup(f func())
}
