package notify

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"plenary/accounts"
	"plenary/errs"
	"plenary/id"
)

// Mail timing: a dial, and each message on an open connection, must finish within these.
const (
	dialTimeout    = 15 * time.Second
	messageTimeout = 30 * time.Second
	// maxBatch bounds the mails sent over one connection before it is closed and a new one made.
	maxBatch = 50
)

// smtpConfig is a parsed PLENARY_SMTP_URL.
type smtpConfig struct {
	implicitTLS bool   // smtps://
	host        string // for TLS verification and PLAIN auth
	addr        string // host:port
	user, pass  string
	auth        bool
	from        *mail.Address
	// tlsConfig, when set, is used for TLS instead of the system's roots (tests trust their own CA).
	tlsConfig *tls.Config
}

// CheckSMTPURL validates a PLENARY_SMTP_URL, which must name its sender (?from=). Its errors never
// repeat the URL, which may hold a password.
func CheckSMTPURL(raw string) error {
	sc, err := parseSMTPURL(raw)
	if err == nil && sc.from == nil {
		err = errors.New("add the sender address as ?from=plenary@example.org")
	}
	return err
}

// parseSMTPURL reads smtp://[user[:pass]@]host[:port][?from=address] (port 25 by default; the
// STARTTLS extension is used when the server offers it) or smtps://… (implicit TLS, port 465 by
// default).
func parseSMTPURL(raw string) (smtpConfig, error) {
	var sc smtpConfig
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		// url.Parse's error quotes the input, password included.
		return sc, errors.New("not a URL such as smtp://user:password@mail.example.org:587?from=plenary@example.org")
	}
	switch u.Scheme {
	case "smtp":
	case "smtps":
		sc.implicitTLS = true
	default:
		return sc, errors.New("the scheme must be smtp:// or smtps://")
	}
	if u.Opaque != "" || u.Host == "" || u.Hostname() == "" {
		return sc, errors.New("the URL must name the mail server: smtp://host:port")
	}
	if (u.Path != "" && u.Path != "/") || u.Fragment != "" {
		return sc, errors.New("the URL must have no path or fragment")
	}
	sc.host = u.Hostname()
	port := u.Port()
	if port == "" {
		port = "25"
		if sc.implicitTLS {
			port = "465"
		}
	}
	if p, err := strconv.Atoi(port); err != nil || p < 1 || p > 65535 {
		return sc, errors.New("the port must be a number from 1 to 65535")
	}
	sc.addr = net.JoinHostPort(sc.host, port)
	if u.User != nil {
		sc.user = u.User.Username()
		sc.pass, _ = u.User.Password()
		sc.auth = sc.user != ""
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return sc, errors.New("the query is malformed")
	}
	for k, v := range q {
		if k != "from" || len(v) != 1 {
			return sc, fmt.Errorf("unknown or repeated parameter %q (only from= is known)", k)
		}
		if sc.from, err = parseFrom(v[0]); err != nil {
			return sc, err
		}
	}
	return sc, nil
}

func parseFrom(v string) (*mail.Address, error) {
	a, err := mail.ParseAddress(v)
	if err != nil || strings.ContainsAny(v, "\r\n") {
		return nil, fmt.Errorf("from: %q is not an e-mail address", v)
	}
	return a, nil
}

type mailJob struct {
	userID string
	n      Notification
}

// mailer sends notification mails from a bounded queue, with one goroutine, so that Send never
// waits for a mail server.
type mailer struct {
	cfg  smtpConfig
	acc  *accounts.Service
	base string
	log  *slog.Logger

	mu     sync.Mutex
	closed bool
	queue  chan mailJob
	done   chan struct{}
	// ctx is cancelled when Close gives up waiting; it aborts the connection in use.
	ctx    context.Context
	cancel context.CancelFunc
}

func startMailer(sc smtpConfig, acc *accounts.Service, size int, base string, log *slog.Logger) *mailer {
	ctx, cancel := context.WithCancel(context.Background())
	m := &mailer{cfg: sc, acc: acc, base: base, log: log, queue: make(chan mailJob, size), done: make(chan struct{}), ctx: ctx, cancel: cancel}
	go m.run()
	return m
}

// enqueue queues a mail; a full queue drops it (the notification itself is stored).
func (m *mailer) enqueue(userID string, n Notification) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return
	}
	select {
	case m.queue <- mailJob{userID: userID, n: n}:
	default:
		m.log.Warn("notify: mail queue full; notification not mailed", slog.String("user", userID), slog.String("kind", n.Kind))
	}
}

// close stops taking mails and waits up to wait for the queue to drain.
func (m *mailer) close(wait time.Duration) {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return
	}
	m.closed = true
	close(m.queue)
	m.mu.Unlock()
	select {
	case <-m.done:
		return
	case <-time.After(wait):
	}
	m.log.Warn("notify: mail server too slow at shutdown; unsent mails dropped", slog.Int("queued", len(m.queue)))
	m.cancel()
	<-m.done
}

func (m *mailer) run() {
	defer close(m.done)
	defer m.cancel()
	for job := range m.queue {
		if m.ctx.Err() != nil {
			continue // shutting down: drain without sending
		}
		// What else is waiting goes over the same connection.
		batch := []mailJob{job}
	more:
		for len(batch) < maxBatch {
			select {
			case j, ok := <-m.queue:
				if !ok {
					break more
				}
				batch = append(batch, j)
			default:
				break more
			}
		}
		m.sendBatch(batch)
	}
}

// outgoing is one mail ready to send.
type outgoing struct {
	userID string
	to     string
	msg    []byte
}

func (m *mailer) sendBatch(batch []mailJob) {
	var out []outgoing
	for _, j := range batch {
		ctx, cancel := context.WithTimeout(m.ctx, 5*time.Second)
		u, err := m.acc.User(ctx, j.userID)
		cancel()
		if err != nil {
			if errs.CodeOf(err) != errs.NotFound {
				m.log.Warn("notify: cannot read the recipient of a mail", slog.String("user", j.userID), slog.Any("error", err))
			}
			continue
		}
		to := mail.Address{Name: u.Name, Address: u.Email}
		out = append(out, outgoing{userID: j.userID, to: u.Email, msg: buildMessage(m.cfg.from, to, j.n, m.base, j.n.At)})
	}
	var sess *smtpSession
	defer func() {
		if sess != nil {
			sess.quit()
		}
	}()
	for _, o := range out {
		if sess == nil {
			var err error
			if sess, err = m.dial(); err != nil {
				m.log.Warn("notify: cannot reach the mail server; mails dropped", slog.Int("mails", len(out)), slog.Any("error", err))
				return
			}
		}
		if err := sess.send(m.cfg.from.Address, o.to, o.msg); err != nil {
			m.log.Warn("notify: mail not sent", slog.String("user", o.userID), slog.Any("error", err))
			sess.abort()
			sess = nil
		}
	}
}

// smtpSession is an open, authenticated connection to the mail server.
type smtpSession struct {
	conn net.Conn
	c    *smtp.Client
	stop func() bool // releases the cancellation hook
}

func (m *mailer) tlsConfig() *tls.Config {
	if m.cfg.tlsConfig != nil {
		c := m.cfg.tlsConfig.Clone()
		c.ServerName = m.cfg.host
		return c
	}
	return &tls.Config{ServerName: m.cfg.host, MinVersion: tls.VersionTLS12}
}

func (m *mailer) dial() (*smtpSession, error) {
	d := &net.Dialer{Timeout: dialTimeout}
	var conn net.Conn
	var err error
	if m.cfg.implicitTLS {
		conn, err = (&tls.Dialer{NetDialer: d, Config: m.tlsConfig()}).DialContext(m.ctx, "tcp", m.cfg.addr)
	} else {
		conn, err = d.DialContext(m.ctx, "tcp", m.cfg.addr)
	}
	if err != nil {
		return nil, err
	}
	// Close abandons a stuck server: closing the connection ends any read or write on it.
	s := &smtpSession{conn: conn, stop: context.AfterFunc(m.ctx, func() { _ = conn.Close() })}
	_ = conn.SetDeadline(time.Now().Add(messageTimeout))
	if s.c, err = smtp.NewClient(conn, m.cfg.host); err != nil {
		s.abort()
		return nil, err
	}
	if !m.cfg.implicitTLS {
		if ok, _ := s.c.Extension("STARTTLS"); ok {
			if err := s.c.StartTLS(m.tlsConfig()); err != nil {
				s.abort()
				return nil, fmt.Errorf("starttls: %w", err)
			}
		}
	}
	if m.cfg.auth {
		// PlainAuth refuses to send the password over an unencrypted connection to another host.
		if err := s.c.Auth(smtp.PlainAuth("", m.cfg.user, m.cfg.pass, m.cfg.host)); err != nil {
			s.abort()
			return nil, fmt.Errorf("auth: %w", err)
		}
	}
	return s, nil
}

func (s *smtpSession) send(from, to string, msg []byte) error {
	_ = s.conn.SetDeadline(time.Now().Add(messageTimeout))
	if err := s.c.Mail(from); err != nil {
		return err
	}
	if err := s.c.Rcpt(to); err != nil {
		return err
	}
	w, err := s.c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(msg); err != nil {
		return err
	}
	return w.Close()
}

func (s *smtpSession) quit() {
	_ = s.conn.SetDeadline(time.Now().Add(5 * time.Second))
	_ = s.c.Quit()
	s.abort()
}

func (s *smtpSession) abort() {
	s.stop()
	_ = s.conn.Close()
}

// headerValue makes v safe for a header line: no line breaks, so it cannot start another header.
func headerValue(v string) string {
	return strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' {
			return ' '
		}
		return r
	}, v)
}

// encodeSubject encodes a subject as RFC 2047 encoded words when it is not plain ASCII, folding
// between the words so that no line exceeds the 998-octet limit however long the title.
func encodeSubject(s string) string {
	return strings.ReplaceAll(mime.QEncoding.Encode("utf-8", headerValue(s)), "?= =?", "?=\r\n =?")
}

// buildMessage renders a notification as a plain-text mail (RFC 5322), quoted-printable so that
// any script and long links survive every mail server.
func buildMessage(from *mail.Address, to mail.Address, n Notification, base string, now time.Time) []byte {
	domain := "plenary.invalid"
	if at := strings.LastIndexByte(from.Address, '@'); at >= 0 {
		domain = from.Address[at+1:]
	}
	var b bytes.Buffer
	for _, h := range [][2]string{
		{"From", headerValue(from.String())},
		{"To", headerValue(to.String())},
		{"Subject", encodeSubject(n.Title)},
		{"Date", now.Format(time.RFC1123Z)},
		{"Message-ID", "<" + id.New() + "@" + headerValue(domain) + ">"},
		{"MIME-Version", "1.0"},
		{"Content-Type", "text/plain; charset=utf-8"},
		{"Content-Transfer-Encoding", "quoted-printable"},
		// RFC 3834: tells auto-responders not to answer.
		{"Auto-Submitted", "auto-generated"},
	} {
		b.WriteString(h[0] + ": " + h[1] + "\r\n")
	}
	b.WriteString("\r\n")
	text := n.Title + "\n"
	if n.Body != "" {
		text += "\n" + n.Body + "\n"
	}
	text += "\n" + base + n.Link + "\n"
	qp := quotedprintable.NewWriter(&b)
	_, _ = qp.Write([]byte(text))
	_ = qp.Close()
	return b.Bytes()
}
