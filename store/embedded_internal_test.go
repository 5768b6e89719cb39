package store

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

func TestFerretLogHandlerDropsRoutineNoise(t *testing.T) {
	var buf bytes.Buffer
	l := slog.New(ferretLogHandler{h: slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})}).
		With(slog.String("component", "ferretdb"))

	l.Info("Connection started")                         // chatty: dropped
	l.Warn("Response message:\n{ok: 0, code: 11000}")    // an error reply the client sees anyway
	l.Warn("Failed to set deadline: use of closed conn") // every connection at shutdown
	l.Warn("Failed to accept connection")                // kept
	l.Error("Response message:\n{...}")                  // kept: errors close the connection

	out := buf.String()
	for _, want := range []string{"Failed to accept connection", "level=ERROR", "component=ferretdb"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	for _, unwanted := range []string{"Connection started", "code: 11000", "deadline"} {
		if strings.Contains(out, unwanted) {
			t.Errorf("log has %q:\n%s", unwanted, out)
		}
	}
}
