package contributions

import (
	"context"
	"io"
	"time"

	"plenary/accounts"
	"plenary/errs"
)

// Download is a revision's file ready to be served: what the headers need, and its bytes.
type Download struct {
	ID          string
	Revision    int
	Symbol      string
	Filename    string
	ContentType string // verified by the content checks, never the one the uploader declared
	Size        int64
	SHA256      string
	Modified    time.Time
	open        func(ctx context.Context, offset int64) (io.ReadCloser, error)
}

// Open returns the bytes from offset on.
func (d Download) Open(ctx context.Context, offset int64) (io.ReadCloser, error) {
	return d.open(ctx, offset)
}

// File prepares a revision for download: rev nil is the stable address (the newest published
// revision). Readers of the document see published revisions; the submitter and the reviewers see
// every one. not_found otherwise, as if it did not exist.
func (s *Service) File(ctx context.Context, actor accounts.User, docID string, rev *int) (Download, error) {
	c, r, err := s.loadFor(ctx, actor, docID)
	if err != nil {
		return Download{}, err
	}
	var picked *revisionDoc
	if rev == nil {
		picked = c.published()
		if picked == nil {
			return Download{}, errs.Errorf(errs.NotFound, "no revision of this document is published yet")
		}
	} else {
		for i := range c.Revisions {
			if c.Revisions[i].N == *rev && r.canReadRevision(&c.Revisions[i]) {
				picked = &c.Revisions[i]
			}
		}
		if picked == nil {
			return Download{}, errs.Errorf(errs.NotFound, "no such revision")
		}
	}
	fileID := picked.FileID
	return Download{ID: c.ID, Revision: picked.N, Symbol: revisionSymbol(c.Symbol, picked.N), Filename: picked.Filename,
		ContentType: picked.ContentType, Size: picked.Size, SHA256: picked.SHA256, Modified: picked.At,
		open: func(ctx context.Context, offset int64) (io.ReadCloser, error) {
			return s.openFile(ctx, fileID, offset)
		}}, nil
}
