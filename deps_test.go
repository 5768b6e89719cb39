package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDependencyDirection keeps the layout honest: domain packages never import Fiber or the
// server package, and only server imports Fiber.
func TestDependencyDirection(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}} {{join .Deps " "}}`, "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	checked := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg, deps := fields[0], fields[1:]
		if pkg == "plenary" || pkg == "plenary/server" || strings.HasPrefix(pkg, "plenary/bench") {
			continue
		}
		checked++
		for _, d := range deps {
			if d == "plenary/server" || strings.HasPrefix(d, "github.com/gofiber/") || strings.HasPrefix(d, "github.com/valyala/fasthttp") {
				t.Errorf("%s depends on %s: domain packages must not know about HTTP", pkg, d)
			}
		}
	}
	if checked < 5 {
		t.Fatalf("checked only %d packages; is go list working?", checked)
	}
}
