package reports

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"plenary/documents/ot"
)

// key is the natural key of a report's op or milestone: "<report>:<version>". Inserting an
// existing key fails, which makes the insert the arbiter of who committed a version, also
// between several server processes.
func key(reportID string, v int64) string { return reportID + ":" + strconv.FormatInt(v, 10) }

// storedOp is one committed op. Op v applies to the snapshot at version v and makes v+1; op 0
// is the report's creation.
type storedOp struct {
	V      int64
	Src    string
	Seq    int64
	User   string
	TS     int64 // milliseconds since the epoch, never decreasing along the log
	Create bool
	Op     ot.Op
	// Restored is the version whose text this op brought back (Service.Restore), or 0.
	Restored int64

	frame []byte // the ShareDB op message, encoded once for every subscriber
}

type opDoc struct {
	ID     string `bson:"_id"`
	Report string `bson:"report"`
	V      int64  `bson:"v"`
	Src    string `bson:"src"`
	Seq    int64  `bson:"seq"`
	User   string `bson:"user"`
	TS     int64  `bson:"ts"`
	Create bool   `bson:"create,omitempty"`
	// Op is the op's JSON text: exactly what clients sent and receive, with no BSON mapping
	// of mixed arrays to get wrong.
	Op       string `bson:"op,omitempty"`
	Restored int64  `bson:"restored,omitempty"`
}

func (o *storedOp) doc(reportID string) opDoc {
	d := opDoc{ID: key(reportID, o.V), Report: reportID, V: o.V, Src: o.Src, Seq: o.Seq, User: o.User, TS: o.TS, Create: o.Create, Restored: o.Restored}
	if !o.Create {
		d.Op = o.Op.String()
	}
	return d
}

func (d *opDoc) stored() (*storedOp, error) {
	o := &storedOp{V: d.V, Src: d.Src, Seq: d.Seq, User: d.User, TS: d.TS, Create: d.Create, Restored: d.Restored}
	if !d.Create {
		if err := json.Unmarshal([]byte(d.Op), &o.Op); err != nil {
			return nil, fmt.Errorf("decode stored op %s: %w", d.ID, err)
		}
	}
	return o, nil
}

// seenDoc remembers the latest op of one client source: key is "<user>\x00<src>".
type seenDoc struct {
	K   string `bson:"k"`
	Seq int64  `bson:"seq"`
	V   int64  `bson:"v"`
}

// milestoneDoc is the report's text at version V, with what dedupe needs to continue from it.
type milestoneDoc struct {
	ID     string    `bson:"_id"`
	Report string    `bson:"report"`
	V      int64     `bson:"v"`
	Text   string    `bson:"text"`
	TS     int64     `bson:"ts"`
	Seen   []seenDoc `bson:"seen"`
	// Floor: Seen is complete for ops from this version on (older entries were pruned).
	Floor int64 `bson:"floor"`
}

// readOp reads op v of a report; found is false when it does not exist.
func (s *Service) readOp(ctx context.Context, reportID string, v int64) (_ *storedOp, found bool, _ error) {
	var d opDoc
	err := s.ops.FindOne(ctx, bson.D{{Key: "_id", Value: key(reportID, v)}}).Decode(&d)
	if err == mongo.ErrNoDocuments {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("read op %s: %w", key(reportID, v), err)
	}
	o, err := d.stored()
	return o, err == nil, err
}

// readMilestone reads the latest milestone at or below v, stepping down through the milestone
// versions (multiples of MilestoneEvery, and 1) when one is missing (not written before a crash).
func (s *Service) readMilestone(ctx context.Context, reportID string, v int64) (*milestoneDoc, error) {
	every := s.cfg.MilestoneEvery
	next := func(m int64) int64 {
		switch {
		case m <= 1:
			return 0
		case m%every != 0:
			m = m / every * every
		default:
			m -= every
		}
		return max(m, 1)
	}
	for m := v; m >= 1; m = next(m) {
		var d milestoneDoc
		err := s.milestones.FindOne(ctx, bson.D{{Key: "_id", Value: key(reportID, m)}}).Decode(&d)
		if err == nil {
			return &d, nil
		}
		if err != mongo.ErrNoDocuments {
			return nil, fmt.Errorf("read milestone %s: %w", key(reportID, m), err)
		}
	}
	return nil, fmt.Errorf("report %s has no milestone at or below version %d", reportID, v)
}
