package request

import (
	"strings"
	"testing"
	"time"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe"
)

func perm(id, p string, labels ...string) plusvibe.ClientPermission {
	return plusvibe.ClientPermission{WorkspaceID: id, Permissions: []string{p}, HideLabels: labels}
}

func after(id, p string, labels ...string) plusvibe.ClientWorkspacePermission {
	return plusvibe.ClientWorkspacePermission{ID: id, Permissions: []string{p}, HideLabels: labels}
}

const (
	full   = plusvibe.PermissionFullAccess
	unibox = plusvibe.PermissionUniboxAccess
)

func TestNeedsApproval(t *testing.T) {
	fullForm := Form{WorkspaceIDs: []string{"a"}, Permission: full}
	uniboxForm := Form{WorkspaceIDs: []string{"a"}, Permission: unibox}
	perWorkspace := Form{WorkspaceIDs: []string{"a", "b"}, PerWorkspace: true,
		Access: []WorkspaceAccess{{Permission: unibox}, {Permission: full}}}
	for _, tt := range []struct {
		name   string
		policy Policy
		form   Form
		want   bool
	}{
		{"no approval channel", Policy{}, fullForm, false},
		{"all wait", Policy{Approvals: true}, uniboxForm, true},
		{"Full access only: Unibox passes", Policy{Approvals: true, FullAccessOnly: true}, uniboxForm, false},
		{"Full access only: Full waits", Policy{Approvals: true, FullAccessOnly: true}, fullForm, true},
		{"Full access in one workspace of several", Policy{Approvals: true, FullAccessOnly: true}, perWorkspace, true},
	} {
		if got := tt.policy.NeedsApproval(tt.form); got != tt.want {
			t.Errorf("%s: NeedsApproval = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestChangeNeedsApproval(t *testing.T) {
	client := plusvibe.ClientLogin{Permissions: []plusvibe.ClientPermission{perm("a", unibox, "VIP")}}
	all, fullOnly := Policy{Approvals: true}, Policy{Approvals: true, FullAccessOnly: true}
	for _, tt := range []struct {
		name   string
		policy Policy
		after  []plusvibe.ClientWorkspacePermission
		want   bool
	}{
		{"no approval channel", Policy{}, []plusvibe.ClientWorkspacePermission{after("a", full)}, false},
		{"Full access gained", fullOnly, []plusvibe.ClientWorkspacePermission{after("a", full, "VIP")}, true},
		{"a workspace added, all wait", all, []plusvibe.ClientWorkspacePermission{after("a", unibox, "VIP"), after("b", unibox)}, true},
		{"a workspace added, Full access only", fullOnly, []plusvibe.ClientWorkspacePermission{after("a", unibox, "VIP"), after("b", unibox)}, false},
		{"a label shown, all wait", all, []plusvibe.ClientWorkspacePermission{after("a", unibox)}, true},
		{"a label shown, Full access only", fullOnly, []plusvibe.ClientWorkspacePermission{after("a", unibox)}, false},
		{"a label more hidden", all, []plusvibe.ClientWorkspacePermission{after("a", unibox, "VIP", "COLD")}, false},
		{"a workspace taken away", all, []plusvibe.ClientWorkspacePermission{}, false},
	} {
		if got := tt.policy.ChangeNeedsApproval(client, tt.after); got != tt.want {
			t.Errorf("%s: ChangeNeedsApproval = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestUnhidesLabels(t *testing.T) {
	client := plusvibe.ClientLogin{Permissions: []plusvibe.ClientPermission{perm("a", unibox, "VIP", "COLD")}}
	for _, tt := range []struct {
		name   string
		labels []string
		id     string
		want   bool
	}{
		{"same", []string{"VIP", "COLD"}, "a", false},
		{"more hidden", []string{"VIP", "COLD", "HOT"}, "a", false},
		{"case differs", []string{"vip", "cold"}, "a", false},
		{"one shown", []string{"VIP"}, "a", true},
		{"all shown", nil, "a", true},
		{"another workspace", nil, "b", false},
	} {
		if got := UnhidesLabels(client, []plusvibe.ClientWorkspacePermission{after(tt.id, unibox, tt.labels...)}); got != tt.want {
			t.Errorf("%s: UnhidesLabels = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestClock(t *testing.T) {
	c := Clock{TTL: 72 * time.Hour, Window: 3 * time.Minute}
	posted := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	granted := posted.Add(5 * time.Hour)
	if got := c.WaitEnds(Record{State: Pending}, posted, granted); !got.Equal(posted.Add(72 * time.Hour)) {
		t.Errorf("a pending request's wait ends %v, want 72 h after it was posted", got)
	}
	if got := c.WaitEnds(Record{State: Approved}, posted, granted); !got.Equal(granted.Add(72 * time.Hour)) {
		t.Errorf("an approval's wait ends %v, want 72 h after the grant", got)
	}
	now := posted.Add(time.Hour)
	creating := func(ago time.Duration) Record { return Record{State: Creating, Since: now.Add(-ago).Unix()} }
	for _, tt := range []struct {
		name   string
		r      Record
		lapsed bool
		want   Sweep
	}{
		{"pending, in time", Record{State: Pending}, false, Leave},
		{"pending, lapsed", Record{State: Pending}, true, Expire},
		{"approved, lapsed", Record{State: Approved}, true, Expire},
		{"failed, may try again, lapsed", Record{State: Failed}, true, Expire},
		{"failed for good, lapsed", Record{State: Failed, Final: true}, true, Leave},
		{"created, lapsed", Record{State: Created}, true, Leave},
		{"creating, within the window", creating(2 * time.Minute), false, Leave},
		{"creating, past the window", creating(4 * time.Minute), false, MarkInterrupted},
	} {
		if got := c.Swept(tt.r, tt.lapsed, now); got != tt.want {
			t.Errorf("%s: Swept = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestDecisionAndCollect(t *testing.T) {
	c := Clock{TTL: time.Hour, Window: time.Minute}
	now := time.Now()
	ask := Approval{Requester: "UR"}
	for _, tt := range []struct {
		name    string
		r       Record
		clicker string
		lapsed  bool
		want    Verdict
	}{
		{"approver decides", Record{State: Pending, Request: ask}, "UA", false, Go},
		{"own request", Record{State: Pending, Request: ask}, "UR", false, OwnRequest},
		{"decided already", Record{State: Denied, Request: ask}, "UA", false, AlreadyDecided},
		{"past its time", Record{State: Pending, Request: ask}, "UA", true, Lapsed},
	} {
		if got := Decision(tt.r, tt.clicker, tt.lapsed); got != tt.want {
			t.Errorf("Decision, %s = %v, want %v", tt.name, got, tt.want)
		}
	}
	for _, tt := range []struct {
		name    string
		r       Record
		clicker string
		lapsed  bool
		want    Verdict
	}{
		{"the requester collects", Record{State: Approved, Request: ask}, "UR", false, Go},
		{"a retry after a failure", Record{State: Failed, Request: ask}, "UR", false, Go},
		{"someone else", Record{State: Approved, Request: ask}, "UX", false, NotTheRequester},
		{"created", Record{State: Created, Request: ask}, "UR", false, AlreadyCreated},
		{"being created", Record{State: Creating, Since: now.Unix(), Request: ask}, "UR", false, BeingCreated},
		{"interrupted", Record{State: Creating, Since: now.Add(-time.Hour).Unix(), Request: ask}, "UR", false, WasInterrupted},
		{"not approved yet", Record{State: Pending, Request: ask}, "UR", false, NotApprovedYet},
		{"failed for good", Record{State: Failed, Final: true, Request: ask}, "UR", false, FailedForGood},
		{"denied", Record{State: Denied, Request: ask}, "UR", false, AlreadyDecided},
		{"expired", Record{State: Expired, Request: ask}, "UR", false, AlreadyDecided},
		{"approval past its time", Record{State: Approved, Request: ask}, "UR", true, Lapsed},
	} {
		if got := c.Collect(tt.r, tt.clicker, tt.lapsed, now); got != tt.want {
			t.Errorf("Collect, %s = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestRecordPayloadRoundTrip(t *testing.T) {
	r := Record{State: Approved, By: "UA", Request: Approval{Requester: "UR", Form: Form{Email: "a@b.c", WorkspaceIDs: []string{"w"}}},
		Change: &ClientChange{ClientID: "c1", Modified: "m"}}
	got, err := FromPayload(RecordEvent, r.Payload())
	if err != nil || got.State != r.State || got.Request.Form.Email != "a@b.c" || got.Change == nil || got.Change.ClientID != "c1" {
		t.Fatalf("round trip: %+v, %v", got, err)
	}
	for name, bad := range map[string]func() (Record, error){
		"another event": func() (Record, error) { return FromPayload("other", r.Payload()) },
		"no requester":  func() (Record, error) { return FromPayload(RecordEvent, map[string]any{"state": "pending"}) },
	} {
		if _, err := bad(); err != ErrNoRecord {
			t.Errorf("%s: %v, want ErrNoRecord", name, err)
		}
	}
}

func TestReasonRules(t *testing.T) {
	unibox := Form{WorkspaceIDs: []string{"a"}, Permission: plusvibe.PermissionUniboxAccess}
	fullForm := Form{WorkspaceIDs: []string{"a"}, Permission: plusvibe.PermissionFullAccess}
	for _, tt := range []struct {
		name   string
		policy Policy
		form   Form
		want   string
	}{
		{"waits, no reason", Policy{Approvals: true}, unibox, "Say why"},
		{"waits, a reason", Policy{Approvals: true}, Form{Reason: "SUP-1", Permission: unibox.Permission}, ""},
		{"does not wait, no reason", Policy{Approvals: true, FullAccessOnly: true}, unibox, ""},
		{"Full access waits, no reason", Policy{Approvals: true, FullAccessOnly: true}, fullForm, "Say why"},
		{"all, no approvals", Policy{Reason: ReasonAlways}, unibox, "Say why"},
		{"none, waits", Policy{Approvals: true, Reason: ReasonNever}, unibox, ""},
		{"blank is none", Policy{Reason: ReasonAlways}, Form{Reason: "  \t "}, "Say why"},
		{"too long", Policy{}, Form{Reason: strings.Repeat("x", MaxReasonLen+1)}, "Too long"},
		{"a hidden character", Policy{}, Form{Reason: "SUP\u202E-1"}, "U+202E"},
	} {
		got := tt.policy.ReasonProblem(tt.form)
		if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
			t.Errorf("%s: ReasonProblem = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestWithdraw(t *testing.T) {
	ask := Approval{Requester: "UR"}
	for _, tt := range []struct {
		name    string
		r       Record
		clicker string
		want    Verdict
	}{
		{"pending, by the requester", Record{State: Pending, Request: ask}, "UR", Go},
		{"approved, not created yet", Record{State: Approved, Request: ask}, "UR", Go},
		{"failed, may try again", Record{State: Failed, Request: ask}, "UR", Go},
		{"by someone else", Record{State: Pending, Request: ask}, "UX", NotTheRequester},
		{"being created", Record{State: Creating, Request: ask}, "UR", BeingCreated},
		{"created", Record{State: Created, Request: ask}, "UR", AlreadyCreated},
		{"failed for good", Record{State: Failed, Final: true, Request: ask}, "UR", AlreadyDecided},
		{"denied", Record{State: Denied, Request: ask}, "UR", AlreadyDecided},
		{"withdrawn already", Record{State: Withdrawn, Request: ask}, "UR", AlreadyDecided},
	} {
		if got := Withdraw(tt.r, tt.clicker); got != tt.want {
			t.Errorf("%s: Withdraw = %v, want %v", tt.name, got, tt.want)
		}
	}
	c := Clock{TTL: time.Hour, Window: time.Minute}
	if got := c.Swept(Record{State: Withdrawn}, true, time.Now()); got != Leave {
		t.Errorf("the sweep does %v to a withdrawn request, want nothing", got)
	}
	if got := c.Collect(Record{State: Withdrawn, Request: ask}, "UR", false, time.Now()); got != AlreadyDecided {
		t.Errorf("a Create click on a withdrawn request: %v, want AlreadyDecided", got)
	}
}

func TestReminders(t *testing.T) {
	c := Clock{TTL: 72 * time.Hour, RemindAfter: 4 * time.Hour}
	posted := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	pending := Record{State: Pending}
	for _, tt := range []struct {
		name     string
		r        Record
		after    time.Duration
		count    int
		due      bool
		disabled bool
	}{
		{"before the first", pending, 3 * time.Hour, 0, false, false},
		{"the first, at 4h", pending, 4 * time.Hour, 1, true, false},
		{"the first, sent", Record{State: Pending, Reminded: 1}, 11 * time.Hour, 1, false, false},
		{"the second, at 12h", Record{State: Pending, Reminded: 1}, 12 * time.Hour, 2, true, false},
		{"the third, at 28h", Record{State: Pending, Reminded: 2}, 28 * time.Hour, 3, true, false},
		{"missed ones make one", pending, 30 * time.Hour, 3, true, false},
		{"decided", Record{State: Approved}, 30 * time.Hour, 0, false, false},
		{"reminders off", pending, 30 * time.Hour, 0, false, true},
	} {
		clock := c
		if tt.disabled {
			clock.RemindAfter = 0
		}
		count, due := clock.ReminderDue(tt.r, posted, posted.Add(tt.after))
		if count != tt.count || due != tt.due {
			t.Errorf("%s: ReminderDue = %d, %v; want %d, %v", tt.name, count, due, tt.count, tt.due)
		}
	}
	if c.Escalated(posted, posted.Add(35*time.Hour)) || !c.Escalated(posted, posted.Add(36*time.Hour)) {
		t.Error("escalation does not come at half of the 72 h")
	}
	granted := posted
	if c.GrantReminderDue(Record{State: Approved}, granted, granted.Add(35*time.Hour)) ||
		!c.GrantReminderDue(Record{State: Approved}, granted, granted.Add(36*time.Hour)) ||
		c.GrantReminderDue(Record{State: Approved, GrantReminded: true}, granted, granted.Add(40*time.Hour)) ||
		c.GrantReminderDue(Record{State: Created}, granted, granted.Add(40*time.Hour)) {
		t.Error("the requester's reminder is not due once, at half of the approval's time")
	}
}

func TestEscalationDue(t *testing.T) {
	c := Clock{TTL: 72 * time.Hour, RemindAfter: 4 * time.Hour}
	posted := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	at := func(h time.Duration) time.Time { return posted.Add(h * time.Hour) }
	if c.EscalationDue(Record{State: Pending, Reminded: 3}, posted, at(35)) {
		t.Error("escalated before half of the time")
	}
	if !c.EscalationDue(Record{State: Pending, Reminded: 3}, posted, at(36)) {
		t.Error("not escalated at half of the time, between two reminders")
	}
	if c.EscalationDue(Record{State: Pending, Reminded: 3, Escalated: true}, posted, at(40)) {
		t.Error("escalated twice")
	}
	if c.EscalationDue(Record{State: Approved}, posted, at(40)) {
		t.Error("a decided request escalated")
	}
}
