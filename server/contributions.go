package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"plenary/contributions"
	"plenary/errs"
)

// Contributions (docs/api.md "Contributions"): multipart uploads streamed through to the store,
// lists, the workflow, and downloads served with headers that keep a browser from running them.

// localUploadBody holds an upload's body reader, for closeOnRefusal.
const localUploadBody = "upload-body"

const (
	// uploadMax bounds an upload's whole duration: 100 MiB at 60 KB/s.
	uploadMax = 30 * time.Minute
	// maxMetaPart bounds the JSON form sent before the file.
	maxMetaPart = 64 << 10
	// multipartOverhead is what the form, boundaries and part headers may add to the file.
	multipartOverhead = 1 << 20
	// downloadTimeout bounds reading one download from the store.
	downloadTimeout = 10 * time.Minute
)

func (s *Server) registerContributionRoutes(api fiber.Router) {
	for _, scope := range []string{contributions.ScopeMeeting, contributions.ScopeGroup} {
		base := "/" + scope + "s/:id/contributions"
		api.Post(base, s.requireUser, closeOnRefusal(s.handleSubmit(scope)))
		api.Get(base, s.optionalUser, s.handleContributionList(scope))
		api.Get(base+"/settings", s.optionalUser, s.handleSettingsGet(scope))
		api.Put(base+"/settings", s.requireUser, s.handleSettingsPut(scope))
	}
	api.Get("/contributions/queue", s.requireUser, s.handleQueue)
	api.Get("/contributions/mine", s.requireUser, s.handleMine)
	api.Get("/contributions/limits", s.requireUser, s.handleUploadLimits)
	api.Get("/contributions/:id", s.optionalUser, s.handleContributionGet)
	api.Post("/contributions/:id/revisions", s.requireUser, closeOnRefusal(s.handleRevise))
	api.Post("/contributions/:id/transition", s.requireUser, s.handleTransition)
	api.Put("/contributions/:id/item", s.requireUser, s.handleAttach)
	api.Get("/contributions/:id/file", s.downloadUser, s.handleDownload(false))
	api.Get("/contributions/:id/revisions/:n/file", s.downloadUser, s.handleDownload(true))
}

// closeOnRefusal answers a refused upload so that the person sees why: a browser reports a
// network error, not the answer, when the server stops reading while it is still sending. So the
// rest of the body is read and dropped first (up to twice the largest file, with the stall
// deadline); past that, or when the client itself stopped, the connection is closed instead.
func closeOnRefusal(h fiber.Handler) fiber.Handler {
	return func(c *fiber.Ctx) error {
		err := h(c)
		if err == nil {
			return nil
		}
		if body, ok := c.Locals(localUploadBody).(*stallReader); ok && !body.failed {
			n, derr := io.Copy(io.Discard, io.LimitReader(body, body.drain+1))
			if derr == nil && n <= body.drain {
				return err
			}
		}
		c.Context().SetConnectionClose()
		return err
	}
}

// isUpload tells whether a request's body is a file upload, streamed to its handler; every other
// body is read whole, up to BodyLimit (boundBody).
func isUpload(c *fiber.Ctx) bool {
	p := c.Path()
	return c.Method() == fiber.MethodPost && strings.HasPrefix(p, "/api/") &&
		(strings.HasSuffix(p, "/contributions") || strings.HasSuffix(p, "/revisions"))
}

// boundBody keeps the BodyLimit of every request but uploads. The server streams request bodies
// (so that uploads never sit in memory); a body with a length over the limit is refused here, and
// a chunked one is read up to the limit.
func (s *Server) boundBody(c *fiber.Ctx) error {
	if isUpload(c) || !c.Request().IsBodyStream() {
		return c.Next()
	}
	limit := s.cfg.BodyLimit
	n := c.Request().Header.ContentLength()
	if n > limit {
		return errs.Errorf(errs.TooLarge, "request body: at most %d bytes", limit)
	}
	if n == -1 { // chunked
		b, err := io.ReadAll(io.LimitReader(c.Context().RequestBodyStream(), int64(limit)+1))
		if err != nil {
			return errs.Errorf(errs.Invalid, "request body: could not be read")
		}
		if len(b) > limit {
			return errs.Errorf(errs.TooLarge, "request body: at most %d bytes", limit)
		}
		c.Request().SetBody(b)
	}
	return c.Next()
}

// stallReader reads an upload with a deadline that moves with each read: a client that stops
// sending is cut off after uploadStall, and no upload lasts beyond its end.
type stallReader struct {
	r     io.Reader
	conn  net.Conn
	stall time.Duration
	end   time.Time
	drain int64 // how much of a refused upload is read and dropped at most
	// failed is set once a read failed: the client stopped or went silent.
	failed bool
}

func (s *stallReader) Read(p []byte) (int, error) {
	d := time.Now().Add(s.stall)
	if d.After(s.end) {
		d = s.end
	}
	if s.conn != nil {
		_ = s.conn.SetReadDeadline(d)
	}
	n, err := s.r.Read(p)
	if err != nil && err != io.EOF {
		s.failed = true
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return n, errs.Errorf(errs.Invalid, "The upload stalled (nothing arrived for %s) and was dropped; nothing was kept. Please send it again.", s.stall)
	}
	return n, err
}

// multipartBody opens an upload's multipart body, bounded in size and time.
func (s *Server) multipartBody(c *fiber.Ctx) (*multipart.Reader, error) {
	mt, params, err := mime.ParseMediaType(c.Get(fiber.HeaderContentType))
	if err != nil || mt != fiber.MIMEMultipartForm || params["boundary"] == "" {
		return nil, errs.Errorf(errs.Invalid, "request body: send the form and the file as multipart/form-data")
	}
	limit := s.cfg.Contributions.MaxFileSize() + multipartOverhead
	var stream io.Reader = c.Context().RequestBodyStream()
	if stream == nil {
		stream = strings.NewReader(string(c.Body()))
	}
	body := &stallReader{r: stream, conn: c.Context().Conn(), stall: s.cfg.UploadStall, end: time.Now().Add(uploadMax),
		drain: 2*s.cfg.Contributions.MaxFileSize() + multipartOverhead}
	c.Locals(localUploadBody, body)
	if n := c.Request().Header.ContentLength(); n > int(limit) {
		return nil, errs.Errorf(errs.TooLarge, "The file is larger than %d MiB, the largest accepted.", s.cfg.Contributions.MaxFileSize()>>20)
	}
	return multipart.NewReader(io.LimitReader(body, limit), params["boundary"]), nil
}

// metaPart reads the next part, which must be the JSON form called name.
func metaPart(mr *multipart.Reader, name string, dst any) error {
	p, err := mr.NextPart()
	if err != nil {
		return errs.Errorf(errs.Invalid, "request body: the %q part (JSON) must come first, then the file", name)
	}
	defer p.Close()
	if p.FormName() != name {
		return errs.Errorf(errs.Invalid, "request body: the %q part (JSON) must come first, then the file", name)
	}
	b, err := io.ReadAll(io.LimitReader(p, maxMetaPart+1))
	if err != nil {
		return errs.Errorf(errs.Invalid, "The upload was interrupted before the form arrived; nothing was kept.")
	}
	if len(b) > maxMetaPart {
		return errs.Errorf(errs.TooLarge, "%s: at most %d bytes", name, maxMetaPart)
	}
	return decodeJSONBytes(b, dst)
}

// filePart returns the next part, which must be the file.
func filePart(mr *multipart.Reader) (contributions.File, error) {
	p, err := mr.NextPart()
	if err != nil || p.FormName() != "file" || p.FileName() == "" {
		return contributions.File{}, errs.Errorf(errs.Invalid, "request body: a \"file\" part with a file name must follow the form")
	}
	return contributions.File{Filename: p.FileName(), DeclaredType: p.Header.Get(fiber.HeaderContentType), Body: p}, nil
}

func (s *Server) handleSubmit(scope string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		mr, err := s.multipartBody(c)
		if err != nil {
			return err
		}
		var in contributions.SubmitInput
		if err := metaPart(mr, "meta", &in); err != nil {
			return err
		}
		f, err := filePart(mr)
		if err != nil {
			return err
		}
		v, err := s.cfg.Contributions.Submit(c.UserContext(), actor(c), scope, param(c, "id"), in, f)
		if err != nil {
			return err
		}
		return c.Status(fiber.StatusCreated).JSON(v)
	}
}

type reviseMeta struct {
	Note string `json:"note"`
}

func (s *Server) handleRevise(c *fiber.Ctx) error {
	mr, err := s.multipartBody(c)
	if err != nil {
		return err
	}
	var in reviseMeta
	if err := metaPart(mr, "meta", &in); err != nil {
		return err
	}
	f, err := filePart(mr)
	if err != nil {
		return err
	}
	v, err := s.cfg.Contributions.Revise(c.UserContext(), actor(c), param(c, "id"), in.Note, f)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(v)
}

func (s *Server) handleContributionList(scope string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		f := contributions.Filter{Kind: c.Query("kind"), Language: c.Query("language"), State: c.Query("state"),
			SessionID: c.Query("session_id"), ItemID: c.Query("item_id"), Query: c.Query("q")}
		es, err := s.cfg.Contributions.List(c.UserContext(), actor(c), scope, param(c, "id"), cloneFilter(f))
		if err != nil {
			return err
		}
		return c.JSON(list(es))
	}
}

// cloneFilter copies query values out of Fiber's reused memory.
func cloneFilter(f contributions.Filter) contributions.Filter {
	return contributions.Filter{Kind: strings.Clone(f.Kind), Language: strings.Clone(f.Language), State: strings.Clone(f.State),
		SessionID: strings.Clone(f.SessionID), ItemID: strings.Clone(f.ItemID), Query: strings.Clone(f.Query)}
}

func (s *Server) handleSettingsGet(scope string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		st, err := s.cfg.Contributions.GetSettings(c.UserContext(), actor(c), scope, param(c, "id"))
		if err != nil {
			return err
		}
		return c.JSON(st)
	}
}

func (s *Server) handleSettingsPut(scope string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var in contributions.Settings
		if err := decodeJSON(c, &in); err != nil {
			return err
		}
		st, err := s.cfg.Contributions.SetSettings(c.UserContext(), actor(c), scope, param(c, "id"), in)
		if err != nil {
			return err
		}
		return c.JSON(st)
	}
}

func (s *Server) handleQueue(c *fiber.Ctx) error {
	q, err := s.cfg.Contributions.Queue(c.UserContext(), actor(c))
	if err != nil {
		return err
	}
	return c.JSON(list(q))
}

func (s *Server) handleMine(c *fiber.Ctx) error {
	m, err := s.cfg.Contributions.Mine(c.UserContext(), actor(c))
	if err != nil {
		return err
	}
	return c.JSON(list(m))
}

func (s *Server) handleUploadLimits(c *fiber.Ctx) error {
	l, err := s.cfg.Contributions.Limits(c.UserContext(), actor(c))
	if err != nil {
		return err
	}
	return c.JSON(l)
}

func (s *Server) handleContributionGet(c *fiber.Ctx) error {
	v, err := s.cfg.Contributions.Get(c.UserContext(), actor(c), param(c, "id"))
	if err != nil {
		return err
	}
	return c.JSON(v)
}

type transitionRequest struct {
	Action string `json:"action"`
	Reason string `json:"reason"`
}

func (s *Server) handleTransition(c *fiber.Ctx) error {
	var in transitionRequest
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	v, err := s.cfg.Contributions.Transition(c.UserContext(), actor(c), param(c, "id"), in.Action, in.Reason)
	if err != nil {
		return err
	}
	return c.JSON(v)
}

type attachRequest struct {
	SessionID string `json:"session_id"`
	ItemID    string `json:"item_id"`
}

func (s *Server) handleAttach(c *fiber.Ctx) error {
	var in attachRequest
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	v, err := s.cfg.Contributions.Attach(c.UserContext(), actor(c), param(c, "id"), in.SessionID, in.ItemID)
	if err != nil {
		return err
	}
	return c.JSON(v)
}

// downloadUser authenticates a download: a bearer token, or a single-use ticket in ?ticket= (the
// kind websockets use, POST /api/ws-ticket), since a browser following a link sends no
// Authorization header and a file should stream to disk rather than through the page's memory;
// with neither, the reader is anonymous.
func (s *Server) downloadUser(c *fiber.Ctx) error {
	ticket := c.Query("ticket")
	if ticket == "" || c.Get(fiber.HeaderAuthorization) != "" {
		return s.optionalUser(c)
	}
	u, err := s.accounts.RedeemTicket(c.UserContext(), strings.Clone(ticket))
	if err != nil {
		return errs.Errorf(errs.Unauthorized, "This download link has expired or was used already; download again from the document's page.")
	}
	c.Locals(localUser, u)
	return c.Next()
}

// handleDownload serves a revision as an attachment: the verified content type, nosniff, a
// sandboxing CSP, an RFC 6266 file name, an ETag (the SHA-256) and single byte ranges.
func (s *Server) handleDownload(byRevision bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var rev *int
		if byRevision {
			n, err := strconv.Atoi(c.Params("n"))
			if err != nil || n < 0 {
				return errs.Errorf(errs.NotFound, "no such revision")
			}
			rev = &n
		}
		d, err := s.cfg.Contributions.File(c.UserContext(), actor(c), param(c, "id"), rev)
		if err != nil {
			return err
		}
		etag := `"` + d.SHA256 + `"`
		c.Set(fiber.HeaderContentType, d.ContentType)
		c.Set(fiber.HeaderContentDisposition, contentDisposition(d.Filename))
		c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
		c.Set("Content-Security-Policy", "sandbox")
		c.Set(fiber.HeaderETag, etag)
		c.Set(fiber.HeaderLastModified, d.Modified.UTC().Format(time.RFC1123[:len(time.RFC1123)-3]+"GMT"))
		c.Set(fiber.HeaderAcceptRanges, "bytes")
		// Revalidated every time: the stable address moves to each newly published revision, and
		// who may read a revision can change.
		c.Set(fiber.HeaderCacheControl, "private, no-cache")
		if inm := c.Get(fiber.HeaderIfNoneMatch); inm != "" && etagMatches(inm, etag) {
			return c.SendStatus(fiber.StatusNotModified)
		}
		start, length := int64(0), d.Size
		if rng := c.Get(fiber.HeaderRange); rng != "" && (c.Get(fiber.HeaderIfRange) == "" || c.Get(fiber.HeaderIfRange) == etag) {
			switch from, to, res := parseRange(rng, d.Size); res {
			case rangeUnsatisfiable:
				c.Set(fiber.HeaderContentRange, fmt.Sprintf("bytes */%d", d.Size))
				return c.Status(fiber.StatusRequestedRangeNotSatisfiable).JSON(fiber.Map{"error": fiber.Map{"code": errs.Invalid,
					"message": fmt.Sprintf("Range: the file has %d bytes", d.Size)}})
			case rangeOK:
				start, length = from, to-from+1
				c.Status(fiber.StatusPartialContent)
				c.Set(fiber.HeaderContentRange, fmt.Sprintf("bytes %d-%d/%d", from, to, d.Size))
			} // rangeIgnored: the whole file, as RFC 9110 has it for a Range header we do not serve
		}
		if c.Method() == fiber.MethodHead || length == 0 {
			c.Context().SetBodyString("")
			c.Set(fiber.HeaderContentLength, strconv.FormatInt(length, 10))
			return nil
		}
		// The body is written after this handler returns, so its reads get their own context.
		ctx, cancel := context.WithTimeout(context.Background(), downloadTimeout)
		rc, err := d.Open(ctx, start)
		if err != nil {
			cancel()
			return err
		}
		c.Context().SetBodyStream(&download{Reader: io.LimitReader(rc, length), rc: rc, cancel: cancel}, int(length))
		return nil
	}
}

// download is a response body read from the store; closing it releases the store cursor.
type download struct {
	io.Reader
	rc     io.Closer
	cancel context.CancelFunc
}

func (d *download) Close() error {
	err := d.rc.Close()
	d.cancel()
	return err
}

func etagMatches(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == etag {
			return true
		}
	}
	return false
}

type rangeResult int

const (
	rangeIgnored rangeResult = iota // not one byte range we serve: the whole file is sent
	rangeOK
	rangeUnsatisfiable // a byte range outside the file
)

// parseRange reads a single "bytes=a-b", "bytes=a-" or "bytes=-n" range within size bytes.
// Several ranges, or a header that does not parse, are ignored.
func parseRange(h string, size int64) (from, to int64, _ rangeResult) {
	spec, found := strings.CutPrefix(strings.TrimSpace(h), "bytes=")
	if !found || strings.Contains(spec, ",") {
		return 0, 0, rangeIgnored
	}
	a, b, found := strings.Cut(strings.TrimSpace(spec), "-")
	if !found {
		return 0, 0, rangeIgnored
	}
	if a == "" { // the last n bytes
		n, err := strconv.ParseInt(b, 10, 64)
		switch {
		case err != nil || n < 0:
			return 0, 0, rangeIgnored
		case n == 0 || size == 0:
			return 0, 0, rangeUnsatisfiable
		}
		return max(size-n, 0), size - 1, rangeOK
	}
	from, err := strconv.ParseInt(a, 10, 64)
	if err != nil || from < 0 {
		return 0, 0, rangeIgnored
	}
	to = size - 1
	if b != "" {
		last, err := strconv.ParseInt(b, 10, 64)
		switch {
		case err != nil && errors.Is(err, strconv.ErrRange): // beyond any file: to its end
		case err != nil || last < from:
			return 0, 0, rangeIgnored
		default:
			to = min(last, size-1)
		}
	}
	if from >= size {
		return 0, 0, rangeUnsatisfiable
	}
	return from, to, rangeOK
}

// contentDisposition names a download for saving, per RFC 6266: an ASCII fallback name and the
// UTF-8 one. Characters that could break the header or mislead the reader (CR, LF, quotes,
// backslashes, other controls, and bidi controls that can make "fdp.exe" read as "exe.pdf") are
// replaced.
func contentDisposition(name string) string {
	var clean strings.Builder
	for _, r := range name {
		switch {
		case r < 0x20 || r == 0x7f, r == '"', r == '\\', r == '/',
			r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c:
			clean.WriteByte('_')
		default:
			clean.WriteRune(r)
		}
	}
	utf := clean.String()
	if strings.TrimSpace(utf) == "" {
		utf = "document"
	}
	var ascii strings.Builder
	for _, r := range utf {
		if r < 0x80 {
			ascii.WriteRune(r)
		} else {
			ascii.WriteByte('_')
		}
	}
	return fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, ascii.String(), attrEncode(utf))
}

// attrEncode percent-encodes s for an RFC 8187 ext-value: every byte but attr-char.
func attrEncode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}
