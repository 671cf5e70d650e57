package request

import (
	"fmt"
	"testing"
	"time"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/plusvibe"
)

func TestFullAccessItemsListsOnlyFullAccess(t *testing.T) {
	clients := []plusvibe.ClientLogin{
		{ID: "b", Email: "Zed@x.com", Permissions: []plusvibe.ClientPermission{{WorkspaceID: ws1, WorkspaceName: "Acme", Permissions: []string{full}}}},
		{ID: "u", Email: "uni@x.com", Permissions: []plusvibe.ClientPermission{{WorkspaceID: ws1, Permissions: []string{unibox}}}},
		{ID: "a", Email: "amy@x.com", Permissions: []plusvibe.ClientPermission{
			{WorkspaceID: ws1, Permissions: []string{unibox}}, {WorkspaceID: ws2, Permissions: []string{full}}}},
	}
	items := FullAccessItems(clients, offered)
	if len(items) != 2 || items[0].ClientID != "a" || items[1].ClientID != "b" {
		t.Fatalf("items %+v, want amy then Zed, not the Unibox only one", items)
	}
	if len(items[0].Workspaces) != 1 || items[0].Workspaces[0] != "Nova Consulting" {
		t.Errorf("amy's Full access workspaces %v, want [Nova Consulting]", items[0].Workspaces)
	}
}

func TestPaginateKeepsEveryClientWithinBlockKit(t *testing.T) {
	items := make([]ReviewItem, 500)
	for i := range items {
		items[i].ClientID = fmt.Sprint(i)
	}
	pages := Paginate(7, items)
	if len(pages) != 25 {
		t.Fatalf("%d pages for 500 clients, want 25", len(pages))
	}
	seen := 0
	for i, p := range pages {
		if p.Page != i+1 || p.Pages != 25 || p.Period != 7 || len(p.Items) > ReviewPageSize {
			t.Errorf("page %+v", p)
		}
		seen += len(p.Items)
	}
	if seen != 500 {
		t.Errorf("%d clients over the pages, want 500", seen)
	}
	if empty := Paginate(7, nil); len(empty) != 1 || len(empty[0].Items) != 0 {
		t.Errorf("no clients: %+v, want one empty page saying so", empty)
	}
}

func TestReviewDecide(t *testing.T) {
	p := ReviewPage{Items: []ReviewItem{{ClientID: "a", Requester: "U1"}, {ClientID: "b", Decision: ReviewKeep}}}
	for _, tt := range []struct {
		id, clicker string
		want        ReviewVerdict
	}{
		{"a", "U2", ReviewGo},
		{"a", "U1", ReviewOwnClient},
		{"b", "U2", ReviewDecided},
		{"c", "U2", ReviewNotListed},
	} {
		if _, got := p.Decide(tt.id, tt.clicker); got != tt.want {
			t.Errorf("Decide(%s, %s) = %v, want %v", tt.id, tt.clicker, got, tt.want)
		}
	}
}

func TestPeriod(t *testing.T) {
	every := 720 * time.Hour
	a := time.Unix(int64(every/time.Second)*100+5, 0)
	if Period(a, every) != 100 || Period(a.Add(every), every) != 101 {
		t.Errorf("periods %d, %d", Period(a, every), Period(a.Add(every), every))
	}
}

// A review's item is the client's access as the review saw it: another
// access is another client to decide on; a modification of anything else
// is not.
func TestReviewItemChanged(t *testing.T) {
	seen := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	c := plusvibe.ClientLogin{ID: "c", ModifiedAt: seen, Permissions: []plusvibe.ClientPermission{
		{WorkspaceID: "w1", Permissions: []string{plusvibe.PermissionFullAccess}}}}
	it := FullAccessItems([]plusvibe.ClientLogin{c}, nil)[0]
	touched := c
	touched.ModifiedAt, touched.BusinessName = seen.Add(time.Minute), "Renamed"
	if it.Changed(c) || it.Changed(touched) {
		t.Error("the client's access as the review saw it counts as changed")
	}
	reduced := c
	reduced.Permissions = []plusvibe.ClientPermission{{WorkspaceID: "w1", Permissions: []string{plusvibe.PermissionUniboxAccess}}}
	if !it.Changed(reduced) {
		t.Error("access changed since the review: not seen as changed")
	}
	if (ReviewItem{ClientID: "c"}).Changed(reduced) {
		t.Error("an item posted without what it saw (an older page) counts as changed")
	}
}
