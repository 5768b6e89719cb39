//go:build unix

package export

import (
	"os/exec"
	"syscall"
)

// killProcessGroup makes cmd's cancellation kill the program and every process it started.
// Chromium runs as several processes; killing only the first would leave the others running,
// holding the temporary directory and the output pipe.
func killProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}
