package plusvibe

import (
	"context"
	"net/http"
	"strings"
)

// Permissions a client can hold in a workspace.
const (
	PermissionFullAccess   = "FULL_ACCESS"
	PermissionUniboxAccess = "UNIBOX_FULL_ACCESS"
)

// CreateClientRequest is the body of POST /client.
type CreateClientRequest struct {
	// WorkspaceID is a workspace the API key can use; it does not decide which
	// workspaces the client gets (Workspaces does).
	WorkspaceID        string                      `json:"workspace_id"`
	ClientEmail        string                      `json:"client_email"`
	ClientFirstName    string                      `json:"client_first_name"`
	ClientLastName     string                      `json:"client_last_name"`
	ClientBusinessName string                      `json:"client_business_name"`
	Workspaces         []ClientWorkspacePermission `json:"workspaces"`
}

// ClientWorkspacePermission grants the client one workspace.
type ClientWorkspacePermission struct {
	ID string `json:"id"`
	// Permissions holds exactly one of PermissionFullAccess, PermissionUniboxAccess.
	Permissions []string `json:"permissions"`
	// HideLabels are lead labels hidden from the client; sent as [] when empty.
	HideLabels []string `json:"hide_labels"`
}

// CreateClientResponse is PlusVibe's answer to POST /client.
type CreateClientResponse struct {
	ClientID string   `json:"client_id"`
	Email    string   `json:"email"`
	Password Password `json:"password"`
}

// CreateClient creates a client login and returns its one-time password.
// It validates req first and sends nothing when it is invalid (the error is then
// a ValidationErrors). It is never retried after PlusVibe may have acted on it:
// only a 429 or a connection refused before sending is retried.
//
// https://developer.plusvibe.ai/ (Client Access → Create client)
func (c *Client) CreateClient(ctx context.Context, req CreateClientRequest) (CreateClientResponse, error) {
	req = req.Normalized()
	if err := req.Validate(); err != nil {
		return CreateClientResponse{}, err
	}
	var resp CreateClientResponse
	err := c.call(ctx, endpoint{method: http.MethodPost, path: "client"}, req, &resp)
	if err == nil && strings.TrimSpace(resp.Password.Reveal()) == "" {
		err = &IncompleteError{Method: http.MethodPost, Path: "/client", What: "the answer has no password"}
	}
	return resp, err
}
