package dialoginfo_test

import (
	"fmt"

	"github.com/wasmphone/wasmphone/pkg/sipua/dialoginfo"
)

func ExampleStateOf() {
	body := []byte(`<?xml version="1.0"?>
<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="4" state="full" entity="sip:201@pbx.example.net">
  <dialog id="1" direction="recipient"><state>early</state></dialog>
</dialog-info>`)
	state, err := dialoginfo.StateOf(body)
	fmt.Println(state, err)
	// Output: RINGING <nil>
}

func ExampleTracker() {
	docs := []string{
		`<dialog-info version="0" state="full" entity="sip:201@pbx"/>`,
		`<dialog-info version="1" state="partial"><dialog id="a" direction="recipient"><state>early</state></dialog></dialog-info>`,
		`<dialog-info version="2" state="partial"><dialog id="a" direction="recipient"><state>confirmed</state></dialog></dialog-info>`,
		`<dialog-info version="2" state="partial"><dialog id="a"><state>terminated</state></dialog></dialog-info>`,
		`<dialog-info version="5" state="partial"><dialog id="a"><state>terminated</state></dialog></dialog-info>`,
	}
	var tr dialoginfo.Tracker
	for _, doc := range docs {
		info, err := dialoginfo.Parse([]byte(doc))
		if err != nil {
			fmt.Println(err)
			continue
		}
		res := tr.Apply(info)
		fmt.Printf("v%d applied=%t stale=%t %v\n", info.Version, res.Applied, res.Stale, tr.ExtensionState())
	}
	// Output:
	// v0 applied=true stale=false AVAILABLE
	// v1 applied=true stale=false RINGING
	// v2 applied=true stale=false BUSY
	// v2 applied=false stale=false BUSY
	// v5 applied=true stale=true AVAILABLE
}
