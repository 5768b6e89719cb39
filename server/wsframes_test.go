package server

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"testing"
)

// maskedFrame is a client's frame: first byte (FIN, opcode), masked payload.
func maskedFrame(first byte, payload []byte) []byte {
	var b bytes.Buffer
	b.WriteByte(first)
	n := len(payload)
	switch {
	case n < 126:
		b.WriteByte(0x80 | byte(n))
	case n <= 0xffff:
		b.WriteByte(0x80 | 126)
		_ = binary.Write(&b, binary.BigEndian, uint16(n))
	default:
		b.WriteByte(0x80 | 127)
		_ = binary.Write(&b, binary.BigEndian, uint64(n))
	}
	key := []byte{0x12, 0x34, 0x56, 0x78}
	b.Write(key)
	for i, c := range payload {
		b.WriteByte(c ^ key[i&3])
	}
	return b.Bytes()
}

// readServerFrame reads one unmasked frame from the server.
func readServerFrame(t *testing.T, r *bufio.Reader) (int, []byte) {
	t.Helper()
	var h [2]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		t.Fatalf("reading a frame: %v", err)
	}
	n := int(h[1] & 0x7f)
	switch n {
	case 126:
		var l [2]byte
		_, _ = io.ReadFull(r, l[:])
		n = int(binary.BigEndian.Uint16(l[:]))
	case 127:
		var l [8]byte
		_, _ = io.ReadFull(r, l[:])
		n = int(binary.BigEndian.Uint64(l[:]))
	}
	payload := make([]byte, n)
	if _, err := io.ReadFull(r, payload); err != nil {
		t.Fatalf("reading a frame: %v", err)
	}
	return int(h[0] & 0x0f), payload
}

func TestFrameReader(t *testing.T) {
	text := func(s string) []byte { return maskedFrame(0x81, []byte(s)) }
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	big := bytes.Repeat([]byte("x"), 70000)
	cases := []struct {
		name string
		in   []byte
		want []frameEvent
		err  error
	}{
		{"one text frame", text(`{"a":1}`), []frameEvent{{wsText, []byte(`{"a":1}`)}}, nil},
		{"an empty frame", text(""), []frameEvent{{wsText, []byte{}}}, nil},
		{"two frames", cat(text("a"), text("b")), []frameEvent{{wsText, []byte("a")}, {wsText, []byte("b")}}, nil},
		{"16-bit length", text(string(big[:300])), []frameEvent{{wsText, big[:300]}}, nil},
		{"fragments with a ping between", cat(maskedFrame(0x01, []byte("he")), maskedFrame(0x89, []byte("p")),
			maskedFrame(0x00, []byte("ll")), maskedFrame(0x80, []byte("o"))),
			[]frameEvent{{wsPing, []byte("p")}, {wsText, []byte("hello")}}, nil},
		{"binary", maskedFrame(0x82, []byte{1, 2}), []frameEvent{{wsBinary, []byte{1, 2}}}, nil},
		{"pong and close", cat(maskedFrame(0x8a, nil), maskedFrame(0x88, []byte{3, 232})),
			[]frameEvent{{wsPong, []byte{}}, {wsClose, []byte{3, 232}}}, nil},
		{"just the limit", text(string(big[:65536])), []frameEvent{{wsText, big[:65536]}}, nil},
		{"over the limit, refused by its header", maskedFrame(0x81, big)[:14], nil, errFrameTooBig},
		{"over the limit in fragments", cat(maskedFrame(0x01, big[:40000]), maskedFrame(0x80, big[:30000])), nil, errFrameTooBig},
		{"unmasked", []byte{0x81, 0x01, 'a'}, nil, errFrameBad},
		{"reserved bit", cat([]byte{0xc1}, text("a")[1:]), nil, errFrameBad},
		{"unknown opcode", maskedFrame(0x83, []byte("a")), nil, errFrameBad},
		{"long control frame", maskedFrame(0x89, big[:126]), nil, errFrameBad},
		{"fragmented control frame", maskedFrame(0x09, []byte("a")), nil, errFrameBad},
		{"continuation without a start", maskedFrame(0x80, []byte("a")), nil, errFrameBad},
		{"a new message inside a fragmented one", cat(maskedFrame(0x01, []byte("a")), text("b")), nil, errFrameBad},
	}
	for _, tc := range cases {
		// Whole, and byte by byte: the result must not depend on how the bytes arrive.
		for _, step := range []int{len(tc.in), 1} {
			r := frameReader{limit: 65536}
			var got []frameEvent
			var err error
			for i := 0; i < len(tc.in) && err == nil; i += step {
				got, err = r.feed(tc.in[i:min(i+step, len(tc.in))], got)
			}
			if !errors.Is(err, tc.err) {
				t.Fatalf("%s (steps of %d): error %v, want %v", tc.name, step, err, tc.err)
			}
			if err != nil {
				continue
			}
			if len(got) != len(tc.want) {
				t.Fatalf("%s (steps of %d): %d frames, want %d", tc.name, step, len(got), len(tc.want))
			}
			for i := range got {
				if got[i].kind != tc.want[i].kind || !bytes.Equal(got[i].payload, tc.want[i].payload) {
					t.Fatalf("%s (steps of %d): frame %d is %d %q, want %d %q", tc.name, step, i,
						got[i].kind, got[i].payload, tc.want[i].kind, tc.want[i].payload)
				}
			}
			if r.pending != nil || r.msg != nil {
				t.Errorf("%s: the reader keeps %d + %d bytes after whole frames", tc.name, len(r.pending), len(r.msg))
			}
		}
	}
}
