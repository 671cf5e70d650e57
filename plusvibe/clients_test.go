package plusvibe_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe/plusvibetest"
)

var apiWS = plusvibetest.DefaultWorkspaces[0].ID

func TestListEditDeleteClients(t *testing.T) {
	srv := plusvibetest.NewServer(t)
	c, _ := newClient(t, srv)
	ctx := context.Background()
	if _, err := c.CreateClient(ctx, validRequest()); err != nil {
		t.Fatal(err)
	}
	list, err := c.ListClients(ctx, apiWS)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 {
		t.Fatalf("listed %d clients, want the one created", len(list))
	}
	got := list[0]
	if got.Email != "nova.smith@example.com" || got.BusinessName != "Nova Consulting Ltd" || got.FirstName != "Nova" ||
		len(got.Permissions) != 1 || got.Permissions[0].WorkspaceName != "Nova Consulting" || got.ModifiedAt.IsZero() {
		t.Errorf("listed %+v", got)
	}

	access := append(got.Access(), plusvibe.ClientWorkspacePermission{ID: plusvibetest.DefaultWorkspaces[2].ID,
		Permissions: []string{plusvibe.PermissionFullAccess}, HideLabels: []string{"VIP"}})
	err = c.UpdateClient(ctx, plusvibe.UpdateClientRequest{WorkspaceID: apiWS, ClientID: got.ID, ClientFirstName: got.FirstName,
		ClientLastName: got.LastName, ClientBusinessName: got.BusinessName, Workspaces: access})
	if err != nil {
		t.Fatal(err)
	}
	after, _ := c.ListClients(ctx, apiWS)
	if len(after[0].Permissions) != 2 || after[0].Permissions[1].Permissions[0] != plusvibe.PermissionFullAccess || after[0].ModifiedAt.Before(got.ModifiedAt) {
		t.Errorf("after the edit: %+v", after[0])
	}
	if err := c.DeleteClient(ctx, apiWS, got.ID); err != nil {
		t.Fatal(err)
	}
	if gone, _ := c.ListClients(ctx, apiWS); len(gone) != 0 {
		t.Errorf("listed %d clients after the delete", len(gone))
	}
	for _, r := range srv.Requests() {
		if r.SpecError != nil {
			t.Errorf("%s %s breaks its spec: %v", r.Method, r.Path, r.SpecError)
		}
	}
	// The edit sent the client's whole state, as the reference asks.
	for _, r := range srv.Requests() {
		if r.Method == "PUT" {
			var body map[string]any
			_ = json.Unmarshal(r.Body, &body)
			for _, k := range []string{"workspace_id", "client_id", "client_first_name", "client_last_name", "client_business_name", "notify_pos_reply_email", "workspaces"} {
				if _, ok := body[k]; !ok {
					t.Errorf("PUT /client without %s: %s", k, r.Body)
				}
			}
		}
	}
}

func TestEditAndDeleteOfAnUnknownClient(t *testing.T) {
	srv := plusvibetest.NewServer(t)
	c, _ := newClient(t, srv)
	err := c.DeleteClient(context.Background(), apiWS, "70218d5e05561a3877dcb77f")
	if !errors.Is(err, plusvibe.ErrInvalidRequest) && !strings.Contains(err.Error(), "404") {
		t.Errorf("delete of an unknown client: %v", err)
	}
	if strings.Contains(err.Error(), srv.APIKey()) {
		t.Error("the error carries the API key")
	}
	err = c.UpdateClient(context.Background(), plusvibe.UpdateClientRequest{WorkspaceID: apiWS, ClientID: "x",
		Workspaces: []plusvibe.ClientWorkspacePermission{{ID: "nope", Permissions: []string{"ADMIN"}}}})
	var verrs plusvibe.ValidationErrors
	if !errors.As(err, &verrs) || len(srv.Requests()) != 1 {
		t.Errorf("an invalid edit: %v, %d requests (want none sent)", err, len(srv.Requests())-1)
	}
}

// Reads are retried after a 5xx; an edit or a delete only after a 429 or
// a refused connection: PlusVibe may have acted before failing.
func TestClientAccessRetryPolicy(t *testing.T) {
	srv := plusvibetest.NewServer(t)
	c, waits := newClient(t, srv)
	ctx := context.Background()
	id := srv.AddClient(plusvibe.ClientLogin{Email: "a@b.co", FirstName: "A", LastName: "B", BusinessName: "C",
		Permissions: []plusvibe.ClientPermission{{WorkspaceID: apiWS, Permissions: []string{plusvibe.PermissionUniboxAccess}}}})

	srv.Script("GET", "/client/", plusvibetest.Response{Status: 503})
	if list, err := c.ListClients(ctx, apiWS); err != nil || len(list) != 1 {
		t.Errorf("a list after a 503: %v, %v", list, err)
	}
	srv.Script("PUT", "/client", plusvibetest.Response{Status: 502})
	edit := plusvibe.UpdateClientRequest{WorkspaceID: apiWS, ClientID: id, ClientFirstName: "A", ClientLastName: "B", ClientBusinessName: "C",
		Workspaces: []plusvibe.ClientWorkspacePermission{{ID: apiWS, Permissions: []string{plusvibe.PermissionFullAccess}, HideLabels: []string{}}}}
	if err := c.UpdateClient(ctx, edit); !errors.Is(err, plusvibe.ErrServer) || srv.Count("PUT", "/client") != 1 {
		t.Errorf("an edit after a 502: %v, %d PUTs, want the error and no retry", err, srv.Count("PUT", "/client"))
	}
	srv.Script("DELETE", "/client", plusvibetest.Response{Status: 429, RetryAfter: "2"})
	if err := c.DeleteClient(ctx, apiWS, id); err != nil || srv.Count("DELETE", "/client") != 2 {
		t.Errorf("a delete after a 429: %v, %d DELETEs", err, srv.Count("DELETE", "/client"))
	}
	if w := waits.all(); len(w) != 2 || w[1] != 2*time.Second {
		t.Errorf("waits %v, want a backoff for the 503 and Retry-After for the 429", w)
	}
}
