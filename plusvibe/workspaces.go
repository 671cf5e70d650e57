package plusvibe

import (
	"context"
	"net/http"
)

// Workspace is a PlusVibe workspace the API key can use.
type Workspace struct {
	ID   string `json:"_id"`
	Name string `json:"name"`
}

// Workspaces lists the workspaces the API key can use (GET /authenticate).
// Being read-only, it is retried after a 5xx as well as after a 429.
func (c *Client) Workspaces(ctx context.Context) ([]Workspace, error) {
	var resp struct {
		Status     string      `json:"status"`
		Workspaces []Workspace `json:"workspaces"`
	}
	ep := endpoint{method: http.MethodGet, path: "authenticate", idempotent: true}
	if err := c.call(ctx, ep, nil, &resp); err != nil {
		return nil, err
	}
	return resp.Workspaces, nil
}
