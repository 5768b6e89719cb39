package inspect

import (
	"bytes"
	"encoding/binary"
	"mime"
	"strings"
	"unicode/utf8"
)

// sniff applies every check that needs only the first SniffSize bytes. complete says head is the
// whole file, so that a character cut short at its end is an error rather than the edge of the
// window.
func sniff(head []byte, filename, declaredType string, complete bool) (*format, error) {
	if len(head) == 0 {
		return nil, refuse(Empty, "The file is empty.")
	}
	ext := extension(filename)
	f := formatByExtension(ext)

	// What the content is decides first: a dangerous file is refused as such whatever it is called.
	if what := forbiddenContent(head); what != nil {
		if f != nil {
			return nil, refuse(ForbiddenType, "The file is called %s but its content is %s; %s are not accepted.", ext, what.noun, what.plural)
		}
		return nil, refuse(ForbiddenType, "The file's content is %s; %s are not accepted, whatever they are called.", what.noun, what.plural)
	}

	switch {
	case forbiddenExtensions[ext] != "":
		return nil, refuse(ForbiddenType, "Files ending in %s (%s) are not accepted. Accepted formats: %s.", ext, forbiddenExtensions[ext], acceptedList())
	case macroExtensions[ext]:
		return nil, refuse(Macros, "Files ending in %s can contain macros, which are not accepted. Save the file without macros (for example as .docx, .pptx or .xlsx) and upload that.", ext)
	case ext == "":
		return nil, refuse(UnsupportedType, "The file name has no extension. Accepted formats: %s.", acceptedList())
	case f == nil:
		if s := shown(ext); s != "that" {
			return nil, refuse(UnsupportedType, "Files ending in %s are not accepted. Accepted formats: %s.", s, acceptedList())
		}
		return nil, refuse(UnsupportedType, "Files with that name ending are not accepted. Accepted formats: %s.", acceptedList())
	}

	if err := checkDeclared(declaredType, ext, f); err != nil {
		return nil, err
	}
	if err := matchContent(head, ext, f, complete); err != nil {
		return nil, err
	}
	return f, nil
}

// checkDeclared refuses a declared content type that names macros or another format.
func checkDeclared(declaredType, ext string, f *format) error {
	if strings.TrimSpace(declaredType) == "" {
		return nil
	}
	mediaType, _, err := mime.ParseMediaType(declaredType)
	if err != nil && err != mime.ErrInvalidMediaParameter {
		return refuse(TypeMismatch, "The file was sent with a content type that is not valid; it should be %s.", f.ContentType)
	}
	if strings.Contains(mediaType, "macroenabled") || strings.Contains(mediaType, "vbaproject") {
		return refuse(Macros, "The file was sent as a macro-enabled office file; macros are not accepted. Save it without macros and upload that.")
	}
	if !f.accepts(mediaType) {
		if len(mediaType) > 100 {
			mediaType = mediaType[:100] + "…"
		}
		return refuse(TypeMismatch, "The file is called %s but was sent as %s; the two must agree.", ext, mediaType)
	}
	return nil
}

// matchContent refuses content that is not the format the name says.
func matchContent(head []byte, ext string, f *format, complete bool) error {
	got := contentKind(head)
	if f.kind == kindText {
		if got != kindText && got != 0 {
			return refuse(TypeMismatch, "The file is called %s but its content is %s.", ext, nounOfKind(got, head))
		}
		return checkTextHead(head, complete)
	}
	if got != f.kind && !(got == kindOOXML && f.kind == kindODF) {
		return refuse(TypeMismatch, "The file is called %s but its content is %s, not %s.", ext, nounOfKind(got, head), f.noun)
	}
	switch f.kind {
	case kindPNG:
		// The signature is followed by the IHDR chunk: length 13, then its type.
		if len(head) >= 16 && !bytes.Equal(head[8:16], []byte("\x00\x00\x00\x0dIHDR")) {
			return refuse(Corrupt, "The file starts like a PNG image but is damaged.")
		}
	case kindOOXML, kindODF:
		// An OpenDocument file names its type in a stored first entry, visible from the start.
		odf, ok := odfMimetype(head)
		switch {
		case !ok:
			// Too little of the head to tell.
		case f.kind == kindODF && odf == nil:
			return refuse(TypeMismatch, "The file is called %s but is not %s: an OpenDocument file starts with its stored mimetype entry.", ext, f.noun)
		case odf != nil && odf != f:
			return refuse(TypeMismatch, "The file is called %s but its content is %s.", ext, odf.noun)
		}
	}
	return nil
}

// contentKind recognises the accepted formats by their magic bytes. A zip is reported as
// kindOOXML: which office format it is needs the whole archive. Zero means none of them.
func contentKind(head []byte) kind {
	switch {
	case bytes.HasPrefix(head, []byte("%PDF-")):
		return kindPDF
	case bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")):
		return kindPNG
	case bytes.HasPrefix(head, []byte("\xff\xd8\xff")):
		return kindJPEG
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return kindOOXML
	case looksLikeText(head):
		return kindText
	}
	return 0
}

func nounOfKind(k kind, head []byte) string {
	switch k {
	case kindPDF:
		return "a PDF document"
	case kindPNG:
		return "a PNG image"
	case kindJPEG:
		return "a JPEG image"
	case kindOOXML, kindODF:
		if f, _ := odfMimetype(head); f != nil {
			return f.noun
		}
		return "a zip archive"
	case kindText:
		return "plain text"
	}
	if bytes.HasPrefix(head, []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")) {
		return "an older Microsoft Office (.doc, .xls, .ppt) or password-protected file"
	}
	return "data of an unknown kind"
}

// odfMimetype reads the first zip entry from head. ok is false when head is too short to tell; f
// is nil when the first entry is not a stored mimetype naming an accepted OpenDocument format.
func odfMimetype(head []byte) (f *format, ok bool) {
	if len(head) < 30 || !bytes.HasPrefix(head, []byte("PK\x03\x04")) {
		return nil, len(head) >= 30
	}
	flags := binary.LittleEndian.Uint16(head[6:])
	method := binary.LittleEndian.Uint16(head[8:])
	size := int(binary.LittleEndian.Uint32(head[18:]))
	nameLen := int(binary.LittleEndian.Uint16(head[26:]))
	extraLen := int(binary.LittleEndian.Uint16(head[28:]))
	start := 30 + nameLen + extraLen
	if len(head) < 30+nameLen {
		return nil, false
	}
	if string(head[30:30+nameLen]) != "mimetype" || method != 0 || size > 100 {
		return nil, true
	}
	if size == 0 && flags&0x8 != 0 {
		// The size follows the data in a descriptor: take the longest type the data starts with.
		for _, g := range formats {
			if g.kind == kindODF && len(head) > start+len(g.ContentType) &&
				string(head[start:start+len(g.ContentType)]) == g.ContentType && !isTypeByte(head[start+len(g.ContentType)]) {
				return g, true
			}
		}
		return nil, len(head) > start+100
	}
	if len(head) < start+size {
		return nil, false
	}
	f = formatByContentType(string(head[start : start+size]))
	if f == nil || f.kind != kindODF {
		return nil, true
	}
	return f, true
}

// isTypeByte reports whether c can continue a media type, as in ".text" going on to ".text-template".
func isTypeByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '+'
}

// forbidden describes content that is refused whatever the file is called.
type forbidden struct{ noun, plural string }

var (
	forbiddenHTML     = &forbidden{"HTML", "HTML files"}
	forbiddenSVG      = &forbidden{"SVG", "SVG images"}
	forbiddenXML      = &forbidden{"XML", "XML files"}
	forbiddenScript   = &forbidden{"a script (#!)", "scripts"}
	forbiddenWindows  = &forbidden{"a Windows program", "programs"}
	forbiddenELF      = &forbidden{"a Linux program (ELF)", "programs"}
	forbiddenMachO    = &forbidden{"a Mac program (Mach-O)", "programs"}
	forbiddenPolyglot = &forbidden{"a PDF with HTML markup inside, which a browser could run", "such files"}
)

// forbiddenContent recognises content that a browser would render as a page or an operating
// system would run, or nil.
func forbiddenContent(head []byte) *forbidden {
	switch {
	case bytes.HasPrefix(head, []byte("MZ")) && !looksLikeText(head[:min(len(head), 64)]):
		// Real DOS/PE headers are binary within 64 bytes; a text starting "MZ" is just text.
		return forbiddenWindows
	case bytes.HasPrefix(head, []byte("\x7fELF")):
		return forbiddenELF
	case bytes.HasPrefix(head, []byte("\xfe\xed\xfa\xce")), bytes.HasPrefix(head, []byte("\xfe\xed\xfa\xcf")),
		bytes.HasPrefix(head, []byte("\xce\xfa\xed\xfe")), bytes.HasPrefix(head, []byte("\xcf\xfa\xed\xfe")),
		bytes.HasPrefix(head, []byte("\xca\xfe\xba\xbe")):
		return forbiddenMachO
	case bytes.HasPrefix(head, []byte("#!")):
		return forbiddenScript
	case bytes.HasPrefix(head, []byte("%PDF-")) && containsMarkup(head):
		return forbiddenPolyglot
	}
	return leadingMarkup(head)
}

// leadingMarkup recognises what a browser's content sniffing would take for a page: after an
// optional byte order mark and white space, an HTML tag or comment, an SVG root or an XML
// declaration (XML may be SVG or XHTML with scripts, and no accepted format is bare XML).
func leadingMarkup(head []byte) *forbidden {
	b := bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	b = bytes.TrimLeft(b, "\t\n\f\r ")
	if len(b) == 0 || b[0] != '<' {
		return nil
	}
	lower := appendLowerASCII(nil, b[:min(len(b), 16)])
	switch {
	case bytes.HasPrefix(lower, []byte("<?xml")):
		if containsAny(head, "<svg") {
			return forbiddenSVG
		}
		if containsAny(head, "<html", "xhtml") {
			return forbiddenHTML
		}
		return forbiddenXML
	case bytes.HasPrefix(lower, []byte("<!--")), bytes.HasPrefix(lower, []byte("<!doctype html")):
		return forbiddenHTML
	case hasTag(lower, "svg"):
		return forbiddenSVG
	}
	// The tags of the WHATWG "HTML" sniffing pattern.
	for _, tag := range []string{"html", "head", "script", "iframe", "h1", "div", "font", "table", "a", "style", "title", "b", "body", "br", "p"} {
		if hasTag(lower, tag) {
			return forbiddenHTML
		}
	}
	return nil
}

// hasTag reports whether b starts with the tag followed by a byte that ends a tag name. Browsers
// only take space and '>' as such; this is stricter on purpose.
func hasTag(b []byte, tag string) bool {
	if len(b) < len(tag)+2 || b[0] != '<' || string(b[1:1+len(tag)]) != tag {
		return false
	}
	switch b[1+len(tag)] {
	case ' ', '>', '/', '\t', '\n', '\r', '\f':
		return true
	}
	return false
}

// Tags that, anywhere in the start of a PDF, make it also an HTML page for a browser that sniffs
// (as old Internet Explorer did) or a viewer that is fooled.
var polyglotTags = []string{"html", "head", "body", "script", "iframe", "frame", "svg", "object", "embed", "img",
	"meta", "style", "form", "title"}

// containsMarkup looks for those tags, each followed by a byte that ends a tag name as a browser
// would require: without it, compressed streams would now and then spell "<img" by chance.
func containsMarkup(head []byte) bool {
	lower := appendLowerASCII(nil, head)
	if bytes.Contains(lower, []byte("<!doctype")) || bytes.Contains(lower, []byte("javascript:")) {
		return true
	}
	for i := bytes.IndexByte(lower, '<'); i >= 0; {
		rest := lower[i:]
		for _, tag := range polyglotTags {
			if hasTag(rest[:min(len(rest), len(tag)+2)], tag) {
				return true
			}
		}
		next := bytes.IndexByte(rest[1:], '<')
		if next < 0 {
			break
		}
		i += 1 + next
	}
	return false
}

// containsAny reports whether b contains any of the lower-case needles, ignoring ASCII case.
func containsAny(b []byte, needles ...string) bool {
	lower := appendLowerASCII(nil, b)
	for _, n := range needles {
		if bytes.Contains(lower, []byte(n)) {
			return true
		}
	}
	return false
}

// looksLikeText reports whether b is UTF-8 without NUL bytes, allowing a character cut short at
// the end.
func looksLikeText(b []byte) bool {
	b = b[:len(b)-incompleteTail(b)]
	return utf8.Valid(b) && bytes.IndexByte(b, 0) < 0
}

// incompleteTail returns how many bytes at the end of b begin a UTF-8 character that b cuts short.
func incompleteTail(b []byte) int {
	for i := 1; i <= utf8.UTFMax-1 && i <= len(b); i++ {
		c := b[len(b)-i]
		if c < utf8.RuneSelf {
			return 0
		}
		if utf8.RuneStart(c) {
			if utf8.FullRune(b[len(b)-i:]) {
				return 0
			}
			return i
		}
	}
	return 0
}

// appendLowerASCII appends b to dst with ASCII letters in lower case and every other byte as it
// is: markers are ASCII, and binary content must not be reinterpreted as UTF-8 to find them.
func appendLowerASCII(dst, b []byte) []byte {
	for _, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}
