package bot

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe/plusvibetest"
)

// A list read before a change is neither joined nor kept once the change
// is made: the change's own reader, and everyone after, see it.
func TestClientListReadBeforeAChangeIsNotKept(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		change func(*clientCache)
		maxAge func(*clientCache) time.Duration // what the reader after it asks for
	}{
		{"a change, then the duplicate check", (*clientCache).forget, func(*clientCache) time.Duration { return clientsFresh }},
		{"a change, then find", (*clientCache).forget, func(*clientCache) time.Duration { return findFresh }},
		{"a creation, then find", func(c *clientCache) { c.created(nil) }, (*clientCache).findAge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			const bound = 5 * time.Second // bounds a failing wait only
			pv := plusvibetest.NewServer(t)
			client, err := plusvibe.NewClient(pv.APIKey(), plusvibe.WithBaseURL(pv.URL()))
			if err != nil {
				t.Fatal(err)
			}
			c := &clientCache{pv: client, workspaceID: plusvibetest.DefaultWorkspaces[0].ID}
			hold := make(chan struct{})
			release := sync.OnceFunc(func() { close(hold) })
			t.Cleanup(release)
			pv.Script("GET", "/client/", plusvibetest.Response{Status: 200, Body: `{"clients":[]}`, Hold: hold})
			before := make(chan error, 1)
			go func() { _, err := c.get(t.Context(), clientsFresh); before <- err }()
			pv.Next(t, "GET", "/client/", bound)

			pv.AddClient(plusvibe.ClientLogin{Email: "jane.doe@acme.com", FirstName: "Jane", LastName: "Doe"})
			tc.change(c) // as the bot does after it
			ctx, cancel := context.WithTimeout(t.Context(), bound)
			defer cancel()
			if list, err := c.get(ctx, tc.maxAge(c)); err != nil || len(list) != 1 {
				t.Fatalf("after the change: %d clients, %v; want the new one, read anew", len(list), err)
			}
			release()
			if err := <-before; err != nil {
				t.Fatal(err)
			}
			if list, err := c.get(ctx, tc.maxAge(c)); err != nil || len(list) != 1 {
				t.Errorf("once the earlier read ended: %d clients, %v; want the list read after the change", len(list), err)
			}
			if n := pv.Count("GET", "/client/"); n != 2 {
				t.Errorf("%d reads, want 2", n)
			}
		})
	}
}
