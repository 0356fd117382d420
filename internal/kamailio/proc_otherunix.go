//go:build unix && !linux && !(js && wasm)

package kamailio

import "syscall"

func setDeathSignal(*syscall.SysProcAttr) {}
