package rooms_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"plenary/rooms"
)

// TestDiscussionMentionSpecialNames: a mention renders as a mention span whatever characters the
// person's name holds (apostrophes and quotes are common in names).
func TestDiscussionMentionSpecialNames(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	d := f.discussion()
	g := f.newGroup("Mentions", "private")
	room := "group:" + g.ID
	for i, name := range []string{"Mei Lin", "Siobhán O'Brien", `Dwayne "The Rock" Johnson`, "A & B Consulting"} {
		u := f.user(fmt.Sprintf("m%d@example.org", i), name, "user")
		if _, err := f.svc.AddMember(ctx, f.sec, g.ID, rooms.MemberInput{UserID: u.ID, Role: rooms.RoleMember}); err != nil {
			t.Fatal(err)
		}
		seq, err := d.Post(ctx, f.chair, room, rooms.PostInput{Topic: "T", Body: "Over to you @**" + name + "**", CMID: fmt.Sprintf("c%d", i), Mentions: []string{u.ID}})
		if err != nil {
			t.Fatal(err)
		}
		h, err := d.History(ctx, f.chair, room, seq+1, 1)
		if err != nil || len(h) != 1 {
			t.Fatalf("history: %v %v", h, err)
		}
		if !strings.Contains(h[0].HTML, `<span class="mention" data-user="`+u.ID+`">@`) {
			t.Errorf("mention of %q not rendered: %s", name, h[0].HTML)
		}
	}
}

// TestDiscussionUnreadWindow: protocol.md counts unread messages over the room's latest 500
// messages: 700 unread messages show as 500.
func TestDiscussionUnreadWindow(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	d := f.discussion()
	g := f.newGroup("Unread", "private")
	room := "group:" + g.ID
	const n = 700
	for i := range n {
		mustPost(t, d, f.chair, room, "T", fmt.Sprintf("m%d", i), fmt.Sprintf("c%d", i))
	}
	var ack rooms.Subscribed
	if err := d.Subscribe(ctx, &fakeSub{user: f.member}, room, -1, func(s rooms.Subscribed) { ack = s }); err != nil {
		t.Fatal(err)
	}
	if len(ack.Topics) != 1 || ack.Topics[0].Unread != 500 || ack.Topics[0].Messages != n {
		t.Fatalf("unread %+v, want 500 of %d messages (the latest 500 count)", ack.Topics, n)
	}
}

// TestDiscussionHistoryAcrossManyNonMessageEvents: a history page is empty only at the start
// of the room, even when a long run of reactions separates older messages from newer ones.
func TestDiscussionHistoryAcrossManyNonMessageEvents(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	d := f.discussion()
	g := f.newGroup("History", "private")
	room := "group:" + g.ID
	first := mustPost(t, d, f.member, room, "T", "the first message", "first")
	for i := range 300 { // 300 reaction events
		if _, err := d.React(ctx, f.chair, room, first, "👍", i%2 == 0); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 520 { // more than the in-memory window
		mustPost(t, d, f.member, room, "T", fmt.Sprintf("later %d", i), fmt.Sprintf("l%d", i))
	}
	// Pages of 50, the default page size.
	hist := pagedHistory(t, d, f.member, room, 50)
	if len(hist) != 521 || hist[0].Seq != first {
		oldest := int64(0)
		if len(hist) > 0 {
			oldest = hist[0].Seq
		}
		t.Fatalf("paging the history found %d messages (oldest %d), want 521 from seq %d", len(hist), oldest, first)
	}
}
