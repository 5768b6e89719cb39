package ot

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The wire form. ShareDB carries ops as the JSON the browser's JSON.stringify writes, and the
// server stores and forwards them: MarshalJSON writes exactly those bytes (same escapes, no
// HTML escaping), so an op decoded and encoded again is byte-for-byte what the client sent.
//
// Note that json.Marshal on a value that contains an Op re-escapes <, > and & in the result
// (\u003c ...); use a json.Encoder with SetEscapeHTML(false), or call MarshalJSON, to keep the
// bytes identical.

// maxSafe is the largest integer a JavaScript number holds exactly (Number.MAX_SAFE_INTEGER).
const maxSafe = 1<<53 - 1

// MarshalJSON encodes op as JSON.stringify does. A nil op is [].
func (op Op) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 16*len(op)+2)
	b = append(b, '[')
	for i, c := range op {
		if i > 0 {
			b = append(b, ',')
		}
		b = c.appendJSON(b)
	}
	return append(b, ']'), nil
}

// MarshalJSON encodes c as JSON.stringify does.
func (c Component) MarshalJSON() ([]byte, error) { return c.appendJSON(nil), nil }

func (c Component) appendJSON(b []byte) []byte {
	switch c.Kind {
	case KindSkip:
		return strconv.AppendInt(b, int64(c.N), 10)
	case KindInsert:
		return appendJSString(b, c.Text)
	case KindDelete:
		b = append(b, `{"d":`...)
		b = strconv.AppendInt(b, int64(c.N), 10)
		return append(b, '}')
	case KindDeleteText:
		b = append(b, `{"d":`...)
		b = appendJSString(b, c.Text)
		return append(b, '}')
	}
	return append(b, "null"...) // not a component; Check rejects it, and so does decoding
}

// appendJSString writes s as a JSON string the way JSON.stringify does: only ", \ and the C0
// controls are escaped (\b \f \n \r \t by name, the rest as \u00xx); everything else, including
// U+2028 and U+2029, is written as is. Invalid UTF-8, which a JS string cannot hold, is written
// as \ufffd like encoding/json does.
func appendJSString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				b = append(b, s[start:i]...)
				b = append(b, `\ufffd`...)
				start = i + 1
			}
			i += size
			continue
		}
		if c >= 0x20 && c != '"' && c != '\\' {
			i++
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\b':
			b = append(b, '\\', 'b')
		case '\f':
			b = append(b, '\\', 'f')
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		i++
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// UnmarshalJSON decodes an op from its JSON form: an array of numbers (skips), strings (inserts)
// and {"d": number or string} objects (deletes). It checks the form of each component, not the
// rules of Check (a zero skip or an empty insert decodes, so that Normalize can see it), and
// rejects what cannot be a text-unicode component: null, booleans, arrays, objects with other
// keys, numbers that are not integers or not safe JavaScript integers. Errors are *OpError,
// matching ErrInvalidOp and ErrMalformed.
//
// Ops are the collaboration server's hottest input, so this is a small parser of its own rather
// than encoding/json's reflection (a []json.RawMessage, then a map per delete): it allocates
// only the op and its strings. Strings with escapes go to encoding/json, so that every string
// decodes exactly as encoding/json decodes it.
func (op *Op) UnmarshalJSON(data []byte) error {
	d := decoder{b: data}
	d.space()
	if d.peek() != '[' {
		return opError(-1, malformed("an op must be a JSON array"))
	}
	d.i++
	out := make(Op, 0, 4) // most ops: a skip, a delete and/or an insert
	d.space()
	if d.peek() == ']' {
		d.i++
	} else {
		for {
			c, err := d.component()
			if err != nil {
				return opError(len(out), err)
			}
			out = append(out, c)
			d.space()
			if d.peek() == ',' {
				d.i++
				continue
			}
			if d.peek() != ']' {
				return opError(-1, malformed("expected , or ] after component %d", len(out)-1))
			}
			d.i++
			break
		}
	}
	if d.space(); d.i != len(d.b) {
		return opError(-1, malformed("unexpected data after the op"))
	}
	*op = out
	return nil
}

// UnmarshalJSON decodes one component; see Op.UnmarshalJSON.
func (c *Component) UnmarshalJSON(data []byte) error {
	d := decoder{b: data}
	got, err := d.component()
	if err != nil {
		return opError(-1, err)
	}
	if d.space(); d.i != len(d.b) {
		return opError(-1, malformed("unexpected data after the component"))
	}
	*c = got
	return nil
}

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrMalformed}, args...)...)
}

// decoder reads JSON from b, at i.
type decoder struct {
	b []byte
	i int
}

func (d *decoder) peek() byte {
	if d.i < len(d.b) {
		return d.b[d.i]
	}
	return 0
}

func (d *decoder) space() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

func (d *decoder) component() (Component, error) {
	d.space()
	switch d.peek() {
	case '"':
		s, err := d.str()
		return Insert(s), err
	case '{':
		return d.delete()
	}
	n, err := d.number()
	if err != nil {
		return Component{}, malformed(`a component must be a number, a string or {"d": ...}: %v`, err)
	}
	return Skip(n), nil
}

// delete reads {"d": number or string}. As with JSON.parse, a repeated "d" counts the last time.
func (d *decoder) delete() (Component, error) {
	d.i++ // {
	var c Component
	bad := func() error { return malformed(`an object component must be {"d": number or string}`) }
	for {
		d.space()
		if d.peek() != '"' {
			return c, bad()
		}
		key := "d"
		if bytes.HasPrefix(d.b[d.i:], []byte(`"d"`)) {
			d.i += 3 // the usual spelling, without allocating a string for it
		} else {
			var err error
			if key, err = d.str(); err != nil {
				return c, err
			}
		}
		if d.space(); key != "d" || d.peek() != ':' {
			return c, bad()
		}
		d.i++
		if d.space(); d.peek() == '"' {
			s, err := d.str()
			if err != nil {
				return c, err
			}
			c = DeleteText(s)
		} else {
			n, err := d.number()
			if err != nil {
				return c, malformed("delete must be a number or a string: %v", err)
			}
			c = Delete(n)
		}
		d.space()
		switch d.peek() {
		case ',':
			d.i++
		case '}':
			d.i++
			return c, nil
		default:
			return c, bad()
		}
	}
}

// str reads a JSON string. The common case, no escapes and valid UTF-8, is a plain copy.
func (d *decoder) str() (string, error) {
	start := d.i + 1
	ascii := true
	for j := start; j < len(d.b); j++ {
		c := d.b[j]
		if c == '"' {
			raw := d.b[start:j]
			if ascii || utf8.Valid(raw) {
				d.i = j + 1
				return string(raw), nil
			}
			break
		}
		if c == '\\' || c < 0x20 {
			break
		}
		if c >= utf8.RuneSelf {
			ascii = false
		}
	}
	// Escapes, invalid UTF-8 (which becomes U+FFFD) or an error: encoding/json decides.
	end := start
	for end < len(d.b) && d.b[end] != '"' {
		if d.b[end] == '\\' {
			end++
		}
		end++
	}
	if end >= len(d.b) {
		return "", malformed("unterminated string")
	}
	var s string
	if err := json.Unmarshal(d.b[d.i:end+1], &s); err != nil {
		return "", malformed("%v", err)
	}
	d.i = end + 1
	return s, nil
}

// number reads a JSON number that must be a safe integer.
func (d *decoder) number() (int, error) {
	start := d.i
	for d.i < len(d.b) && strings.IndexByte("+-.0123456789eE", d.b[d.i]) >= 0 {
		d.i++
	}
	tok := d.b[start:d.i]
	if len(tok) == 0 {
		if start < len(d.b) {
			return 0, fmt.Errorf("found %q", d.b[start])
		}
		return 0, errors.New("found the end of the input")
	}
	if !isJSONNumber(tok) {
		return 0, fmt.Errorf("%.20s is not a JSON number", tok)
	}
	return parseInt(tok)
}

// isJSONNumber checks the JSON number grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
func isJSONNumber(b []byte) bool {
	i := 0
	digits := func() bool {
		start := i
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
		return i > start
	}
	if i < len(b) && b[i] == '-' {
		i++
	}
	if i < len(b) && b[i] == '0' {
		i++
	} else if !digits() {
		return false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if !digits() {
			return false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if !digits() {
			return false
		}
	}
	return i == len(b)
}

// parseInt reads a JSON number that must be an integer JavaScript holds exactly. 3, -0, 1e2 and
// 2.0 are integers (JSON.parse reads them so); 1.5 is not.
func parseInt(data []byte) (int, error) {
	if 0 < len(data) && len(data) <= 15 { // the usual case, plain digits: 15 cannot pass 2^53
		n := 0
		for _, c := range data {
			if c < '0' || c > '9' {
				goto general
			}
			n = n*10 + int(c-'0')
		}
		return n, nil
	}
general:
	if n, err := strconv.ParseInt(string(data), 10, 64); err == nil && -maxSafe <= n && n <= maxSafe {
		return int(n), nil
	}
	f, err := strconv.ParseFloat(string(data), 64)
	if err != nil || f != math.Trunc(f) || f > maxSafe || f < -maxSafe {
		return 0, fmt.Errorf("%.20s is not an integer within ±(2^53-1)", data)
	}
	return int(f), nil
}
