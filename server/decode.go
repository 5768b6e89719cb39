package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/gofiber/fiber/v2"

	"plenary/errs"
)

// maxJSONDepth bounds nesting; no request of ours nests more than a few levels.
const maxJSONDepth = 16

// decodeJSON decodes the request body into dst strictly: the body must be a JSON object sent as
// application/json, with no unknown fields, no key starting with '$' at any depth (MongoDB
// operators have no business in client input), the right types, and nothing after it.
func decodeJSON(c *fiber.Ctx, dst any) error {
	ct := strings.ToLower(strings.TrimSpace(strings.Split(c.Get(fiber.HeaderContentType), ";")[0]))
	if ct != fiber.MIMEApplicationJSON {
		return errs.Errorf(errs.Invalid, "request body: send JSON with Content-Type: application/json")
	}
	return decodeJSONBytes(c.Body(), dst)
}

// decodeJSONBytes decodes a JSON object strictly, as decodeJSON does, from bytes read elsewhere
// (e.g. a part of a multipart upload).
func decodeJSONBytes(body []byte, dst any) error {
	if len(bytes.TrimSpace(body)) == 0 || bytes.TrimSpace(body)[0] != '{' {
		return errs.Errorf(errs.Invalid, "request body: must be a JSON object")
	}
	if err := checkKeys(body); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return errs.Errorf(errs.Invalid, "request body: unexpected data after the JSON object")
	}
	return nil
}

// checkKeys walks the JSON tokens and refuses '$'-prefixed keys and excessive nesting.
func checkKeys(body []byte) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	type frame struct{ object, expectKey bool }
	var stack []frame
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return errs.Errorf(errs.Invalid, "request body: malformed JSON")
		}
		top := len(stack) - 1
		isKey := top >= 0 && stack[top].object && stack[top].expectKey
		if isKey {
			key, _ := tok.(string)
			if strings.HasPrefix(key, "$") {
				return errs.Errorf(errs.Invalid, "request body: field names must not start with '$' (%q)", key)
			}
			stack[top].expectKey = false
			continue
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			if len(stack) >= maxJSONDepth {
				return errs.Errorf(errs.Invalid, "request body: nested too deeply")
			}
			stack = append(stack, frame{object: tok == json.Delim('{'), expectKey: tok == json.Delim('{')})
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:top]
		}
		// A value (or a closed container) ends; in an object the next token is a key again.
		if t := len(stack) - 1; t >= 0 && stack[t].object {
			stack[t].expectKey = true
		}
	}
}

func jsonError(err error) error {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			field = "request body"
		}
		return errs.Errorf(errs.Invalid, "%s: must be %s", field, describeType(typeErr.Type.Kind().String()))
	case errors.As(err, &syntaxErr), errors.Is(err, io.ErrUnexpectedEOF):
		return errs.Errorf(errs.Invalid, "request body: malformed JSON")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return errs.Errorf(errs.Invalid, "request body: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	return errs.Errorf(errs.Invalid, "request body: %s", fmt.Sprint(err))
}

func describeType(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "int", "int64", "float64":
		return "a number"
	case "slice":
		return "a list"
	case "struct", "map":
		return "an object"
	}
	return "of another type"
}

// checkQuery refuses query parameters that look like operator injection: keys or values starting
// with '$', and bracketed keys (name[$ne]=x), which some frameworks turn into objects.
func checkQuery(c *fiber.Ctx) error {
	var bad error
	c.Context().QueryArgs().VisitAll(func(k, v []byte) {
		if bad == nil && (bytes.HasPrefix(k, []byte("$")) || bytes.ContainsAny(k, "[]") || bytes.HasPrefix(v, []byte("$"))) {
			bad = errs.Errorf(errs.Invalid, "query parameter %q: operators and brackets are not accepted", string(k))
		}
	})
	return bad
}
