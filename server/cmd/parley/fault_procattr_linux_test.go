package main

import "syscall"

// faultProcAttr makes the kernel kill a started server when the test
// process dies, so that a test killed by its timeout leaves no server
// behind.
func faultProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
