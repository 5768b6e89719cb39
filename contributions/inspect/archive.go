package inspect

import (
	"archive/zip"
	"bytes"
	"cmp"
	"compress/flate"
	"encoding/xml"
	"errors"
	"hash/crc32"
	"io"
	"slices"
	"strings"
)

// checkArchive inspects an office or OpenDocument file as the zip archive it is: a readable
// central directory, few enough entries, harmless entry names, every entry really expanded (the
// sizes it declares may lie) within the limits, no macros, and the parts that make it format f.
// The checks run in that order, so a file that is several things at once gets the first reason.
func checkArchive(r io.ReaderAt, size int64, f *format, lim Limits) error {
	zr, err := zip.NewReader(r, size)
	// ErrInsecurePath only comes with GODEBUG=zipinsecurepath=0; the names are judged below anyway.
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return refuse(Corrupt, "The file is damaged or incomplete: it cannot be read as %s. Upload it again or save it anew.", f.noun)
	}
	if len(zr.File) > lim.MaxEntries {
		return refuse(TooManyEntries, "The file holds %d parts; documents may hold at most %d.", len(zr.File), lim.MaxEntries)
	}
	if err := checkEntries(zr.File, f); err != nil {
		return err
	}
	if err := checkOverlap(zr.File, size); err != nil {
		return err
	}
	found, err := expandAll(zr.File, size, lim)
	if err != nil {
		return err
	}
	if found.macros {
		return refuse(Macros, "The file contains macros (a VBA project), which are not accepted. Save it without macros and upload that.")
	}
	if f.kind == kindODF {
		return checkODFIdentity(zr.File, found, f)
	}
	return checkOOXMLIdentity(zr.File, found, f)
}

// checkEntries refuses entry names that would write outside a folder when extracted, names
// that appear twice (the one a reader picks differs between readers), encrypted entries, unusual
// compression methods, and macro parts that show in the name.
func checkEntries(entries []*zip.File, f *format) error {
	seen := make(map[string]bool, len(entries))
	for _, e := range entries {
		if why := unsafeName(e.Name); why != "" {
			return refuse(PathTraversal, "The file contains an entry with %s, which could write outside its folder when unpacked; such files are not accepted.", why)
		}
		// Office part names are case-insensitive, so "A.xml" and "a.xml" are the same part.
		key := strings.ToLower(e.Name)
		if seen[key] {
			return refuse(DuplicateEntry, "The file contains two entries with the same name; programs disagree about which one counts, so such files are not accepted.")
		}
		seen[key] = true
		switch {
		case e.Flags&0x1 != 0:
			return refuse(Corrupt, "The file is encrypted inside; upload a copy without a password.")
		case e.Method != zip.Store && e.Method != zip.Deflate:
			return refuse(Corrupt, "The file uses a compression method that office programs do not write; save it anew and upload that.")
		case isVBAPart(key):
			return refuse(Macros, "The file contains macros (a VBA project), which are not accepted. Save it without macros and upload that.")
		case f.kind == kindODF && isODFScript(key):
			return refuse(Macros, "The file contains macros or scripts (Basic/ or Scripts/), which are not accepted. Save it without macros and upload that.")
		}
	}
	return nil
}

// unsafeName says what makes an entry name escape the folder it is unpacked into, or "".
func unsafeName(name string) string {
	switch {
	case name == "":
		return "an empty name"
	case strings.ContainsRune(name, 0):
		return "a NUL byte in its name"
	case strings.Contains(name, `\`):
		return "a backslash in its name"
	case strings.HasPrefix(name, "/"):
		return "an absolute path"
	case len(name) >= 2 && name[1] == ':' && (name[0]|0x20 >= 'a' && name[0]|0x20 <= 'z'):
		return "a drive letter"
	}
	for _, seg := range strings.Split(name, "/") {
		if seg == ".." {
			return "a parent folder (..)"
		}
	}
	return ""
}

func isVBAPart(lowerName string) bool {
	base := lowerName[strings.LastIndexByte(lowerName, '/')+1:]
	return base == "vbaproject.bin" || base == "vbaprojectsignature.bin" || base == "vbadata.xml"
}

// isODFScript reports whether an OpenDocument entry holds macro or script code. The library
// indexes alone hold no code, and LibreOffice writes them for documents without macros too.
func isODFScript(lowerName string) bool {
	if strings.HasSuffix(lowerName, "/") {
		return false
	}
	switch lowerName {
	case "basic/script-lc.xml", "basic/dialog-lc.xml":
		return false
	}
	return strings.HasPrefix(lowerName, "basic/") || strings.HasPrefix(lowerName, "scripts/")
}

// checkOverlap refuses entries whose data overlap: honest archives never share bytes between
// entries, while the smallest zip bombs expand the same compressed bytes over and over through
// many entries.
func checkOverlap(entries []*zip.File, size int64) error {
	type span struct{ start, end int64 }
	spans := make([]span, 0, len(entries))
	for _, e := range entries {
		off, err := e.DataOffset()
		if err != nil || e.CompressedSize64 > uint64(size) || off+int64(e.CompressedSize64) > size {
			return refuse(Corrupt, "The file is damaged or incomplete: its table of contents points outside the file.")
		}
		if e.CompressedSize64 > 0 {
			spans = append(spans, span{off, off + int64(e.CompressedSize64)})
		}
	}
	slices.SortFunc(spans, func(a, b span) int { return cmp.Compare(a.start, b.start) })
	for i := 1; i < len(spans); i++ {
		if spans[i].start < spans[i-1].end {
			return refuse(ZipBomb, "The file's entries overlap, a trick used to build zip bombs; such files are not accepted.")
		}
	}
	return nil
}

// found is what expanding the entries revealed.
type found struct {
	macros       bool
	contentTypes []byte // [Content_Types].xml, up to maxPartRead
	mimetype     []byte // the mimetype entry, up to maxPartRead
}

// The few parts read into memory are small in every real document.
const maxPartRead = 1 << 20

// Streams that mark macros: the relationship type of a VBA project, and the stream every VBA
// project holds inside its compound file, in UTF-16 as compound files name their streams.
var (
	vbaRelationship = []byte("vbaproject")
	vbaStream       = []byte("_\x00v\x00b\x00a\x00_\x00p\x00r\x00o\x00j\x00e\x00c\x00t\x00")
)

// expandAll decompresses every entry, counting what it really expands to and stopping as soon
// as a limit is passed, so a bomb costs at most the limits whatever its headers claim.
func expandAll(entries []*zip.File, size int64, lim Limits) (found, error) {
	var fd found
	var total int64
	overall := max(ratioExemptBelow, int64(lim.MaxRatio*float64(size)))
	for _, e := range entries {
		entryCap := max(ratioExemptBelow, int64(lim.MaxRatio*float64(e.CompressedSize64)))
		limit := min(entryCap, lim.MaxUncompressed-total, overall-total)
		// The declared size alone is enough to refuse an honest bomb without expanding it.
		if e.UncompressedSize64 > uint64(limit) {
			return fd, bombRefusal(entryCap, lim, total, overall, int64(min(e.UncompressedSize64, 1<<62)))
		}

		name := strings.ToLower(e.Name)
		var sinks []io.Writer
		crc := crc32.NewIEEE()
		sinks = append(sinks, crc)
		var keep *cappedBuffer
		var scan *foldScanner
		switch {
		case e.Name == "[Content_Types].xml":
			keep = &cappedBuffer{max: maxPartRead}
			fd.contentTypes = nil
		case e.Name == "mimetype":
			keep = &cappedBuffer{max: maxPartRead}
		case strings.HasSuffix(name, ".rels"):
			scan = &foldScanner{needle: vbaRelationship}
		case strings.HasSuffix(name, ".bin"):
			scan = &foldScanner{needle: vbaStream}
		}
		if keep != nil {
			sinks = append(sinks, keep)
		}
		if scan != nil {
			sinks = append(sinks, scan)
		}

		n, err := expand(e, io.MultiWriter(sinks...), limit)
		if n > limit {
			return fd, bombRefusal(entryCap, lim, total, overall, n)
		}
		if err != nil || uint64(n) != e.UncompressedSize64 || crc.Sum32() != e.CRC32 {
			return fd, refuse(Corrupt, "The file is damaged: a part of it does not match its recorded size or checksum. Upload it again or save it anew.")
		}
		total += n
		if scan != nil && scan.found {
			fd.macros = true
		}
		switch e.Name {
		case "[Content_Types].xml":
			fd.contentTypes = keep.Bytes()
		case "mimetype":
			fd.mimetype = keep.Bytes()
		}
	}
	if ct := fd.contentTypes; ct != nil && containsAny(ct, "macroenabled", "vbaproject") {
		fd.macros = true
	}
	return fd, nil
}

// expand writes up to limit+1 expanded bytes of e to w, so that passing the limit shows.
func expand(e *zip.File, w io.Writer, limit int64) (int64, error) {
	raw, err := e.OpenRaw()
	if err != nil {
		return 0, err
	}
	src := raw
	if e.Method == zip.Deflate {
		fr := flate.NewReader(raw)
		defer fr.Close()
		src = fr
	}
	return io.Copy(w, io.LimitReader(src, limit+1))
}

// bombRefusal names the limit an entry expanding to n bytes passed.
func bombRefusal(entryCap int64, lim Limits, total, overall, n int64) error {
	switch {
	case n > lim.MaxUncompressed-total:
		return refuse(ZipBomb, "The file expands to more than %s when opened; at most %s is accepted.", humanBytes(lim.MaxUncompressed), humanBytes(lim.MaxUncompressed))
	case n > entryCap:
		return refuse(ZipBomb, "A part of the file expands more than %.0f times when opened, as zip bombs do; such files are not accepted.", lim.MaxRatio)
	default:
		return refuse(ZipBomb, "The file expands to more than %.0f times its size when opened, as zip bombs do; such files are not accepted.", lim.MaxRatio)
	}
}

// checkOOXMLIdentity requires [Content_Types].xml and the main part of format f.
func checkOOXMLIdentity(entries []*zip.File, fd found, f *format) error {
	if fd.contentTypes == nil {
		return refuse(TypeMismatch, "The file is called %s but its content is a zip archive, not %s.", f.Extension, f.noun)
	}
	var root struct {
		XMLName xml.Name
	}
	if err := xml.Unmarshal(fd.contentTypes, &root); err != nil || root.XMLName.Local != "Types" {
		return refuse(Corrupt, "The file is damaged: its list of content types is not readable. Save it anew and upload that.")
	}
	has := make(map[string]bool, len(entries))
	for _, e := range entries {
		has[strings.ToLower(e.Name)] = true
	}
	if has[f.mainPart] {
		return nil
	}
	for _, g := range formats {
		if g.kind == kindOOXML && has[g.mainPart] {
			return refuse(TypeMismatch, "The file is called %s but its content is %s.", f.Extension, g.noun)
		}
	}
	return refuse(TypeMismatch, "The file is called %s but it lacks the main part of %s.", f.Extension, f.noun)
}

// checkODFIdentity requires a stored first entry "mimetype" naming format f, and content.xml.
func checkODFIdentity(entries []*zip.File, fd found, f *format) error {
	first := entries[0]
	if first.Name != "mimetype" || first.Method != zip.Store {
		return refuse(TypeMismatch, "The file is called %s but is not %s: an OpenDocument file starts with its stored mimetype entry.", f.Extension, f.noun)
	}
	g := formatByContentType(string(fd.mimetype))
	if g == nil || g.kind != kindODF {
		return refuse(TypeMismatch, "The file is called %s but its mimetype names no accepted OpenDocument format.", f.Extension)
	}
	if g != f {
		return refuse(TypeMismatch, "The file is called %s but its content is %s.", f.Extension, g.noun)
	}
	for _, e := range entries {
		if e.Name == "content.xml" {
			return nil
		}
	}
	return refuse(Corrupt, "The file is damaged: it has no content.xml. Save it anew and upload that.")
}

// cappedBuffer keeps the first max bytes written to it and drops the rest; a part too big to
// keep whole then fails to parse, which is the right answer for it.
type cappedBuffer struct {
	bytes.Buffer
	max int
}

func (b *cappedBuffer) Write(p []byte) (int, error) {
	if room := b.max - b.Len(); room > 0 {
		b.Buffer.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

// foldScanner reports whether a stream contains needle (lower-case ASCII), ignoring ASCII case,
// also when a match straddles two writes.
type foldScanner struct {
	needle []byte
	tail   []byte
	found  bool
}

func (s *foldScanner) Write(p []byte) (int, error) {
	if s.found {
		return len(p), nil
	}
	buf := appendLowerASCII(s.tail, p)
	if bytes.Contains(buf, s.needle) {
		s.found = true
		return len(p), nil
	}
	keep := min(len(buf), len(s.needle)-1)
	s.tail = append(s.tail[:0], buf[len(buf)-keep:]...)
	return len(p), nil
}
