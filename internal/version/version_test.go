package version

import (
	"regexp"
	"testing"
)

// semver matches a semantic version (https://semver.org) without build
// metadata: MAJOR.MINOR.PATCH with an optional pre-release part.
var semver = regexp.MustCompile(`^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$`)

func TestVersionIsSemver(t *testing.T) {
	if !semver.MatchString(Version) {
		t.Fatalf("Version %q is not a semantic version", Version)
	}
}
