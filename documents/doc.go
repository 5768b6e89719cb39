// Package documents will hold contributions (uploads, revisions, symbols) and the Chairman's
// Report (lifecycle, comments, versions, exports). It has no code yet: the foundation release
// ships accounts and groups only, and the layout keeps its place so that the dependency rule
// (domain packages never import Fiber or server) covers it from the start.
package documents
