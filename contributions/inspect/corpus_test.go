package inspect

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"plenary/errs"
)

// corpusCase is one committed file of testdata/good or testdata/hostile and what must become of it.
type corpusCase struct {
	file     string // under testdata/
	declared string // the content type the upload declares
	refused  Reason // "" for a file that must be accepted
	format   string // the Format.Name of an accepted file
	// sniffed says the reason shows in the first SniffSize bytes, so Sniff must refuse with it
	// too; for every other case Sniff must let the upload through to Check.
	sniffed bool
}

var corpus = []corpusCase{
	{file: "good/good.pdf", declared: "application/pdf", format: "pdf"},
	{file: "good/good.docx", declared: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", format: "docx"},
	{file: "good/good.pptx", declared: "application/octet-stream", format: "pptx"},
	{file: "good/good.xlsx", declared: "", format: "xlsx"},
	{file: "good/good.odt", declared: "application/vnd.oasis.opendocument.text", format: "odt"},
	{file: "good/good.odp", declared: "application/zip", format: "odp"},
	{file: "good/good.ods", declared: "application/vnd.oasis.opendocument.spreadsheet", format: "ods"},
	{file: "good/good.txt", declared: "text/plain; charset=utf-8", format: "txt"},
	{file: "good/good-mz.txt", declared: "text/plain", format: "txt"},
	{file: "good/good.md", declared: "text/markdown", format: "md"},
	{file: "good/good.png", declared: "image/png", format: "png"},
	{file: "good/good.jpg", declared: "image/jpeg", format: "jpeg"},

	{file: "hostile/empty.pdf", declared: "application/pdf", refused: Empty, sniffed: true},
	{file: "hostile/html-renamed.pdf", declared: "application/pdf", refused: ForbiddenType, sniffed: true},
	{file: "hostile/html-renamed.txt", declared: "text/plain", refused: ForbiddenType, sniffed: true},
	{file: "hostile/html-comment.md", declared: "", refused: ForbiddenType, sniffed: true},
	{file: "hostile/polyglot.pdf", declared: "application/pdf", refused: ForbiddenType, sniffed: true},
	{file: "hostile/svg-script.svg", declared: "image/svg+xml", refused: ForbiddenType, sniffed: true},
	{file: "hostile/svg-script.png", declared: "image/png", refused: ForbiddenType, sniffed: true},
	{file: "hostile/report.html", declared: "application/pdf", refused: ForbiddenType, sniffed: true},
	{file: "hostile/exe-renamed.pdf", declared: "application/pdf", refused: ForbiddenType, sniffed: true},
	{file: "hostile/elf-renamed.png", declared: "image/png", refused: ForbiddenType, sniffed: true},
	{file: "hostile/macho-renamed.docx", declared: "", refused: ForbiddenType, sniffed: true},
	{file: "hostile/script-renamed.txt", declared: "text/plain", refused: ForbiddenType, sniffed: true},
	{file: "hostile/jpeg-named.png", declared: "image/png", refused: TypeMismatch, sniffed: true},
	{file: "hostile/text-named.pdf", declared: "application/pdf", refused: TypeMismatch, sniffed: true},
	{file: "hostile/old-office.docx", declared: "", refused: TypeMismatch, sniffed: true},
	{file: "hostile/odt-named.ods", declared: "", refused: TypeMismatch, sniffed: true},
	{file: "hostile/mimetype-deflated.odt", declared: "", refused: TypeMismatch, sniffed: true},
	{file: "hostile/no-extension", declared: "application/pdf", refused: UnsupportedType, sniffed: true},
	{file: "hostile/archive.zip", declared: "application/zip", refused: UnsupportedType, sniffed: true},
	{file: "hostile/invalid-utf8.txt", declared: "text/plain", refused: NotUTF8, sniffed: true},
	{file: "hostile/nul-bytes.txt", declared: "text/plain", refused: NotUTF8, sniffed: true},
	{file: "hostile/utf16.txt", declared: "text/plain", refused: NotUTF8, sniffed: true},
	{file: "hostile/macro.docm", declared: "", refused: Macros, sniffed: true},

	{file: "hostile/truncated.pdf", declared: "application/pdf", refused: Corrupt},
	{file: "hostile/truncated.docx", declared: "", refused: Corrupt},
	{file: "hostile/zip-named.docx", declared: "", refused: TypeMismatch},
	{file: "hostile/pptx-named.docx", declared: "", refused: TypeMismatch},
	{file: "hostile/macro-renamed.docx", declared: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", refused: Macros},
	{file: "hostile/macro-hidden.docx", declared: "", refused: Macros},
	{file: "hostile/macro.odt", declared: "", refused: Macros},
	{file: "hostile/bomb.docx", declared: "", refused: ZipBomb},
	{file: "hostile/bomb-lying-header.docx", declared: "", refused: ZipBomb},
	{file: "hostile/overlap-bomb.docx", declared: "", refused: ZipBomb},
	{file: "hostile/many-entries.docx", declared: "", refused: TooManyEntries},
	{file: "hostile/traversal-dotdot.docx", declared: "", refused: PathTraversal},
	{file: "hostile/traversal-absolute.docx", declared: "", refused: PathTraversal},
	{file: "hostile/traversal-backslash.docx", declared: "", refused: PathTraversal},
	{file: "hostile/traversal-drive.docx", declared: "", refused: PathTraversal},
	{file: "hostile/duplicate.docx", declared: "", refused: DuplicateEntry},
}

func readCorpus(tb testing.TB, name string) []byte {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

func TestCorpus(t *testing.T) {
	for _, c := range corpus {
		t.Run(c.file, func(t *testing.T) {
			data := readCorpus(t, c.file)
			name := filepath.Base(c.file)
			got, err := Check(bytes.NewReader(data), int64(len(data)), name, c.declared, Limits{})
			if c.refused == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if got.Name != c.format || formatByExtension(got.Extension) == nil || got.ContentType == "" {
					t.Fatalf("format %+v, want %s", got, c.format)
				}
			} else {
				if ReasonOf(err) != c.refused {
					t.Fatalf("got %v (format %+v), want reason %s", err, got, c.refused)
				}
				if errs.CodeOf(err) != errs.Invalid || errs.MessageOf(err) != err.(*Refusal).Message {
					t.Errorf("errs sees %s %q", errs.CodeOf(err), errs.MessageOf(err))
				}
				t.Log(errs.MessageOf(err))
			}

			// Sniff on the start alone agrees: the same refusal where the start shows it, and no
			// refusal where only the whole file does.
			sniffed, serr := Sniff(data[:min(len(data), SniffSize)], name, c.declared)
			switch {
			case c.sniffed && ReasonOf(serr) != c.refused:
				t.Errorf("Sniff: %v, want reason %s", serr, c.refused)
			case !c.sniffed && serr != nil:
				t.Errorf("Sniff refused what only Check should: %v", serr)
			case !c.sniffed && c.refused == "" && sniffed != got:
				t.Errorf("Sniff says %+v, Check %+v", sniffed, got)
			}
		})
	}
}

// TestCorpusIsCovered keeps the table and the committed files in step: every file has a case.
func TestCorpusIsCovered(t *testing.T) {
	var files []string
	for _, dir := range []string{"good", "hostile"} {
		entries, err := os.ReadDir(filepath.Join("testdata", dir))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			files = append(files, dir+"/"+e.Name())
		}
	}
	var cases []string
	for _, c := range corpus {
		cases = append(cases, c.file)
	}
	slices.Sort(files)
	slices.Sort(cases)
	if !slices.Equal(files, cases) {
		t.Fatalf("corpus files and test cases differ:\nfiles: %v\ncases: %v", files, cases)
	}
	for _, f := range files {
		if fi, _ := os.Stat(filepath.Join("testdata", f)); fi.Size() > 200<<10 {
			t.Errorf("%s is %d bytes; keep committed corpus files under 200 KiB", f, fi.Size())
		}
	}
}

// TestCorpusIsUpToDate regenerates the corpus and compares it with the committed files, so that
// they are what the generator makes. Run `go run ./testdata/gen` here after changing it.
func TestCorpusIsUpToDate(t *testing.T) {
	gobin, err := exec.LookPath("go") // tests run under go test: the command is there
	if err != nil {
		t.Fatalf("no go command to run the generator: %v", err)
	}
	out := t.TempDir()
	cmd := exec.Command(gobin, "run", "./testdata/gen", "-out", out)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("generator: %v\n%s", err, msg)
	}
	for _, dir := range []string{"good", "hostile"} {
		fresh, err := os.ReadDir(filepath.Join(out, dir))
		if err != nil {
			t.Fatal(err)
		}
		committed, err := os.ReadDir(filepath.Join("testdata", dir))
		if err != nil {
			t.Fatal(err)
		}
		if len(fresh) != len(committed) {
			t.Errorf("%s: generator makes %d files, %d committed", dir, len(fresh), len(committed))
		}
		for _, e := range fresh {
			want, err := os.ReadFile(filepath.Join(out, dir, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(filepath.Join("testdata", dir, e.Name()))
			if err != nil || !bytes.Equal(got, want) {
				t.Errorf("%s/%s is not what the generator makes (%v); run go run ./testdata/gen", dir, e.Name(), err)
			}
		}
	}
}
