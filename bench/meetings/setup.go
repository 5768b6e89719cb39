package main

import (
	"context"
	"encoding/json"
	"fmt"

	"plenary/bench/internal/loopback"
)

// api talks to the server's HTTP API on loopback (set-up and the live changes).
type api struct{ *loopback.API }

func newAPI(addr string) *api { return &api{loopback.NewAPI(addr, 32)} }

// call sends a JSON request and decodes the answer into out; a status other than want is an error.
func (a *api) call(method, path, token, requestID string, body, out any, want int) error {
	return a.Call(method, path, token, requestID, body, out, want)
}

// user is a benchmark account with an access token (valid 10 minutes, longer than a run).
type user struct {
	id, token string
}

type signedIn struct {
	AccessToken string `json:"access_token"`
	User        struct {
		ID string `json:"id"`
	} `json:"user"`
}

func signIn(a *api, email, password string) (*user, error) {
	var out signedIn
	if err := a.call("POST", "/api/auth/login", "", "", map[string]string{"email": email, "password": password}, &out, 200); err != nil {
		return nil, err
	}
	return &user{id: out.User.ID, token: out.AccessToken}, nil
}

// createAccounts invites n people and accepts the invitations (each accept hashes a password with
// argon2id; the server runs a few at a time).
func createAccounts(ctx context.Context, a *api, admin *user, n int) ([]*user, error) {
	users := make([]*user, n)
	err := parallel(ctx, n, 4, func(i int) error {
		email := fmt.Sprintf("viewer%04d@bench.example.org", i)
		var inv struct {
			Token string `json:"token"`
		}
		if err := a.call("POST", "/api/invitations", admin.token, "", map[string]string{"email": email}, &inv, 201); err != nil {
			return err
		}
		var out signedIn
		if err := a.call("POST", "/api/invitations/accept", "", "", map[string]string{"token": inv.Token,
			"name":     fmt.Sprintf("%s %s %d", firstNames[i%len(firstNames)], lastNames[i/len(firstNames)%len(lastNames)], i),
			"password": fmt.Sprintf("bench-password-%04d", i)}, &out, 200); err != nil {
			return err
		}
		users[i] = &user{id: out.User.ID, token: out.AccessToken}
		return nil
	})
	return users, err
}

// meetingView is the part of GET /api/meetings/{id} the benchmark reads.
type meetingView struct {
	ID      string `json:"id"`
	Version int64  `json:"version"`
	LiveSeq int64  `json:"live_seq"`
	Room    string `json:"room"`
	Shown   string `json:"agenda_shown"`
	Agenda  *struct {
		Sessions []struct {
			ID    string `json:"id"`
			Items []struct {
				ID string `json:"id"`
			} `json:"items"`
		} `json:"sessions"`
	} `json:"agenda"`
	Participants []json.RawMessage `json:"participants"`
}

type person struct {
	Name         string `json:"name"`
	Title        string `json:"title"`
	Organization string `json:"organization"`
}

// buildMeeting creates a five-day meeting visible to its participants, with `sessions` sessions
// (two a day) of `items` items each, every item with two speakers, and publishes the agenda. It
// returns the meeting and the number of requests it took.
func buildMeeting(a *api, admin *user, sessions, items int) (meetingView, int, error) {
	var m meetingView
	requests := 1
	if err := a.call("POST", "/api/meetings", admin.token, "", map[string]any{
		"title":       "Twelfth Plenary Assembly of the Intergovernmental Forum on Sustainable Development",
		"forum":       "Intergovernmental Forum on Sustainable Development",
		"start_date":  "2026-11-23",
		"end_date":    "2026-11-27",
		"time_zone":   "Europe/Zurich",
		"venue":       "Palais des Nations, Room XVII, Geneva",
		"remote_url":  "https://meet.example.org/ifsd-plenary-12",
		"description": "The Assembly reviews the reports of its working groups, holds thematic dialogues and adopts its programme of work.",
		"visibility":  "participants",
	}, &m, 201); err != nil {
		return m, requests, err
	}
	durations := []int{10, 20, 15, 30, 20, 15, 25, 15}
	for s := range sessions {
		day := fmt.Sprintf("2026-11-%02d", 23+(s/2)%5)
		start, end := "09:30", "12:30"
		if s%2 == 1 {
			start, end = "14:30", "17:30"
		}
		theme := themes[s%len(themes)]
		chair := speaker(s*7 + 3)
		if err := a.call("POST", "/api/meetings/"+m.ID+"/sessions", admin.token, "", map[string]any{
			"version": m.Version, "title": fmt.Sprintf("Session %d: %s", s+1, theme),
			"chairs": []person{chair}, "start": day + "T" + start, "end": day + "T" + end,
			"description": fmt.Sprintf("Chaired by %s (%s). The session takes up %s; delegations are invited to register for the general debate by the day before.",
				chair.Name, chair.Organization, theme),
		}, &m, 201); err != nil {
			return m, requests, err
		}
		requests++
		sid := m.Agenda.Sessions[len(m.Agenda.Sessions)-1].ID
		for i := range items {
			n := s*items + i
			if err := a.call("POST", "/api/meetings/"+m.ID+"/sessions/"+sid+"/items", admin.token, "", map[string]any{
				"version":       m.Version,
				"title":         fmt.Sprintf("%s %s", itemKinds[i%len(itemKinds)], subjects[(s*3+i)%len(subjects)]),
				"speakers":      []person{speaker(2 * n), speaker(2*n + 1)},
				"duration":      durations[i%len(durations)],
				"contributions": []string{fmt.Sprintf("IFSD/12/%d/DOC.%d", s+1, i+1)},
				"notes":         "Interpretation in the six official languages. Statements are limited to five minutes per delegation.",
			}, &m, 201); err != nil {
				return m, requests, err
			}
			requests++
		}
	}
	requests++
	err := a.call("POST", "/api/meetings/"+m.ID+"/agenda/publish", admin.token, "",
		map[string]any{"version": m.Version, "note": "Provisional agenda"}, &m, 201)
	return m, requests, err
}

// addParticipants adds every account to the meeting as a participant.
func addParticipants(ctx context.Context, a *api, admin *user, meetingID string, users []*user) error {
	return parallel(ctx, len(users), 4, func(i int) error {
		return a.call("POST", "/api/meetings/"+meetingID+"/participants", admin.token, "",
			map[string]string{"user_id": users[i].id, "role": "participant"}, nil, 201)
	})
}

func speaker(n int) person {
	return person{
		Name:         firstNames[n%len(firstNames)] + " " + lastNames[(n/len(firstNames)+n)%len(lastNames)],
		Title:        jobTitles[n%len(jobTitles)],
		Organization: organizations[(n*5)%len(organizations)],
	}
}

var (
	themes = []string{"Opening of the session and adoption of the agenda", "Reports of the working groups",
		"Financing for sustainable development", "Climate adaptation in coastal and island states", "Digital public infrastructure",
		"Health emergency preparedness", "Migration, mobility and remittances", "Capacity building and technology transfer",
		"Programme of work and budget for 2027–2028", "Adoption of the report and closing of the session"}
	itemKinds = []string{"Introductory statement on", "Presentation of the report on", "Panel discussion:", "Interactive dialogue on",
		"Statements by regional groups on", "Briefing by the secretariat on", "Consideration of the draft decision on", "General debate on"}
	subjects = []string{"debt sustainability in low-income countries", "the mobilization of domestic resources", "early-warning systems for all",
		"loss and damage financing arrangements", "open-source digital identity systems", "cross-border data flows and trust",
		"pandemic prevention and the One Health approach", "resilient supply chains for medical products",
		"labour mobility partnerships", "the cost of sending remittances", "technology transfer to least developed countries",
		"South–South and triangular cooperation", "the mid-term review of the strategic plan", "the working methods of the Forum",
		"the participation of non-governmental stakeholders", "gender equality in delegations and panels"}
	firstNames = []string{"Amina", "Lars", "Mei", "Carlos", "Priya", "Jean-Pierre", "Fatou", "Kenji", "Olga", "Tomás", "Aisha", "Henrik",
		"Nomvula", "Rafael", "Yuki", "Ingrid", "Kwame", "Sofía", "Dmitri", "Leila"}
	lastNames = []string{"Okafor", "Lindqvist", "Lin", "Mendoza", "Raman", "Dubois", "Diallo", "Tanaka", "Ivanova", "Herrera", "Haddad",
		"Nielsen", "Dlamini", "Costa", "Sato", "Berg", "Mensah", "Vargas", "Petrov", "Farahani", "Kowalski", "O'Brien", "Nguyen"}
	jobTitles = []string{"Ambassador and Permanent Representative", "Director, Policy and Programme Division", "Senior Economist",
		"Minister of Environment and Climate Change", "Head of Delegation", "Chief Scientist", "Deputy Director-General",
		"Programme Officer", "Professor of International Law", "Special Rapporteur"}
	organizations = []string{"Permanent Mission of Kenya to the United Nations Office at Geneva", "United Nations Development Programme",
		"World Bank Group", "Ministry of Foreign Affairs of Chile", "Graduate Institute of International and Development Studies",
		"Organisation for Economic Co-operation and Development", "Ministry of Foreign Affairs of Japan", "African Union Commission",
		"International Organization for Migration", "World Health Organization", "Government of Norway", "Asian Development Bank",
		"Pacific Islands Forum Secretariat"}
)

// parallel runs f(0..n-1) on `workers` goroutines (see loopback.Parallel).
func parallel(ctx context.Context, n, workers int, f func(i int) error) error {
	return loopback.Parallel(ctx, n, workers, f)
}
