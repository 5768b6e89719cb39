// Package inspect decides whether an uploaded contribution file is accepted. It looks at the
// bytes, not only at the name or at the content type the browser sent: the file name's extension,
// the declared content type and the content must agree on one of the accepted formats, and the
// content must not be something a browser or an office suite could run (HTML, SVG, scripts,
// executables, macros) or something that explodes when opened (zip bombs).
//
// The content type a file is later served with comes from here (Format.ContentType), never from
// the uploader, so a file that passed the checks is served as what it was checked to be.
//
// Every refusal is a *Refusal with a stable Reason for machines and a Message for people; it
// unwraps to an *errs.Error (invalid, or too_large for the size limit) for the HTTP layer.
package inspect

import (
	"errors"
	"fmt"
	"io"
)

// Format is one accepted file format.
type Format struct {
	Name        string // short stable name: "pdf", "docx", "pptx", "xlsx", "odt", "odp", "ods", "txt", "md", "png", "jpeg"
	ContentType string // the one content type files of this format are served with
	Extension   string // the canonical extension, with its dot: ".pdf", ".jpg"
}

// Limits bounds what a file may cost to inspect and to store. Zero fields mean the default.
type Limits struct {
	MaxSize         int64   // bytes of the file as uploaded; zero means 100 MiB
	MaxEntries      int     // entries in an office or OpenDocument zip; zero means 2,000
	MaxUncompressed int64   // bytes all entries of a zip expand to together; zero means 200 MiB
	MaxRatio        float64 // expanded bytes per compressed byte, per entry and overall; zero means 100
}

// Entries and archives that expand to less than this are not held to MaxRatio: tiny XML parts
// full of repeated markup legitimately compress very well, and their absolute cost is negligible.
const ratioExemptBelow = 1 << 20

// DefaultLimits returns the limits used for zero fields.
func DefaultLimits() Limits {
	return Limits{
		MaxSize:         100 << 20,
		MaxEntries:      2000,
		MaxUncompressed: 200 << 20,
		MaxRatio:        100,
	}
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxSize <= 0 {
		l.MaxSize = d.MaxSize
	}
	if l.MaxEntries <= 0 {
		l.MaxEntries = d.MaxEntries
	}
	if l.MaxUncompressed <= 0 {
		l.MaxUncompressed = d.MaxUncompressed
	}
	if l.MaxRatio <= 0 {
		l.MaxRatio = d.MaxRatio
	}
	return l
}

// CheckSize refuses a file of size bytes as empty or too_large. It lets an upload be refused from
// its Content-Length before any of the body is read; Check applies it too.
func (l Limits) CheckSize(size int64) error {
	l = l.withDefaults()
	switch {
	case size <= 0:
		return refuse(Empty, "The file is empty.")
	case size > l.MaxSize:
		return refuse(TooLarge, "The file is %s; files may be at most %s.", humanBytes(size), humanBytes(l.MaxSize))
	}
	return nil
}

// SniffSize is how much of the start of a file Sniff looks at, and the part of the file where
// Check looks for the same things, so that both judge a file's start alike.
const SniffSize = 8 << 10

// Sniff applies the checks that need only the start of a file, so that an upload can be refused
// before its body is read. head should be the first SniffSize bytes (or the whole file if it is
// shorter); at least 512 are needed for a useful answer, and bytes past SniffSize are ignored.
// The format it returns is provisional: only Check, over the whole file, accepts a file.
//
// It returns a *Refusal with reason empty, forbidden_type, unsupported_type, type_mismatch,
// macros, not_utf8 or corrupt.
func Sniff(head []byte, filename, declaredType string) (Format, error) {
	if len(head) > SniffSize {
		head = head[:SniffSize]
	}
	f, err := sniff(head, filename, declaredType, false)
	if err != nil {
		return Format{}, err
	}
	return f.Format, nil
}

// Check inspects a complete file as stored: r holds its size bytes, filename is the name it was
// uploaded under (only its extension matters) and declaredType the content type of the multipart
// part. It returns the file's format, whose ContentType is what the file must be served with.
//
// declaredType may be empty or a generic type (application/octet-stream, binary/octet-stream;
// application/zip for the zip-based formats), which claim nothing; any other declared type must
// be the format's own or a common alias (image/jpg, text/plain for Markdown, ...).
//
// Every refusal is a *Refusal (see the Reason constants). Any other error means r could not be
// read; the file was not judged.
func Check(r io.ReaderAt, size int64, filename, declaredType string, lim Limits) (Format, error) {
	lim = lim.withDefaults()
	if err := lim.CheckSize(size); err != nil {
		return Format{}, err
	}
	src := &readerAt{r: r}
	head := make([]byte, min(size, SniffSize))
	if _, err := src.ReadAt(head, 0); err != nil {
		return Format{}, fmt.Errorf("read start of upload: %w", err)
	}
	f, err := sniff(head, filename, declaredType, int64(len(head)) == size)
	if err != nil {
		return Format{}, err
	}
	switch f.kind {
	case kindPDF:
		err = checkPDF(src, size)
	case kindPNG, kindJPEG:
		err = checkImage(src, size, f)
	case kindText:
		err = checkText(src, size)
	case kindOOXML, kindODF:
		err = checkArchive(src, size, f, lim)
	}
	// A failing storage read looks like a damaged file to the parsers above; say which it was.
	if src.err != nil {
		return Format{}, fmt.Errorf("read upload: %w", src.err)
	}
	if err != nil {
		return Format{}, err
	}
	return f.Format, nil
}

// readerAt remembers the first real read error, so that a storage failure is not reported to the
// uploader as a damaged file.
type readerAt struct {
	r   io.ReaderAt
	err error
}

func (r *readerAt) ReadAt(p []byte, off int64) (int, error) {
	n, err := r.r.ReadAt(p, off)
	if err != nil && !errors.Is(err, io.EOF) && r.err == nil {
		r.err = err
	}
	if errors.Is(err, io.EOF) && n == len(p) {
		err = nil
	}
	return n, err
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
