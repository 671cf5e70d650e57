package seal

import (
	"errors"
	"strings"
	"testing"
)

func TestSealOpens(t *testing.T) {
	key := Key("xoxb-bot")
	sealed, err := Seal(key, "xwfp-execution-token")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(sealed, "xwfp") {
		t.Fatal("the sealed value holds the plain text")
	}
	if got, err := Open(key, sealed); err != nil || got != "xwfp-execution-token" {
		t.Fatalf("Open = %q, %v", got, err)
	}
	again, _ := Seal(key, "xwfp-execution-token")
	if again == sealed {
		t.Error("two seals of one value are equal: the nonce is not fresh")
	}
}

func TestOpenRefusesOtherKeysAndChanges(t *testing.T) {
	sealed, _ := Seal(Key("xoxb-bot"), "secret")
	if _, err := Open(Key("xoxb-other"), sealed); !errors.Is(err, ErrOpen) {
		t.Errorf("opened with another key: %v", err)
	}
	flipped := []byte(sealed)
	flipped[len(flipped)-2] ^= 1
	if _, err := Open(Key("xoxb-bot"), string(flipped)); !errors.Is(err, ErrOpen) {
		t.Errorf("opened a changed value: %v", err)
	}
	if _, err := Open(Key("xoxb-bot"), "%%"); !errors.Is(err, ErrOpen) {
		t.Errorf("opened garbage: %v", err)
	}
}
