package main

import (
	"context"
	"fmt"
	"sync"
	"time"

	"plenary/bench/internal/loopback"
	"plenary/bench/internal/serverproc"
)

// api talks to the server's HTTP API on loopback.
type api struct{ *loopback.API }

func newAPI(addr string) *api { return &api{loopback.NewAPI(addr, 64)} }

func (a *api) call(method, path, token string, body, out any, want int) error {
	return a.Call(method, path, token, "", body, out, want)
}

// user is one benchmark account with a bearer token that is renewed before it expires.
type user struct {
	id, email, password string
	mu                  sync.Mutex
	token               string
	tokenAt             time.Time
}

type signedIn struct {
	AccessToken string `json:"access_token"`
	User        struct {
		ID string `json:"id"`
	} `json:"user"`
}

// bearer returns a valid access token (they last 10 minutes; renewed after 8).
func (u *user) bearer(a *api) (string, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.token != "" && time.Since(u.tokenAt) < 8*time.Minute {
		return u.token, nil
	}
	var out signedIn
	if err := a.call("POST", "/api/auth/login", "", map[string]string{"email": u.email, "password": u.password}, &out, 200); err != nil {
		return "", err
	}
	u.token, u.tokenAt = out.AccessToken, time.Now()
	return u.token, nil
}

func (u *user) ticket(a *api) (string, error) {
	tok, err := u.bearer(a)
	if err != nil {
		return "", err
	}
	var out struct {
		Ticket string `json:"ticket"`
	}
	if err := a.call("POST", "/api/ws-ticket", tok, nil, &out, 200); err != nil {
		return "", err
	}
	return out.Ticket, nil
}

// world is what the setup created: the secretariat, the accounts and the focus area.
type world struct {
	api   *api
	admin *user
	users []*user
	area  string
}

// setupWorld signs the secretariat in, creates a focus area and n accounts (invited, then
// accepted: each accept hashes a password, so they run 4 at a time like the server's hasher).
func setupWorld(ctx context.Context, a *api, n int) (*world, error) {
	w := &world{api: a, admin: &user{email: serverproc.AdminEmail, password: serverproc.AdminPassword}}
	tok, err := w.admin.bearer(a)
	if err != nil {
		return nil, err
	}
	var fa struct {
		ID string `json:"id"`
	}
	if err := a.call("POST", "/api/focus-areas", tok, map[string]string{"name": "Bench focus area", "description": "go run ./bench/ws"}, &fa, 201); err != nil {
		return nil, err
	}
	w.area = fa.ID
	tokens := make([]string, n)
	for i := range n {
		var inv struct {
			Token string `json:"token"`
		}
		if err := a.call("POST", "/api/invitations", tok, map[string]string{"email": fmt.Sprintf("user%04d@bench.example.org", i)}, &inv, 201); err != nil {
			return nil, err
		}
		tokens[i] = inv.Token
	}
	w.users = make([]*user, n)
	err = parallel(ctx, n, 4, func(i int) error {
		u := &user{email: fmt.Sprintf("user%04d@bench.example.org", i), password: fmt.Sprintf("bench-password-%04d", i)}
		var out signedIn
		if err := a.call("POST", "/api/invitations/accept", "", map[string]string{"token": tokens[i], "name": fmt.Sprintf("Bench User %04d", i),
			"password": u.password}, &out, 200); err != nil {
			return err
		}
		u.id, u.token, u.tokenAt = out.User.ID, out.AccessToken, time.Now()
		w.users[i] = u
		return nil
	})
	return w, err
}

// group creates a group and adds members (role member), returning its id.
func (w *world) group(ctx context.Context, name, visibility string, members []*user) (string, error) {
	tok, err := w.admin.bearer(w.api)
	if err != nil {
		return "", err
	}
	var g struct {
		ID string `json:"id"`
	}
	if err := w.api.call("POST", "/api/groups", tok, map[string]string{"name": name, "focus_area": w.area, "description": "bench",
		"visibility": visibility}, &g, 201); err != nil {
		return "", err
	}
	for _, m := range members {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		if err := w.api.call("POST", "/api/groups/"+g.ID+"/members", tok, map[string]string{"user_id": m.id, "role": "member"}, nil, 201); err != nil {
			return "", err
		}
	}
	return g.ID, nil
}

// groups creates n groups in parallel (4 at a time), group i with members(i).
func (w *world) groups(ctx context.Context, prefix, visibility string, n int, members func(i int) []*user) ([]string, error) {
	ids := make([]string, n)
	err := parallel(ctx, n, 4, func(i int) error {
		id, err := w.group(ctx, fmt.Sprintf("%s %03d", prefix, i), visibility, members(i))
		ids[i] = id
		return err
	})
	return ids, err
}

// parallel runs f(0..n-1) on `workers` goroutines (see loopback.Parallel).
func parallel(ctx context.Context, n, workers int, f func(i int) error) error {
	return loopback.Parallel(ctx, n, workers, f)
}
