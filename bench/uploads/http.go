package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strings"
	"time"

	"plenary/bench/internal/loopback"
	"plenary/bench/internal/serverproc"
)

// world is a server under test set up for uploads: the secretariat, a meeting, and participant
// accounts when asked for.
type world struct {
	srv          *serverproc.Proc
	api          *loopback.API
	http         *http.Client // uploads and downloads: no overall timeout (the run's context bounds them)
	admin        string       // the secretariat's access token
	meeting      string
	participants []string // access tokens
	startRSS     int64    // the server's VmRSS (KiB) once healthy, before the set-up (sign-ins hash with argon2id, 19 MiB each)
}

type signedIn struct {
	AccessToken string `json:"access_token"`
	User        struct {
		ID string `json:"id"`
	} `json:"user"`
}

// startWorld starts a fresh server with the upload limits raised (PLENARY_MAX_UPLOAD_MB=200, a
// quota of 4 GiB a person), signs the secretariat in, creates a meeting and, when participants >
// 0, that many accounts (invited, accepted, added to the meeting as participants).
func startWorld(ctx context.Context, bin string, participants int, gctrace bool) (*world, error) {
	env := []string{"PLENARY_MAX_UPLOAD_MB=200", "PLENARY_UPLOAD_QUOTA_MB=4096"}
	if gctrace {
		env = append(env, "GODEBUG=gctrace=1")
	}
	srv, err := serverproc.StartCommand(bin, nil, env, "plenary-bench-uploads-")
	if err != nil {
		return nil, err
	}
	w := &world{srv: srv, api: loopback.NewAPI(srv.Addr, 16), http: &http.Client{Transport: &http.Transport{
		MaxConnsPerHost: 32, MaxIdleConnsPerHost: 32, DisableCompression: true}}}
	w.startRSS = statusKiB(srv.Pid(), "VmRSS")
	if err := w.setup(ctx, participants); err != nil {
		srv.Stop()
		return nil, fmt.Errorf("set-up: %w (server log: %s)", err, srv.LogTail())
	}
	return w, nil
}

func (w *world) setup(ctx context.Context, participants int) error {
	var in signedIn
	if err := w.api.Call("POST", "/api/auth/login", "", "", map[string]string{"email": serverproc.AdminEmail,
		"password": serverproc.AdminPassword}, &in, 200); err != nil {
		return err
	}
	w.admin = in.AccessToken
	var m struct {
		ID string `json:"id"`
	}
	if err := w.api.Call("POST", "/api/meetings", w.admin, "", map[string]any{
		"title":      "Twelfth Plenary Assembly of the Intergovernmental Forum on Sustainable Development",
		"start_date": "2026-11-23", "end_date": "2026-11-27", "time_zone": "Europe/Zurich",
		"venue": "Palais des Nations, Geneva", "visibility": "participants",
	}, &m, 201); err != nil {
		return err
	}
	w.meeting = m.ID
	w.participants = make([]string, participants)
	return loopback.Parallel(ctx, participants, 4, func(i int) error {
		email := fmt.Sprintf("delegate%03d@bench.example.org", i)
		var inv struct {
			Token string `json:"token"`
		}
		if err := w.api.Call("POST", "/api/invitations", w.admin, "", map[string]string{"email": email}, &inv, 201); err != nil {
			return err
		}
		var out signedIn
		if err := w.api.Call("POST", "/api/invitations/accept", "", "", map[string]string{"token": inv.Token,
			"name": fmt.Sprintf("Delegate %03d", i), "password": fmt.Sprintf("bench-password-%03d", i)}, &out, 200); err != nil {
			return err
		}
		w.participants[i] = out.AccessToken
		return w.api.Call("POST", "/api/meetings/"+w.meeting+"/participants", w.admin, "",
			map[string]string{"user_id": out.User.ID, "role": "participant"}, nil, 201)
	})
}

// document is the part of a contribution the benchmark reads.
type document struct {
	ID        string `json:"id"`
	State     string `json:"state"`
	URL       string `json:"url"`
	Revisions []struct {
		Size   int64  `json:"size"`
		SHA256 string `json:"sha256"`
		Format string `json:"format"`
	} `json:"revisions"`
}

// uploaded is one upload as the client saw it.
type uploaded struct {
	doc      document
	sha256   string // of the bytes sent
	size     int64
	elapsed  time.Duration // request sent → response read
	bodySize int64         // the whole multipart body
}

const boundary = "plenary-bench-uploads-boundary-7f3a9c"

// writeForm writes the multipart body: the "meta" JSON part, then the file from src.
func writeForm(dst io.Writer, meta []byte, filename string, src io.Reader) error {
	mw := multipart.NewWriter(dst)
	if err := mw.SetBoundary(boundary); err != nil {
		return err
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="meta"`)
	h.Set("Content-Type", "application/json")
	p, err := mw.CreatePart(h)
	if err != nil {
		return err
	}
	if _, err := p.Write(meta); err != nil {
		return err
	}
	h = textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename=%q`, filename))
	h.Set("Content-Type", "application/pdf")
	if p, err = mw.CreatePart(h); err != nil {
		return err
	}
	if _, err := io.Copy(p, src); err != nil {
		return err
	}
	return mw.Close()
}

type counter struct{ n int64 }

func (c *counter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

// upload streams a generated PDF of size bytes (seed) to the meeting as the holder of token: the
// body comes from the generator through an io.Pipe, with its Content-Length computed beforehand
// (as a browser sends it), and the SHA-256 is computed as the bytes go out.
func (w *world) upload(ctx context.Context, token string, size int64, seed uint64, title string) (uploaded, error) {
	meta, _ := json.Marshal(map[string]any{
		"title":    title,
		"authors":  []map[string]string{{"name": "Amina Okafor", "organization": "Permanent Mission of Kenya"}},
		"language": "en", "kind": "report",
		"abstract": "Generated by go run ./bench/uploads: comment lines of random-looking text in a valid PDF.",
	})
	filename := fmt.Sprintf("bench-%d-%d.pdf", size>>20, seed)
	var c counter
	if err := writeForm(&c, meta, filename, strings.NewReader("")); err != nil {
		return uploaded{}, err
	}
	total := c.n + size
	pr, pw := io.Pipe()
	sum := sha256.New()
	go func() {
		pw.CloseWithError(writeForm(pw, meta, filename, io.TeeReader(newPDF(size, seed), sum)))
	}()
	req, err := http.NewRequestWithContext(ctx, "POST", "http://"+w.srv.Addr+"/api/meetings/"+w.meeting+"/contributions", pr)
	if err != nil {
		return uploaded{}, err
	}
	req.ContentLength = total
	req.Header.Set("Content-Type", "multipart/form-data; boundary="+boundary)
	req.Header.Set("Authorization", "Bearer "+token)
	t0 := time.Now()
	resp, err := w.http.Do(req)
	if err != nil {
		pr.CloseWithError(err)
		return uploaded{}, fmt.Errorf("upload: %w", err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	elapsed := time.Since(t0)
	pr.Close()
	if err != nil {
		return uploaded{}, fmt.Errorf("upload: read the answer: %w", err)
	}
	if resp.StatusCode != 201 {
		return uploaded{}, fmt.Errorf("upload: status %d: %s", resp.StatusCode, body)
	}
	u := uploaded{sha256: hex.EncodeToString(sum.Sum(nil)), size: size, elapsed: elapsed, bodySize: total}
	if err := json.Unmarshal(body, &u.doc); err != nil {
		return u, fmt.Errorf("upload: answer: %w", err)
	}
	if n := len(u.doc.Revisions); n != 1 {
		return u, fmt.Errorf("upload: the answer lists %d revisions", n)
	}
	if r := u.doc.Revisions[0]; r.SHA256 != u.sha256 || r.Size != size || r.Format != "pdf" {
		return u, fmt.Errorf("upload: the server has sha256 %s, size %d, format %q; sent %s, %d bytes, a PDF", r.SHA256, r.Size, r.Format, u.sha256, size)
	}
	return u, nil
}

// publish accepts, then publishes the document as the secretariat.
func (w *world) publish(docID string) (document, error) {
	var d document
	for _, action := range []string{"accept", "publish"} {
		if err := w.api.Call("POST", "/api/contributions/"+docID+"/transition", w.admin, "", map[string]string{"action": action}, &d, 200); err != nil {
			return d, err
		}
	}
	if d.State != "published" || d.URL == "" {
		return d, fmt.Errorf("after accept and publish the document is %q with url %q", d.State, d.URL)
	}
	return d, nil
}

// download reads the stable address whole and returns the SHA-256 and size of what arrived.
func (w *world) download(ctx context.Context, docID string) (string, int64, time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", "http://"+w.srv.Addr+"/api/contributions/"+docID+"/file", nil)
	if err != nil {
		return "", 0, 0, err
	}
	req.Header.Set("Authorization", "Bearer "+w.admin)
	t0 := time.Now()
	resp, err := w.http.Do(req)
	if err != nil {
		return "", 0, 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 2000))
		return "", 0, 0, fmt.Errorf("download: status %d: %s", resp.StatusCode, b)
	}
	var sum hash.Hash = sha256.New()
	n, err := io.Copy(sum, resp.Body)
	if err != nil {
		return "", n, 0, fmt.Errorf("download: %w after %d of %s bytes", err, n, resp.Header.Get("Content-Length"))
	}
	return hex.EncodeToString(sum.Sum(nil)), n, time.Since(t0), nil
}

// checkRange asks the stable address for one range ("bytes=0-1023", "bytes=-1024") and compares
// the answer with the generated file's bytes at that place: 206, Content-Range with the full size,
// and the same bytes.
func (w *world) checkRange(ctx context.Context, docID, spec string, size int64, seed uint64, from, n int64) error {
	req, err := http.NewRequestWithContext(ctx, "GET", "http://"+w.srv.Addr+"/api/contributions/"+docID+"/file", nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+w.admin)
	req.Header.Set("Range", spec)
	resp, err := w.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("%s: %w after %d bytes", spec, err, len(got))
	}
	wantRange := fmt.Sprintf("bytes %d-%d/%d", from, from+n-1, size)
	if resp.StatusCode != 206 || resp.Header.Get("Content-Range") != wantRange {
		return fmt.Errorf("%s: status %d, Content-Range %q, want 206 and %q", spec, resp.StatusCode, resp.Header.Get("Content-Range"), wantRange)
	}
	g := newPDF(size, seed)
	if _, err := io.CopyN(io.Discard, g, from); err != nil {
		return err
	}
	want := make([]byte, n)
	if _, err := io.ReadFull(g, want); err != nil {
		return err
	}
	if !bytes.Equal(got, want) {
		return fmt.Errorf("%s: %d bytes that differ from the file's", spec, len(got))
	}
	return nil
}
