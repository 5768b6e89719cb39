package meetings

import (
	"fmt"
	"sync"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// meetingCache keeps decoded meetings in memory on the embedded store. Reading a meeting with a
// 10 × 8 agenda back from the embedded store costs about 30 ms of CPU (FerretDB converts the stored
// JSON to BSON, then the driver decodes it), which would make the agenda page the slowest page of
// the platform. The embedded store belongs to one process, and every change of a meeting goes
// through this Service, so the process can keep the decoded documents current itself. On MongoDB
// (several processes may write) there is no cache: every read goes to the database.
//
// Cached documents are shared and never changed: a writer clones, changes and stores the clone,
// then puts it in the cache. A nil *meetingCache caches nothing.
type meetingCache struct {
	mu       sync.RWMutex
	docs     map[string]*meetingDoc
	complete bool // docs holds every meeting (after the first full read)
}

func newMeetingCache() *meetingCache { return &meetingCache{docs: map[string]*meetingDoc{}} }

func (c *meetingCache) get(id string) *meetingDoc {
	if c == nil {
		return nil
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.docs[id]
}

func (c *meetingCache) put(m *meetingDoc) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.docs[m.ID] = m
}

// drop forgets a meeting whose stored state is uncertain (a failed write); the next read goes to
// the store.
func (c *meetingCache) drop(id string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.docs, id)
	c.complete = false
}

// fill records the result of a full read; a document already cached is newer or equal, so it stays.
func (c *meetingCache) fill(docs []*meetingDoc) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, m := range docs {
		if _, ok := c.docs[m.ID]; !ok {
			c.docs[m.ID] = m
		}
	}
	c.complete = true
}

// everything returns every meeting once a full read has filled the cache.
func (c *meetingCache) everything() ([]*meetingDoc, bool) {
	if c == nil {
		return nil, false
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	if !c.complete {
		return nil, false
	}
	out := make([]*meetingDoc, 0, len(c.docs))
	for _, m := range c.docs {
		out = append(out, m)
	}
	return out, true
}

// clone is a deep copy of m, made through BSON so that it is exactly what the store would give
// back (times at millisecond precision, empty lists as empty lists), live state included.
func (m *meetingDoc) clone() *meetingDoc {
	var c meetingDoc
	roundTrip(m, &c, m.ID)
	c.LiveSeq = m.LiveSeq
	if m.Live != nil {
		c.Live = new(Live)
		roundTrip(m.Live, c.Live, m.ID)
	}
	return &c
}

func roundTrip(from, to any, meetingID string) {
	b, err := bson.Marshal(from)
	if err == nil {
		err = bson.Unmarshal(b, to)
	}
	if err != nil {
		panic(fmt.Sprintf("clone meeting %s: %v", meetingID, err))
	}
}
