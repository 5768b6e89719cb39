package export

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
)

// PDF prints HTML(in) to a PDF with headless Chromium, so the PDF is the print-ready page itself:
// A4, the same fonts, numbered paragraphs, footnotes and annex. It returns an error wrapping
// ErrUnavailable when Chromium is not installed.
func (c Converter) PDF(ctx context.Context, in Input) ([]byte, error) {
	exe, err := c.chromium().path()
	if err != nil {
		return nil, fmt.Errorf("pdf: %w", err)
	}
	dir, err := os.MkdirTemp("", "plenary-pdf-")
	if err != nil {
		return nil, fmt.Errorf("pdf: %w", err)
	}
	defer os.RemoveAll(dir)

	page := filepath.Join(dir, "report.html")
	if err := os.WriteFile(page, HTML(in), 0o600); err != nil {
		return nil, fmt.Errorf("pdf: %w", err)
	}
	out := filepath.Join(dir, "report.pdf")
	err = c.run(ctx, exe, dir, nil, nil,
		"--headless",
		// The page is our own HTML without scripts or external resources, and servers and
		// containers seldom allow Chromium's sandbox (user namespaces); without a GPU either.
		"--no-sandbox", "--disable-gpu",
		// Docker gives /dev/shm 64 MiB, too little for Chromium's shared memory.
		"--disable-dev-shm-usage",
		// No calls home, no profile of the server's account: a fresh profile in dir each time.
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--no-first-run", "--user-data-dir="+filepath.Join(dir, "profile"),
		// No date, title, URL and page numbers added by the browser in the margins.
		"--no-pdf-header-footer",
		"--print-to-pdf="+out,
		(&url.URL{Scheme: "file", Path: page}).String())
	if err != nil {
		return nil, fmt.Errorf("pdf: %w", err)
	}
	pdf, err := readOutput(out)
	if err != nil {
		// Chromium may exit successfully without printing (a page that failed to load).
		return nil, fmt.Errorf("pdf: chromium printed nothing: %w", err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF")) {
		return nil, fmt.Errorf("pdf: chromium wrote %d bytes that are not a PDF", len(pdf))
	}
	return pdf, nil
}
