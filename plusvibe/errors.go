package plusvibe

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Kinds of failure, for errors.Is. An *APIError matches exactly one of the first
// five; a *NetworkError matches ErrTimeout or ErrNetwork.
var (
	ErrUnauthorized   = errors.New("plusvibe: API key rejected")
	ErrRateLimited    = errors.New("plusvibe: rate limited")
	ErrConflict       = errors.New("plusvibe: client already exists")
	ErrInvalidRequest = errors.New("plusvibe: request rejected as invalid")
	ErrServer         = errors.New("plusvibe: server error")
	ErrTimeout        = errors.New("plusvibe: request timed out")
	ErrNetwork        = errors.New("plusvibe: network error")
	// ErrIncomplete is a success answer without a usable result (no password,
	// or a body that could not be read): PlusVibe acted, the result is lost.
	ErrIncomplete = errors.New("plusvibe: success answer without a usable result")
)

// IncompleteError is a 2xx answer the client cannot use. For POST /client the
// client exists, without a password anyone knows.
type IncompleteError struct {
	Method     string
	Path       string
	StatusCode int
	// What is missing or wrong, in a few words; never the body itself.
	What string
}

func (e *IncompleteError) Error() string {
	code := "2xx"
	if e.StatusCode != 0 {
		code = strconv.Itoa(e.StatusCode)
	}
	return fmt.Sprintf("plusvibe: %s %s: %s but %s", e.Method, e.Path, code, e.What)
}

// Is makes errors.Is(err, ErrIncomplete) work.
func (e *IncompleteError) Is(target error) bool { return target == ErrIncomplete }

// APIError is a non-2xx answer from PlusVibe. It never holds the API key or the
// request body.
type APIError struct {
	StatusCode int
	// Message is PlusVibe's own explanation, when the body carried one.
	Message string
	Method  string
	Path    string
	// RetryAfter is the wait PlusVibe asked for on a 429, zero otherwise.
	RetryAfter time.Duration
}

func (e *APIError) Error() string {
	s := fmt.Sprintf("plusvibe: %s %s: %d %s", e.Method, e.Path, e.StatusCode, http.StatusText(e.StatusCode))
	if e.StatusCode >= 300 && e.StatusCode < 400 {
		s += ": redirect not followed (the API key would go with it)"
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// Is reports the error's kind; see the Err* variables.
func (e *APIError) Is(target error) bool {
	return e.kind() == target
}

func (e *APIError) kind() error {
	switch s := e.StatusCode; {
	case s == http.StatusUnauthorized || s == http.StatusForbidden:
		return ErrUnauthorized
	case s == http.StatusTooManyRequests:
		return ErrRateLimited
	case s == http.StatusConflict:
		return ErrConflict
	case s == http.StatusBadRequest && saysAlreadyExists(e.Message):
		// PlusVibe answers some duplicates with a 400 rather than a 409.
		return ErrConflict
	case s == http.StatusBadRequest || s == http.StatusUnprocessableEntity:
		return ErrInvalidRequest
	case s >= 500:
		return ErrServer
	}
	return nil
}

func saysAlreadyExists(msg string) bool {
	m := strings.ToLower(msg)
	return strings.Contains(m, "already exist") || strings.Contains(m, "already registered")
}

// NetworkError is a request that got no HTTP answer: a refused connection, a
// reset, or a timeout.
type NetworkError struct {
	Method string
	Path   string
	// Timeout is set when the per-request timeout ran out.
	Timeout bool
	// RequestSent is set when the request had been written before the failure,
	// so PlusVibe may have acted on it.
	RequestSent bool
	Err         error
}

func (e *NetworkError) Error() string {
	what := "network error"
	if e.Timeout {
		what = "timed out"
	}
	return fmt.Sprintf("plusvibe: %s %s: %s: %v", e.Method, e.Path, what, e.Err)
}

func (e *NetworkError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrTimeout) and errors.Is(err, ErrNetwork) work.
func (e *NetworkError) Is(target error) bool {
	if e.Timeout {
		return target == ErrTimeout
	}
	return target == ErrNetwork
}

// newAPIError builds the error for a non-2xx response. The body is mined for
// PlusVibe's message only; anything resembling the API key is scrubbed.
func (c *Client) newAPIError(ep endpoint, resp *http.Response, body []byte) *APIError {
	e := &APIError{StatusCode: resp.StatusCode, Method: ep.method, Path: "/" + ep.path}
	e.Message = c.redact(errorMessage(body))
	if resp.StatusCode == http.StatusTooManyRequests {
		e.RetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	}
	return e
}

func (c *Client) redact(s string) string {
	if c.apiKey == "" {
		return s
	}
	return strings.ReplaceAll(s, c.apiKey, "[REDACTED]")
}

// errorMessage finds a human message in an error body: a JSON "message" or
// "error" string, else the text itself, shortened.
func errorMessage(body []byte) string {
	var fields struct {
		Message any `json:"message"`
		Error   any `json:"error"`
	}
	if json.Unmarshal(body, &fields) == nil {
		for _, v := range []any{fields.Message, fields.Error} {
			if s, ok := v.(string); ok && strings.TrimSpace(s) != "" {
				return shorten(s)
			}
		}
		return ""
	}
	return shorten(string(body))
}

func shorten(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	const max = 300
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	return string([]rune(s)[:max]) + "…"
}

// parseRetryAfter reads Retry-After in both forms, seconds and HTTP date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.Atoi(v); err == nil {
		if secs < 0 {
			return 0
		}
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
