package server

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"regexp"
	"strings"

	"github.com/gofiber/contrib/websocket"
	"github.com/gofiber/fiber/v2"

	"plenary/accounts"
	"plenary/documents/reports"
	"plenary/errs"
)

// The ShareDB endpoint (docs/protocol.md, "ShareDB endpoint"): the wire protocol of the npm
// sharedb@7 client, for the reports collection. Admission (Origin, single-use ticket), the
// read limit, pings and the bounded send queue are those of /api/ws. Messages are never joined into
// one frame (the client parses each frame as one JSON value); queued frames share a write.

const (
	// closeRevoked closes a connection whose person lost access to a report it followed; the
	// client reconnects and is refused that report, keeping the others.
	closeRevoked = 4003
	// sharedbJSON0 is what the handshake names as the server's default type: the client
	// insists that it equals its own default (json0), whatever type documents have.
	sharedbJSON0 = "http://sharejs.org/types/JSONv0"
)

var srcPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

func (s *Server) shareDBHandler() fiber.Handler {
	return websocket.New(s.serveShareDB, websocket.Config{
		Origins:         []string{"*"}, // checked by wsAdmit, exactly
		ReadBufferSize:  1024,
		WriteBufferSize: 4096,
		WriteBufferPool: writeBuffers,
	})
}

// sdbConn is a ShareDB client connection: a wsConn (queue, writer, pings) plus the client id
// under which its ops are deduplicated.
type sdbConn struct {
	*wsConn
	src string
}

var _ reports.Subscriber = (*sdbConn)(nil)

func (c *sdbConn) Src() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.src
}

// Revoke closes the connection: ShareDB has no message that ends a subscription from the server.
func (c *sdbConn) Revoke(string) { c.close(closeRevoked, "access to a report was withdrawn") }

func randomSrc() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func (s *Server) serveShareDB(ws *websocket.Conn) {
	u, _ := ws.Locals(localUser).(accounts.User)
	c := &sdbConn{wsConn: &wsConn{s: s, ws: ws.Conn, user: u, rooms: map[string]bool{}, single: true}, src: randomSrc()}
	s.wsMu.Lock()
	c.slice = s.wsNextSlice
	s.wsNextSlice = (s.wsNextSlice + 1) % pingSlices
	s.wsConns[c.wsConn] = true
	s.wsMu.Unlock()
	defer func() {
		s.cfg.Reports.Leave(c)
		s.endWS(c.wsConn)
	}()

	s.readMessages(ws.Conn, c.wsConn, func(data []byte) bool { return s.handleShareDB(c, data) })
}

// sdbRequest holds the fields of every client message we read. Unknown fields are ignored, as
// ShareDB does (the client adds some, e.g. x).
type sdbRequest struct {
	A      string          `json:"a"`
	C      string          `json:"c"`
	D      string          `json:"d"`
	V      *int64          `json:"v"`
	B      json.RawMessage `json:"b"`
	Seq    *int64          `json:"seq"`
	Op     json.RawMessage `json:"op"`
	Create json.RawMessage `json:"create"`
	Del    json.RawMessage `json:"del"`
	ID     json.RawMessage `json:"id"`
	TS     *int64          `json:"ts"`
	Ch     string          `json:"ch"`
	P      json.RawMessage `json:"p"`
	PV     *int64          `json:"pv"`
}

// handleShareDB answers one message. Messages of a connection are handled in order, one at a
// time: the client relies on answers coming in the order of its requests. It returns false when
// the connection must end.
func (s *Server) handleShareDB(c *sdbConn, data []byte) bool {
	var req sdbRequest
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 || trimmed[0] != '{' || json.Unmarshal(trimmed, &req) != nil {
		// ShareDB closes the agent on a message that is not an object; so do we.
		c.close(closeBadFrame, "bad frame: not a ShareDB message")
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), wsRequestTimeout)
	defer cancel()
	switch err := s.refreshUser(ctx, c.wsConn); {
	case errs.CodeOf(err) == errs.NotFound:
		c.close(closeUnauthorized, "unauthorized")
		return false
	case err != nil:
		c.replyError(trimmed, err)
		return true
	}
	if err := s.dispatchShareDB(ctx, c, &req, trimmed); err != nil {
		c.replyError(trimmed, err)
	}
	return true
}

func badly(message string) error {
	return &reports.ShareDBError{Code: "ERR_MESSAGE_BADLY_FORMED", Message: message}
}

func (s *Server) dispatchShareDB(ctx context.Context, c *sdbConn, req *sdbRequest, raw []byte) error {
	rs := s.cfg.Reports
	switch req.A {
	case "hs":
		// A reconnecting client presents its previous id: keeping it as src is what lets a
		// resubmitted op be recognized (ops are deduplicated per account and src).
		var id string
		if json.Unmarshal(req.ID, &id) == nil && srcPattern.MatchString(id) {
			c.mu.Lock()
			c.src = id
			c.mu.Unlock()
		}
		c.Send(encode(map[string]any{"a": "hs", "protocol": 1, "protocolMinor": 2, "id": c.Src(), "type": sharedbJSON0}))
		return nil
	case "pp":
		c.Send([]byte(`{"a":"pp"}`))
		return nil
	case "f", "s":
		if err := checkDoc(req.C, req.D); err != nil {
			return err
		}
		if req.A == "f" {
			return rs.Fetch(ctx, c, req.D, req.V)
		}
		return rs.Subscribe(ctx, c, req.D, req.V)
	case "u":
		if err := checkDoc(req.C, req.D); err != nil {
			return err
		}
		rs.Unsubscribe(c, req.D)
		c.Send(encode(map[string]string{"a": "u", "c": req.C, "d": req.D}))
		return nil
	case "bf", "bs", "bu":
		return s.bulkShareDB(ctx, c, req)
	case "op":
		if err := checkDoc(req.C, req.D); err != nil {
			return err
		}
		if req.V == nil || req.Seq == nil || *req.Seq < 0 {
			return badly("an op needs v and seq")
		}
		in := reports.Submission{V: *req.V, Seq: *req.Seq, Create: len(req.Create) > 0 && string(req.Create) != "null",
			Del: string(req.Del) == "true"}
		if !in.Create && !in.Del {
			if len(req.Op) == 0 {
				return badly("an op message needs op, create or del")
			}
			if err := json.Unmarshal(req.Op, &in.Op); err != nil {
				return &reports.ShareDBError{Code: "ERR_OT_OP_BADLY_FORMED", Message: err.Error()}
			}
		}
		return rs.Submit(ctx, c, req.D, in)
	case "nf", "nt":
		if err := checkDoc(req.C, req.D); err != nil {
			return err
		}
		var snap reports.Snapshot
		var err error
		if req.A == "nf" {
			snap, err = rs.SnapshotAt(ctx, c.User(), req.D, req.V)
		} else {
			snap, err = rs.SnapshotAtTime(ctx, c.User(), req.D, req.TS)
		}
		if err != nil {
			return err
		}
		var reply map[string]json.RawMessage
		_ = json.Unmarshal(encode(snap), &reply)
		reply["a"] = encode(req.A)
		reply["id"] = req.ID
		c.Send(encode(reply))
		return nil
	case "p":
		reportID, err := presenceReport(req.Ch)
		if err != nil {
			return err
		}
		var pid string
		if json.Unmarshal(req.ID, &pid) != nil || pid == "" || len(pid) > 64 || req.PV == nil {
			return badly("a presence needs an id and pv")
		}
		in := reports.PresenceInput{ID: pid, P: req.P, PV: *req.PV}
		if req.V != nil {
			in.V = *req.V
		}
		return rs.Presence(ctx, c, reportID, in)
	case "ps", "pu":
		reportID, err := presenceReport(req.Ch)
		if err != nil {
			return err
		}
		if req.A == "ps" {
			if err := rs.SubscribePresence(ctx, c, reportID); err != nil {
				return err
			}
		} else {
			rs.UnsubscribePresence(c, reportID)
		}
		c.Send(encode(map[string]any{"a": req.A, "ch": req.Ch, "seq": req.Seq}))
		return nil
	case "pr":
		reportID, err := presenceReport(req.Ch)
		if err != nil {
			return err
		}
		return rs.RequestPresence(ctx, c, reportID)
	case "qf", "qs", "qu":
		return badly("queries are not supported: fetch or subscribe to reports by id")
	}
	return badly("invalid or unknown message")
}

func checkDoc(collection, id string) error {
	if collection != reports.Collection {
		return &reports.ShareDBError{Code: "ERR_DOC_DOES_NOT_EXIST", Message: "the only collection is " + reports.Collection}
	}
	if id == "" {
		return badly("missing document id")
	}
	return nil
}

func presenceReport(channel string) (string, error) {
	id, ok := strings.CutPrefix(channel, reports.Collection+".")
	if !ok || id == "" {
		return "", badly("presence channels are reports.<report id>")
	}
	return id, nil
}

// bulkShareDB answers bf, bs and bu with one ordinary answer per document (f, s or u), which the
// client handles exactly as its part of a bulk answer, and which keeps each document's answer in
// order with that document's ops.
func (s *Server) bulkShareDB(ctx context.Context, c *sdbConn, req *sdbRequest) error {
	var ids []string
	versions := map[string]*int64{}
	if err := json.Unmarshal(req.B, &ids); err != nil {
		var m map[string]*int64
		if json.Unmarshal(req.B, &m) != nil {
			return badly("invalid bulk data")
		}
		for id, v := range m {
			ids = append(ids, id)
			versions[id] = v
		}
	}
	if len(ids) > wsMaxSubscriptions {
		return badly("too many documents in one bulk request")
	}
	single := req.A[1:]
	for _, id := range ids {
		one := sdbRequest{A: single, C: req.C, D: id, V: versions[id]}
		raw := encode(map[string]any{"a": single, "c": req.C, "d": id, "v": versions[id]})
		if err := s.dispatchShareDB(ctx, c, &one, raw); err != nil {
			c.replyError(raw, err)
		}
	}
	return nil
}

// replyError answers a request with ShareDB's error shape: the request itself with an added
// "error": {"code","message"}, which is how the client finds the document or op it concerns.
func (c *sdbConn) replyError(raw []byte, err error) {
	code, message := "ERR_UNKNOWN_ERROR", errs.MessageOf(err)
	var se *reports.ShareDBError
	switch {
	case errors.As(err, &se):
		code, message = se.Code, se.Message
	case errs.CodeOf(err) == errs.NotFound:
		code = "ERR_DOC_DOES_NOT_EXIST"
	case errs.CodeOf(err) == errs.Invalid:
		code = "ERR_MESSAGE_BADLY_FORMED"
	case errs.CodeOf(err) == errs.Internal:
		c.s.log.Error("sharedb request failed", "user", c.User().ID, "error", err)
		message = "internal error"
	}
	var reply map[string]json.RawMessage
	if json.Unmarshal(raw, &reply) != nil || reply == nil {
		reply = map[string]json.RawMessage{}
	}
	reply["error"] = encode(map[string]string{"code": code, "message": message})
	c.Send(encode(reply))
}
