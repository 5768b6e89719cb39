// Package trace reads the editing traces of shared/traces (see its README.md): a real
// keystroke-by-keystroke history of a document, as transactions of patches
// [pos, deleteCount, insertText] with positions in code points.
package trace

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"os"

	"plenary/documents/ot"
)

// DefaultPath is the blog post trace, relative to the repository's root.
const DefaultPath = "../shared/traces/seph-blog1.json.gz"

// Trace is a whole trace: the text before, the transactions, and the text they must end with.
type Trace struct {
	StartContent string `json:"startContent"`
	EndContent   string `json:"endContent"`
	Txns         []Txn  `json:"txns"`
}

// Txn is one transaction: patches applied in order, each to the text the previous one left.
type Txn struct {
	Patches []Patch `json:"patches"`
}

// Patch is [pos, deleteCount, insertText], positions in code points.
type Patch struct {
	Pos, Del int
	Ins      string
}

func (p *Patch) UnmarshalJSON(b []byte) error {
	var raw []json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	if len(raw) != 3 {
		return fmt.Errorf("patch %s: want [pos, deleteCount, insertText]", b)
	}
	if err := json.Unmarshal(raw[0], &p.Pos); err != nil {
		return err
	}
	if err := json.Unmarshal(raw[1], &p.Del); err != nil {
		return err
	}
	return json.Unmarshal(raw[2], &p.Ins)
}

// Op is the patch as a text-unicode op, [pos, {"d": deleteCount}, insertText] without its empty
// parts and without a trailing skip.
func (p Patch) Op() ot.Op {
	return ot.Normalize(ot.Op{ot.Skip(p.Pos), ot.Delete(p.Del), ot.Insert(p.Ins)})
}

// Load reads a gzipped JSON trace.
func Load(path string) (*Trace, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	z, err := gzip.NewReader(bufio.NewReader(f))
	if err != nil {
		return nil, err
	}
	var tr Trace
	if err := json.NewDecoder(z).Decode(&tr); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return &tr, nil
}
