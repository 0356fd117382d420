package dialoginfo_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wasmphone/wasmphone/pkg/sipua/dialoginfo"
)

func TestParseDecodesDocuments(t *testing.T) {
	tests := []struct {
		name string
		body string
		want *dialoginfo.Info
	}{
		{
			name: "RFC 4235 full document with an outgoing attempt",
			body: rfcFullTrying,
			want: &dialoginfo.Info{
				Version: 0, State: dialoginfo.Full, Entity: "sip:carol@chicago.example.org",
				Dialogs: []dialoginfo.Dialog{{
					ID: "zxcv0987", CallID: "c81f2a6e@host.chicago.example.org", LocalTag: "51aa7c",
					Direction: dialoginfo.Initiator, State: dialoginfo.Trying,
				}},
			},
		},
		{
			name: "RFC 4235 partial document with every dialog field",
			body: rfcPartialConfirmed,
			want: &dialoginfo.Info{
				Version: 1, State: dialoginfo.Partial, Entity: "sip:carol@chicago.example.org",
				Dialogs: []dialoginfo.Dialog{{
					ID: "zxcv0987", CallID: "c81f2a6e@host.chicago.example.org",
					LocalTag: "51aa7c", RemoteTag: "e3d9b0", Direction: dialoginfo.Initiator,
					State: dialoginfo.Confirmed, Event: "remote-bye", Code: 200,
					Duration: 42 * time.Second, HasDuration: true,
					Local: dialoginfo.Participant{
						Identity: "sip:carol@chicago.example.org", Display: "Carol & Co",
						Target: "sip:carol@desk7.chicago.example.org",
					},
					Remote: dialoginfo.Participant{
						Identity: "sip:erin@boston.example.com", Display: "Erin",
						Target: "sip:erin@laptop.boston.example.com",
					},
				}},
			},
		},
		{
			name: "RFC 4235 terminated dialog keeps its event",
			body: rfcPartialTerminated,
			want: &dialoginfo.Info{
				Version: 2, State: dialoginfo.Partial, Entity: "sip:carol@chicago.example.org",
				Dialogs: []dialoginfo.Dialog{{
					ID: "zxcv0987", CallID: "c81f2a6e@host.chicago.example.org", LocalTag: "51aa7c",
					RemoteTag: "e3d9b0", Direction: dialoginfo.Initiator,
					State: dialoginfo.Terminated, Event: "local-bye",
				}},
			},
		},
		{
			name: "empty element root has no dialogs",
			body: rfcFullIdle,
			want: &dialoginfo.Info{Version: 5, State: dialoginfo.Full, Entity: "sip:carol@chicago.example.org"},
		},
		{
			name: "Asterisk-style document skips vendor extension",
			body: asteriskEarly,
			want: &dialoginfo.Info{
				Version: 12, State: dialoginfo.Full, Entity: "sip:201@pbx.example.net",
				Dialogs: []dialoginfo.Dialog{{
					ID: "201", Direction: dialoginfo.Recipient, State: dialoginfo.Early,
					Local:  dialoginfo.Participant{Identity: "sip:201@pbx.example.net", Display: "Room 201", Target: "sip:201@pbx.example.net"},
					Remote: dialoginfo.Participant{Identity: "sip:100@pbx.example.net", Display: "Front Desk", Target: "sip:**201@pbx.example.net"},
				}},
			},
		},
		{
			name: "capitalized and padded state and direction are normalized",
			body: asteriskTryingCapitalized,
			want: &dialoginfo.Info{
				Version: 3, State: dialoginfo.Full, Entity: "sip:201@pbx.example.net",
				Dialogs: []dialoginfo.Dialog{{ID: "201", Direction: dialoginfo.Recipient, State: dialoginfo.Trying}},
			},
		},
		{
			name: "Kamailio-style document with leading zeros in version",
			body: kamailioConfirmed,
			want: &dialoginfo.Info{
				Version: 7, State: dialoginfo.Full, Entity: "sip:201@voip.example.org",
				Dialogs: []dialoginfo.Dialog{{
					ID: "7f3e1c2d", CallID: "7f3e1c2d@198.51.100.20", LocalTag: "as61d2", RemoteTag: "k8z0",
					Direction: dialoginfo.Initiator, State: dialoginfo.Confirmed,
					Local:  dialoginfo.Participant{Identity: "sip:201@voip.example.org", Target: "sip:201@198.51.100.20:5060"},
					Remote: dialoginfo.Participant{Identity: "sip:202@voip.example.org", Target: "sip:202@voip.example.org"},
				}},
			},
		},
		{
			name: "FreeSWITCH-style document skips foreign elements in dialog",
			body: freeswitchProceeding,
			want: &dialoginfo.Info{
				Version: 9, State: dialoginfo.Full, Entity: "sip:1001@fs.example.com",
				Dialogs: []dialoginfo.Dialog{{
					ID: "0c5b9a70-1f2e", Direction: dialoginfo.Recipient, State: dialoginfo.Proceeding,
					Local:  dialoginfo.Participant{Identity: "sip:1001@fs.example.com", Display: "1001", Target: "sip:1001@fs.example.com"},
					Remote: dialoginfo.Participant{Identity: "sip:2000@fs.example.com", Display: "Sales", Target: "sip:2000@fs.example.com"},
				}},
			},
		},
		{
			name: "prefixed namespace and upper-case document state",
			body: prefixedPartial,
			want: &dialoginfo.Info{
				Version: 8, State: dialoginfo.Partial, Entity: "sip:201@pbx.example.net",
				Dialogs: []dialoginfo.Dialog{{ID: "d1", Direction: dialoginfo.Recipient, State: dialoginfo.Confirmed}},
			},
		},
		{
			name: "document without namespace",
			body: noNamespace,
			want: &dialoginfo.Info{
				Version: 4, State: dialoginfo.Full, Entity: "sip:201@pbx.example.net",
				Dialogs: []dialoginfo.Dialog{{ID: "x", State: dialoginfo.Early}},
			},
		},
		{
			name: "dialog elements of a foreign namespace are ignored",
			body: `<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" xmlns:x="urn:example:other" version="1" state="full">
				<x:dialog id="foreign"><x:state>confirmed</x:state></x:dialog>
				<dialog id="mine"><state>terminated</state><x:state>confirmed</x:state></dialog>
			</dialog-info>`,
			want: &dialoginfo.Info{
				Version: 1, State: dialoginfo.Full,
				Dialogs: []dialoginfo.Dialog{{ID: "mine", State: dialoginfo.Terminated}},
			},
		},
		{
			name: "unrecognized direction, bad code and bad duration are dropped",
			body: `<dialog-info version="1" state="full"><dialog id="a" direction="sideways">
				<state code="abc" event=" Rejected ">terminated</state><duration>-5</duration></dialog></dialog-info>`,
			want: &dialoginfo.Info{
				Version: 1, State: dialoginfo.Full,
				Dialogs: []dialoginfo.Dialog{{ID: "a", State: dialoginfo.Terminated, Event: "rejected"}},
			},
		},
		{
			name: "zero duration is present",
			body: `<dialog-info version="1" state="full"><dialog id="a"><state>early</state><duration>0</duration></dialog></dialog-info>`,
			want: &dialoginfo.Info{
				Version: 1, State: dialoginfo.Full,
				Dialogs: []dialoginfo.Dialog{{ID: "a", State: dialoginfo.Early, HasDuration: true}},
			},
		},
		{
			name: "missing state element leaves state empty",
			body: `<dialog-info version="1" state="full"><dialog id="a"/></dialog-info>`,
			want: &dialoginfo.Info{Version: 1, State: dialoginfo.Full, Dialogs: []dialoginfo.Dialog{{ID: "a"}}},
		},
		{
			name: "unknown state value is kept lower-cased",
			body: `<dialog-info version="1" state="full"><dialog id="a"><state>On-Hold</state></dialog></dialog-info>`,
			want: &dialoginfo.Info{Version: 1, State: dialoginfo.Full, Dialogs: []dialoginfo.Dialog{{ID: "a", State: "on-hold"}}},
		},
		{
			name: "text of child elements inside state is ignored",
			body: `<dialog-info version="1" state="full"><dialog id="a"><state>ear<!-- c -->ly<x>confirmed</x></state></dialog></dialog-info>`,
			want: &dialoginfo.Info{Version: 1, State: dialoginfo.Full, Dialogs: []dialoginfo.Dialog{{ID: "a", State: dialoginfo.Early}}},
		},
		{
			name: "CDATA and character references are decoded",
			body: `<dialog-info version="1" state="full"><dialog id="a"><state><![CDATA[confirmed]]></state>
				<local><identity display="&#x5A;o&#235;">sip:zoe@example.com</identity></local></dialog></dialog-info>`,
			want: &dialoginfo.Info{
				Version: 1, State: dialoginfo.Full,
				Dialogs: []dialoginfo.Dialog{{
					ID: "a", State: dialoginfo.Confirmed,
					Local: dialoginfo.Participant{Identity: "sip:zoe@example.com", Display: "Zoë"},
				}},
			},
		},
		{
			name: "ISO-8859-1 declaration is honoured",
			body: "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n" +
				"<dialog-info version=\"1\" state=\"full\"><dialog id=\"a\"><state>early</state>" +
				"<remote><identity display=\"Zo\xeb\">sip:zoe@example.com</identity></remote></dialog></dialog-info>",
			want: &dialoginfo.Info{
				Version: 1, State: dialoginfo.Full,
				Dialogs: []dialoginfo.Dialog{{
					ID: "a", State: dialoginfo.Early,
					Remote: dialoginfo.Participant{Identity: "sip:zoe@example.com", Display: "Zoë"},
				}},
			},
		},
		{
			name: "byte order mark, comments and processing instructions are accepted",
			body: "\xef\xbb\xbf<?xml version=\"1.0\"?><!-- hello --><?app data?>" +
				`<dialog-info version="18446744073709551615" state="full"/><!-- bye -->` + "\r\n",
			want: &dialoginfo.Info{Version: 18446744073709551615, State: dialoginfo.Full},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := dialoginfo.Parse([]byte(tt.body))
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestParseRejectsInvalidDocuments(t *testing.T) {
	valid := func(root string) string {
		return root + `<dialog id="a"><state>early</state></dialog></dialog-info>`
	}
	tests := []struct {
		name string
		body string
		want error
	}{
		{"empty body", "", dialoginfo.ErrEmpty},
		{"white space only", " \r\n\t ", dialoginfo.ErrEmpty},
		{"byte order mark only", "\xef\xbb\xbf", dialoginfo.ErrEmpty},
		{"not XML at all", "busy", dialoginfo.ErrMalformed},
		{"prolog without root", `<?xml version="1.0"?><!-- nothing -->`, dialoginfo.ErrMalformed},
		{"truncated document", valid(`<dialog-info version="1" state="full">`)[:60], dialoginfo.ErrMalformed},
		{"unclosed root", `<dialog-info version="1" state="full">`, dialoginfo.ErrMalformed},
		{"mismatched tags", `<dialog-info version="1" state="full"><dialog id="a"></state></dialog-info>`, dialoginfo.ErrMalformed},
		{"text after root", `<dialog-info version="1" state="full"/>trailing`, dialoginfo.ErrMalformed},
		{"two roots", `<dialog-info version="1" state="full"/><dialog-info version="2" state="full"/>`, dialoginfo.ErrMalformed},
		{"undefined entity", `<dialog-info version="1" state="full"><dialog id="a"><state>&busy;</state></dialog></dialog-info>`, dialoginfo.ErrMalformed},
		{"unsupported encoding", `<?xml version="1.0" encoding="EBCDIC-US"?><dialog-info version="1" state="full"/>`, dialoginfo.ErrMalformed},
		{"invalid UTF-8", "<dialog-info version=\"1\" state=\"full\" entity=\"\xff\"/>", dialoginfo.ErrMalformed},
		{"wrong root element", `<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:201@example.com"/>`, dialoginfo.ErrNotDialogInfo},
		{"dialog as root", `<dialog id="a"><state>early</state></dialog>`, dialoginfo.ErrNotDialogInfo},
		{"root in foreign namespace", `<dialog-info xmlns="urn:example:other" version="1" state="full"/>`, dialoginfo.ErrNotDialogInfo},
		{"root with undeclared prefix", `<di:dialog-info version="1" state="full"/>`, dialoginfo.ErrNotDialogInfo},
		{"missing version", valid(`<dialog-info state="full">`), dialoginfo.ErrInvalidVersion},
		{"empty version", valid(`<dialog-info version="" state="full">`), dialoginfo.ErrInvalidVersion},
		{"non-numeric version", valid(`<dialog-info version="v1" state="full">`), dialoginfo.ErrInvalidVersion},
		{"negative version", valid(`<dialog-info version="-1" state="full">`), dialoginfo.ErrInvalidVersion},
		{"version beyond 64 bits", valid(`<dialog-info version="18446744073709551616" state="full">`), dialoginfo.ErrInvalidVersion},
		{"missing document state", valid(`<dialog-info version="1">`), dialoginfo.ErrInvalidState},
		{"unknown document state", valid(`<dialog-info version="1" state="delta">`), dialoginfo.ErrInvalidState},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := dialoginfo.Parse([]byte(tt.body))
			require.ErrorIs(t, err, tt.want)
			assert.Nil(t, got)
		})
	}
}

func TestParseReportsSyntaxErrorDetails(t *testing.T) {
	_, err := dialoginfo.Parse([]byte("<dialog-info version=\"1\" state=\"full\">\n<dialog></state>"))
	require.ErrorIs(t, err, dialoginfo.ErrMalformed)
	assert.Contains(t, err.Error(), "line 2")
}

// pad returns a valid document of exactly n bytes, padded with a comment.
func pad(t *testing.T, n int) []byte {
	t.Helper()
	const head = `<dialog-info version="1" state="full"><dialog id="a"><state>confirmed</state></dialog></dialog-info><!--`
	const tail = `-->`
	require.GreaterOrEqual(t, n, len(head)+len(tail))
	return []byte(head + strings.Repeat("x", n-len(head)-len(tail)) + tail)
}

func TestParseEnforcesSizeLimits(t *testing.T) {
	dialogs := func(n int) []byte {
		var b bytes.Buffer
		b.WriteString(`<dialog-info version="1" state="full">`)
		for i := range n {
			fmt.Fprintf(&b, `<dialog id="%d"><state>terminated</state></dialog>`, i)
		}
		b.WriteString(`</dialog-info>`)
		return b.Bytes()
	}
	nested := func(depth int) []byte {
		// The root is depth 1, each <x> adds one.
		return []byte(`<dialog-info version="1" state="full">` +
			strings.Repeat("<x>", depth-1) + strings.Repeat("</x>", depth-1) + `</dialog-info>`)
	}

	tests := []struct {
		name string
		body []byte
		want error // nil: accepted
	}{
		{"body of exactly MaxBodySize is accepted", pad(t, dialoginfo.MaxBodySize), nil},
		{"body one byte over MaxBodySize is refused", pad(t, dialoginfo.MaxBodySize+1), dialoginfo.ErrTooLarge},
		{"oversized garbage is refused before decoding", bytes.Repeat([]byte("<"), 10*dialoginfo.MaxBodySize), dialoginfo.ErrTooLarge},
		{"MaxDialogs dialogs are accepted", dialogs(dialoginfo.MaxDialogs), nil},
		{"one dialog over MaxDialogs is refused", dialogs(dialoginfo.MaxDialogs + 1), dialoginfo.ErrTooLarge},
		{"nesting of MaxDepth is accepted", nested(dialoginfo.MaxDepth), nil},
		{"nesting beyond MaxDepth is refused", nested(dialoginfo.MaxDepth + 1), dialoginfo.ErrTooLarge},
		{"deep nesting inside a dialog is refused", []byte(`<dialog-info version="1" state="full"><dialog id="a"><local><identity>` +
			strings.Repeat("<x>", 100) + strings.Repeat("</x>", 100) + `</identity></local></dialog></dialog-info>`), dialoginfo.ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			info, err := dialoginfo.Parse(tt.body)
			if tt.want == nil {
				require.NoError(t, err)
				assert.NotNil(t, info)
				return
			}
			require.ErrorIs(t, err, tt.want)
		})
	}
}

func TestParseNeverExpandsDeclaredEntities(t *testing.T) {
	// Billion laughs: ten levels of ten-fold expansion.
	var b strings.Builder
	b.WriteString(`<?xml version="1.0"?>` + "\n" + `<!DOCTYPE dialog-info [` + "\n" + `<!ENTITY lol0 "lol">` + "\n")
	for i := 1; i <= 10; i++ {
		fmt.Fprintf(&b, `<!ENTITY lol%d "%s">`+"\n", i, strings.Repeat(fmt.Sprintf("&lol%d;", i-1), 10))
	}
	b.WriteString(`]>` + "\n" + `<dialog-info version="1" state="full" entity="&lol10;"><dialog id="a"><state>&lol10;</state></dialog></dialog-info>`)
	billionLaughs := b.String()

	tests := []struct {
		name string
		body string
	}{
		{"billion laughs", billionLaughs},
		{"internal entity used in text", `<!DOCTYPE dialog-info [<!ENTITY st "confirmed">]><dialog-info version="1" state="full"><dialog id="a"><state>&st;</state></dialog></dialog-info>`},
		{"external entity", `<!DOCTYPE dialog-info [<!ENTITY ext SYSTEM "file:///etc/passwd">]><dialog-info version="1" state="full" entity="&ext;"/>`},
		{"DOCTYPE without declarations", `<!DOCTYPE dialog-info><dialog-info version="1" state="full"/>`},
		{"declared entity used without the DOCTYPE", `<dialog-info version="1" state="full" entity="&lol10;"/>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			info, err := dialoginfo.Parse([]byte(tt.body))
			require.ErrorIs(t, err, dialoginfo.ErrMalformed)
			assert.Nil(t, info)
			assert.Less(t, time.Since(start), time.Second, "refusal must be immediate")
		})
	}
}

func TestParseRejectsContentAroundRoot(t *testing.T) {
	// A DOCTYPE after the root would be a declaration too.
	_, err := dialoginfo.Parse([]byte(`<dialog-info version="1" state="full"/><!DOCTYPE x>`))
	require.ErrorIs(t, err, dialoginfo.ErrMalformed)
}

func TestStateOf(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		want    dialoginfo.ExtensionState
		wantErr error
	}{
		{"outgoing attempt is busy", rfcFullTrying, dialoginfo.Busy, nil},
		{"confirmed call is busy", rfcPartialConfirmed, dialoginfo.Busy, nil},
		{"terminated call is available", rfcPartialTerminated, dialoginfo.Available, nil},
		{"no dialogs is available", rfcFullIdle, dialoginfo.Available, nil},
		{"incoming early call is ringing", asteriskEarly, dialoginfo.Ringing, nil},
		{"capitalized Trying incoming is ringing", asteriskTryingCapitalized, dialoginfo.Ringing, nil},
		{"Kamailio confirmed is busy", kamailioConfirmed, dialoginfo.Busy, nil},
		{"incoming proceeding call is ringing", freeswitchProceeding, dialoginfo.Ringing, nil},
		{"prefixed confirmed is busy", prefixedPartial, dialoginfo.Busy, nil},
		{"early call without direction is ringing", noNamespace, dialoginfo.Ringing, nil},
		{"empty body is unknown with error", "", dialoginfo.Unknown, dialoginfo.ErrEmpty},
		{"malformed body is unknown with error", "<dialog-info", dialoginfo.Unknown, dialoginfo.ErrMalformed},
		{"missing version is unknown with error", `<dialog-info state="full"/>`, dialoginfo.Unknown, dialoginfo.ErrInvalidVersion},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := dialoginfo.StateOf([]byte(tt.body))
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
			} else {
				require.NoError(t, err)
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestParseErrorsAreDistinct(t *testing.T) {
	all := []error{
		dialoginfo.ErrEmpty, dialoginfo.ErrTooLarge, dialoginfo.ErrMalformed,
		dialoginfo.ErrNotDialogInfo, dialoginfo.ErrInvalidVersion, dialoginfo.ErrInvalidState,
	}
	for i, a := range all {
		for j, b := range all {
			assert.Equal(t, i == j, errors.Is(a, b), "%v vs %v", a, b)
		}
	}
}

func BenchmarkParse(b *testing.B) {
	body := []byte(typical)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		info, err := dialoginfo.Parse(body)
		if err != nil || len(info.Dialogs) != 1 {
			b.Fatal(info, err)
		}
	}
}

func BenchmarkStateOfMinimal(b *testing.B) {
	body := []byte(`<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="1" state="full" entity="sip:201@pbx"><dialog id="1" direction="recipient"><state>early</state></dialog></dialog-info>`)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if s, err := dialoginfo.StateOf(body); err != nil || s != dialoginfo.Ringing {
			b.Fatal(s, err)
		}
	}
}
