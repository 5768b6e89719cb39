package server

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestWSAdmission covers the refusals before the upgrade (docs/protocol.md, "Connecting").
func TestWSAdmission(t *testing.T) {
	f := mustServe(t)
	base := f.listen()
	ws := strings.Replace(base, "http://", "ws://", 1) + "/api/ws"

	refused := func(t *testing.T, url string, header http.Header, want int) {
		t.Helper()
		c, resp, err := dialURL(t, url, header)
		if err == nil {
			c.conn.Close()
			t.Fatalf("dial %s succeeded, want status %d", url, want)
		}
		if resp == nil {
			t.Fatalf("dial %s: no HTTP answer: %v", url, err)
		}
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != want {
			t.Fatalf("dial %s: status %d, want %d: %s", url, resp.StatusCode, want, body)
		}
		if !strings.Contains(string(body), `"error":{"code":"`) {
			t.Errorf("refusal without the usual error body: %s", body)
		}
	}

	t.Run("no ticket", func(t *testing.T) { refused(t, ws, nil, http.StatusUnauthorized) })
	t.Run("empty ticket", func(t *testing.T) { refused(t, ws+"?ticket=", nil, http.StatusUnauthorized) })
	t.Run("garbage ticket", func(t *testing.T) { refused(t, ws+"?ticket=not-a-ticket-at-all", nil, http.StatusUnauthorized) })
	t.Run("overlong ticket", func(t *testing.T) {
		refused(t, ws+"?ticket="+strings.Repeat("x", 300), nil, http.StatusUnauthorized)
	})
	t.Run("reused ticket", func(t *testing.T) {
		ticket := f.ticket("member")
		c, _, err := dialURL(t, ws+"?ticket="+ticket, nil)
		if err != nil {
			t.Fatalf("first use: %v", err)
		}
		c.next("hello", 5*time.Second)
		refused(t, ws+"?ticket="+ticket, nil, http.StatusUnauthorized)
	})
	t.Run("foreign origin", func(t *testing.T) {
		ticket := f.ticket("member")
		refused(t, ws+"?ticket="+ticket, http.Header{"Origin": {"https://evil.example"}}, http.StatusForbidden)
		// A near miss of the own origin is foreign too.
		refused(t, ws+"?ticket="+ticket, http.Header{"Origin": {base + ".evil.example"}}, http.StatusForbidden)
		refused(t, ws+"?ticket="+ticket, http.Header{"Origin": {strings.Replace(base, "http://", "https://", 1)}}, http.StatusForbidden)
		// The refused attempts did not spend the ticket.
		c, _, err := dialURL(t, ws+"?ticket="+ticket, nil)
		if err != nil {
			t.Fatalf("ticket spent by refused dials: %v", err)
		}
		c.next("hello", 5*time.Second)
	})
	t.Run("own origin", func(t *testing.T) {
		c, resp, err := f.dialWS(base, "member", http.Header{"Origin": {base}})
		if err != nil {
			status := 0
			if resp != nil {
				status = resp.StatusCode
			}
			t.Fatalf("own origin %s refused: %v (status %d)", base, err, status)
		}
		hello := c.next("hello", 5*time.Second)
		user, _ := hello["user"].(map[string]any)
		limits, _ := hello["limits"].(map[string]any)
		if hello.num("v") != 1 || user["id"] != f.users["member"].ID || user["name"] != "Member" ||
			numOf(limits, "body") != 16000 || numOf(limits, "frame") != 65536 {
			t.Fatalf("hello: %v", hello)
		}
		if e := c.request(map[string]any{"type": "ping"}); e.str("type") != "pong" {
			t.Fatalf("ping: %v", e)
		}
	})
	t.Run("plain GET", func(t *testing.T) {
		resp, err := http.Get(base + "/api/ws?ticket=" + f.ticket("member"))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusUpgradeRequired {
			t.Fatalf("status %d, want 426: %s", resp.StatusCode, body)
		}
		if !strings.Contains(string(body), `"error":{"code":"`) {
			t.Errorf("426 without the usual error body: %s", body)
		}
	})
}
