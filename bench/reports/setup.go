package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"plenary/bench/internal/loopback"
	"plenary/bench/internal/serverproc"
)

// account is a benchmark account. Access tokens live 10 minutes, about as long as a whole run, so
// a refused ticket request signs in again once.
type account struct {
	id, email, password string
	mu                  sync.Mutex
	token               string
}

func signIn(a *loopback.API, email, password string) (*account, error) {
	u := &account{email: email, password: password}
	return u, u.signIn(a)
}

func (u *account) signIn(a *loopback.API) error {
	var out signedIn
	if err := a.Call("POST", "/api/auth/login", "", "", map[string]string{"email": u.email, "password": u.password}, &out, 200); err != nil {
		return err
	}
	u.mu.Lock()
	u.id, u.token = out.User.ID, out.AccessToken
	u.mu.Unlock()
	return nil
}

func (u *account) bearer() string {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.token
}

type signedIn struct {
	AccessToken string `json:"access_token"`
	User        struct {
		ID string `json:"id"`
	} `json:"user"`
}

// ticket asks for a single-use websocket ticket (POST /api/ws-ticket).
func (u *account) ticket(a *loopback.API) (string, error) {
	var t struct {
		Ticket string `json:"ticket"`
	}
	err := a.Call("POST", "/api/ws-ticket", u.bearer(), "", nil, &t, 200)
	if err != nil && strings.Contains(err.Error(), "status 401") {
		if err := u.signIn(a); err != nil {
			return "", err
		}
		err = a.Call("POST", "/api/ws-ticket", u.bearer(), "", nil, &t, 200)
	}
	return t.Ticket, err
}

// world is what the set-up made: the secretariat, a private group, the report S3 edits, and the
// editor accounts created so far.
type world struct {
	api      *loopback.API
	admin    *account
	group    string
	report   string
	editors  []*account
	drafters int // editors [0, drafters) are the report's named drafters; the others chair the group
	setup    time.Duration
}

func setupWorld(a *loopback.API, drafters int) (*world, error) {
	admin, err := signIn(a, serverproc.AdminEmail, serverproc.AdminPassword)
	if err != nil {
		return nil, err
	}
	w := &world{api: a, admin: admin, drafters: drafters}
	var out struct {
		ID string `json:"id"`
	}
	if err := a.Call("POST", "/api/focus-areas", admin.bearer(), "", map[string]string{"name": "Reports benchmark",
		"description": "go run ./bench/reports"}, &out, 201); err != nil {
		return nil, err
	}
	if err := a.Call("POST", "/api/groups", admin.bearer(), "", map[string]string{"name": "Drafting committee",
		"focus_area": out.ID, "description": "The drafters of the Chairman's Report", "visibility": "private"}, &out, 201); err != nil {
		return nil, err
	}
	w.group = out.ID
	w.report, err = w.newReport("Chairman's Report of the Twelfth Plenary Assembly")
	return w, err
}

func (w *world) newReport(title string) (string, error) {
	var r struct {
		ID string `json:"id"`
	}
	err := w.api.Call("POST", "/api/reports", w.admin.bearer(), "", map[string]string{"title": title, "group_id": w.group}, &r, 201)
	return r.ID, err
}

// ensureEditors creates editor accounts up to n (invitations accepted, 4 at a time: each accept
// hashes a password). The first w.drafters become the report's named drafters, who are not
// members of its group; the others join the group as chairs through their invitation.
func (w *world) ensureEditors(ctx context.Context, n int) error {
	from := len(w.editors)
	if n <= from {
		return nil
	}
	t0 := time.Now()
	w.editors = append(w.editors, make([]*account, n-from)...)
	err := loopback.Parallel(ctx, n-from, 4, func(k int) error {
		i := from + k
		body := map[string]string{"email": fmt.Sprintf("editor%04d@bench.example.org", i)}
		if i >= w.drafters {
			body["group_id"], body["group_role"] = w.group, "chair"
		}
		var inv struct {
			Token string `json:"token"`
		}
		if err := w.api.Call("POST", "/api/invitations", w.admin.bearer(), "", body, &inv, 201); err != nil {
			return err
		}
		u := &account{email: body["email"], password: fmt.Sprintf("bench-password-%04d", i)}
		var out signedIn
		if err := w.api.Call("POST", "/api/invitations/accept", "", "", map[string]string{"token": inv.Token,
			"name": fmt.Sprintf("Editor %04d", i), "password": u.password}, &out, 200); err != nil {
			return err
		}
		u.id, u.token = out.User.ID, out.AccessToken
		w.editors[i] = u
		return nil
	})
	if err != nil {
		return err
	}
	if from < w.drafters {
		var ids []string
		for _, u := range w.editors[:min(n, w.drafters)] {
			ids = append(ids, u.id)
		}
		var rep struct {
			Drafters []struct {
				ID string `json:"id"`
			} `json:"drafters"`
		}
		if err := w.api.Call("PUT", "/api/reports/"+w.report+"/drafters", w.admin.bearer(), "", map[string]any{"user_ids": ids}, &rep, 200); err != nil {
			return err
		}
		if len(rep.Drafters) != len(ids) {
			return errors.New("the report does not list the drafters it was given")
		}
	}
	w.setup += time.Since(t0)
	return nil
}
