package server

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"plenary/notify"
)

// withNotify replaces the fixture's server (before f.listen) by one with a notification service.
func (f *fixture) withNotify() *notify.Service {
	f.t.Helper()
	ctx := context.Background()
	// The fixture's store was opened without the notification collections: make them now, with
	// the embedded store's _id index (an error means they exist already).
	for _, c := range notify.Collections() {
		_ = f.st.DB().CreateCollection(ctx, c.Name)
	}
	if err := f.st.EnsureIDIndexes(ctx); err != nil {
		f.t.Fatal(err)
	}
	ns, err := notify.New(f.st, f.acc, notify.Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(ns.Close)
	cfg := f.srv.cfg
	cfg.Notify = ns
	_ = f.srv.Shutdown(time.Second) // stops the old server's pinger; it never listened
	f.srv = New(cfg)
	return ns
}

// noNotification fails if c has received a notification envelope. Call it after c.syncPoint():
// everything queued for c before then has been read.
func noNotification(t *testing.T, who string, c *wsClient) {
	t.Helper()
	for {
		select {
		case e := <-c.events:
			if e.str("type") == "notification" {
				t.Fatalf("%s received %v", who, e)
			}
		default:
			return
		}
	}
}

func TestNotificationReachesTheRecipientsWebsocketsAndList(t *testing.T) {
	f := mustServe(t)
	ns := f.withNotify()
	base := f.listen()

	tab1, tab2 := f.mustDial(base, "member"), f.mustDial(base, "member")
	other := f.mustDial(base, "outsider")
	sharedb := f.dialShareDB(base, "member")

	member := f.users["member"]
	err := ns.Send(context.Background(), []string{member.ID}, notify.Note{
		Kind: notify.KindRoundOpened, Title: `Comments invited on "Chairman's Report" v1.0`, Body: "Until 10 Dec 2026 17:00 Europe/Geneva",
		Link: "/reports/r1?tab=review", ReportID: "r1"})
	if err != nil {
		t.Fatal(err)
	}
	var id string
	for _, tab := range []*wsClient{tab1, tab2} {
		e := tab.nextWhere("notification", 5*time.Second, func(e envelope) bool { return e.str("type") == "notification" })
		n, _ := e["notification"].(map[string]any)
		if e.num("unread") != 1 || n["title"] != `Comments invited on "Chairman's Report" v1.0` || n["kind"] != "round_opened" ||
			n["link"] != "/reports/r1?tab=review" || n["report_id"] != "r1" || n["read"] != false || n["at"] == "" {
			t.Fatalf("envelope %v", e)
		}
		id, _ = n["id"].(string)
	}
	other.syncPoint()
	noNotification(t, "another person", other)
	// ShareDB connections speak only ShareDB.
	sharedb.quiet("notification on the ShareDB connection", 300*time.Millisecond, func(e envelope) bool { return e.str("type") == "notification" })

	var list struct {
		Items []struct {
			ID, Kind, Title, Body, Link string
			Read                        bool
			At                          time.Time
		}
		Unread int
	}
	f.do("GET", "/api/notifications", "", f.tokens["member"], 200, &list)
	if list.Unread != 1 || len(list.Items) != 1 || list.Items[0].ID != id || list.Items[0].Body != "Until 10 Dec 2026 17:00 Europe/Geneva" || list.Items[0].At.IsZero() {
		t.Fatalf("list %+v", list)
	}
	f.run(t, []scenario{
		{name: "outsider's list is empty", method: "GET", url: "/api/notifications", actor: "outsider", status: 200, want: []string{`{"items":[],"unread":0}`}},
		{name: "anonymous list", method: "GET", url: "/api/notifications", status: 401},
		{name: "limit zero", method: "GET", url: "/api/notifications?limit=0", actor: "member", status: 400},
		{name: "limit not a number", method: "GET", url: "/api/notifications?limit=x", actor: "member", status: 400},
		{name: "limit one", method: "GET", url: "/api/notifications?limit=1", actor: "member", status: 200, want: []string{id}},
		{name: "anonymous read", method: "POST", url: "/api/notifications/read", body: `{}`, status: 401},
		{name: "bad id", method: "POST", url: "/api/notifications/read", body: `{"ids":["x y"]}`, actor: "member", status: 400},
		{name: "unknown field", method: "POST", url: "/api/notifications/read", body: `{"all":true}`, actor: "member", status: 400},
		{name: "another's id changes nothing", method: "POST", url: "/api/notifications/read", body: `{"ids":["` + id + `"]}`, actor: "outsider", status: 200, want: []string{`{"unread":0}`}},
		{name: "member's list still unread", method: "GET", url: "/api/notifications", actor: "member", status: 200, want: []string{`"unread":1`, `"read":false`}},
		{name: "mark one read", method: "POST", url: "/api/notifications/read", body: `{"ids":["` + id + `"]}`, actor: "member", status: 200, want: []string{`{"unread":0}`}},
		{name: "read in the list", method: "GET", url: "/api/notifications", actor: "member", status: 200, want: []string{`"unread":0`, `"read":true`}},
	})

	// A second one, then all read with an empty list of ids.
	if err := ns.Send(context.Background(), []string{member.ID, f.users["chair"].ID}, notify.Note{Kind: notify.KindFinal, Title: "Final version v2.0", Link: "/reports/r1"}); err != nil {
		t.Fatal(err)
	}
	if e := tab1.nextWhere("second notification", 5*time.Second, func(e envelope) bool { return e.str("type") == "notification" }); e.num("unread") != 1 {
		t.Fatalf("second envelope %v", e)
	}
	other.syncPoint()
	noNotification(t, "another person", other)
	f.run(t, []scenario{
		{name: "mark all read", method: "POST", url: "/api/notifications/read", body: `{}`, actor: "member", status: 200, want: []string{`{"unread":0}`}},
		{name: "chair's stays unread", method: "GET", url: "/api/notifications", actor: "chair", status: 200, want: []string{`"unread":1`, "Final version v2.0"}},
	})
}
