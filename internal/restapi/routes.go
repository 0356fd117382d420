package restapi

// Match is what a request path names under a resource's pattern.
type Match int

const (
	// NoMatch: the path is not the resource's.
	NoMatch Match = iota
	// MatchList: the path is the resource's collection.
	MatchList
	// MatchItem: the path is one item of the collection.
	MatchItem
	// MatchSingle: the path is the resource's single object.
	MatchSingle
)

// MatchPath reports what the path segments segs name under the pattern of
// a resource (segments below the API prefix; "*" matches any one segment):
// the collection, one of its items or, for a single object, the object.
func MatchPath(pattern []string, single bool, segs []string) Match {
	n := len(pattern)
	if len(segs) < n || len(segs) > n+1 {
		return NoMatch
	}
	for i, p := range pattern {
		if p != "*" && p != segs[i] {
			return NoMatch
		}
	}
	switch {
	case len(segs) == n && single:
		return MatchSingle
	case len(segs) == n:
		return MatchList
	case !single:
		return MatchItem
	}
	return NoMatch
}
