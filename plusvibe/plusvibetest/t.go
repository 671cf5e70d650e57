package plusvibetest

import "github.com/plusvibe-slack-bot/plusvibe-slack-bot/internal/fake"

// T is what the fake needs of a test or of the demo.
type T = fake.T
