package main

import (
	"bufio"
	"bytes"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// buildBinary builds the real plenary binary once per test.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "plenary")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// start runs the binary and waits for its "listening" line; it returns what it printed so far.
func start(t *testing.T, bin string, env ...string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = &bytes.Buffer{}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	printed := &bytes.Buffer{}
	lines := bufio.NewScanner(stdout)
	ready := make(chan bool, 1)
	go func() {
		for lines.Scan() {
			printed.WriteString(lines.Text() + "\n")
			if strings.HasPrefix(lines.Text(), "Plenary is listening on") {
				ready <- true
			}
		}
		close(ready)
	}()
	select {
	case ok := <-ready:
		if !ok {
			t.Fatalf("plenary exited before listening:\n%s\n%s", printed, cmd.Stderr)
		}
	case <-time.After(60 * time.Second):
		t.Fatalf("plenary did not start:\n%s\n%s", printed, cmd.Stderr)
	}
	return cmd, printed
}

func TestBadConfigurationStopsStartup(t *testing.T) {
	bin := buildBinary(t)
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "PLENARY_ADDR=nonsense", "PLENARY_DATA_DIR="+t.TempDir())
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "PLENARY_ADDR") {
		t.Fatalf("err %v, output %s", err, out)
	}
}

func TestDemoStartShutdownAndRestart(t *testing.T) {
	bin := buildBinary(t)
	dir, addr := t.TempDir(), freeAddr(t)
	env := []string{"PLENARY_ADDR=" + addr, "PLENARY_DATA_DIR=" + dir, "PLENARY_DEMO=1", "MONGODB_URI="}
	cmd, printed := start(t, bin, env...)
	for _, want := range []string{"secretariat@example.org", "chair@example.org", "plenary-demo", "store: embedded"} {
		if !strings.Contains(printed.String(), want) {
			t.Errorf("start-up output lacks %q:\n%s", want, printed)
		}
	}
	login := func() int {
		resp, err := http.Post("http://"+addr+"/api/auth/login", "application/json",
			strings.NewReader(`{"email":"chair@example.org","password":"plenary-demo"}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := login(); code != 200 {
		t.Fatalf("demo login: %d", code)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", err, cmd.Stderr)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no exit within 30 s of SIGTERM")
	}

	// The same data directory again: the data is there and the demo is not loaded twice.
	_, printed = start(t, bin, env...)
	if strings.Contains(printed.String(), "Loaded the demo") {
		t.Errorf("demo loaded again on a non-empty store:\n%s", printed)
	}
	if code := login(); code != 200 {
		t.Fatalf("login after restart: %d", code)
	}
}
