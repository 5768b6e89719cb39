package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/fasthttp/websocket"

	"plenary/bench/internal/loopback"
	"plenary/documents/ot"
)

// A ShareDB client as far as the benchmark needs it (docs/protocol.md, "ShareDB endpoint"):
// handshake, fetch, subscribe, op submission and the op/ack messages of the server.

var dialer = &websocket.Dialer{HandshakeTimeout: 15 * time.Second, ReadBufferSize: 4096, WriteBufferSize: 4096}

// epoch anchors timestamps on the monotonic clock of this process.
var epoch = time.Now()

func now() int64 { return int64(time.Since(epoch)) }

type sdbConn struct {
	ws  *websocket.Conn
	src string // the client id the server gave in the handshake: the src of our ops
}

// dialShareDB asks for a ticket as u, opens /api/sharedb and does the handshake.
func dialShareDB(ctx context.Context, a *loopback.API, addr string, u *account) (*sdbConn, error) {
	ticket, err := u.ticket(a)
	if err != nil {
		return nil, err
	}
	dctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	ws, resp, err := dialer.DialContext(dctx, "ws://"+addr+"/api/sharedb?ticket="+ticket, nil)
	if err != nil {
		if resp != nil {
			return nil, fmt.Errorf("dial: %w (status %d)", err, resp.StatusCode)
		}
		return nil, fmt.Errorf("dial: %w", err)
	}
	c := &sdbConn{ws: ws}
	if err := c.write([]byte(`{"a":"hs","id":null,"protocol":1,"protocolMinor":2}`)); err != nil {
		ws.Close()
		return nil, err
	}
	m, err := c.until(func(m *message) bool { return m.A == "hs" })
	if err != nil {
		ws.Close()
		return nil, fmt.Errorf("handshake: %w", err)
	}
	if err := json.Unmarshal(m.ID, &c.src); err != nil || c.src == "" {
		ws.Close()
		return nil, fmt.Errorf("handshake: no client id in %s", m.raw)
	}
	return c, nil
}

func (c *sdbConn) write(b []byte) error {
	_ = c.ws.SetWriteDeadline(time.Now().Add(10 * time.Second))
	return c.ws.WriteMessage(websocket.TextMessage, b)
}

func (c *sdbConn) close() { _ = c.ws.Close() }

// message is a server message; op and ack messages of the report are parsed by parseOp.
type message struct {
	A     string          `json:"a"`
	D     string          `json:"d"`
	V     *int64          `json:"v"`
	Src   string          `json:"src"`
	Seq   int64           `json:"seq"`
	Op    json.RawMessage `json:"op"`
	ID    json.RawMessage `json:"id"`
	Data  *snapshot       `json:"data"`
	Error *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
	raw []byte
}

type snapshot struct {
	V    int64   `json:"v"`
	Data *string `json:"data"`
	Type *string `json:"type"`
}

func decode(raw []byte) (*message, error) {
	m := &message{raw: raw}
	if err := json.Unmarshal(raw, m); err != nil {
		return nil, fmt.Errorf("not a JSON message: %.200s", raw)
	}
	return m, nil
}

// until reads messages synchronously (before a read loop runs) until match, for at most 15 s;
// an error message fails.
func (c *sdbConn) until(match func(*message) bool) (*message, error) {
	_ = c.ws.SetReadDeadline(time.Now().Add(15 * time.Second))
	defer c.ws.SetReadDeadline(time.Time{})
	for {
		_, raw, err := c.ws.ReadMessage()
		if err != nil {
			return nil, err
		}
		m, err := decode(raw)
		if err != nil {
			return nil, err
		}
		if m.Error != nil {
			return nil, fmt.Errorf("%s: %s", m.Error.Code, m.Error.Message)
		}
		if match(m) {
			return m, nil
		}
	}
}

// follow fetches ("f") or subscribes to ("s") a report and returns its version and text.
func (c *sdbConn) follow(action, reportID string) (int64, string, error) {
	if err := c.write([]byte(`{"a":"` + action + `","c":"reports","d":` + strconv.Quote(reportID) + `,"v":null}`)); err != nil {
		return 0, "", err
	}
	m, err := c.until(func(m *message) bool { return m.A == action && m.D == reportID })
	if err != nil {
		return 0, "", err
	}
	if m.Data == nil || m.Data.Data == nil || m.Data.Type == nil || *m.Data.Type != ot.URI {
		return 0, "", fmt.Errorf("unexpected snapshot: %.300s", m.raw)
	}
	return m.Data.V, *m.Data.Data, nil
}

// fetchText opens a fresh connection as u and fetches the report.
func fetchText(ctx context.Context, a *loopback.API, addr string, u *account, reportID string) (int64, string, error) {
	c, err := dialShareDB(ctx, a, addr, u)
	if err != nil {
		return 0, "", err
	}
	defer c.close()
	return c.follow("f", reportID)
}

// opMessage is the submission of op based on version v, numbered seq.
func opMessage(reportID string, v, seq int64, op ot.Op) []byte {
	b := make([]byte, 0, 96+len(reportID))
	b = append(b, `{"a":"op","c":"reports","d":`...)
	b = strconv.AppendQuote(b, reportID)
	b = append(b, `,"v":`...)
	b = strconv.AppendInt(b, v, 10)
	b = append(b, `,"seq":`...)
	b = strconv.AppendInt(b, seq, 10)
	b = append(b, `,"op":`...)
	opJSON, _ := op.MarshalJSON()
	b = append(b, opJSON...)
	return append(b, '}')
}

// opFrame is an op broadcast or an acknowledgement (op == nil) of the report.
type opFrame struct {
	v, seq int64
	src    []byte
	op     []byte // the op's JSON; nil for an acknowledgement
}

// parseOp reads the server's op and ack messages without a general JSON decoder: their fields
// come in one order (documents/reports/wire.go), {"a":"op","c":"reports","d":id,"v","src","seq"
// [,"op"]}. Anything else (errors, other messages) is not ok and goes to decode.
func parseOp(raw, prefix []byte) (f opFrame, ok bool) {
	rest, ok := bytes.CutPrefix(raw, prefix) // prefix ends with `"v":`
	if !ok {
		return f, false
	}
	if f.v, rest, ok = cutInt(rest); !ok {
		return f, false
	}
	if rest, ok = bytes.CutPrefix(rest, []byte(`,"src":"`)); !ok {
		return f, false
	}
	i := bytes.IndexByte(rest, '"')
	if i < 0 {
		return f, false
	}
	f.src, rest = rest[:i], rest[i+1:]
	if rest, ok = bytes.CutPrefix(rest, []byte(`,"seq":`)); !ok {
		return f, false
	}
	if f.seq, rest, ok = cutInt(rest); !ok {
		return f, false
	}
	if bytes.Equal(rest, []byte("}")) {
		return f, true
	}
	if rest, ok = bytes.CutPrefix(rest, []byte(`,"op":`)); !ok || len(rest) < 2 || rest[len(rest)-1] != '}' {
		return f, false
	}
	f.op = rest[:len(rest)-1]
	return f, true
}

func opPrefix(reportID string) []byte {
	return []byte(`{"a":"op","c":"reports","d":` + strconv.Quote(reportID) + `,"v":`)
}

func cutInt(b []byte) (int64, []byte, bool) {
	n, i := int64(0), 0
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		n = n*10 + int64(b[i]-'0')
		i++
	}
	return n, b[i:], i > 0
}

// errorOf describes a message that is not an op or ack of the report.
func errorOf(raw []byte) error {
	m, err := decode(raw)
	if err != nil {
		return err
	}
	if m.Error != nil {
		return errors.New(m.Error.Code)
	}
	return nil
}
