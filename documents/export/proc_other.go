//go:build !unix

package export

import "os/exec"

// killProcessGroup leaves cancellation to exec.CommandContext's default (kill the program) where
// there are no Unix process groups.
func killProcessGroup(*exec.Cmd) {}
