package rooms

import (
	"context"
	"strings"

	"plenary/accounts"
	"plenary/errs"
)

var errNoRoom = errs.Errorf(errs.NotFound, "room not found")

// RoomAccess decides who may read, post in and moderate a room, and names its members (for
// mentions). Group rooms take it from their group; other kinds of rooms (a meeting's) register a
// loader with RegisterRoomKind. Implementations are immutable snapshots: a change is a new value
// handed to AccessChanged.
type RoomAccess interface {
	CanRead(u accounts.User) bool
	CanPost(u accounts.User) bool
	CanModerate(u accounts.User) bool
	Members() map[string]string
}

// RoomLoader returns the access rules of the room "<kind>:<id>"; errs.NotFound for an unknown id.
type RoomLoader func(ctx context.Context, id string) (RoomAccess, error)

// groupAccess gives a group's rules to its room: members read (everyone signed in for a public
// group), chairs and members post, chairs and the secretariat moderate.
type groupAccess struct{ g *groupDoc }

func (a groupAccess) CanRead(u accounts.User) bool { return a.g.canSee(u) }

func (a groupAccess) CanPost(u accounts.User) bool {
	if u.IsSecretariat() {
		return true
	}
	role := a.g.roleOf(u.ID)
	return role == RoleChair || role == RoleMember
}

func (a groupAccess) CanModerate(u accounts.User) bool {
	return u.IsSecretariat() || a.g.roleOf(u.ID) == RoleChair
}

func (a groupAccess) Members() map[string]string {
	out := make(map[string]string, len(a.g.Members))
	for _, m := range a.g.Members {
		out[m.UserID] = m.Name
	}
	return out
}

// RegisterRoomKind makes rooms named "<kind>:<id>" available, their access given by load. Call it
// before serving; "group" is built in.
func (d *Discussion) RegisterRoomKind(kind string, load RoomLoader) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.kinds[kind] = load
}

// loadAccess finds the rules of a room by its name.
func (d *Discussion) loadAccess(ctx context.Context, name string) (RoomAccess, error) {
	kind, id, ok := strings.Cut(name, ":")
	if !ok || id == "" || len(name) > 80 {
		return nil, errNoRoom
	}
	if kind == "group" {
		g, err := d.svc.rawGroup(ctx, id)
		if err != nil {
			return nil, err
		}
		return groupAccess{g}, nil
	}
	d.mu.Lock()
	load := d.kinds[kind]
	d.mu.Unlock()
	if load == nil {
		return nil, errNoRoom
	}
	return load(ctx, id)
}

// AccessChanged gives an active room its new rules: subscribers who may no longer read are cut off
// at once. Inactive rooms load the rules when they are next used.
func (d *Discussion) AccessChanged(name string, a RoomAccess) {
	if r := d.activeRoom(name); r != nil {
		r.setAccess(a)
	}
}

// Announce sends an envelope that is not part of the room's history (a meeting's live state) to
// every subscriber of an active room, encoded once. Subscribers catching up get it after their
// replay.
func (d *Discussion) Announce(name string, envelope any) {
	r := d.activeRoom(name)
	if r == nil {
		return
	}
	frame := encode(envelope)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.broadcastLocked(frame, "")
}

func (d *Discussion) activeRoom(name string) *room {
	d.mu.Lock()
	r := d.rooms[name]
	d.mu.Unlock()
	if r == nil {
		return nil
	}
	select {
	case <-r.ready:
	default:
		return nil
	}
	if r.loadErr != nil {
		return nil
	}
	return r
}
