package plusvibetest

import "testing"

func TestSpecLoads(t *testing.T) {
	doc, err := Spec()
	if err != nil {
		t.Fatal(err)
	}
	op := doc.Paths.Find("/client").Post
	if op == nil || op.RequestBody == nil {
		t.Fatal("POST /client has no request body in the repaired spec")
	}
	if _, ok := doc.Components.SecuritySchemes["ApiKeyAuth"]; !ok {
		t.Fatal("ApiKeyAuth scheme lost in repair")
	}
}
