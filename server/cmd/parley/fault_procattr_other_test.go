//go:build unix && !linux

package main

import "syscall"

// faultProcAttr: only Linux can tie a child's life to its parent's.
func faultProcAttr() *syscall.SysProcAttr { return nil }
