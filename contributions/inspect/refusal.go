package inspect

import (
	"errors"
	"fmt"

	"plenary/errs"
)

// Reason says why a file was refused. The strings are stable: clients and logs may rely on them,
// while the messages that go with them may change.
type Reason string

// The reasons a file is refused.
const (
	Empty           Reason = "empty"            // the file has no bytes
	TooLarge        Reason = "too_large"        // the file is over Limits.MaxSize
	ForbiddenType   Reason = "forbidden_type"   // HTML, SVG, XML, scripts, executables, PDF with HTML inside, or such a name
	UnsupportedType Reason = "unsupported_type" // the name has no extension or one of no accepted format
	TypeMismatch    Reason = "type_mismatch"    // name, declared type and content are not the same format
	Macros          Reason = "macros"           // a macro-enabled office file, whatever it is called
	NotUTF8         Reason = "not_utf8"         // text that is not UTF-8, or has NUL bytes
	Corrupt         Reason = "corrupt"          // damaged or cut short: not readable as its format
	ZipBomb         Reason = "zip_bomb"         // expands too far: over MaxUncompressed, MaxRatio, or overlapping entries
	TooManyEntries  Reason = "too_many_entries" // a zip with more than MaxEntries entries
	PathTraversal   Reason = "path_traversal"   // a zip entry name that escapes its folder (../, /abs, \, C:, NUL)
	DuplicateEntry  Reason = "duplicate_entry"  // two zip entries with the same name (ignoring case)
)

// Refusal is why a file is not accepted. Message is written for the person who uploaded the file
// and is safe to show them.
type Refusal struct {
	Reason  Reason
	Message string
}

func (r *Refusal) Error() string { return "file refused (" + string(r.Reason) + "): " + r.Message }

// Unwrap gives the refusal an errs code, so errs.CodeOf and errs.MessageOf, and with them the HTTP
// layer, treat it like any other domain error: too_large for the size limit, invalid otherwise.
func (r *Refusal) Unwrap() error {
	code := errs.Invalid
	if r.Reason == TooLarge {
		code = errs.TooLarge
	}
	return &errs.Error{Code: code, Message: r.Message}
}

// ReasonOf returns the reason of the first *Refusal in err's chain, or "" if there is none.
func ReasonOf(err error) Reason {
	var r *Refusal
	if errors.As(err, &r) {
		return r.Reason
	}
	return ""
}

func refuse(reason Reason, format string, args ...any) error {
	return &Refusal{Reason: reason, Message: fmt.Sprintf(format, args...)}
}
