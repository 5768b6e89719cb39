package server

import (
	"context"
	"fmt"
	"testing"

	"plenary/rooms"
)

// TestWSSubscriptionLimit: a connection holds at most 200 subscriptions; the 201st is refused with
// conflict, and unsubscribing makes room again.
func TestWSSubscriptionLimit(t *testing.T) {
	f := mustServe(t)
	sec := f.users["secretariat"]
	vis, desc := rooms.Public, ""
	var ids []string
	for i := range wsMaxSubscriptions + 1 {
		name := fmt.Sprintf("Group %03d", i)
		g, err := f.rooms.CreateGroup(context.Background(), sec, rooms.GroupInput{Name: &name, FocusArea: &f.area, Description: &desc, Visibility: &vis})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, g.ID)
	}
	c, _, err := f.dialWS(f.listen(), "member", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids[:wsMaxSubscriptions] {
		c.ok(map[string]any{"type": "subscribe", "room": "group:" + id})
	}
	over := c.request(map[string]any{"type": "subscribe", "room": "group:" + ids[wsMaxSubscriptions]})
	if over.str("type") != "error" || over.str("code") != "conflict" {
		t.Fatalf("subscription %d: %v", wsMaxSubscriptions+1, over)
	}
	c.ok(map[string]any{"type": "unsubscribe", "room": "group:" + ids[0]})
	c.ok(map[string]any{"type": "subscribe", "room": "group:" + ids[wsMaxSubscriptions]})
}
