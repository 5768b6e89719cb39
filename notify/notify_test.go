package notify

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"plenary/accounts"
	"plenary/errs"
	"plenary/store"
	"plenary/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

type fixture struct {
	t     *testing.T
	st    *store.Store
	acc   *accounts.Service
	users []accounts.User // ana, bruno, chadia
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	st := storetest.MustOpen(t, slices.Concat(accounts.Collections(), Collections())...)
	acc, err := accounts.New(st, accounts.Config{JWTKey: bytes.Repeat([]byte("k"), 32), HashConcurrency: 2})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, st: st, acc: acc}
	for _, name := range []string{"Ana", "Bruno", "Chadia"} {
		u, err := acc.CreateUser(context.Background(), accounts.NewUser{
			Email: strings.ToLower(name) + "@example.org", Name: name, Password: "password " + name, Role: accounts.RoleUser})
		if err != nil {
			t.Fatal(err)
		}
		f.users = append(f.users, u)
	}
	return f
}

// service starts a Service that is closed when the test ends.
func (f *fixture) service(cfg Config) *Service {
	f.t.Helper()
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	s, err := New(f.st, f.acc, cfg)
	if err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(s.Close)
	return s
}

func (f *fixture) ids() []string {
	var out []string
	for _, u := range f.users {
		out = append(out, u.ID)
	}
	return out
}

func note(title string) Note {
	return Note{Kind: KindRoundOpened, Title: title, Body: "Please comment.", Link: "/reports/r1?tab=review", ReportID: "r1"}
}

func wantCode(t *testing.T, err error, want errs.Code) {
	t.Helper()
	if got := errs.CodeOf(err); got != want {
		t.Fatalf("error code %q, want %q (%v)", got, want, err)
	}
}

func TestSendStoresOneInboxPerRecipientAndCallsTheHook(t *testing.T) {
	f := newFixture(t)
	s := f.service(Config{})
	var mu sync.Mutex
	hooked := map[string][]int{}
	s.OnDelivered(func(userID string, n Notification, unread int) {
		mu.Lock()
		defer mu.Unlock()
		if n.Title != "Round opened" || n.ID == "" || n.At.IsZero() {
			t.Errorf("hook got %+v", n)
		}
		hooked[userID] = append(hooked[userID], unread)
	})
	// Duplicates and empty ids are skipped.
	ids := append(f.ids(), f.users[0].ID, "")
	if err := s.Send(context.Background(), ids, note("Round opened")); err != nil {
		t.Fatal(err)
	}
	for _, u := range f.users {
		d, err := store.FindByID[inboxDoc](context.Background(), f.st.Collection(colNotifications), u.ID, errNoInbox)
		if err != nil {
			t.Fatalf("inbox of %s: %v", u.Name, err)
		}
		if len(d.Items) != 1 || d.Items[0].Title != "Round opened" || d.Items[0].ReportID != "r1" || d.Items[0].Read {
			t.Fatalf("inbox of %s: %+v", u.Name, d.Items)
		}
		items, unread, err := s.List(context.Background(), u, 0)
		if err != nil || len(items) != 1 || unread != 1 {
			t.Fatalf("List(%s) = %v, %d, %v", u.Name, items, unread, err)
		}
		if got := hooked[u.ID]; !slices.Equal(got, []int{1}) {
			t.Errorf("hook for %s: %v, want one call with unread 1", u.Name, got)
		}
	}
	if len(hooked) != 3 {
		t.Errorf("hook called for %d people, want 3", len(hooked))
	}
}

func TestListNewestFirstAndMarkRead(t *testing.T) {
	f := newFixture(t)
	s := f.service(Config{})
	ctx := context.Background()
	ana, bruno := f.users[0], f.users[1]
	for _, title := range []string{"first", "second", "third"} {
		if err := s.Send(ctx, []string{ana.ID, bruno.ID}, note(title)); err != nil {
			t.Fatal(err)
		}
	}
	items, unread, err := s.List(ctx, ana, 0)
	if err != nil {
		t.Fatal(err)
	}
	if unread != 3 || len(items) != 3 || items[0].Title != "third" || items[2].Title != "first" {
		t.Fatalf("List: %d unread, %+v", unread, items)
	}
	if page, unread, _ := s.List(ctx, ana, 2); len(page) != 2 || unread != 3 || page[0].Title != "third" {
		t.Fatalf("List limit 2: %d unread, %+v", unread, page)
	}

	// One, then an unknown id (ignored), then all.
	if n, err := s.MarkRead(ctx, ana, []string{items[1].ID}); err != nil || n != 2 {
		t.Fatalf("MarkRead(one) = %d, %v", n, err)
	}
	items, _, _ = s.List(ctx, ana, 0)
	if items[0].Read || !items[1].Read || items[2].Read {
		t.Fatalf("after marking the second: %+v", items)
	}
	if n, err := s.MarkRead(ctx, ana, []string{"nosuchnotification"}); err != nil || n != 2 {
		t.Fatalf("MarkRead(unknown) = %d, %v", n, err)
	}
	_, err = s.MarkRead(ctx, ana, []string{"not an id!"})
	wantCode(t, err, errs.Invalid)
	// Someone else's notification ids do nothing to one's own inbox.
	bItems, _, _ := s.List(ctx, bruno, 0)
	if n, err := s.MarkRead(ctx, ana, []string{bItems[0].ID}); err != nil || n != 2 {
		t.Fatalf("MarkRead(another's id) = %d, %v", n, err)
	}
	if n, err := s.MarkRead(ctx, ana, nil); err != nil || n != 0 {
		t.Fatalf("MarkRead(all) = %d, %v", n, err)
	}
	if _, unread, _ := s.List(ctx, bruno, 0); unread != 3 {
		t.Fatalf("Bruno's unread changed to %d by Ana's reading", unread)
	}
	// A person who never received anything has an empty inbox.
	if items, unread, err := s.List(ctx, f.users[2], 0); err != nil || len(items) != 0 || items == nil || unread != 0 {
		t.Fatalf("empty inbox: %v, %d, %v", items, unread, err)
	}
	if n, err := s.MarkRead(ctx, f.users[2], nil); err != nil || n != 0 {
		t.Fatalf("MarkRead on an empty inbox = %d, %v", n, err)
	}
	_, _, err = s.List(ctx, accounts.User{}, 0)
	wantCode(t, err, errs.Unauthorized)
}

func TestBadNotesAreRefused(t *testing.T) {
	f := newFixture(t)
	s := f.service(Config{})
	ok := note("A title")
	for name, change := range map[string]func(n *Note){
		"unknown kind":      func(n *Note) { n.Kind = "gossip" },
		"empty kind":        func(n *Note) { n.Kind = "" },
		"empty title":       func(n *Note) { n.Title = "  " },
		"long title":        func(n *Note) { n.Title = strings.Repeat("t", MaxTitle+1) },
		"control in title":  func(n *Note) { n.Title = "bell\x07" },
		"long body":         func(n *Note) { n.Body = strings.Repeat("b", MaxBody+1) },
		"empty link":        func(n *Note) { n.Link = "" },
		"relative link":     func(n *Note) { n.Link = "reports/r1" },
		"absolute link":     func(n *Note) { n.Link = "https://evil.example/" },
		"protocol-relative": func(n *Note) { n.Link = "//evil.example/x" },
		"backslash link":    func(n *Note) { n.Link = "/\\evil.example" },
		"space in link":     func(n *Note) { n.Link = "/reports/r1 x" },
		"newline in link":   func(n *Note) { n.Link = "/reports/r1\r\nBcc: x" },
		"long link":         func(n *Note) { n.Link = "/" + strings.Repeat("a", MaxLink) },
		"bad report id":     func(n *Note) { n.ReportID = "r1/../x" },
	} {
		t.Run(name, func(t *testing.T) {
			n := ok
			change(&n)
			wantCode(t, s.Send(context.Background(), f.ids(), n), errs.Invalid)
		})
	}
	for _, u := range f.users {
		if items, _, _ := s.List(context.Background(), u, 0); len(items) != 0 {
			t.Fatalf("a refused note was stored: %+v", items)
		}
	}
	// The good note goes through, with its title made one line.
	n := ok
	n.Title = "Two\r\nlines"
	if err := s.Send(context.Background(), f.ids()[:1], n); err != nil {
		t.Fatal(err)
	}
	if items, _, _ := s.List(context.Background(), f.users[0], 0); len(items) != 1 || items[0].Title != "Two lines" {
		t.Fatalf("stored %+v", items)
	}
}

func TestInboxKeepsTheNewestMaxPerUser(t *testing.T) {
	f := newFixture(t)
	s := f.service(Config{MaxPerUser: 5})
	ana := f.users[0]
	for i := 1; i <= 8; i++ {
		if err := s.Send(context.Background(), []string{ana.ID}, note(fmt.Sprintf("n%d", i))); err != nil {
			t.Fatal(err)
		}
	}
	items, unread, err := s.List(context.Background(), ana, 100)
	if err != nil {
		t.Fatal(err)
	}
	var titles []string
	for _, it := range items {
		titles = append(titles, it.Title)
	}
	if unread != 5 || strings.Join(titles, " ") != "n8 n7 n6 n5 n4" {
		t.Fatalf("%d unread, titles %v", unread, titles)
	}
}

func TestConcurrentSendsToOnePersonAreAllKept(t *testing.T) {
	f := newFixture(t)
	s := f.service(Config{})
	ana := f.users[0]
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			if err := s.Send(context.Background(), []string{ana.ID}, note(fmt.Sprintf("n%d", i))); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if items, unread, _ := s.List(context.Background(), ana, 100); len(items) != 20 || unread != 20 {
		t.Fatalf("%d items, %d unread, want 20", len(items), unread)
	}
}

// parsed is a received mail as a reader sees it.
type parsed struct {
	header  mail.Header
	subject string
	body    string
}

func parseMail(t *testing.T, data string) parsed {
	t.Helper()
	m, err := mail.ReadMessage(strings.NewReader(data))
	if err != nil {
		t.Fatalf("not a mail: %v\n%s", err, data)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		t.Fatalf("subject: %v", err)
	}
	if m.Header.Get("Content-Transfer-Encoding") != "quoted-printable" {
		t.Fatalf("transfer encoding %q", m.Header.Get("Content-Transfer-Encoding"))
	}
	body, err := io.ReadAll(quotedprintable.NewReader(m.Body))
	if err != nil {
		t.Fatalf("body: %v", err)
	}
	return parsed{header: m.Header, subject: subject, body: string(body)}
}

func TestMailIsSentToEachRecipient(t *testing.T) {
	f := newFixture(t)
	srv, _ := startSMTP(t, smtpOptions{user: "mailer", pass: "s3cret"})
	s := f.service(Config{SMTPURL: "smtp://mailer:s3cret@" + srv.addr() + "?from=Plenary%20%3Cplenary@example.org%3E", BaseURL: "https://plenary.example.org/"})
	fr := `Commentaires invités sur « Rapport du Président » v1.0 jusqu'au 10 déc. 2026 17:00 Europe/Geneva`
	ar := `التعليقات مدعوة على "تقرير الرئيس" v1.0 حتى 10 ديسمبر 2026 17:00 Europe/Geneva`
	if err := s.Send(context.Background(), f.ids()[:2], Note{Kind: KindRoundOpened, Title: fr, Body: "Merci de commenter.\n. A line that starts with a dot.", Link: "/reports/r1?tab=review&x=1"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Send(context.Background(), f.ids()[2:], Note{Kind: KindFinal, Title: ar, Link: "/reports/r1"}); err != nil {
		t.Fatal(err)
	}
	s.Close() // flushes the queue
	msgs := srv.messages()
	if len(msgs) != 3 {
		t.Fatalf("%d mails, want 3", len(msgs))
	}
	for i, m := range msgs {
		u := f.users[i]
		if m.From != "plenary@example.org" || !slices.Equal(m.To, []string{u.Email}) || !m.Authed {
			t.Errorf("envelope %d: %+v", i, m)
		}
		p := parseMail(t, m.Data)
		if to, err := mail.ParseAddress(p.header.Get("To")); err != nil || to.Address != u.Email {
			t.Errorf("To: %q", p.header.Get("To"))
		}
		if from, err := mail.ParseAddress(p.header.Get("From")); err != nil || from.Address != "plenary@example.org" || from.Name != "Plenary" {
			t.Errorf("From: %q", p.header.Get("From"))
		}
		if _, err := p.header.Date(); err != nil {
			t.Errorf("Date: %v", err)
		}
		if id := p.header.Get("Message-ID"); !strings.HasPrefix(id, "<") || !strings.HasSuffix(id, "@example.org>") {
			t.Errorf("Message-ID: %q", id)
		}
		if ct := p.header.Get("Content-Type"); ct != "text/plain; charset=utf-8" {
			t.Errorf("Content-Type: %q", ct)
		}
		want, link := fr, "https://plenary.example.org/reports/r1?tab=review&x=1"
		if i == 2 {
			want, link = ar, "https://plenary.example.org/reports/r1"
		}
		if p.subject != want {
			t.Errorf("subject %q, want %q", p.subject, want)
		}
		if !strings.Contains(p.body, link+"\r\n") && !strings.HasSuffix(strings.TrimSpace(p.body), link) {
			t.Errorf("body lacks the link %s:\n%s", link, p.body)
		}
		if i < 2 && !strings.Contains(p.body, "\n. A line that starts with a dot.") {
			t.Errorf("body lost its text:\n%s", p.body)
		}
	}
}

func TestMailHeadersCannotBeInjected(t *testing.T) {
	f := newFixture(t)
	srv, _ := startSMTP(t, smtpOptions{})
	s := f.service(Config{SMTPURL: "smtp://" + srv.addr() + "?from=plenary@example.org"})
	title := "Report\r\nBcc: victim@example.org\r\n\r\nforged body"
	if err := s.Send(context.Background(), f.ids()[:1], Note{Kind: KindReply, Title: title, Link: "/reports/r1"}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	msgs := srv.messages()
	if len(msgs) != 1 || len(msgs[0].To) != 1 {
		t.Fatalf("mails: %+v", msgs)
	}
	p := parseMail(t, msgs[0].Data)
	if p.header.Get("Bcc") != "" || !strings.HasPrefix(p.subject, "Report") || !strings.Contains(p.subject, "forged body") {
		t.Fatalf("headers %v, subject %q", p.header, p.subject)
	}

	// Even a title that skipped validation keeps to its header line.
	from, _ := mail.ParseAddress("plenary@example.org")
	raw := buildMessage(from, mail.Address{Name: "Ana\r\nBcc: x@example.org", Address: "ana@example.org"},
		Notification{Note: Note{Title: title, Link: "/x"}}, "", time.Now())
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Header["Bcc"]) != 0 || len(m.Header["To"]) != 1 {
		t.Fatalf("injected headers: %v", m.Header)
	}
}

func TestLongUTF8SubjectsAreFolded(t *testing.T) {
	from, _ := mail.ParseAddress("plenary@example.org")
	title := strings.Repeat("تقرير الرئيس ", 23) // 299 characters, all but spaces two bytes
	raw := buildMessage(from, mail.Address{Address: "ana@example.org"}, Notification{Note: Note{Title: title, Link: "/x"}}, "", time.Now())
	head, _, _ := strings.Cut(string(raw), "\r\n\r\n")
	for _, line := range strings.Split(head, "\r\n") {
		if len(line) > 998 {
			t.Fatalf("header line of %d octets", len(line))
		}
	}
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject")); got != title {
		t.Fatalf("subject %q", got)
	}
}

func TestMailOverTLS(t *testing.T) {
	for _, tc := range []struct {
		name   string
		opts   smtpOptions
		scheme string
	}{
		{"starttls", smtpOptions{starttls: true, user: "mailer", pass: "pw"}, "smtp"},
		{"implicit tls", smtpOptions{implicitTLS: true, user: "mailer", pass: "pw"}, "smtps"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			srv, pool := startSMTP(t, tc.opts)
			s := f.service(Config{SMTPURL: tc.scheme + "://mailer:pw@" + srv.addr() + "?from=plenary@example.org",
				tlsConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}})
			if err := s.Send(context.Background(), f.ids(), note("Over TLS")); err != nil {
				t.Fatal(err)
			}
			s.Close()
			msgs := srv.messages()
			if len(msgs) != 3 {
				t.Fatalf("%d mails, want 3", len(msgs))
			}
			for _, m := range msgs {
				if !m.Authed || !m.AuthTLS {
					t.Fatalf("authenticated %v, over TLS %v", m.Authed, m.AuthTLS)
				}
			}
		})
	}
}

func TestUntrustedCertificateSendsNothing(t *testing.T) {
	f := newFixture(t)
	srv, _ := startSMTP(t, smtpOptions{starttls: true, user: "mailer", pass: "pw"})
	var logged bytes.Buffer
	s := f.service(Config{SMTPURL: "smtp://mailer:pw@" + srv.addr() + "?from=plenary@example.org",
		tlsConfig: &tls.Config{RootCAs: x509.NewCertPool()}, Logger: slog.New(slog.NewTextHandler(&logged, nil))})
	if err := s.Send(context.Background(), f.ids(), note("Not sent")); err != nil {
		t.Fatalf("a mail failure must not fail Send: %v", err)
	}
	s.Close()
	if n := len(srv.messages()); n != 0 {
		t.Fatalf("%d mails sent over an untrusted connection", n)
	}
	if !strings.Contains(logged.String(), "cannot reach the mail server") || strings.Contains(logged.String(), "pw@") {
		t.Fatalf("log: %s", logged.String())
	}
}

func TestCloseGivesUpOnAStuckMailServer(t *testing.T) {
	f := newFixture(t)
	// A server that accepts connections and never says a word.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var conns []net.Conn
	var mu sync.Mutex
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	defer func() {
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	}()
	var logged bytes.Buffer
	s, err := New(f.st, f.acc, Config{SMTPURL: "smtp://" + ln.Addr().String() + "?from=plenary@example.org",
		Logger: slog.New(slog.NewTextHandler(&logged, nil)), flushWait: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(context.Background(), f.ids(), note("Stuck")); err != nil {
		t.Fatal(err)
	}
	closed := make(chan struct{})
	go func() {
		s.Close()
		close(closed)
	}()
	select {
	case <-closed:
	case <-time.After(time.Minute): // a hang guard, not a measurement
		t.Fatal("Close did not return")
	}
	if !strings.Contains(logged.String(), "too slow at shutdown") {
		t.Fatalf("log: %s", logged.String())
	}
}

func TestNoMailWithoutSMTP(t *testing.T) {
	f := newFixture(t)
	srv, _ := startSMTP(t, smtpOptions{})
	s := f.service(Config{})
	if s.mail != nil {
		t.Fatal("a mailer without PLENARY_SMTP_URL")
	}
	if err := s.Send(context.Background(), f.ids(), note("In the app only")); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if n := len(srv.messages()); n != 0 {
		t.Fatalf("%d mails", n)
	}
	if items, _, _ := s.List(context.Background(), f.users[0], 0); len(items) != 1 {
		t.Fatal("not stored")
	}
}

func TestFullQueueDropsWithALogLine(t *testing.T) {
	var logged bytes.Buffer
	// A mailer whose sender is not running: the queue only fills.
	m := &mailer{log: slog.New(slog.NewTextHandler(&logged, nil)), queue: make(chan mailJob, 2)}
	for range 3 {
		m.enqueue("u1", Notification{Note: Note{Kind: KindReply}})
	}
	if len(m.queue) != 2 || strings.Count(logged.String(), "mail queue full") != 1 {
		t.Fatalf("queued %d; log: %s", len(m.queue), logged.String())
	}
}

func TestSendAfterCloseStillStores(t *testing.T) {
	f := newFixture(t)
	srv, _ := startSMTP(t, smtpOptions{})
	s := f.service(Config{SMTPURL: "smtp://" + srv.addr() + "?from=plenary@example.org"})
	s.Close()
	s.Close()
	if err := s.Send(context.Background(), f.ids()[:1], note("late")); err != nil {
		t.Fatal(err)
	}
	if items, _, _ := s.List(context.Background(), f.users[0], 0); len(items) != 1 {
		t.Fatal("not stored")
	}
}

func TestSMTPURLs(t *testing.T) {
	for _, ok := range []string{
		"smtp://mail.example.org?from=plenary@example.org",
		"smtp://user:p%40ss@mail.example.org:587?from=plenary@example.org",
		"smtps://user:pass@mail.example.org?from=Plenary%20%3Cplenary@example.org%3E",
		"smtp://127.0.0.1:2525/?from=plenary@example.org",
	} {
		if err := CheckSMTPURL(ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	sc, _ := parseSMTPURL("smtps://user:p%40ss@mail.example.org?from=plenary@example.org")
	if sc.addr != "mail.example.org:465" || sc.user != "user" || sc.pass != "p@ss" || !sc.implicitTLS || sc.from.Address != "plenary@example.org" {
		t.Errorf("parsed %+v", sc)
	}
	if sc, _ := parseSMTPURL("smtp://mail.example.org?from=a@example.org"); sc.addr != "mail.example.org:25" || sc.auth {
		t.Errorf("parsed %+v", sc)
	}
	for _, bad := range []string{
		"mail.example.org",
		"http://mail.example.org?from=plenary@example.org",
		"smtp://?from=plenary@example.org",
		"smtp://mail.example.org",                                    // no sender
		"smtp://mail.example.org?from=not-an-address",                // bad sender
		"smtp://mail.example.org:99999?from=plenary@example.org",     // port
		"smtp://mail.example.org/path?from=plenary@example.org",      // path
		"smtp://mail.example.org?from=plenary@example.org&tls=maybe", // unknown parameter
		"smtp://user:secretpw@mail.example.org:x?from=plenary@example.org",
		"smtp://user:secretpw@mail.example.org?from=a@example.org&from=b@example.org",
	} {
		err := CheckSMTPURL(bad)
		if err == nil {
			t.Errorf("%s: accepted", bad)
		} else if strings.Contains(err.Error(), "secretpw") {
			t.Errorf("%s: the error shows the password: %v", bad, err)
		}
	}
	f := newFixture(t)
	if _, err := New(f.st, f.acc, Config{SMTPURL: "smtp://user:secretpw@mail.example.org:x"}); err == nil || strings.Contains(err.Error(), "secretpw") {
		t.Errorf("New with a bad URL: %v", err)
	}
	if _, err := New(f.st, f.acc, Config{SMTPURL: "smtp://mail.example.org"}); err == nil {
		t.Error("New without a sender: no error")
	}
	s, err := New(f.st, f.acc, Config{SMTPURL: "smtp://mail.example.org", From: "plenary@example.org"})
	if err != nil {
		t.Fatalf("New with Config.From: %v", err)
	}
	s.Close()
}
