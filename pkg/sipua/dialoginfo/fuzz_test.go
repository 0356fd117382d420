package dialoginfo_test

import (
	"errors"
	"testing"

	"github.com/wasmphone/wasmphone/pkg/sipua/dialoginfo"
)

func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		rfcFullTrying, rfcPartialConfirmed, rfcPartialTerminated, rfcFullIdle,
		asteriskEarly, asteriskTryingCapitalized, kamailioConfirmed,
		freeswitchProceeding, prefixedPartial, noNamespace,
		"",
		"<dialog-info",
		`<dialog-info version="1" state="full"><dialog id="a"><state>&x;</state></dialog></dialog-info>`,
		`<!DOCTYPE d [<!ENTITY a "b">]><dialog-info version="1" state="full"/>`,
		`<?xml version="1.0" encoding="ISO-8859-1"?><dialog-info version="1" state="full" entity="` + "\xe9" + `"/>`,
		`<dialog-info version="1" state="full"><dialog id="a"><state>early</state><duration>99999999999999999999</duration></dialog></dialog-info>`,
	} {
		f.Add([]byte(seed))
	}
	known := map[dialoginfo.ExtensionState]string{
		dialoginfo.Unknown:   "UNKNOWN",
		dialoginfo.Available: "AVAILABLE",
		dialoginfo.Ringing:   "RINGING",
		dialoginfo.Busy:      "BUSY",
	}
	errs := []error{
		dialoginfo.ErrEmpty, dialoginfo.ErrTooLarge, dialoginfo.ErrMalformed,
		dialoginfo.ErrNotDialogInfo, dialoginfo.ErrInvalidVersion, dialoginfo.ErrInvalidState,
	}

	f.Fuzz(func(t *testing.T, body []byte) {
		info, err := dialoginfo.Parse(body)
		state, stateErr := dialoginfo.StateOf(body)
		if (err == nil) != (stateErr == nil) {
			t.Fatalf("Parse error %v but StateOf error %v", err, stateErr)
		}
		if err != nil {
			if info != nil {
				t.Fatalf("non-nil Info with error %v", err)
			}
			if state != dialoginfo.Unknown {
				t.Fatalf("StateOf = %v with error", state)
			}
			matched := false
			for _, e := range errs {
				matched = matched || errors.Is(err, e)
			}
			if !matched {
				t.Fatalf("error %v wraps none of the package errors", err)
			}
			return
		}
		if info.State != dialoginfo.Full && info.State != dialoginfo.Partial {
			t.Fatalf("document state %v", info.State)
		}
		if len(info.Dialogs) > dialoginfo.MaxDialogs {
			t.Fatalf("%d dialogs", len(info.Dialogs))
		}
		got := info.ExtensionState()
		if want, ok := known[got]; !ok || got.String() != want {
			t.Fatalf("extension state %d (%q) outside the known set", int(got), got.String())
		}
		if got != state {
			t.Fatalf("StateOf = %v, Info.ExtensionState = %v", state, got)
		}
		for _, d := range info.Dialogs {
			if d.Direction != "" && d.Direction != dialoginfo.Initiator && d.Direction != dialoginfo.Recipient {
				t.Fatalf("direction %q", d.Direction)
			}
			if d.Duration < 0 {
				t.Fatalf("negative duration %v", d.Duration)
			}
		}
		var tr dialoginfo.Tracker
		if res := tr.Apply(info); !res.Applied {
			t.Fatal("first document not applied")
		}
		if _, ok := known[tr.ExtensionState()]; !ok {
			t.Fatalf("tracker state %d", int(tr.ExtensionState()))
		}
	})
}
