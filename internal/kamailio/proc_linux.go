//go:build linux

package kamailio

import "syscall"

// setDeathSignal makes the kernel kill Kamailio's main process when the test
// binary dies without running its cleanups (its workers then exit too).
func setDeathSignal(a *syscall.SysProcAttr) { a.Pdeathsig = syscall.SIGKILL }
