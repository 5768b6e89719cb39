package reports

import (
	"encoding/json"

	"plenary/documents/ot"
)

// The messages below are the ShareDB wire protocol (sharedb@7, lib/agent.js) for what the
// authority sends in order with the ops it commits: op broadcasts, acknowledgements, fetch and
// subscribe answers and presence. They are encoded here, under the report's lock, because their
// order on each connection is part of the protocol: a client must see every op before the
// version after it, and an acknowledgement after the ops committed before its own.

// ShareDBError is a refusal with a ShareDB error code (lib/error.js), e.g.
// ERR_OT_OP_BADLY_FORMED. The transport answers it as {"code","message"}.
type ShareDBError struct {
	Code    string
	Message string
}

func (e *ShareDBError) Error() string { return e.Code + ": " + e.Message }

func refuse(code, message string) error { return &ShareDBError{Code: code, Message: message} }

type createData struct {
	Type string `json:"type"`
	Data string `json:"data"`
}

type opMessage struct {
	A      string          `json:"a"`
	C      string          `json:"c"`
	D      string          `json:"d"`
	V      int64           `json:"v"`
	Src    string          `json:"src"`
	Seq    int64           `json:"seq"`
	Op     json.RawMessage `json:"op,omitempty"`
	Create *createData     `json:"create,omitempty"`
}

type ackMessage struct {
	A   string `json:"a"`
	C   string `json:"c"`
	D   string `json:"d"`
	V   int64  `json:"v"`
	Src string `json:"src"`
	Seq int64  `json:"seq"`
}

// Snapshot is a report's text at a version. Type is "" before the report's creation (v 0).
type Snapshot struct {
	V    int64
	Type string
	Data string
}

// MarshalJSON encodes the snapshot as ShareDB's {v, data, type}; type and data are null before
// creation.
func (s Snapshot) MarshalJSON() ([]byte, error) {
	type wire struct {
		V    int64   `json:"v"`
		Data *string `json:"data"`
		Type *string `json:"type"`
	}
	w := wire{V: s.V}
	if s.Type != "" {
		w.Data, w.Type = &s.Data, &s.Type
	}
	return json.Marshal(w)
}

type docReply struct {
	A    string    `json:"a"`
	C    string    `json:"c"`
	D    string    `json:"d"`
	Data *Snapshot `json:"data,omitempty"`
}

type presenceMessage struct {
	A   string          `json:"a"`
	Ch  string          `json:"ch"`
	Src string          `json:"src"`
	ID  string          `json:"id"`
	P   json.RawMessage `json:"p"`
	PV  int64           `json:"pv"`
	C   string          `json:"c"`
	D   string          `json:"d"`
	V   int64           `json:"v"`
	T   string          `json:"t"`
}

type presenceRequest struct {
	A  string `json:"a"`
	Ch string `json:"ch"`
}

// Channel is the presence channel of a report, as the client's DocPresence names it.
func Channel(reportID string) string { return Collection + "." + reportID }

func (o *storedOp) encode(reportID string) []byte {
	if o.frame == nil {
		m := opMessage{A: "op", C: Collection, D: reportID, V: o.V, Src: o.Src, Seq: o.Seq}
		if o.Create {
			m.Create = &createData{Type: ot.URI, Data: ""}
		} else {
			m.Op = mustJSON(o.Op) // an empty op stays [] on the wire: it still takes a version
		}
		o.frame = mustJSON(m)
	}
	return o.frame
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("encode ShareDB message: " + err.Error())
	}
	return b
}
