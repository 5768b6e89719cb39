package reports

import (
	"context"

	"plenary/accounts"
	"plenary/documents/render"
)

// RenderedReport is one version of a report rendered for reading: numbered paragraphs,
// footnotes, safe HTML (documents/render).
type RenderedReport struct {
	V int64 `json:"v"`
	// Text is the Markdown source the paragraphs' code point ranges refer to.
	Text string `json:"text"`
	render.Rendered
}

// Rendered renders the report at version v (nil: the latest). Every editor's preview asks for the
// version it has just reached, so the authority keeps the latest rendering for the others.
// Returns not_found if actor may not read the report.
func (s *Service) Rendered(ctx context.Context, actor accounts.User, reportID string, v *int64) (RenderedReport, error) {
	a, _, err := s.lockOpen(ctx, actor, reportID)
	if err != nil {
		return RenderedReport{}, err
	}
	if err := a.fresh(ctx); err != nil {
		a.mu.Unlock()
		return RenderedReport{}, err
	}
	at := a.head
	if v != nil && *v < a.head {
		at = *v
	}
	if r := a.rendered; r != nil && r.V == at {
		a.mu.Unlock()
		return *r, nil
	}
	snap, err := a.snapshotAt(ctx, at)
	a.mu.Unlock()
	if err != nil {
		return RenderedReport{}, err
	}
	// Rendered outside the lock: editing goes on meanwhile.
	out := RenderedReport{V: snap.V, Text: snap.Data, Rendered: render.Report(snap.Data)}
	a.mu.Lock()
	if a.rendered == nil || a.rendered.V < out.V {
		a.rendered = &out
	}
	a.mu.Unlock()
	return out, nil
}
