// Package notify keeps each person's in-app notifications and, when an SMTP server is configured,
// mails them too.
//
// Storage follows STORAGE.md: one inbox document per person, _id = the user id, holding the newest
// notifications up to a bound. Sending is a point read and a replace per recipient; listing is one
// point read. Changes of one inbox are serialized in this process by a per-user lock; on MongoDB a
// version in the filter also keeps several processes from overwriting each other.
package notify

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"plenary/accounts"
	"plenary/check"
	"plenary/errs"
	"plenary/id"
	"plenary/store"
)

// Kinds of notification.
const (
	KindRoundOpened  = "round_opened"
	KindDeadlineSoon = "deadline_soon"
	KindReply        = "reply"
	KindMention      = "mention"
	KindDisposition  = "disposition"
	KindFinal        = "final"
)

var kinds = []string{KindRoundOpened, KindDeadlineSoon, KindReply, KindMention, KindDisposition, KindFinal}

// Bounds of a Note.
const (
	MaxTitle = 300
	MaxBody  = 2000
	MaxLink  = 1000
)

const (
	colNotifications = "notifications"
	defaultPerUser   = 200
	defaultListLimit = 50
	maxRetries       = 8
)

// Collections returns the collections this package uses, for store.Open.
func Collections() []store.Collection {
	return []store.Collection{{Name: colNotifications}}
}

// Note is what a sender says: the same for every recipient.
type Note struct {
	Kind string `json:"kind" bson:"kind"`
	// Title is one line of plain text, e.g. `Comments invited on "Chairman's Report" v1.0 until …`.
	Title string `json:"title" bson:"title"`
	// Body is optional plain text; line breaks are kept.
	Body string `json:"body" bson:"body,omitempty"`
	// Link is a path in the app, such as "/reports/<id>?tab=review".
	Link string `json:"link" bson:"link"`
	// ReportID is set when the notification is about a report.
	ReportID string `json:"report_id,omitempty" bson:"report_id,omitempty"`
}

// Notification is a Note as one person received it.
type Notification struct {
	ID   string `json:"id" bson:"id"`
	Note `bson:",inline"`
	At   time.Time `json:"at" bson:"at"`
	Read bool      `json:"read" bson:"read"`
}

// inboxDoc is one person's notifications, newest first.
type inboxDoc struct {
	UserID  string         `bson:"_id"`
	Version int64          `bson:"version"`
	Items   []Notification `bson:"items"`
}

func (d *inboxDoc) unread() int {
	n := 0
	for _, it := range d.Items {
		if !it.Read {
			n++
		}
	}
	return n
}

// Config tunes the service. Zero values are sensible defaults.
type Config struct {
	// SMTPURL is PLENARY_SMTP_URL: smtp://user:pass@host:port?from=plenary@example.org, or
	// smtps:// for implicit TLS. Empty means no e-mail.
	SMTPURL string
	// From overrides the URL's from parameter.
	From string
	// BaseURL (e.g. https://plenary.example.org) makes the links in mails absolute; empty leaves
	// them as paths.
	BaseURL string
	// MaxPerUser bounds one person's inbox; older notifications drop out. Zero means 200.
	MaxPerUser int
	// QueueSize bounds the mails waiting to be sent. Zero means 1000.
	QueueSize int
	// Logger receives mail failures. Nil means slog.Default().
	Logger *slog.Logger
	// Now is the clock. Nil means time.Now.
	Now func() time.Time

	// tlsConfig, when set, replaces the TLS settings of SMTP connections (tests trust their own
	// certificate authority).
	tlsConfig *tls.Config
	// flushWait bounds how long Close waits for queued mails. Zero means 10 s.
	flushWait time.Duration
}

// Service stores and delivers notifications.
type Service struct {
	cfg      Config
	acc      *accounts.Service
	inboxes  *mongo.Collection
	embedded bool
	locks    userLocks
	mail     *mailer // nil without SMTP

	hookMu    sync.RWMutex
	delivered func(userID string, n Notification, unread int)
}

// New returns a Service over st, whose collections must include Collections(). It fails for a
// malformed SMTP URL, and starts the mail sender when there is one; Close stops it.
func New(st *store.Store, acc *accounts.Service, cfg Config) (*Service, error) {
	if cfg.MaxPerUser <= 0 {
		cfg.MaxPerUser = defaultPerUser
	}
	if cfg.QueueSize <= 0 {
		cfg.QueueSize = 1000
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.flushWait <= 0 {
		cfg.flushWait = 10 * time.Second
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	s := &Service{
		cfg: cfg, acc: acc,
		inboxes:  st.Collection(colNotifications),
		embedded: st.Kind() == store.KindEmbedded,
	}
	if cfg.SMTPURL != "" {
		sc, err := parseSMTPURL(cfg.SMTPURL)
		if err != nil {
			return nil, fmt.Errorf("smtp: %w", err)
		}
		if cfg.From != "" {
			if sc.from, err = parseFrom(cfg.From); err != nil {
				return nil, fmt.Errorf("smtp: %w", err)
			}
		}
		if sc.from == nil {
			return nil, errors.New("smtp: no sender address: add ?from=plenary@example.org")
		}
		sc.tlsConfig = cfg.tlsConfig
		s.mail = startMailer(sc, acc, cfg.QueueSize, cfg.BaseURL, cfg.Logger)
	}
	return s, nil
}

// OnDelivered sets the function told of every stored notification, with the recipient's unread
// count after it. It is called under the recipient's inbox lock, so calls for one person come in
// order; it must not block (the server only queues a websocket frame).
func (s *Service) OnDelivered(f func(userID string, n Notification, unread int)) {
	s.hookMu.Lock()
	s.delivered = f
	s.hookMu.Unlock()
}

// Close stops the mail sender, giving the queued mails a few seconds to go out.
func (s *Service) Close() {
	if s.mail != nil {
		s.mail.close(s.cfg.flushWait)
	}
}

// validate checks a Note and returns it normalized.
func validate(n Note) (Note, error) {
	if err := check.OneOf("kind", n.Kind, kinds...); err != nil {
		return Note{}, err
	}
	// A title is one line; a line break that slipped in from a document title becomes a space
	// rather than failing the whole fan-out (and can never reach a mail header).
	title := strings.Join(strings.FieldsFunc(n.Title, func(r rune) bool { return r == '\r' || r == '\n' || r == '\t' }), " ")
	var err error
	if n.Title, err = check.Text("title", title, 1, MaxTitle, false); err != nil {
		return Note{}, err
	}
	body := strings.ReplaceAll(strings.ReplaceAll(n.Body, "\r\n", "\n"), "\r", "\n")
	if n.Body, err = check.Text("body", body, 0, MaxBody, true); err != nil {
		return Note{}, err
	}
	// Only paths within the app: "//host" and "/\host" are other sites to a browser.
	if !strings.HasPrefix(n.Link, "/") || strings.HasPrefix(n.Link, "//") || strings.HasPrefix(n.Link, "/\\") ||
		len(n.Link) > MaxLink || strings.ContainsFunc(n.Link, func(r rune) bool { return r <= ' ' || r == 0x7f || r == '\\' }) {
		return Note{}, errs.Errorf(errs.Invalid, "link: must be a path in the app such as /reports/<id>")
	}
	if n.ReportID != "" {
		if err := check.ID("report_id", n.ReportID); err != nil {
			return Note{}, err
		}
	}
	return n, nil
}

// Send stores n in the inbox of each of userIDs (duplicates and empty ids skipped), tells the
// OnDelivered hook, and queues a mail to each when e-mail is configured. A failure for one
// recipient does not stop the others; the errors are returned together.
func (s *Service) Send(ctx context.Context, userIDs []string, n Note) error {
	n, err := validate(n)
	if err != nil {
		return err
	}
	seen := make(map[string]bool, len(userIDs))
	var failed []error
	for _, uid := range userIDs {
		if uid == "" || seen[uid] {
			continue
		}
		seen[uid] = true
		if err := check.ID("user id", uid); err != nil {
			failed = append(failed, err)
			continue
		}
		item := Notification{ID: id.New(), Note: n, At: s.cfg.Now().UTC().Truncate(time.Millisecond)}
		err := s.modify(ctx, uid, func(d *inboxDoc) bool {
			d.Items = append([]Notification{item}, d.Items...)
			if len(d.Items) > s.cfg.MaxPerUser {
				d.Items = d.Items[:s.cfg.MaxPerUser]
			}
			return true
		}, func(d *inboxDoc) {
			s.hookMu.RLock()
			f := s.delivered
			s.hookMu.RUnlock()
			if f != nil {
				f(uid, item, d.unread())
			}
		})
		if err != nil {
			failed = append(failed, fmt.Errorf("notify %s: %w", uid, err))
			continue
		}
		if s.mail != nil {
			s.mail.enqueue(uid, item)
		}
	}
	return errors.Join(failed...)
}

// List returns actor's newest notifications, at most limit (0 means 50), and how many of all
// are unread.
func (s *Service) List(ctx context.Context, actor accounts.User, limit int) ([]Notification, int, error) {
	if actor.ID == "" {
		return nil, 0, errs.Errorf(errs.Unauthorized, "sign in first")
	}
	if limit <= 0 {
		limit = defaultListLimit
	}
	d, err := s.load(ctx, actor.ID)
	if err != nil {
		return nil, 0, err
	}
	items := d.Items[:min(limit, len(d.Items))]
	if items == nil {
		items = []Notification{}
	}
	return items, d.unread(), nil
}

// MarkRead marks the given notifications of actor read (all of them when ids is empty; unknown
// ids are ignored) and returns the unread count after.
func (s *Service) MarkRead(ctx context.Context, actor accounts.User, ids []string) (int, error) {
	if actor.ID == "" {
		return 0, errs.Errorf(errs.Unauthorized, "sign in first")
	}
	if len(ids) > s.cfg.MaxPerUser {
		return 0, errs.Errorf(errs.Invalid, "ids: at most %d", s.cfg.MaxPerUser)
	}
	want := make(map[string]bool, len(ids))
	for _, v := range ids {
		if err := check.ID("ids", v); err != nil {
			return 0, err
		}
		want[v] = true
	}
	unread := 0
	err := s.modify(ctx, actor.ID, func(d *inboxDoc) bool {
		changed := false
		for i := range d.Items {
			if !d.Items[i].Read && (len(want) == 0 || want[d.Items[i].ID]) {
				d.Items[i].Read = true
				changed = true
			}
		}
		unread = d.unread()
		return changed
	}, nil)
	return unread, err
}

// load reads an inbox; a person who never received anything has an empty one.
func (s *Service) load(ctx context.Context, userID string) (*inboxDoc, error) {
	d, err := store.FindByID[inboxDoc](ctx, s.inboxes, userID, errNoInbox)
	if errors.Is(err, errNoInbox) {
		return &inboxDoc{UserID: userID}, nil
	}
	return d, err
}

var errNoInbox = errors.New("no inbox")

// modify applies change to userID's inbox under its lock and writes it back when change reports a
// change, then calls after (still under the lock) with what was written.
func (s *Service) modify(ctx context.Context, userID string, change func(*inboxDoc) bool, after func(*inboxDoc)) error {
	unlock := s.locks.lock(userID)
	defer unlock()
	for range maxRetries {
		d, err := s.load(ctx, userID)
		if err != nil {
			return err
		}
		if !change(d) {
			return nil
		}
		base := d.Version
		d.Version++
		if base == 0 {
			// A first notification: the insert's duplicate-key error tells of a concurrent one.
			if _, err := s.inboxes.InsertOne(ctx, d); err != nil {
				if store.IsDuplicateKey(err) {
					continue
				}
				return fmt.Errorf("store inbox: %w", err)
			}
		} else {
			// On MongoDB the version in the filter keeps other processes' changes; the embedded
			// store runs in one process, where the lock suffices, and answers only {_id} from an
			// index.
			filter := bson.D{{Key: "_id", Value: userID}}
			if !s.embedded {
				filter = append(filter, bson.E{Key: "version", Value: base})
			}
			res, err := s.inboxes.ReplaceOne(ctx, filter, d)
			if err != nil {
				return fmt.Errorf("store inbox: %w", err)
			}
			if res.MatchedCount == 0 {
				continue
			}
		}
		if after != nil {
			after(d)
		}
		return nil
	}
	return errs.Errorf(errs.Conflict, "the notifications are being changed elsewhere; try again")
}

// userLocks is a mutex per user, made on demand and dropped when nobody holds or waits for it.
type userLocks struct {
	mu sync.Mutex
	m  map[string]*userLock
}

type userLock struct {
	sync.Mutex
	users int
}

func (l *userLocks) lock(userID string) (unlock func()) {
	l.mu.Lock()
	if l.m == nil {
		l.m = map[string]*userLock{}
	}
	ul := l.m[userID]
	if ul == nil {
		ul = &userLock{}
		l.m[userID] = ul
	}
	ul.users++
	l.mu.Unlock()
	ul.Lock()
	return func() {
		ul.Unlock()
		l.mu.Lock()
		if ul.users--; ul.users == 0 {
			delete(l.m, userID)
		}
		l.mu.Unlock()
	}
}
