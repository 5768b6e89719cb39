package server

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
)

// cookiesOf returns the cookies a response sets, by name.
func cookiesOf(resp *http.Response) map[string]*http.Cookie {
	out := map[string]*http.Cookie{}
	for _, c := range resp.Cookies() {
		out[c.Name] = c
	}
	return out
}

func cookieHeader(cs map[string]*http.Cookie) string {
	var parts []string
	for _, c := range cs {
		parts = append(parts, c.Name+"="+c.Value)
	}
	return strings.Join(parts, "; ")
}

func TestSessionCookiesAndCSRF(t *testing.T) {
	f := mustServe(t)
	resp := f.request("POST", "/api/auth/login", `{"email":"member@example.org","password":"`+testPassword+`"}`, "", nil)
	if resp.StatusCode != 200 {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	cs := cookiesOf(resp)
	refresh, csrf, device := cs[cookieRefresh], cs[cookieCSRF], cs[cookieDevice]
	if refresh == nil || csrf == nil || device == nil {
		t.Fatalf("login set cookies %v", cs)
	}
	if !refresh.HttpOnly || refresh.Path != "/api/auth" || refresh.SameSite != http.SameSiteStrictMode || refresh.Secure {
		t.Errorf("refresh cookie attributes: %+v", refresh)
	}
	if csrf.HttpOnly || csrf.Path != "/" {
		t.Errorf("csrf cookie must be readable by the page: %+v", csrf)
	}
	jar := map[string]*http.Cookie{cookieRefresh: refresh, cookieCSRF: csrf}

	f.run(t, []scenario{
		{name: "refresh without CSRF header", method: "POST", url: "/api/auth/refresh", headers: map[string]string{"Cookie": cookieHeader(jar)}, status: 403},
		{name: "refresh with wrong CSRF header", method: "POST", url: "/api/auth/refresh",
			headers: map[string]string{"Cookie": cookieHeader(jar), headerCSRF: "nope"}, status: 403},
		{name: "refresh from a foreign origin", method: "POST", url: "/api/auth/refresh",
			headers: map[string]string{"Cookie": cookieHeader(jar), headerCSRF: csrf.Value, "Origin": "https://evil.example"}, status: 403},
		{name: "refresh without cookie", method: "POST", url: "/api/auth/refresh",
			headers: map[string]string{"Cookie": cookieCSRF + "=" + csrf.Value, headerCSRF: csrf.Value}, status: 401},
	})

	// A good refresh rotates the cookie.
	resp = f.request("POST", "/api/auth/refresh", "", "", map[string]string{"Cookie": cookieHeader(jar), headerCSRF: csrf.Value, "Origin": "http://example.com"})
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"access_token"`) {
		t.Fatalf("refresh: %d %s", resp.StatusCode, body)
	}
	rotated := cookiesOf(resp)
	if rotated[cookieRefresh] == nil || rotated[cookieRefresh].Value == refresh.Value {
		t.Fatalf("refresh did not rotate the cookie: %v", rotated)
	}
	jar2 := map[string]*http.Cookie{cookieRefresh: rotated[cookieRefresh], cookieCSRF: rotated[cookieCSRF]}

	// Logout revokes: the rotated token stops working.
	resp = f.request("POST", "/api/auth/logout", "", "", map[string]string{"Cookie": cookieHeader(jar2), headerCSRF: jar2[cookieCSRF].Value})
	if resp.StatusCode != fiber.StatusNoContent {
		t.Fatalf("logout: %d", resp.StatusCode)
	}
	if c := cookiesOf(resp)[cookieRefresh]; c == nil || c.Value != "" {
		t.Errorf("logout did not clear the refresh cookie: %v", c)
	}
	resp = f.request("POST", "/api/auth/refresh", "", "", map[string]string{"Cookie": cookieHeader(jar2), headerCSRF: jar2[cookieCSRF].Value})
	if resp.StatusCode != 401 {
		t.Fatalf("refresh after logout: %d", resp.StatusCode)
	}
}

func TestSecureCookiesBehindTLS(t *testing.T) {
	f := mustServe(t)
	resp := f.request("POST", "/api/auth/login", `{"email":"member@example.org","password":"`+testPassword+`"}`, "",
		map[string]string{"X-Forwarded-Proto": "https"})
	for name, c := range cookiesOf(resp) {
		if !c.Secure {
			t.Errorf("cookie %s is not Secure over TLS", name)
		}
	}
}

func TestInvitationFlow(t *testing.T) {
	f := mustServe(t)
	var inv struct {
		ID, Email, Link, Token, Status string
	}
	f.do("POST", "/api/invitations", `{"email":"New.Person@Example.org","group_id":"`+f.private+`","group_role":"observer"}`, f.tokens["secretariat"], 201, &inv)
	if inv.Email != "new.person@example.org" || inv.Status != "pending" || inv.Link != "/invite#"+inv.Token || inv.Token == "" {
		t.Fatalf("invitation: %+v", inv)
	}
	f.run(t, []scenario{
		{name: "members cannot invite", method: "POST", url: "/api/invitations", actor: "chair", body: `{"email":"x@example.org"}`, status: 403},
		{name: "members cannot list invitations", method: "GET", url: "/api/invitations", actor: "member", status: 403},
		{name: "anonymous cannot list invitations", method: "GET", url: "/api/invitations", status: 401},
		{name: "existing account", method: "POST", url: "/api/invitations", actor: "secretariat", body: `{"email":"member@example.org"}`, status: 409},
		{name: "unknown group", method: "POST", url: "/api/invitations", actor: "secretariat", body: `{"email":"y@example.org","group_id":"nope"}`, status: 404},
		{name: "lookup", method: "POST", url: "/api/invitations/lookup", body: `{"token":"` + inv.Token + `"}`, status: 200, want: []string{`"email":"new.person@example.org"`}},
		{name: "lookup tampered", method: "POST", url: "/api/invitations/lookup", body: `{"token":"` + inv.Token + `x"}`, status: 404},
		{name: "accept short password", method: "POST", url: "/api/invitations/accept", body: `{"token":"` + inv.Token + `","name":"New Person","password":"short"}`, status: 400,
			want: []string{"password: must be 8 to 1024 characters"}},
		{name: "accept", method: "POST", url: "/api/invitations/accept", body: `{"token":"` + inv.Token + `","name":"New Person","password":"a long password"}`, status: 200,
			want: []string{`"access_token"`, `"name":"New Person"`, `"role":"user"`}},
		{name: "accept twice", method: "POST", url: "/api/invitations/accept", body: `{"token":"` + inv.Token + `","name":"Again","password":"a long password"}`, status: 404},
		{name: "listed as accepted", method: "GET", url: "/api/invitations", actor: "secretariat", status: 200, want: []string{`"status":"accepted"`}, notWant: []string{"secret", inv.Token}},
	})
	var sess sessionResponse
	f.do("POST", "/api/auth/login", `{"email":"new.person@example.org","password":"a long password"}`, "", 200, &sess)
	body := f.do("GET", "/api/groups", "", sess.AccessToken, 200, nil)
	if !strings.Contains(body, f.private) || !strings.Contains(body, `"my_role":"observer"`) {
		t.Fatalf("the invitee does not see the private group as observer: %s", body)
	}

	// Revoked invitations stop working.
	f.do("POST", "/api/invitations", `{"email":"later@example.org"}`, f.tokens["secretariat"], 201, &inv)
	f.do("DELETE", "/api/invitations/"+inv.ID, "", f.tokens["secretariat"], 204, nil)
	f.do("POST", "/api/invitations/lookup", `{"token":"`+inv.Token+`"}`, "", 404, nil)
	f.do("DELETE", "/api/invitations/"+inv.ID, "", f.tokens["secretariat"], 409, nil)
}

func TestPanicsNeverReachTheClient(t *testing.T) {
	f := mustServe(t)
	app := fiber.New(fiber.Config{ErrorHandler: f.srv.handleError})
	app.Use(f.srv.requestIDAndLog, f.srv.recoverPanics)
	app.Get("/boom", func(*fiber.Ctx) error { panic("secret internal detail") })
	resp, err := app.Test(httptestRequest("GET", "/boom"), -1)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 500 || string(body) != `{"error":{"code":"internal","message":"internal error"}}` {
		t.Fatalf("panic answer: %d %s", resp.StatusCode, body)
	}
}
