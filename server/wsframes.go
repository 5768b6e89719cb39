package server

import (
	"encoding/binary"
	"errors"
)

// frameReader reads a client's websocket frames (RFC 6455, section 5) from bytes as they arrive,
// for connections read without a goroutine of their own (wspoll_linux.go). It keeps only the bytes
// of an incomplete frame or message, so an idle connection holds nothing.
type frameReader struct {
	limit   int    // largest message payload
	pending []byte // received bytes not yet parsed into a whole frame
	msg     []byte // payload of a fragmented message so far
	inMsg   bool
	binary  bool // the fragmented message is binary
}

// frameEvent is what a complete frame means to the connection.
type frameEvent struct {
	kind    int // wsText, wsBinary, wsPing, wsPong, wsClose
	payload []byte
}

const (
	wsText   = 1
	wsBinary = 2
	wsClose  = 8
	wsPing   = 9
	wsPong   = 10
)

var (
	errFrameTooBig = errors.New("message too big")
	errFrameBad    = errors.New("protocol error")
)

// feed takes newly received bytes and returns the frames they complete, in order. An error ends
// the connection: errFrameTooBig (close 1009) or errFrameBad (close 1002).
func (r *frameReader) feed(data []byte, out []frameEvent) ([]frameEvent, error) {
	r.pending = append(r.pending, data...)
	for {
		ev, n, err := r.next(r.pending)
		if err != nil {
			return out, err
		}
		if n == 0 {
			break
		}
		r.pending = r.pending[n:]
		if ev.kind != 0 {
			out = append(out, ev)
		}
	}
	if len(r.pending) == 0 {
		r.pending = nil // an idle connection keeps no buffer
	} else {
		r.pending = append([]byte(nil), r.pending...) // let the read buffer go
	}
	return out, nil
}

// next parses one frame at the start of b: its event (kind 0 for a fragment that completes no
// message) and its length, or n == 0 when b holds no whole frame yet.
func (r *frameReader) next(b []byte) (frameEvent, int, error) {
	if len(b) < 2 {
		return frameEvent{}, 0, nil
	}
	fin, rsv, op := b[0]&0x80 != 0, b[0]&0x70, int(b[0]&0x0f)
	masked, size := b[1]&0x80 != 0, uint64(b[1]&0x7f)
	if rsv != 0 || !masked { // no extensions are negotiated; clients must mask
		return frameEvent{}, 0, errFrameBad
	}
	head := 2
	switch size {
	case 126:
		if len(b) < 4 {
			return frameEvent{}, 0, nil
		}
		size, head = uint64(binary.BigEndian.Uint16(b[2:])), 4
	case 127:
		if len(b) < 10 {
			return frameEvent{}, 0, nil
		}
		size, head = binary.BigEndian.Uint64(b[2:]), 10
	}
	control := op >= 8
	switch {
	case control && (!fin || size > 125):
		return frameEvent{}, 0, errFrameBad
	case control && op != wsClose && op != wsPing && op != wsPong,
		!control && op != 0 && op != wsText && op != wsBinary,
		op == 0 && !r.inMsg,
		(op == wsText || op == wsBinary) && r.inMsg:
		return frameEvent{}, 0, errFrameBad
	case !control && size+uint64(len(r.msg)) > uint64(r.limit):
		return frameEvent{}, 0, errFrameTooBig
	}
	end := head + 4 + int(size)
	if len(b) < end {
		return frameEvent{}, 0, nil
	}
	key := b[head : head+4]
	payload := make([]byte, size)
	for i, c := range b[head+4 : end] {
		payload[i] = c ^ key[i&3]
	}
	if control {
		return frameEvent{kind: op, payload: payload}, end, nil
	}
	if op != 0 {
		r.binary = op == wsBinary
	}
	if fin && !r.inMsg {
		return frameEvent{kind: op, payload: payload}, end, nil
	}
	r.inMsg = true
	r.msg = append(r.msg, payload...)
	if !fin {
		return frameEvent{}, end, nil
	}
	kind := wsText
	if r.binary {
		kind = wsBinary
	}
	ev := frameEvent{kind: kind, payload: r.msg}
	r.msg, r.inMsg = nil, false
	return ev, end, nil
}
