package export

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"plenary/errs"
)

// Converter runs the external converters. The zero value looks up "pandoc" and "chromium" (then
// "chromium-browser") in PATH, then in /usr/bin, at each call, so that installing one takes
// effect without a restart.
type Converter struct {
	Pandoc   string        // path; "" = look up
	Chromium string        // path; "" = look up
	Timeout  time.Duration // per conversion; 0 = 60 s
}

// ErrUnavailable is wrapped by the errors of DOCX and PDF when their converter is not installed.
// Such an error also carries an errs.Internal error whose message names the program and its
// Debian package ("pandoc is not installed (Debian package pandoc)"), so that the HTTP layer
// shows the administrator what to install instead of a bare "internal error".
var ErrUnavailable = errors.New("converter unavailable")

const (
	defaultTimeout = 60 * time.Second
	// maxOutput bounds what we read back from a converter: a report is a few MiB at most, and a
	// runaway converter must not exhaust the server's memory.
	maxOutput = 100 << 20
	// maxStderr bounds the converter messages kept for an error.
	maxStderr = 4 << 10
)

// program is an external converter and the Debian package that installs it.
type program struct {
	names   []string // looked up in this order
	debian  string
	setting string // the configured path; "" = look up names
}

func (c Converter) pandoc() program {
	return program{names: []string{"pandoc"}, debian: "pandoc", setting: c.Pandoc}
}

func (c Converter) chromium() program {
	return program{names: []string{"chromium", "chromium-browser"}, debian: "chromium", setting: c.Chromium}
}

// path finds the program's executable or returns an error wrapping ErrUnavailable.
func (p program) path() (string, error) {
	candidates := []string{p.setting}
	if p.setting == "" {
		candidates = candidates[:0]
		for _, name := range p.names {
			candidates = append(candidates, name, filepath.Join("/usr/bin", name))
		}
	}
	for _, c := range candidates {
		// LookPath searches PATH for a bare name and checks that a path is an executable file.
		if path, err := exec.LookPath(c); err == nil {
			return path, nil
		}
	}
	return "", fmt.Errorf("look up %s: %w: %w", strings.Join(candidates, ", "), ErrUnavailable,
		errs.Errorf(errs.Internal, "%s is not installed (Debian package %s)", p.names[0], p.debian))
}

func (c Converter) timeout() time.Duration {
	if c.Timeout > 0 {
		return c.Timeout
	}
	return defaultTimeout
}

// run runs the executable with args in dir, with stdin as its input, and fails with the
// program's (trimmed) messages if it does not exit successfully within the timeout. The program
// gets a minimal environment, plus env, with dir as its home, so that nothing of the server's
// account (pandoc's user data directory, Chromium's profile and caches) changes the result or is
// written to.
func (c Converter) run(ctx context.Context, exe, dir string, env []string, stdin []byte, args ...string) error {
	ctx, cancel := context.WithTimeout(ctx, c.timeout())
	defer cancel()
	cmd := exec.CommandContext(ctx, exe, args...)
	cmd.Dir = dir
	cmd.Env = []string{
		// A fixed PATH rather than the server's: Debian's chromium is a shell script that needs
		// the usual tools, and the environment is read in main only (STYLE.md).
		"PATH=/usr/local/bin:/usr/bin:/bin",
		"HOME=" + dir,
		"TMPDIR=" + dir,
		"LANG=C.UTF-8",
	}
	cmd.Env = append(cmd.Env, env...)
	cmd.Stdin = bytes.NewReader(stdin)
	stderr := &limitedBuffer{max: maxStderr}
	cmd.Stdout = stderr // neither converter writes its result to stdout; keep any messages
	cmd.Stderr = stderr
	killProcessGroup(cmd)
	// Should a child process keep the output pipe open after the program is killed, stop
	// waiting for it rather than hang.
	cmd.WaitDelay = 5 * time.Second
	name := filepath.Base(exe)
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			// Killed for the timeout or because the caller gave up: say which, not "signal: killed".
			return fmt.Errorf("%s (timeout %v): %w", name, c.timeout(), ctx.Err())
		}
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return fmt.Errorf("%s: %w: %s", name, err, msg)
		}
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// readOutput reads a converter's output file, refusing one larger than maxOutput.
func readOutput(path string) ([]byte, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("converter output: %w", err)
	}
	if info.Size() > maxOutput {
		return nil, fmt.Errorf("converter output: %d bytes, more than the limit of %d", info.Size(), maxOutput)
	}
	return os.ReadFile(path)
}

// limitedBuffer keeps the first max bytes written to it and drops the rest, never failing the
// writer (a converter that fails on a closed pipe would hide its real error).
type limitedBuffer struct {
	buf bytes.Buffer
	max int
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if room := b.max - b.buf.Len(); room > 0 {
		b.buf.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

func (b *limitedBuffer) String() string { return b.buf.String() }
