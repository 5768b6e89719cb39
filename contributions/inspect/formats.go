package inspect

import (
	"path"
	"strings"
)

// kind groups formats by how their content is recognised and checked.
type kind int

const (
	kindPDF kind = iota + 1
	kindPNG
	kindJPEG
	kindOOXML // a zip with [Content_Types].xml and a main part
	kindODF   // a zip whose first entry is a stored mimetype
	kindText  // UTF-8 text; the extension alone tells plain text from Markdown
)

// format is an accepted format and what it takes to recognise it.
type format struct {
	Format
	kind       kind
	noun       string   // "a PDF document", for messages
	extensions []string // every extension it may be called by, the canonical one first
	aliases    []string // declared types that name it besides ContentType
	mainPart   string   // kindOOXML: the part that makes the zip this format
}

// zipTypes are what browsers and operating systems without an office suite declare for office
// files: true of the container, so they claim nothing against the format.
var zipTypes = []string{"application/zip", "application/x-zip-compressed", "application/x-zip"}

var formats = []*format{
	{Format: Format{"pdf", "application/pdf", ".pdf"}, kind: kindPDF, noun: "a PDF document",
		extensions: []string{".pdf"}, aliases: []string{"application/x-pdf"}},
	{Format: Format{"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"},
		kind: kindOOXML, noun: "a Word document (.docx)", extensions: []string{".docx"}, aliases: zipTypes,
		mainPart: "word/document.xml"},
	{Format: Format{"pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation", ".pptx"},
		kind: kindOOXML, noun: "a PowerPoint presentation (.pptx)", extensions: []string{".pptx"}, aliases: zipTypes,
		mainPart: "ppt/presentation.xml"},
	{Format: Format{"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"},
		kind: kindOOXML, noun: "an Excel workbook (.xlsx)", extensions: []string{".xlsx"}, aliases: zipTypes,
		mainPart: "xl/workbook.xml"},
	{Format: Format{"odt", "application/vnd.oasis.opendocument.text", ".odt"}, kind: kindODF,
		noun: "an OpenDocument text (.odt)", extensions: []string{".odt"}, aliases: zipTypes},
	{Format: Format{"odp", "application/vnd.oasis.opendocument.presentation", ".odp"}, kind: kindODF,
		noun: "an OpenDocument presentation (.odp)", extensions: []string{".odp"}, aliases: zipTypes},
	{Format: Format{"ods", "application/vnd.oasis.opendocument.spreadsheet", ".ods"}, kind: kindODF,
		noun: "an OpenDocument spreadsheet (.ods)", extensions: []string{".ods"}, aliases: zipTypes},
	{Format: Format{"txt", "text/plain; charset=utf-8", ".txt"}, kind: kindText, noun: "plain text",
		extensions: []string{".txt"}, aliases: []string{"text/plain"}},
	// Browsers send text/plain, or nothing, for .md on systems that do not know Markdown.
	{Format: Format{"md", "text/markdown; charset=utf-8", ".md"}, kind: kindText, noun: "Markdown text",
		extensions: []string{".md", ".markdown"}, aliases: []string{"text/markdown", "text/x-markdown", "text/plain"}},
	{Format: Format{"png", "image/png", ".png"}, kind: kindPNG, noun: "a PNG image",
		extensions: []string{".png"}, aliases: []string{"image/x-png"}},
	{Format: Format{"jpeg", "image/jpeg", ".jpg"}, kind: kindJPEG, noun: "a JPEG image",
		extensions: []string{".jpg", ".jpeg"}, aliases: []string{"image/jpg", "image/pjpeg"}},
}

// Formats returns the accepted formats, for example to build a file picker's accept list.
func Formats() []Format {
	out := make([]Format, len(formats))
	for i, f := range formats {
		out[i] = f.Format
	}
	return out
}

func formatByExtension(ext string) *format {
	for _, f := range formats {
		for _, e := range f.extensions {
			if e == ext {
				return f
			}
		}
	}
	return nil
}

func formatByContentType(ct string) *format {
	for _, f := range formats {
		if f.ContentType == ct {
			return f
		}
	}
	return nil
}

// genericTypes are declared when the sender does not know the type; they claim nothing.
var genericTypes = []string{"application/octet-stream", "binary/octet-stream", "application/unknown"}

// accepts reports whether mediaType (lower case, without parameters) may be declared for f.
func (f *format) accepts(mediaType string) bool {
	ct, _, _ := strings.Cut(f.ContentType, ";")
	if mediaType == ct {
		return true
	}
	for _, t := range f.aliases {
		if t == mediaType {
			return true
		}
	}
	for _, t := range genericTypes {
		if t == mediaType {
			return true
		}
	}
	return false
}

// forbiddenExtensions are names that are refused whatever the content, because a browser, a
// desktop or a mail client would run or render the file by its name alone.
var forbiddenExtensions = map[string]string{
	".html": "HTML", ".htm": "HTML", ".xhtml": "HTML", ".xht": "HTML", ".shtml": "HTML", ".mht": "HTML", ".mhtml": "HTML",
	".svg": "SVG", ".svgz": "SVG", ".xml": "XML", ".xsl": "XML", ".xslt": "XML",
	".js": "JavaScript", ".mjs": "JavaScript", ".cjs": "JavaScript", ".jse": "JavaScript",
	".sh": "a script", ".bash": "a script", ".zsh": "a script", ".ps1": "a script", ".psm1": "a script",
	".bat": "a script", ".cmd": "a script", ".vbs": "a script", ".vbe": "a script", ".wsf": "a script",
	".hta": "a script", ".py": "a script", ".pl": "a script", ".rb": "a script", ".php": "a script",
	".exe": "an executable", ".dll": "an executable", ".com": "an executable", ".scr": "an executable",
	".msi": "an executable", ".jar": "an executable", ".app": "an executable", ".elf": "an executable",
	".so": "an executable", ".dylib": "an executable", ".bin": "an executable", ".lnk": "an executable",
	".swf": "Flash",
}

// macroExtensions are the macro-enabled office formats.
var macroExtensions = map[string]bool{
	".docm": true, ".dotm": true, ".pptm": true, ".potm": true, ".ppsm": true, ".ppam": true, ".sldm": true,
	".xlsm": true, ".xltm": true, ".xlam": true, ".xlsb": true,
}

// extension returns the lower-case extension of an uploaded file name, with its dot. Some
// browsers send a full client path, and Windows drops trailing dots and spaces from names
// ("a.html. " is a.html there), so both are undone first.
func extension(filename string) string {
	if i := strings.LastIndexAny(filename, `/\`); i >= 0 {
		filename = filename[i+1:]
	}
	filename = strings.TrimRight(filename, ". ")
	return strings.ToLower(path.Ext(filename))
}

// shown returns ext if it is plain enough to repeat in a message, so that a hostile name cannot
// put arbitrary text in front of the uploader.
func shown(ext string) string {
	if len(ext) < 2 || len(ext) > 12 {
		return "that"
	}
	for _, c := range ext[1:] {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return "that"
		}
	}
	return ext
}

func acceptedList() string {
	return "PDF, Word (.docx), PowerPoint (.pptx), Excel (.xlsx), OpenDocument (.odt, .odp, .ods), " +
		"plain text (.txt), Markdown (.md), PNG and JPEG"
}
