package contributions

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"plenary/errs"
)

// Lists and search read compact index documents by _id, never the contributions collection
// (a filtered read is a scan on the embedded store; docs/storage.md): one per meeting or group
// ("meeting:<id>", "group:<id>"), one per submitter ("user:<id>") and one of everything waiting
// for a decision ("pending"). They are rewritten after every change of a document.

// Entry is a document as lists show it.
type Entry struct {
	ID            string    `json:"id" bson:"id"`
	Scope         string    `json:"scope" bson:"scope"`
	ScopeID       string    `json:"scope_id" bson:"scope_id"`
	Symbol        string    `json:"symbol" bson:"symbol"`
	Title         string    `json:"title" bson:"title"`
	Authors       []Author  `json:"authors" bson:"authors"`
	Language      string    `json:"language" bson:"language"`
	Kind          string    `json:"kind" bson:"kind"`
	State         string    `json:"state" bson:"state"`
	SessionID     string    `json:"session_id" bson:"session_id"`
	ItemID        string    `json:"item_id" bson:"item_id"`
	Submitter     string    `json:"submitter" bson:"submitter"`
	SubmitterName string    `json:"submitter_name" bson:"submitter_name"`
	Updated       time.Time `json:"updated" bson:"updated"`
	// Published is the newest published revision (-1: none); Latest the newest revision and
	// LatestState its state (what a reviewer acts on).
	Published   int    `json:"published" bson:"published"`
	Latest      int    `json:"latest" bson:"latest"`
	LatestState string `json:"latest_state" bson:"latest_state"`
	// Format of the file to show (the published one for readers).
	Format string `json:"format" bson:"format"`
	Size   int64  `json:"size" bson:"size"`
}

type indexDoc struct {
	ID      string  `bson:"_id"`
	Entries []Entry `bson:"entries"`
	Version int64   `bson:"version"`
}

func scopeKey(scope, scopeID string) string { return scope + ":" + scopeID }

const pendingKey = "pending"

// entryAuthors is how many authors an index entry keeps (lists show the first few, and search
// finds them): it bounds an entry, so that an index document of maxIndexed entries stays small.
const entryAuthors = 6

func (c *contributionDoc) entry() Entry {
	authors := c.Authors
	if len(authors) > entryAuthors {
		authors = authors[:entryAuthors]
	}
	e := Entry{ID: c.ID, Scope: c.Scope, ScopeID: c.ScopeID, Symbol: c.Symbol, Title: c.Title, Authors: authors,
		Language: c.Language, Kind: c.Kind, State: c.state(), SessionID: c.SessionID, ItemID: c.ItemID,
		Submitter: c.Submitter, SubmitterName: c.SubmitName, Updated: c.Updated, Published: -1,
		Latest: c.latest().N, LatestState: c.latest().State, Format: c.latest().Format, Size: c.latest().Size}
	if p := c.published(); p != nil {
		e.Published, e.Format, e.Size = p.N, p.Format, p.Size
	}
	return e
}

// pending tells whether the document waits for a reviewer's decision.
func (e *Entry) pending() bool {
	return e.LatestState == StateSubmitted || e.LatestState == StateAccepted
}

// readIndex reads an index document; a missing one is empty.
func (s *Service) readIndex(ctx context.Context, key string) (indexDoc, error) {
	var d indexDoc
	err := s.index.FindOne(ctx, bson.D{{Key: "_id", Value: key}}).Decode(&d)
	if err == mongo.ErrNoDocuments {
		return indexDoc{ID: key}, nil
	}
	if err != nil {
		return indexDoc{}, fmt.Errorf("read index %s: %w", key, err)
	}
	return d, nil
}

// putEntry replaces (or adds, or with remove drops) the document's entry in one index. The first
// write of an index is an insert, so two processes cannot both create it.
func (s *Service) putEntry(ctx context.Context, key string, e Entry, remove bool) error {
	defer s.locks.lock("index:" + key)()
	for range 5 {
		d, err := s.readIndex(ctx, key)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(d.Entries, func(x Entry) bool { return x.ID == e.ID })
		switch {
		case remove && i < 0:
			return nil
		case remove:
			d.Entries = slices.Delete(d.Entries, i, i+1)
		case i >= 0:
			d.Entries[i] = e
		case len(d.Entries) >= maxIndexed && key != pendingKey:
			return errs.Errorf(errs.Invalid, "a meeting, group or person holds at most %d documents", maxIndexed)
		default:
			d.Entries = append(d.Entries, e)
		}
		d.Version++
		if d.Version == 1 {
			_, err = s.index.InsertOne(ctx, d)
			if mongo.IsDuplicateKeyError(err) {
				continue
			}
		} else {
			var res *mongo.UpdateResult
			res, err = s.index.ReplaceOne(ctx, bson.D{{Key: "_id", Value: key}, {Key: "version", Value: d.Version - 1}}, d)
			if err == nil && res.MatchedCount == 0 {
				continue // changed by another process meanwhile
			}
		}
		if err != nil {
			return fmt.Errorf("store index %s: %w", key, err)
		}
		return nil
	}
	return errs.Errorf(errs.Conflict, "the list of documents is changing too fast; try again")
}

// reindex brings every index that lists the document up to date.
func (s *Service) reindex(ctx context.Context, c *contributionDoc) error {
	e := c.entry()
	if err := s.putEntry(ctx, scopeKey(c.Scope, c.ScopeID), e, false); err != nil {
		return err
	}
	if err := s.putEntry(ctx, "user:"+c.Submitter, e, false); err != nil {
		return err
	}
	// Everything waiting for a decision, everywhere, in one list: entries leave it with their
	// decision, so it holds what reviewers have not yet handled (bounded by the store's document
	// size, some 30,000 entries).
	return s.putEntry(ctx, pendingKey, e, !e.pending())
}

// Filter narrows a list. Empty fields do not filter.
type Filter struct {
	Kind, Language, State string
	SessionID, ItemID     string
	// Query matches, without regard to case, the title, an author's name or organization, or the
	// symbol.
	Query string
}

func (f Filter) validate() error {
	if f.Kind != "" && !slices.Contains(Kinds, f.Kind) {
		return errs.Errorf(errs.Invalid, "kind: one of %s", strings.Join(Kinds, ", "))
	}
	if f.Language != "" && !slices.Contains(Languages, f.Language) {
		return errs.Errorf(errs.Invalid, "language: one of %s", strings.Join(Languages, ", "))
	}
	if f.State != "" && !slices.Contains([]string{StateSubmitted, StateAccepted, StatePublished, StateReturned, StateWithdrawn}, f.State) {
		return errs.Errorf(errs.Invalid, "state: one of submitted, accepted, published, returned, withdrawn")
	}
	if len(f.Query) > 200 {
		return errs.Errorf(errs.Invalid, "q: at most 200 characters")
	}
	return nil
}

func (f Filter) match(e *Entry) bool {
	switch {
	case f.Kind != "" && e.Kind != f.Kind,
		f.Language != "" && e.Language != f.Language,
		f.State != "" && e.State != f.State,
		f.SessionID != "" && e.SessionID != f.SessionID,
		f.ItemID != "" && e.ItemID != f.ItemID:
		return false
	}
	if f.Query == "" {
		return true
	}
	q := strings.ToLower(f.Query)
	if strings.Contains(strings.ToLower(e.Title), q) || strings.Contains(strings.ToLower(e.Symbol), q) {
		return true
	}
	for _, a := range e.Authors {
		if strings.Contains(strings.ToLower(a.Name), q) || strings.Contains(strings.ToLower(a.Organization), q) {
			return true
		}
	}
	return false
}

// sortEntries orders a list as the secretariat publishes it: by symbol, then documents without a
// symbol yet, newest first.
func sortEntries(es []Entry) {
	slices.SortStableFunc(es, func(a, b Entry) int {
		switch {
		case a.Symbol != "" && b.Symbol != "":
			return strings.Compare(a.Symbol, b.Symbol)
		case a.Symbol != "":
			return -1
		case b.Symbol != "":
			return 1
		}
		return b.Updated.Compare(a.Updated)
	})
}
