package notify

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"io"
	"math/big"
	"net"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"
)

// testSMTP is a small SMTP server (RFC 5321: EHLO, STARTTLS, AUTH PLAIN, MAIL, RCPT, DATA, RSET,
// QUIT) on a loopback port that records what it receives.
type testSMTP struct {
	t        testing.TB
	ln       net.Listener
	tls      *tls.Config // the server's certificate; nil without TLS
	starttls bool        // offer STARTTLS
	user     string      // require AUTH PLAIN with these credentials when set
	pass     string

	mu   sync.Mutex
	msgs []received
	wg   sync.WaitGroup
}

// received is one accepted message.
type received struct {
	From    string
	To      []string
	Data    string // with \n line endings, dot-stuffing undone
	AuthTLS bool   // whether AUTH came over TLS
	Authed  bool
}

type smtpOptions struct {
	implicitTLS bool
	starttls    bool
	user, pass  string
}

// startSMTP starts a server; its certificate authority is returned for the client to trust.
func startSMTP(t testing.TB, o smtpOptions) (*testSMTP, *x509.CertPool) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &testSMTP{t: t, starttls: o.starttls, user: o.user, pass: o.pass}
	var pool *x509.CertPool
	if o.implicitTLS || o.starttls {
		var cert tls.Certificate
		cert, pool = selfSigned(t)
		s.tls = &tls.Config{Certificates: []tls.Certificate{cert}}
	}
	if o.implicitTLS {
		ln = tls.NewListener(ln, s.tls)
	}
	s.ln = ln
	s.wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.wg.Go(func() { s.serve(c, o.implicitTLS) })
		}
	})
	t.Cleanup(func() {
		_ = ln.Close()
		s.wg.Wait()
	})
	return s, pool
}

func (s *testSMTP) addr() string { return s.ln.Addr().String() }

func (s *testSMTP) messages() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.msgs...)
}

func (s *testSMTP) serve(conn net.Conn, secure bool) {
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	tp := textproto.NewConn(conn)
	reply := func(code int, lines ...string) {
		for i, l := range lines {
			sep := "-"
			if i == len(lines)-1 {
				sep = " "
			}
			_ = tp.PrintfLine("%d%s%s", code, sep, l)
		}
	}
	reply(220, "test ESMTP ready")
	var cur received
	authed := false
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO":
			ext := []string{"test greets you"}
			if s.starttls && !secure {
				ext = append(ext, "STARTTLS")
			}
			if s.user != "" {
				ext = append(ext, "AUTH PLAIN")
			}
			reply(250, append(ext, "8BITMIME")...)
		case "HELO", "NOOP":
			reply(250, "ok")
		case "STARTTLS":
			if !s.starttls || secure {
				reply(502, "not offered")
				continue
			}
			reply(220, "go ahead")
			tc := tls.Server(conn, s.tls)
			if err := tc.Handshake(); err != nil {
				return
			}
			conn, secure = tc, true
			tp = textproto.NewConn(tc)
		case "AUTH":
			mech, resp, _ := strings.Cut(arg, " ")
			raw, err := base64.StdEncoding.DecodeString(resp)
			parts := strings.Split(string(raw), "\x00")
			if strings.ToUpper(mech) != "PLAIN" || err != nil || len(parts) != 3 || parts[1] != s.user || parts[2] != s.pass {
				reply(535, "authentication failed")
				continue
			}
			authed = true
			cur.AuthTLS = secure
			reply(235, "authenticated")
		case "MAIL":
			if s.user != "" && !authed {
				reply(530, "authentication required")
				continue
			}
			cur.From = addressOf(arg)
			reply(250, "ok")
		case "RCPT":
			cur.To = append(cur.To, addressOf(arg))
			reply(250, "ok")
		case "DATA":
			reply(354, "end with .")
			data, err := io.ReadAll(tp.DotReader())
			if err != nil {
				return
			}
			cur.Data, cur.Authed = string(data), authed
			s.mu.Lock()
			s.msgs = append(s.msgs, cur)
			s.mu.Unlock()
			cur = received{AuthTLS: cur.AuthTLS}
			reply(250, "queued")
		case "RSET":
			cur = received{AuthTLS: cur.AuthTLS}
			reply(250, "ok")
		case "QUIT":
			reply(221, "bye")
			return
		default:
			reply(502, "command not implemented")
		}
	}
}

// addressOf reads the address of "FROM:<a@b> BODY=8BITMIME" or "TO:<a@b>".
func addressOf(arg string) string {
	start, end := strings.IndexByte(arg, '<'), strings.IndexByte(arg, '>')
	if start < 0 || end < start {
		return ""
	}
	return arg[start+1 : end]
}

// selfSigned makes a certificate for 127.0.0.1 that is its own authority.
func selfSigned(t testing.TB) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "test smtp"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}
