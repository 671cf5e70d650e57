package plusvibe

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// ClientLogin is a client as PlusVibe lists it: who it is and its access to
// each workspace. Never a password: PlusVibe shows it only at creation.
type ClientLogin struct {
	ID           string             `json:"client_id"`
	FirstName    string             `json:"first_name"`
	LastName     string             `json:"last_name"`
	Email        string             `json:"client_email"`
	BusinessName string             `json:"client_business_name"`
	Status       string             `json:"status"`
	Permissions  []ClientPermission `json:"client_permissions"`
	CreatedAt    time.Time          `json:"created_at"`
	ModifiedAt   time.Time          `json:"modified_at"`
}

// ClientPermission is a client's access to one workspace, as listed.
type ClientPermission struct {
	WorkspaceID   string   `json:"workspace_id"`
	WorkspaceName string   `json:"workspace_name"`
	Permissions   []string `json:"permissions"`
	HideLabels    []string `json:"hide_labels"`
}

// Access is the client's access as an edit would send it back.
func (c ClientLogin) Access() []ClientWorkspacePermission {
	out := make([]ClientWorkspacePermission, len(c.Permissions))
	for i, p := range c.Permissions {
		labels := p.HideLabels
		if labels == nil {
			labels = []string{}
		}
		out[i] = ClientWorkspacePermission{ID: p.WorkspaceID, Permissions: p.Permissions, HideLabels: labels}
	}
	return out
}

// UpdateClientRequest is the body of PUT /client: the client's whole state
// after the edit. The reference does not say which fields besides
// workspace_id and client_id are required, so every one is sent.
type UpdateClientRequest struct {
	WorkspaceID         string                      `json:"workspace_id"`
	ClientID            string                      `json:"client_id"`
	ClientFirstName     string                      `json:"client_first_name"`
	ClientLastName      string                      `json:"client_last_name"`
	ClientBusinessName  string                      `json:"client_business_name"`
	NotifyPosReplyEmail bool                        `json:"notify_pos_reply_email"`
	Workspaces          []ClientWorkspacePermission `json:"workspaces"`
}

// ListClients lists the clients (GET /client/?workspace_id=…), with their
// access to every workspace. Being read-only, it is retried after a 5xx as
// well as after a 429. The reference documents no pagination: one answer
// holds them all.
//
// https://developer.plusvibe.ai/ (Client Access → List clients)
func (c *Client) ListClients(ctx context.Context, workspaceID string) ([]ClientLogin, error) {
	var resp struct {
		Clients []ClientLogin `json:"clients"`
	}
	ep := endpoint{method: http.MethodGet, path: "client/", query: url.Values{"workspace_id": {workspaceID}}, idempotent: true}
	if err := c.call(ctx, ep, nil, &resp); err != nil {
		return nil, err
	}
	return resp.Clients, nil
}

// UpdateClient replaces a client's name, business and access (PUT /client).
// Its workspaces are the access after the call: read the client first and
// send all of it. Like a creation it is retried only after a 429 or a
// connection refused before sending.
//
// https://developer.plusvibe.ai/ (Client Access → Edit client)
func (c *Client) UpdateClient(ctx context.Context, req UpdateClientRequest) error {
	if err := req.Validate(); err != nil {
		return err
	}
	return c.call(ctx, endpoint{method: http.MethodPut, path: "client"}, req, nil)
}

// Validate reports every problem with the edit at once, or nil: the same
// rules as a creation for the access. Names and business are sent back as
// PlusVibe listed them.
func (r UpdateClientRequest) Validate() error {
	var errs ValidationErrors
	add := func(field string, idx int, format string, args ...any) {
		errs = append(errs, FieldError{Field: field, Index: idx, Message: fmt.Sprintf(format, args...)})
	}
	if !IsWorkspaceID(r.WorkspaceID) {
		add(FieldWorkspaceID, -1, "The API workspace id must be 24 hexadecimal characters.")
	}
	if strings.TrimSpace(r.ClientID) == "" {
		add("client_id", -1, "The client id is missing.")
	}
	checkWorkspaces(r.Workspaces, add)
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// DeleteClient removes a client for good (DELETE /client). Retried only
// after a 429 or a connection refused before sending.
//
// https://developer.plusvibe.ai/ (Client Access → Delete client)
func (c *Client) DeleteClient(ctx context.Context, workspaceID, clientID string) error {
	body := map[string]string{"workspace_id": workspaceID, "client_id": clientID}
	return c.call(ctx, endpoint{method: http.MethodDelete, path: "client"}, body, nil)
}
