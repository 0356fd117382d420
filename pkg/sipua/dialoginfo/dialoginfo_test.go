package dialoginfo_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/wasmphone/wasmphone/pkg/sipua/dialoginfo"
)

func dlg(id string, dir dialoginfo.Direction, state dialoginfo.DialogState) dialoginfo.Dialog {
	return dialoginfo.Dialog{ID: id, Direction: dir, State: state}
}

func TestExtensionStateReduction(t *testing.T) {
	const (
		in  = dialoginfo.Recipient
		out = dialoginfo.Initiator
		any = dialoginfo.Direction("")
	)
	tests := []struct {
		name    string
		dialogs []dialoginfo.Dialog
		want    dialoginfo.ExtensionState
	}{
		{"no dialogs is available", nil, dialoginfo.Available},
		{"only terminated dialogs is available", []dialoginfo.Dialog{dlg("a", in, dialoginfo.Terminated), dlg("b", out, dialoginfo.Terminated)}, dialoginfo.Available},
		{"incoming trying is ringing", []dialoginfo.Dialog{dlg("a", in, dialoginfo.Trying)}, dialoginfo.Ringing},
		{"incoming proceeding is ringing", []dialoginfo.Dialog{dlg("a", in, dialoginfo.Proceeding)}, dialoginfo.Ringing},
		{"incoming early is ringing", []dialoginfo.Dialog{dlg("a", in, dialoginfo.Early)}, dialoginfo.Ringing},
		{"early without direction is ringing", []dialoginfo.Dialog{dlg("a", any, dialoginfo.Early)}, dialoginfo.Ringing},
		{"outgoing trying is busy", []dialoginfo.Dialog{dlg("a", out, dialoginfo.Trying)}, dialoginfo.Busy},
		{"outgoing proceeding is busy", []dialoginfo.Dialog{dlg("a", out, dialoginfo.Proceeding)}, dialoginfo.Busy},
		{"outgoing early is busy", []dialoginfo.Dialog{dlg("a", out, dialoginfo.Early)}, dialoginfo.Busy},
		{"incoming confirmed is busy", []dialoginfo.Dialog{dlg("a", in, dialoginfo.Confirmed)}, dialoginfo.Busy},
		{"outgoing confirmed is busy", []dialoginfo.Dialog{dlg("a", out, dialoginfo.Confirmed)}, dialoginfo.Busy},
		{"confirmed without direction is busy", []dialoginfo.Dialog{dlg("a", any, dialoginfo.Confirmed)}, dialoginfo.Busy},
		{"call waiting while in a call is busy", []dialoginfo.Dialog{dlg("a", in, dialoginfo.Early), dlg("b", out, dialoginfo.Confirmed)}, dialoginfo.Busy},
		{"ringing after a terminated call is ringing", []dialoginfo.Dialog{dlg("a", out, dialoginfo.Terminated), dlg("b", in, dialoginfo.Early)}, dialoginfo.Ringing},
		{"incoming ring while dialling out is busy", []dialoginfo.Dialog{dlg("a", in, dialoginfo.Early), dlg("b", out, dialoginfo.Early)}, dialoginfo.Busy},
		{"unrecognized state alone is unknown", []dialoginfo.Dialog{dlg("a", in, "on-hold")}, dialoginfo.Unknown},
		{"missing state alone is unknown", []dialoginfo.Dialog{dlg("a", in, "")}, dialoginfo.Unknown},
		{"unrecognized state with terminated is unknown", []dialoginfo.Dialog{dlg("a", in, dialoginfo.Terminated), dlg("b", in, "on-hold")}, dialoginfo.Unknown},
		{"ringing outranks unrecognized state", []dialoginfo.Dialog{dlg("a", in, "on-hold"), dlg("b", in, dialoginfo.Early)}, dialoginfo.Ringing},
		{"busy outranks unrecognized state", []dialoginfo.Dialog{dlg("a", in, "on-hold"), dlg("b", in, dialoginfo.Confirmed)}, dialoginfo.Busy},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			info := &dialoginfo.Info{Version: 1, State: dialoginfo.Full, Dialogs: tt.dialogs}
			assert.Equal(t, tt.want, info.ExtensionState())
		})
	}
}

func TestNilInfoHasUnknownExtensionState(t *testing.T) {
	var info *dialoginfo.Info
	assert.Equal(t, dialoginfo.Unknown, info.ExtensionState())
}

func TestExtensionStateString(t *testing.T) {
	tests := []struct {
		state dialoginfo.ExtensionState
		want  string
	}{
		{dialoginfo.Unknown, "UNKNOWN"},
		{dialoginfo.Available, "AVAILABLE"},
		{dialoginfo.Ringing, "RINGING"},
		{dialoginfo.Busy, "BUSY"},
		{dialoginfo.ExtensionState(-1), "UNKNOWN"},
		{dialoginfo.ExtensionState(42), "UNKNOWN"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.state.String())
		})
	}
}

func TestZeroExtensionStateIsUnknown(t *testing.T) {
	var s dialoginfo.ExtensionState
	assert.Equal(t, dialoginfo.Unknown, s)
}

func TestDocumentStateString(t *testing.T) {
	assert.Equal(t, "full", dialoginfo.Full.String())
	assert.Equal(t, "partial", dialoginfo.Partial.String())
	assert.Equal(t, "invalid", dialoginfo.DocumentState(0).String())
}
