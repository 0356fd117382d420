package dialoginfo_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wasmphone/wasmphone/pkg/sipua/dialoginfo"
)

func full(version uint64, dialogs ...dialoginfo.Dialog) *dialoginfo.Info {
	return &dialoginfo.Info{Version: version, State: dialoginfo.Full, Entity: "sip:201@pbx", Dialogs: dialogs}
}

func partial(version uint64, dialogs ...dialoginfo.Dialog) *dialoginfo.Info {
	return &dialoginfo.Info{Version: version, State: dialoginfo.Partial, Entity: "sip:201@pbx", Dialogs: dialogs}
}

func ids(t *testing.T, tr *dialoginfo.Tracker) []string {
	t.Helper()
	snap := tr.Snapshot()
	require.NotNil(t, snap)
	out := []string{}
	for _, d := range snap.Dialogs {
		out = append(out, d.ID)
	}
	return out
}

// step is one document fed to a Tracker and what must hold afterwards.
type step struct {
	info      *dialoginfo.Info
	want      dialoginfo.Result
	wantIDs   []string
	wantState dialoginfo.ExtensionState
}

func TestTrackerAppliesDocumentsInOrder(t *testing.T) {
	in, out := dialoginfo.Recipient, dialoginfo.Initiator
	applied := dialoginfo.Result{Applied: true}
	ignored := dialoginfo.Result{}
	staleApplied := dialoginfo.Result{Applied: true, Stale: true}

	tests := []struct {
		name  string
		steps []step
	}{
		{
			name: "call lifecycle through partial updates",
			steps: []step{
				{full(0, dlg("c1", out, dialoginfo.Trying)), applied, []string{"c1"}, dialoginfo.Busy},
				{partial(1, dlg("c1", out, dialoginfo.Confirmed)), applied, []string{"c1"}, dialoginfo.Busy},
				{partial(2, dlg("c1", out, dialoginfo.Terminated)), applied, []string{}, dialoginfo.Available},
			},
		},
		{
			name: "partial document adds and removes dialogs by id",
			steps: []step{
				{full(10, dlg("a", in, dialoginfo.Confirmed), dlg("b", in, dialoginfo.Early)), applied, []string{"a", "b"}, dialoginfo.Busy},
				{partial(11, dlg("c", in, dialoginfo.Early), dlg("a", in, dialoginfo.Terminated)), applied, []string{"b", "c"}, dialoginfo.Ringing},
				{partial(12, dlg("b", in, dialoginfo.Terminated), dlg("unknown-id", in, dialoginfo.Terminated)), applied, []string{"c"}, dialoginfo.Ringing},
			},
		},
		{
			name: "full document replaces the whole view",
			steps: []step{
				{full(1, dlg("a", in, dialoginfo.Confirmed), dlg("b", in, dialoginfo.Early)), applied, []string{"a", "b"}, dialoginfo.Busy},
				{full(2, dlg("c", in, dialoginfo.Early)), applied, []string{"c"}, dialoginfo.Ringing},
				{full(3), applied, []string{}, dialoginfo.Available},
			},
		},
		{
			name: "full document drops its terminated dialogs",
			steps: []step{
				{full(1, dlg("a", in, dialoginfo.Terminated), dlg("b", out, dialoginfo.Early)), applied, []string{"b"}, dialoginfo.Busy},
			},
		},
		{
			name: "duplicate and older versions are ignored",
			steps: []step{
				{full(5, dlg("a", in, dialoginfo.Early)), applied, []string{"a"}, dialoginfo.Ringing},
				{partial(5, dlg("a", in, dialoginfo.Confirmed)), ignored, []string{"a"}, dialoginfo.Ringing},
				{full(4), ignored, []string{"a"}, dialoginfo.Ringing},
				{partial(0, dlg("a", in, dialoginfo.Terminated)), ignored, []string{"a"}, dialoginfo.Ringing},
				{partial(6, dlg("a", in, dialoginfo.Confirmed)), applied, []string{"a"}, dialoginfo.Busy},
			},
		},
		{
			name: "version gap in a partial document marks the view stale until a full one",
			steps: []step{
				{full(1, dlg("a", in, dialoginfo.Early)), applied, []string{"a"}, dialoginfo.Ringing},
				{partial(3, dlg("b", out, dialoginfo.Confirmed)), staleApplied, []string{"a", "b"}, dialoginfo.Busy},
				{partial(4, dlg("b", out, dialoginfo.Terminated)), staleApplied, []string{"a"}, dialoginfo.Ringing},
				{partial(4), dialoginfo.Result{Stale: true}, []string{"a"}, dialoginfo.Ringing},
				{full(9), applied, []string{}, dialoginfo.Available},
				{partial(10, dlg("c", in, dialoginfo.Early)), applied, []string{"c"}, dialoginfo.Ringing},
			},
		},
		{
			name: "version gap between full documents is fine",
			steps: []step{
				{full(1, dlg("a", in, dialoginfo.Early)), applied, []string{"a"}, dialoginfo.Ringing},
				{full(7), applied, []string{}, dialoginfo.Available},
			},
		},
		{
			name: "partial document before any full one is stale",
			steps: []step{
				{partial(3, dlg("a", in, dialoginfo.Early)), staleApplied, []string{"a"}, dialoginfo.Ringing},
				{full(4), applied, []string{}, dialoginfo.Available},
			},
		},
		{
			name: "first document may have any version",
			steps: []step{
				{full(1000, dlg("a", in, dialoginfo.Confirmed)), applied, []string{"a"}, dialoginfo.Busy},
			},
		},
		{
			name: "highest version ignores everything after it",
			steps: []step{
				{full(^uint64(0)), applied, []string{}, dialoginfo.Available},
				{partial(0, dlg("a", in, dialoginfo.Confirmed)), ignored, []string{}, dialoginfo.Available},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var tr dialoginfo.Tracker
			for i, s := range tt.steps {
				got := tr.Apply(s.info)
				assert.Equal(t, s.want, got, "step %d result", i)
				assert.Equal(t, s.want.Stale, tr.Stale(), "step %d Stale()", i)
				assert.Equal(t, s.wantIDs, ids(t, &tr), "step %d dialogs", i)
				assert.Equal(t, s.wantState, tr.ExtensionState(), "step %d state", i)
			}
		})
	}
}

func TestTrackerWithParsedRFCSequence(t *testing.T) {
	var tr dialoginfo.Tracker
	for i, body := range []string{rfcFullTrying, rfcPartialConfirmed, rfcPartialTerminated} {
		info, err := dialoginfo.Parse([]byte(body))
		require.NoError(t, err)
		res := tr.Apply(info)
		require.True(t, res.Applied, "document %d", i)
		require.False(t, res.Stale, "document %d", i)
		if i == 1 {
			snap := tr.Snapshot()
			require.Len(t, snap.Dialogs, 1)
			assert.Equal(t, "sip:erin@boston.example.com", snap.Dialogs[0].Remote.Identity)
		}
	}
	assert.Equal(t, dialoginfo.Available, tr.ExtensionState())
	snap := tr.Snapshot()
	assert.Equal(t, uint64(2), snap.Version)
	assert.Equal(t, dialoginfo.Full, snap.State)
	assert.Equal(t, "sip:carol@chicago.example.org", snap.Entity)
	assert.Empty(t, snap.Dialogs)
}

func TestTrackerBeforeAnyDocument(t *testing.T) {
	var tr dialoginfo.Tracker
	assert.Nil(t, tr.Snapshot())
	assert.Equal(t, dialoginfo.Unknown, tr.ExtensionState())
	assert.False(t, tr.Stale())
	assert.Equal(t, dialoginfo.Result{}, tr.Apply(nil), "nil document is ignored")
	assert.Nil(t, tr.Snapshot())
}

func TestTrackerResetStartsANewSubscription(t *testing.T) {
	var tr dialoginfo.Tracker
	tr.Apply(full(5, dlg("a", dialoginfo.Recipient, dialoginfo.Early)))
	tr.Apply(partial(9))
	require.True(t, tr.Stale())

	tr.Reset()
	assert.False(t, tr.Stale())
	assert.Nil(t, tr.Snapshot())
	assert.Equal(t, dialoginfo.Unknown, tr.ExtensionState())
	// A new subscription starts counting again from a low version.
	assert.Equal(t, dialoginfo.Result{Applied: true}, tr.Apply(full(0)))
	assert.Equal(t, dialoginfo.Available, tr.ExtensionState())
}

func TestTrackerSnapshotIsACopy(t *testing.T) {
	var tr dialoginfo.Tracker
	tr.Apply(full(1, dlg("a", dialoginfo.Recipient, dialoginfo.Early)))
	snap := tr.Snapshot()
	snap.Dialogs[0].State = dialoginfo.Confirmed
	assert.Equal(t, dialoginfo.Ringing, tr.ExtensionState())

	// Nor does the tracker alias the applied document.
	doc := full(2, dlg("b", dialoginfo.Recipient, dialoginfo.Early))
	tr.Apply(doc)
	doc.Dialogs[0].State = dialoginfo.Confirmed
	assert.Equal(t, dialoginfo.Ringing, tr.ExtensionState())
}

func TestTrackerKeepsAtMostMaxDialogs(t *testing.T) {
	var tr dialoginfo.Tracker
	tr.Apply(full(0))
	const extra = 10
	for i := range dialoginfo.MaxDialogs + extra {
		tr.Apply(partial(uint64(i+1), dlg(fmt.Sprint(i), dialoginfo.Recipient, dialoginfo.Early)))
	}
	got := ids(t, &tr)
	require.Len(t, got, dialoginfo.MaxDialogs)
	assert.Equal(t, fmt.Sprint(extra), got[0], "oldest dialogs are dropped first")
	assert.Equal(t, fmt.Sprint(dialoginfo.MaxDialogs+extra-1), got[len(got)-1])
	assert.False(t, tr.Stale())
}
