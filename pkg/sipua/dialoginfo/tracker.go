package dialoginfo

// Tracker keeps the current dialog view of one subscription by applying
// its documents in order, following the version rules of RFC 4235
// section 4.1:
//
//   - a document whose version is lower than or equal to the last applied
//     one is a duplicate or arrived out of order: it is discarded;
//   - a full document replaces the whole view and makes it current again;
//   - a partial document updates the listed dialogs by ID, adding new
//     ones and removing those that are terminated;
//   - a partial document whose version is not exactly one more than the
//     last applied one (or that arrives before any document) reveals that
//     notifications were lost. It is still applied, but the view is marked
//     stale until a full document arrives: the caller should refresh the
//     subscription (re-SUBSCRIBE), which makes the notifier send full
//     state.
//
// Terminated dialogs are never kept in the view, so it holds only dialogs
// in progress. At most [MaxDialogs] dialogs are kept; when a partial
// document adds more, the oldest are dropped.
//
// Versions restart with a new subscription: use a new Tracker, or call
// Reset, whenever a new subscription is created (as opposed to a refresh
// of the existing one). The zero value is ready to use. A Tracker is not
// safe for concurrent use.
type Tracker struct {
	seen    bool
	version uint64
	stale   bool
	entity  string
	dialogs []Dialog
}

// Result reports what [Tracker.Apply] did with a document.
type Result struct {
	// Applied is false when the document was discarded because its
	// version was not newer than the last applied one.
	Applied bool
	// Stale is true while the view may be missing changes because a
	// notification was lost; refresh the subscription to recover. It
	// stays true until a full document is applied.
	Stale bool
}

// Apply applies the next document of the subscription and reports the
// outcome. A nil info is ignored. Dialog states are compared in the
// normalized form that [Parse] produces.
func (t *Tracker) Apply(info *Info) Result {
	if info == nil || (t.seen && info.Version <= t.version) {
		return Result{Stale: t.stale}
	}
	if info.State == Partial {
		if !t.seen || info.Version != t.version+1 {
			t.stale = true
		}
		for i := range info.Dialogs {
			t.update(&info.Dialogs[i])
		}
	} else {
		t.stale = false
		t.dialogs = t.dialogs[:0]
		for i := range info.Dialogs {
			if d := &info.Dialogs[i]; d.State != Terminated && len(t.dialogs) < MaxDialogs {
				t.dialogs = append(t.dialogs, *d)
			}
		}
	}
	t.seen = true
	t.version = info.Version
	if info.Entity != "" {
		t.entity = info.Entity
	}
	return Result{Applied: true, Stale: t.stale}
}

// update applies one dialog of a partial document.
func (t *Tracker) update(d *Dialog) {
	i := 0
	for i < len(t.dialogs) && t.dialogs[i].ID != d.ID {
		i++
	}
	switch {
	case d.State == Terminated:
		if i < len(t.dialogs) {
			t.dialogs = append(t.dialogs[:i], t.dialogs[i+1:]...)
		}
	case i < len(t.dialogs):
		t.dialogs[i] = *d
	default:
		if len(t.dialogs) == MaxDialogs {
			t.dialogs = append(t.dialogs[:0], t.dialogs[1:]...)
		}
		t.dialogs = append(t.dialogs, *d)
	}
}

// ExtensionState returns the state implied by the current view, using
// the rules of [Info.ExtensionState]. It is Unknown until a document has
// been applied.
func (t *Tracker) ExtensionState() ExtensionState {
	if !t.seen {
		return Unknown
	}
	return reduce(t.dialogs)
}

// Stale reports whether the view may be missing changes because a
// notification was lost. It is cleared by the next full document.
func (t *Tracker) Stale() bool { return t.stale }

// Snapshot returns the current view as a full document: the last applied
// version, the last entity seen and a copy of the dialogs in progress, in
// the order they were first reported. It returns nil until a document has
// been applied.
func (t *Tracker) Snapshot() *Info {
	if !t.seen {
		return nil
	}
	info := &Info{Version: t.version, State: Full, Entity: t.entity}
	if len(t.dialogs) > 0 {
		info.Dialogs = append([]Dialog(nil), t.dialogs...)
	}
	return info
}

// Reset forgets everything, as for a new subscription.
func (t *Tracker) Reset() { *t = Tracker{} }
