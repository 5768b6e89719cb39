// Package rooms holds the places where people work together: focus areas, the working groups
// that belong to them with their members and roles, and (in later work) meetings and discussion
// rooms. Every operation takes the acting user explicitly and authorizes here, not in the HTTP
// layer or the store.
package rooms

import (
	"sync"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"plenary/accounts"
	"plenary/store"
)

const (
	colFocusAreas = "focus_areas"
	colGroups     = "groups"
)

// Collections returns the collections this package uses, for store.Open.
func Collections() []store.Collection {
	return []store.Collection{
		{Name: colFocusAreas},
		{Name: colGroups, Indexes: []mongo.IndexModel{{Keys: bson.D{{Key: "focus_area", Value: 1}}}}},
	}
}

// Service manages focus areas and groups.
type Service struct {
	// groupMu serializes group changes within this process (see modifyGroup).
	groupMu sync.Mutex
	// groupObservers are told of every stored change of a group (the discussion and the
	// reports use them to cut off people who lost access).
	observerMu     sync.Mutex
	groupObservers []func(*groupDoc)
	// embedded is true on the embedded store, which is single-process (see modifyGroup).
	embedded   bool
	accounts   *accounts.Service
	focusAreas *mongo.Collection
	groups     *mongo.Collection
}

// New returns a Service over st, whose collections must include Collections().
func New(st *store.Store, acc *accounts.Service) *Service {
	return &Service{
		embedded:   st.Kind() == store.KindEmbedded,
		accounts:   acc,
		focusAreas: st.Collection(colFocusAreas),
		groups:     st.Collection(colGroups),
	}
}
