package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/internal/slacktest"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/modals"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe/plusvibetest"
)

// A PlusVibe that takes 12 s to create a client, under PLUSVIBE_TIMEOUT=30s:
// nothing shorter in the chain may cut the POST, or the client exists and
// its password is lost.
func TestPlusVibeTimeoutHoldsASlowCreation(t *testing.T) {
	if testing.Short() {
		t.Skip("waits 12 s for PlusVibe")
	}
	sl := slacktest.New(t)
	pv := plusvibetest.NewServer(t)
	env := fakeEnv(t, sl, pv)
	env["PLUSVIBE_TIMEOUT"], env["ALLOWED_USERS"] = "30s", "U0ALICE0001"
	setEnv(t, env)
	hold := make(chan struct{})
	pv.Script("POST", "/client", plusvibetest.Response{Hold: hold}) // then created as usual

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	started := make(chan string, 1)
	var logs syncBuffer
	go func() { done <- run(ctx, &logs, started) }()
	select {
	case <-started:
	case err := <-done:
		t.Fatalf("run: %v", err)
	}
	t.Cleanup(func() { cancel(); <-done })
	sl.WaitConnected(t, 1, 5*time.Second)

	cmd := sl.SendCommand(t, "U0ALICE0001", slacktest.DefaultCommand, "")
	viewID := sl.WaitView(t, cmd, 10*time.Second)
	sl.Submit(t, "U0ALICE0001", viewID, slacktest.Fill{
		modals.BlockEmail: "slow.client@example.com", modals.BlockFirstName: "Slow", modals.BlockLastName: "Client",
		modals.BlockBusinessName: "Slow Ltd", modals.BlockWorkspaces: []string{plusvibetest.DefaultWorkspaces[0].Name},
		modals.BlockPermission: "Unibox only"})
	pv.Next(t, "POST", "/client", 5*time.Second)
	released := time.AfterFunc(12*time.Second, func() { close(hold) }) // PlusVibe answers 12 s later
	defer released.Stop()

	eph := sl.NextCall(t, "chat.postEphemeral", 25*time.Second)
	clients := pv.Clients()
	if len(clients) != 1 || !strings.Contains(eph.Params["text"], modals.Escape(clients[0].Password)) {
		t.Fatalf("%d clients created; the password did not reach the requester", len(clients))
	}
	if n := pv.Count("POST", "/client"); n != 1 {
		t.Errorf("%d POSTs, want 1", n)
	}
	if pw := clients[0].Password; strings.Contains(logs.String(), pw) || strings.Contains(logs.String(), modals.Escape(pw)) {
		t.Error("the password reached the logs")
	}
}
