//go:build !unix && !(js && wasm)

package kamailio

import (
	"os"
	"os/exec"
)

// Kamailio runs on Unix only; on other systems Start fails because
// kamailio is not installed, and these keep the package building.

var (
	sigTerm = os.Kill
	sigKill = os.Kill
)

func setProcAttr(*exec.Cmd) {}

func signalGroup(cmd *exec.Cmd, sig os.Signal) {
	if cmd.Process != nil {
		_ = cmd.Process.Signal(sig)
	}
}
