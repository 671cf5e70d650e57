package plusvibetest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe"
)

// AddClient seeds a client, as if created in PlusVibe itself; it returns
// its id.
func (s *Server) AddClient(c plusvibe.ClientLogin) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.ID == "" {
		c.ID = randomHex(12)
	}
	if c.Status == "" {
		c.Status = "ACTIVE"
	}
	if c.CreatedAt.IsZero() {
		c.CreatedAt = time.Now().UTC().Add(-24 * time.Hour)
		c.ModifiedAt = c.CreatedAt
	}
	for i, p := range c.Permissions {
		c.Permissions[i].WorkspaceName = s.workspaceNameLocked(p.WorkspaceID)
	}
	s.logins = append(s.logins, &listed{login: c})
	return c.ID
}

// Listed returns the clients GET /client/ would list now.
func (s *Server) Listed() []plusvibe.ClientLogin {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []plusvibe.ClientLogin
	for _, l := range s.logins {
		if !l.deleted {
			out = append(out, l.login)
		}
	}
	return out
}

// Touch changes a client's modified_at, as an edit made elsewhere would.
func (s *Server) Touch(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, l := range s.logins {
		if l.login.ID == id {
			l.login.ModifiedAt = l.login.ModifiedAt.Add(time.Second)
		}
	}
}

func (s *Server) workspaceNameLocked(id string) string {
	for _, w := range s.workspaces {
		if w.ID == id {
			return w.Name
		}
	}
	return ""
}

func (s *Server) permissionsLocked(ws []plusvibe.ClientWorkspacePermission) []plusvibe.ClientPermission {
	out := make([]plusvibe.ClientPermission, len(ws))
	for i, w := range ws {
		out[i] = plusvibe.ClientPermission{WorkspaceID: w.ID, WorkspaceName: s.workspaceNameLocked(w.ID),
			Permissions: slices.Clone(w.Permissions), HideLabels: slices.Clone(w.HideLabels)}
	}
	return out
}

// access answers GET /client/, PUT /client and DELETE /client, each checked
// against the spec written from PlusVibe's reference.
func (s *Server) access(r *http.Request, rec *Request) (int, []byte, map[string]string) {
	if err := s.checkAccessSpec(r, rec); err != nil {
		rec.SpecError = err
		s.t.Errorf("plusvibetest: %s %s does not match the client access spec: %v", rec.Method, rec.Path, err)
		return http.StatusBadRequest, errBody("Invalid request"), nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !slices.ContainsFunc(s.workspaces, func(w plusvibe.Workspace) bool { return w.ID == r.URL.Query().Get("workspace_id") }) && rec.Method == http.MethodGet {
		return http.StatusBadRequest, errBody("workspace_id is not a workspace of this API key"), nil
	}
	if rec.Method == http.MethodGet {
		clients := []plusvibe.ClientLogin{}
		for _, l := range s.logins {
			if !l.deleted {
				clients = append(clients, l.login)
			}
		}
		b, _ := json.Marshal(map[string]any{"clients": clients})
		return http.StatusOK, b, nil
	}
	var body plusvibe.UpdateClientRequest
	_ = json.Unmarshal(rec.Body, &body) // the spec check passed, so it decodes
	var found *listed
	for _, l := range s.logins {
		if l.login.ID == body.ClientID && !l.deleted {
			found = l
		}
	}
	if found == nil {
		return http.StatusNotFound, errBody("Client not found"), nil
	}
	if rec.Method == http.MethodDelete {
		found.deleted = true
		return http.StatusOK, []byte(`{"status":"success"}`), nil
	}
	if msg := s.accessRulesLocked(body.Workspaces); msg != "" {
		return http.StatusBadRequest, errBody(msg), nil
	}
	found.login.FirstName, found.login.LastName = body.ClientFirstName, body.ClientLastName
	found.login.BusinessName = body.ClientBusinessName
	found.login.Permissions = s.permissionsLocked(body.Workspaces)
	found.login.ModifiedAt = time.Now().UTC()
	return http.StatusOK, []byte(`{"status":"success"}`), nil
}

// accessRulesLocked are PlusVibe's rules for a client's workspaces, as on
// creation.
func (s *Server) accessRulesLocked(ws []plusvibe.ClientWorkspacePermission) string {
	for _, w := range ws {
		if s.workspaceNameLocked(w.ID) == "" {
			return fmt.Sprintf("workspace %s not found", w.ID)
		}
		if len(w.Permissions) != 1 {
			return "permissions must contain exactly one of FULL_ACCESS, UNIBOX_FULL_ACCESS"
		}
	}
	return ""
}

func (s *Server) checkAccessSpec(r *http.Request, rec *Request) error {
	doc, err := AccessSpec()
	if err != nil {
		return err
	}
	path := strings.TrimSuffix(rec.Path, "/")
	if rec.Method == http.MethodGet {
		path += "/"
	}
	return validateAgainst(doc, path, r, rec.Body)
}

// unknownFields rejects properties the schema does not define, at the top
// and in workspaces[] (a misspelt field would otherwise pass).
func unknownFields(body []byte, schema *openapi3.Schema) error {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil {
		return err
	}
	for k := range top {
		if _, ok := schema.Properties[k]; !ok {
			return fmt.Errorf("property %q is not in the spec", k)
		}
	}
	ws, ok := schema.Properties["workspaces"]
	if !ok || top["workspaces"] == nil {
		return nil
	}
	return unknownProperties(body, ws.Value.Items.Value.Properties, schema.Properties)
}

// Remove deletes a client, as someone doing it in PlusVibe's own app would.
func (s *Server) Remove(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, l := range s.logins {
		if l.login.ID == id {
			l.deleted = true
		}
	}
}
