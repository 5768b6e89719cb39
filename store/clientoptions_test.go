package store

import (
	"context"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// TestClientSendsMajorityJournaled checks on the wire that writes carry w:"majority", j:true and
// that FerretDB answers them with success, so MongoDB and the embedded store share one client
// configuration.
func TestClientSendsMajorityJournaled(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	opts := clientOptions("mongodb://unused/")
	if wc := opts.WriteConcern; wc == nil || wc.W != "majority" || wc.Journal == nil || !*wc.Journal {
		t.Fatalf("write concern = %+v, want majority with journal", wc)
	}
	if rc := opts.ReadConcern; rc == nil || rc.Level != "majority" {
		t.Fatalf("read concern = %+v, want majority", rc)
	}
	if got := *opts.ServerSelectionTimeout; got != 10*time.Second {
		t.Errorf("server selection timeout = %v, want 10s", got)
	}

	e, err := StartEmbedded(ctx, t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()

	var mu sync.Mutex
	sent := map[string]bson.Raw{}
	failed := map[string]string{}
	monitor := &event.CommandMonitor{
		Started: func(_ context.Context, ev *event.CommandStartedEvent) {
			mu.Lock()
			defer mu.Unlock()
			sent[ev.CommandName] = ev.Command
		},
		Failed: func(_ context.Context, ev *event.CommandFailedEvent) {
			mu.Lock()
			defer mu.Unlock()
			failed[ev.CommandName] = ev.Failure.Error()
		},
	}
	client, err := mongo.Connect(clientOptions(e.URI()).SetMonitor(monitor))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Disconnect(ctx)
	coll := client.Database("wc").Collection("c")

	if _, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: 1}}); err != nil {
		t.Fatalf("insert: %v", err)
	}
	if _, err := coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: 1}}, bson.D{{Key: "$set", Value: bson.D{{Key: "a", Value: 1}}}}); err != nil {
		t.Fatalf("update: %v", err)
	}
	if err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: 1}}).Err(); err != nil {
		t.Fatalf("find: %v", err)
	}

	mu.Lock()
	defer mu.Unlock()
	if len(failed) > 0 {
		t.Errorf("commands failed: %v", failed)
	}
	for _, name := range []string{"insert", "update"} {
		cmd, ok := sent[name]
		if !ok {
			t.Errorf("%s not sent", name)
			continue
		}
		wc, err := cmd.LookupErr("writeConcern")
		if err != nil {
			t.Errorf("%s sent without writeConcern: %s", name, cmd)
			continue
		}
		doc := wc.Document()
		if w := doc.Lookup("w").StringValue(); w != "majority" {
			t.Errorf("%s writeConcern.w = %q, want majority", name, w)
		}
		if j, ok := doc.Lookup("j").BooleanOK(); !ok || !j {
			t.Errorf("%s writeConcern.j = %v, want true", name, doc.Lookup("j"))
		}
	}
	if rc, err := sent["find"].LookupErr("readConcern"); err != nil || rc.Document().Lookup("level").StringValue() != "majority" {
		t.Errorf("find readConcern = %v, %v; want level majority", rc, err)
	}
}
