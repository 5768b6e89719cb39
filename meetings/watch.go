package meetings

import (
	"context"
	"encoding/json"
	"sync"

	"plenary/accounts"
	"plenary/errs"
)

// Readers who cannot open the rooms websocket (anonymous readers of a public meeting) follow a
// meeting through a server-sent event stream: the same announcements as the meeting's room, so a
// projector in a conference hall follows the current item as fast as a signed-in participant.

// maxWatchers bounds the open streams of the whole process.
const maxWatchers = 5000

// watchBuffer: announcements are whole states (version, live state), so a slow reader only ever
// needs the newest few; older ones are dropped rather than queued.
const watchBuffer = 4

type watcher struct {
	actor  accounts.User
	ch     chan []byte
	closed bool
}

type watchers struct {
	mu    sync.Mutex
	byID  map[string]map[*watcher]bool
	count int
}

// Watch follows a meeting actor may read (anonymous: a public one). The channel first receives
// the current state, then every announcement, encoded as the room's meeting envelope; it is closed
// when actor may no longer read the meeting. stop ends the watch.
func (s *Service) Watch(ctx context.Context, actor accounts.User, meetingID string) (<-chan []byte, func(), error) {
	m, err := s.loadFor(ctx, actor, meetingID)
	if err != nil {
		return nil, nil, err
	}
	w := &watcher{actor: actor, ch: make(chan []byte, watchBuffer)}
	s.watch.mu.Lock()
	defer s.watch.mu.Unlock()
	if s.watch.count >= maxWatchers {
		return nil, nil, errs.RateLimitedFor(10, "too many open live streams; the page refreshes by itself instead")
	}
	if s.watch.byID == nil {
		s.watch.byID = map[string]map[*watcher]bool{}
	}
	if s.watch.byID[m.ID] == nil {
		s.watch.byID[m.ID] = map[*watcher]bool{}
	}
	s.watch.byID[m.ID][w] = true
	s.watch.count++
	w.ch <- envelopeFor(m, actor)
	stop := func() {
		s.watch.mu.Lock()
		defer s.watch.mu.Unlock()
		s.dropWatcherLocked(m.ID, w)
	}
	return w.ch, stop, nil
}

func (s *Service) dropWatcherLocked(meetingID string, w *watcher) {
	if w.closed {
		return
	}
	w.closed = true
	close(w.ch)
	delete(s.watch.byID[meetingID], w)
	if len(s.watch.byID[meetingID]) == 0 {
		delete(s.watch.byID, meetingID)
	}
	s.watch.count--
}

// notifyWatchers hands a stored change to the meeting's streams; announce calls it under s.mu, so
// announcements reach each stream in order.
func (s *Service) notifyWatchers(m *meetingDoc) {
	s.watch.mu.Lock()
	defer s.watch.mu.Unlock()
	var signedIn, anonymous []byte
	for w := range s.watch.byID[m.ID] {
		if !m.canRead(w.actor) {
			s.dropWatcherLocked(m.ID, w)
			continue
		}
		var b []byte
		if w.actor.ID == "" {
			if anonymous == nil {
				anonymous = envelopeFor(m, w.actor)
			}
			b = anonymous
		} else {
			if signedIn == nil {
				signedIn = envelopeFor(m, w.actor)
			}
			b = signedIn
		}
		select {
		case w.ch <- b:
		default:
			// Full: the oldest state is worth nothing now.
			select {
			case <-w.ch:
			default:
			}
			select {
			case w.ch <- b:
			default:
			}
		}
	}
}

// envelopeFor encodes the meeting envelope as u may see it (anonymous readers are not told who
// runs live mode, as in the meeting's view).
func envelopeFor(m *meetingDoc, u accounts.User) []byte {
	live := m.Live
	if live != nil && u.ID == "" {
		l := *live
		l.By, l.ByName = "", ""
		live = &l
	}
	b, err := json.Marshal(meetingEnvelope{Type: "meeting", Room: RoomName(m.ID), Version: m.Version, LiveSeq: m.LiveSeq, Live: live})
	if err != nil {
		panic(err) // a struct of strings, numbers and times always encodes
	}
	return b
}
