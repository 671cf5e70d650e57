package bot

import (
	"slices"
	"testing"
)

// A tab marked while it is being redrawn is drawn again after, never twice
// at once: an older drawing must not land after a newer one.
func TestHomeRedrawsNeverDrawOneTabTwiceAtOnce(t *testing.T) {
	h := newHomeRedraws()
	h.mark("U1", "U2")
	got := h.take()
	slices.Sort(got)
	if !slices.Equal(got, []string{"U1", "U2"}) {
		t.Fatalf("take = %v, want both", got)
	}
	h.mark("U1") // changed again while being drawn
	if got := h.take(); len(got) != 0 {
		t.Fatalf("take = %v while U1 is being drawn, want nobody", got)
	}
	<-h.wake // drained: the mark's wake-up
	h.done("U2")
	select {
	case <-h.wake:
		t.Fatal("U2's end woke the redrawer with nothing to draw")
	default:
	}
	h.done("U1")
	select {
	case <-h.wake:
	default:
		t.Fatal("U1's end did not wake the redrawer for its second change")
	}
	if got := h.take(); !slices.Equal(got, []string{"U1"}) {
		t.Errorf("take = %v, want U1 again", got)
	}
}
