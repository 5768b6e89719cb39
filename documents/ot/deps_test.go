package ot

import (
	"os/exec"
	"strings"
	"testing"
)

// TestStandardLibraryOnly: the OT type is shared by the server and any tool that reads reports,
// and uses the standard library only.
func TestStandardLibraryOnly(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if pkg != "plenary/documents/ot" {
			t.Errorf("documents/ot depends on %s: standard library only", pkg)
		}
	}
}
