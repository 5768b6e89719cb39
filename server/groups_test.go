package server

import (
	"strings"
	"testing"
)

var actors = []string{"secretariat", "chair", "member", "observer", "outsider", "anonymous"}

// TestGroupReadMatrix checks who may see what, for a public and a private group.
func TestGroupReadMatrix(t *testing.T) {
	f := mustServe(t)
	type op struct {
		name, method, url string
		status            map[string]int
	}
	ops := []op{
		{"get private", "GET", "/api/groups/" + f.private, map[string]int{"secretariat": 200, "chair": 200, "member": 200, "observer": 200, "outsider": 404, "anonymous": 401}},
		{"get public", "GET", "/api/groups/" + f.public, map[string]int{"secretariat": 200, "chair": 200, "member": 200, "observer": 200, "outsider": 200, "anonymous": 401}},
		{"list groups", "GET", "/api/groups", map[string]int{"secretariat": 200, "chair": 200, "member": 200, "observer": 200, "outsider": 200, "anonymous": 401}},
		{"list focus areas", "GET", "/api/focus-areas", map[string]int{"secretariat": 200, "chair": 200, "member": 200, "observer": 200, "outsider": 200, "anonymous": 401}},
		{"list users", "GET", "/api/users", map[string]int{"secretariat": 200, "chair": 403, "member": 403, "observer": 403, "outsider": 403, "anonymous": 401}},
		{"unknown group", "GET", "/api/groups/doesnotexist", map[string]int{"secretariat": 404, "chair": 404, "member": 404, "observer": 404, "outsider": 404, "anonymous": 401}},
	}
	var table []scenario
	for _, o := range ops {
		for _, a := range actors {
			sc := scenario{name: o.name + " as " + a, method: o.method, url: o.url, actor: a, status: o.status[a]}
			if a == "anonymous" {
				sc.actor = ""
			}
			if o.name == "list groups" && sc.status == 200 {
				sc.want = []string{f.public}
				if a == "outsider" {
					sc.notWant = []string{f.private, "Group private"}
				} else {
					sc.want = append(sc.want, f.private)
				}
			}
			if o.name == "get private" && sc.status == 404 {
				sc.notWant = []string{"Group private"}
			}
			table = append(table, sc)
		}
	}
	f.run(t, table)
}

// TestGroupWriteMatrix runs every changing operation as every actor on a fresh fixture, so that
// one actor's success does not change what the next one sees.
func TestGroupWriteMatrix(t *testing.T) {
	type op struct {
		name, method, path, body string
		status                   map[string]int
	}
	for _, a := range actors {
		t.Run(a, func(t *testing.T) {
			f := mustServe(t)
			memberID, observerID, outsiderID, self := f.users["member"].ID, f.users["observer"].ID, f.users["outsider"].ID, f.users[a].ID
			other := observerID
			if a == "observer" {
				other = memberID
			}
			if self == "" {
				self = "nobody"
			}
			ops := []op{
				{"create focus area", "POST", "/api/focus-areas", `{"name":"Area by ` + a + `","description":"d"}`,
					map[string]int{"secretariat": 201, "chair": 403, "member": 403, "observer": 403, "outsider": 403, "anonymous": 401}},
				{"rename focus area", "PATCH", "/api/focus-areas/" + f.area, `{"name":"Renamed area"}`,
					map[string]int{"secretariat": 200, "chair": 403, "member": 403, "observer": 403, "outsider": 403, "anonymous": 401}},
				{"create group", "POST", "/api/groups", `{"name":"By ` + a + `","focus_area":"` + f.area + `","description":"","visibility":"private"}`,
					map[string]int{"secretariat": 201, "chair": 403, "member": 403, "observer": 403, "outsider": 403, "anonymous": 401}},
				{"rename private group", "PATCH", "/api/groups/" + f.private, `{"name":"Renamed"}`,
					map[string]int{"secretariat": 200, "chair": 403, "member": 403, "observer": 403, "outsider": 404, "anonymous": 401}},
				{"describe private group", "PATCH", "/api/groups/" + f.private, `{"description":"New words"}`,
					map[string]int{"secretariat": 200, "chair": 200, "member": 403, "observer": 403, "outsider": 404, "anonymous": 401}},
				{"describe public group", "PATCH", "/api/groups/" + f.public, `{"description":"New words"}`,
					map[string]int{"secretariat": 200, "chair": 200, "member": 403, "observer": 403, "outsider": 403, "anonymous": 401}},
				{"change a role", "PATCH", "/api/groups/" + f.private + "/members/" + memberID, `{"role":"observer"}`,
					map[string]int{"secretariat": 200, "chair": 200, "member": 403, "observer": 403, "outsider": 404, "anonymous": 401}},
				{"add a member", "POST", "/api/groups/" + f.private + "/members", `{"user_id":"` + outsiderID + `","role":"member"}`,
					map[string]int{"secretariat": 201, "chair": 201, "member": 403, "observer": 403, "outsider": 404, "anonymous": 401}},
				{"add by email to public", "POST", "/api/groups/" + f.public + "/members", `{"email":"outsider@example.org","role":"observer"}`,
					map[string]int{"secretariat": 201, "chair": 201, "member": 403, "observer": 403, "outsider": 403, "anonymous": 401}},
				{"remove another member", "DELETE", "/api/groups/" + f.private + "/members/" + other, "",
					map[string]int{"secretariat": 200, "chair": 200, "member": 403, "observer": 403, "outsider": 404, "anonymous": 401}},
				{"leave", "DELETE", "/api/groups/" + f.public + "/members/" + self, "",
					map[string]int{"secretariat": 404, "chair": 200, "member": 200, "observer": 200, "outsider": 404, "anonymous": 401}},
			}
			var table []scenario
			for _, o := range ops {
				sc := scenario{name: o.name, method: o.method, url: o.path, body: o.body, actor: a, status: o.status[a]}
				if a == "anonymous" {
					sc.actor = ""
				}
				table = append(table, sc)
			}
			f.run(t, table)
		})
	}
}

// TestMemberEmailsOnlyForManagers checks that member e-mail addresses are shown to those who
// manage the group and to nobody else.
func TestMemberEmailsOnlyForManagers(t *testing.T) {
	f := mustServe(t)
	for _, a := range []string{"secretariat", "chair"} {
		if body := f.do("GET", "/api/groups/"+f.public, "", f.tokens[a], 200, nil); !strings.Contains(body, "member@example.org") || !strings.Contains(body, `"can_manage":true`) {
			t.Errorf("%s does not see member e-mails: %s", a, body)
		}
	}
	for _, a := range []string{"member", "observer", "outsider"} {
		if body := f.do("GET", "/api/groups/"+f.public, "", f.tokens[a], 200, nil); strings.Contains(body, "@example.org") || !strings.Contains(body, `"can_manage":false`) {
			t.Errorf("%s sees member e-mails: %s", a, body)
		}
	}
}
