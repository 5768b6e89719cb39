// Package demo fills an empty platform with the structure that came out of the first WSIS Action
// Line C5 facilitation meeting (Geneva, 15–16 May 2006): the three focus areas proposed at its
// close, a working group for each, and demo accounts for the secretariat, a chair, a member and
// an observer. The demo people are fictional; the themes are those of the meeting.
package demo

import (
	"context"
	"fmt"

	"plenary/accounts"
	"plenary/meetings"
	"plenary/rooms"
)

// Password is the password of every demo account. Demo mode is for trying Plenary out, never for
// a real deployment.
const Password = "plenary-demo"

// Account is a demo account to print at start-up.
type Account struct {
	Email, Name, Role, Note string
}

type person struct {
	email, name, role, note string
}

var people = []person{
	{"secretariat@example.org", "Sofia Lindqvist", accounts.RoleSecretariat, "secretariat: runs the platform"},
	{"chair@example.org", "Amina Haddad", accounts.RoleUser, "chair of the three groups and of the 2006 meeting"},
	{"member@example.org", "Lucas Moreau", accounts.RoleUser, "member of two groups"},
	{"observer@example.org", "Mei Lin", accounts.RoleUser, "observer in one group"},
}

type area struct {
	name, description string
	group             string
	groupDescription  string
	visibility        string
	members           map[string]string // e-mail → role
}

// The three focus areas proposed at the close of the 2006 meeting, in our own words.
var areas = []area{
	{
		name: "National strategies and good practice",
		description: "How national policy-makers approach cybersecurity and the protection of critical information " +
			"infrastructure: sharing national approaches, good practices and guidelines.",
		group: "Model national framework",
		groupDescription: "Compares national approaches to find their common elements and works towards a generic " +
			"framework or toolkit that a country can use to set up its own cybersecurity and CIIP programme.",
		visibility: rooms.Public,
		members: map[string]string{
			"chair@example.org": rooms.RoleChair, "member@example.org": rooms.RoleMember, "observer@example.org": rooms.RoleObserver,
		},
	},
	{
		name: "Legal measures and cybercrime",
		description: "Harmonizing national legal approaches and coordinating internationally against cybercrime, " +
			"including the Council of Europe Convention on Cybercrime.",
		group: "Cybercrime legislation capacity building",
		groupDescription: "Helps countries build capacity to harmonize cybercrime legislation and enforcement, and to " +
			"ratify, accede to and implement the principles of the Convention on Cybercrime.",
		visibility: rooms.Public,
		members:    map[string]string{"chair@example.org": rooms.RoleChair, "member@example.org": rooms.RoleMember},
	},
	{
		name:        "Watch, warning and incident response",
		description: "Building national capabilities to watch for, warn of and respond to computer security incidents.",
		group:       "Watch, warning and incident response",
		groupDescription: "Shares experience and best practice in setting up national watch, warning and incident " +
			"response capabilities, such as national computer emergency response teams.",
		visibility: rooms.Private,
		members:    map[string]string{"chair@example.org": rooms.RoleChair},
	},
}

// Load creates the demo accounts, focus areas and groups, and the 2006 meeting with its agenda
// published. Call it only on an empty store.
func Load(ctx context.Context, acc *accounts.Service, rs *rooms.Service, ms *meetings.Service) ([]Account, error) {
	users := map[string]accounts.User{}
	var out []Account
	for _, p := range people {
		u, err := acc.CreateUser(ctx, accounts.NewUser{Email: p.email, Name: p.name, Password: Password, Role: p.role})
		if err != nil {
			return nil, fmt.Errorf("demo account %s: %w", p.email, err)
		}
		users[p.email] = u
		out = append(out, Account{Email: p.email, Name: p.name, Role: p.role, Note: p.note})
	}
	secretariat := users[people[0].email]
	var groupIDs []string
	for _, a := range areas {
		name, desc := a.name, a.description
		f, err := rs.CreateFocusArea(ctx, secretariat, rooms.FocusAreaInput{Name: &name, Description: &desc})
		if err != nil {
			return nil, fmt.Errorf("demo focus area %q: %w", a.name, err)
		}
		gname, gdesc, vis := a.group, a.groupDescription, a.visibility
		g, err := rs.CreateGroup(ctx, secretariat, rooms.GroupInput{Name: &gname, FocusArea: &f.ID, Description: &gdesc, Visibility: &vis})
		if err != nil {
			return nil, fmt.Errorf("demo group %q: %w", a.group, err)
		}
		groupIDs = append(groupIDs, g.ID)
		for _, p := range people {
			role, ok := a.members[p.email]
			if !ok {
				continue
			}
			if _, err := rs.AddMember(ctx, secretariat, g.ID, rooms.MemberInput{UserID: users[p.email].ID, Role: role}); err != nil {
				return nil, fmt.Errorf("demo member %s of %q: %w", p.email, a.group, err)
			}
		}
	}
	if err := loadMeeting(ctx, ms, secretariat, users, groupIDs); err != nil {
		return nil, err
	}
	return out, nil
}

// loadMeeting creates the 2006 meeting, organized by the demo groups, with the demo people taking
// part, and publishes its agenda as version 1.
func loadMeeting(ctx context.Context, ms *meetings.Service, secretariat accounts.User, users map[string]accounts.User, groupIDs []string) error {
	in, agenda := meeting2006()
	in.Groups = &groupIDs
	m, err := ms.CreateWithAgenda(ctx, secretariat, in, agenda)
	if err != nil {
		return fmt.Errorf("demo meeting: %w", err)
	}
	for email, role := range meetingRoles {
		if m, err = ms.AddParticipant(ctx, secretariat, m.ID, meetings.ParticipantInput{UserID: users[email].ID, Role: role}); err != nil {
			return fmt.Errorf("demo participant %s: %w", email, err)
		}
	}
	if m, err = ms.Publish(ctx, secretariat, m.ID, m.Version, "The agenda as the meeting took place."); err != nil {
		return fmt.Errorf("demo agenda: %w", err)
	}
	if _, err = ms.Update(ctx, secretariat, m.ID, m.Version, meetings.MeetingInput{Status: ptr(meetings.StatusClosed)}); err != nil {
		return fmt.Errorf("demo meeting status: %w", err)
	}
	return nil
}

// meetingRoles: the demo chair chairs the meeting (sees drafts, runs it live), the member and the
// observer take part.
var meetingRoles = map[string]string{
	"chair@example.org":    meetings.RoleChair,
	"member@example.org":   meetings.RoleParticipant,
	"observer@example.org": meetings.RoleObserver,
}
