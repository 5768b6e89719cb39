package inspect

import (
	"bytes"
	"image"
	_ "image/jpeg" // registers the JPEG decoder for image.DecodeConfig
	_ "image/png"  // registers the PNG decoder for image.DecodeConfig
	"io"
	"unicode/utf8"
)

// checkTextHead refuses a start of text that is not UTF-8. Leading markup was refused before.
func checkTextHead(head []byte, complete bool) error {
	if bytes.HasPrefix(head, []byte("\xff\xfe")) || bytes.HasPrefix(head, []byte("\xfe\xff")) {
		return refuse(NotUTF8, "The text is in UTF-16; save it as UTF-8 and upload it again.")
	}
	b := head
	if !complete {
		b = b[:len(b)-incompleteTail(b)]
	}
	return checkTextChunk(b)
}

func checkTextChunk(b []byte) error {
	if bytes.IndexByte(b, 0) >= 0 {
		return refuse(NotUTF8, "The file is not plain text: it contains NUL bytes.")
	}
	if !utf8.Valid(b) {
		return refuse(NotUTF8, "The text is not valid UTF-8; save it as UTF-8 (Unicode) and upload it again.")
	}
	return nil
}

// checkText reads the whole text, carrying a character cut by a read boundary into the next read.
func checkText(r io.ReaderAt, size int64) error {
	sr := io.NewSectionReader(r, 0, size)
	buf := make([]byte, 64<<10)
	carry := 0
	for {
		n, err := io.ReadFull(sr, buf[carry:])
		chunk := buf[:carry+n]
		last := err != nil
		keep := 0
		if !last {
			keep = incompleteTail(chunk)
		}
		if cerr := checkTextChunk(chunk[:len(chunk)-keep]); cerr != nil {
			return cerr
		}
		if last {
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				return nil
			}
			return err
		}
		carry = copy(buf, chunk[len(chunk)-keep:])
	}
}

// checkPDF refuses a PDF without its end-of-file marker in the last KiB, where readers look for
// it: the upload was cut short or is not really a PDF.
func checkPDF(r io.ReaderAt, size int64) error {
	tail := make([]byte, min(size, 1024))
	if _, err := r.ReadAt(tail, size-int64(len(tail))); err != nil {
		return err
	}
	if !bytes.Contains(tail, []byte("%%EOF")) {
		return refuse(Corrupt, "The PDF is incomplete or damaged: it has no end-of-file marker. Upload it again or export it anew.")
	}
	return nil
}

// checkImage refuses an image whose header does not decode. Pixels are not decoded: that is the
// business of whatever later makes thumbnails, with its own limits.
func checkImage(r io.ReaderAt, size int64, f *format) error {
	_, name, err := image.DecodeConfig(io.NewSectionReader(r, 0, size))
	if err != nil || (name == "png") != (f.kind == kindPNG) {
		return refuse(Corrupt, "The file starts like %s but is damaged.", f.noun)
	}
	return nil
}
