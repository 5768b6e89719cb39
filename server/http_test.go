package server

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func TestBasicScenarios(t *testing.T) {
	f := mustServe(t)
	f.run(t, []scenario{
		{name: "health", method: "GET", url: "/api/health", status: 200, want: []string{`"status":"ok"`, `"store":"embedded"`}},
		{name: "login wrong password", method: "POST", url: "/api/auth/login", body: `{"email":"member@example.org","password":"wrong password"}`, status: 401,
			want: []string{`"code":"unauthorized"`, "wrong e-mail address or password"}, notWant: []string{"access_token"}},
		{name: "login unknown user gets the same answer", method: "POST", url: "/api/auth/login", body: `{"email":"nobody@example.org","password":"wrong password"}`, status: 401,
			want: []string{`{"error":{"code":"unauthorized","message":"wrong e-mail address or password"}}`}},
		{name: "login ok", method: "POST", url: "/api/auth/login", body: `{"email":"MEMBER@example.org","password":"` + testPassword + `"}`, status: 200,
			want: []string{`"access_token":"`, `"token_type":"Bearer"`, `"expires_in":600`, `"email":"member@example.org"`}, notWant: []string{"password_hash"}},
		{name: "me", method: "GET", url: "/api/me", actor: "secretariat", status: 200, want: []string{`"role":"secretariat"`, `"email":"secretariat@example.org"`, `"id":"`}},
		{name: "me anonymous", method: "GET", url: "/api/me", status: 401, want: []string{`"code":"unauthorized"`}},
		{name: "ws ticket", method: "POST", url: "/api/ws-ticket", actor: "member", status: 200, want: []string{`"ticket":"`}},
		{name: "ws ticket anonymous", method: "POST", url: "/api/ws-ticket", status: 401},
		{name: "unknown api path", method: "GET", url: "/api/nope", actor: "member", status: 404, want: []string{`"code":"not_found"`}},
		{name: "spa fallback", method: "GET", url: "/groups/abc", status: 200, want: []string{"<title>Plenary</title>"}},
		{name: "static asset", method: "GET", url: "/assets/app-abc.js", status: 200, want: []string{"console.log"}},
		{name: "path traversal stays in the app", method: "GET", url: "/../../etc/passwd", status: 200, want: []string{"<title>Plenary</title>"}},
		{name: "malformed json", method: "POST", url: "/api/auth/login", body: `{"email":`, status: 400, want: []string{"malformed JSON"}},
		{name: "json array", method: "POST", url: "/api/auth/login", body: `["a"]`, status: 400, want: []string{"must be a JSON object"}},
		{name: "unknown field", method: "POST", url: "/api/focus-areas", actor: "secretariat", body: `{"name":"x","owner":"me"}`, status: 400, want: []string{`unknown field \"owner\"`}},
		{name: "trailing data", method: "POST", url: "/api/focus-areas", actor: "secretariat", body: `{"name":"x"} {"name":"y"}`, status: 400},
		{name: "wrong type", method: "POST", url: "/api/focus-areas", actor: "secretariat", body: `{"name":42}`, status: 400, want: []string{"name: must be a string"}},
		{name: "wrong content type", method: "POST", url: "/api/focus-areas", actor: "secretariat", body: `{"name":"x"}`,
			headers: map[string]string{"Content-Type": "text/plain"}, status: 400, want: []string{"Content-Type: application/json"}},
		{name: "deep nesting", method: "POST", url: "/api/focus-areas", actor: "secretariat", body: `{"name":` + strings.Repeat("[", 40) + strings.Repeat("]", 40) + `}`, status: 400},
	})
}

func TestBodyLimit(t *testing.T) {
	f := mustServe(t)
	base := f.listen()
	// A client announcing an oversized body gets 413 once the first 8 KiB have arrived (bodies
	// are streamed, and the server reads that much before it looks at a request), without the
	// rest being read (a client that pushes the whole body first may see the connection closed
	// under it instead).
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /api/focus-areas HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"+
		"Authorization: Bearer %s\r\nContent-Length: %d\r\n\r\n{\"name\":\"aaaa%s", f.tokens["secretariat"], 2<<20, strings.Repeat("a", 8<<10))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(data), `"code":"too_large"`) {
		t.Fatalf("status %d: %s", resp.StatusCode, data)
	}
	if body := f.do("GET", "/api/focus-areas", "", f.tokens["secretariat"], 200, nil); strings.Contains(body, "aaaa") {
		t.Fatal("the oversized focus area was stored")
	}
}

func TestSecurityHeaders(t *testing.T) {
	f := mustServe(t)
	for _, url := range []string{"/", "/api/health", "/api/me"} {
		resp := f.request("GET", url, "", "", nil)
		for k, want := range map[string]string{
			"Content-Security-Policy": "frame-ancestors 'none'",
			"X-Content-Type-Options":  "nosniff",
			"Referrer-Policy":         "no-referrer",
			"X-Request-Id":            "",
		} {
			got := resp.Header.Get(k)
			if got == "" || !strings.Contains(got, want) {
				t.Errorf("%s: header %s = %q, want it to contain %q", url, k, got, want)
			}
		}
		if csp := resp.Header.Get("Content-Security-Policy"); strings.Contains(csp, "unsafe-inline") {
			t.Errorf("%s: CSP allows inline code: %s", url, csp)
		}
		if resp.Header.Get("Strict-Transport-Security") != "" {
			t.Errorf("%s: HSTS sent over plain HTTP", url)
		}
	}
	resp := f.request("GET", "/api/health", "", "", map[string]string{"X-Forwarded-Proto": "https"})
	if resp.Header.Get("Strict-Transport-Security") == "" {
		t.Error("no HSTS behind a TLS proxy")
	}
}

// signed makes a token with the test key unless key is given.
func signed(t *testing.T, method jwt.SigningMethod, key any, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestJWTMatrix(t *testing.T) {
	f := mustServe(t)
	sub := f.users["member"].ID
	now := time.Now()
	good := func() jwt.MapClaims {
		return jwt.MapClaims{"iss": "plenary", "aud": []string{"plenary-api"}, "sub": sub, "iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(), "role": "user"}
	}
	with := func(k string, v any) jwt.MapClaims {
		c := good()
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
		return c
	}
	valid := signed(t, jwt.SigningMethodHS256, testKey, good())
	parts := strings.Split(valid, ".")
	payload, _ := json.Marshal(with("sub", f.users["secretariat"].ID))
	tampered := parts[0] + "." + jwtSegment(payload) + "." + parts[2]
	none := signed(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, good())

	table := []scenario{{name: "valid", method: "GET", url: "/api/me", token: valid, status: 200, want: []string{sub}}}
	for name, token := range map[string]string{
		"alg none":          none,
		"alg none unsigned": strings.TrimSuffix(none, "."),
		"tampered payload":  tampered,
		"wrong key":         signed(t, jwt.SigningMethodHS256, []byte("another key of at least 32 bytes!!"), good()),
		"HS512 right key":   signed(t, jwt.SigningMethodHS512, testKey, good()),
		"expired":           signed(t, jwt.SigningMethodHS256, testKey, with("exp", now.Add(-time.Minute).Unix())),
		"missing exp":       signed(t, jwt.SigningMethodHS256, testKey, with("exp", nil)),
		"wrong aud":         signed(t, jwt.SigningMethodHS256, testKey, with("aud", []string{"other"})),
		"missing aud":       signed(t, jwt.SigningMethodHS256, testKey, with("aud", nil)),
		"wrong iss":         signed(t, jwt.SigningMethodHS256, testKey, with("iss", "someone")),
		"unknown subject":   signed(t, jwt.SigningMethodHS256, testKey, with("sub", "nobody")),
		"issued in future":  signed(t, jwt.SigningMethodHS256, testKey, with("iat", now.Add(time.Hour).Unix())),
		"8 KB of dots":      strings.Repeat(".", 8<<10),
		"garbage":           "not-a-token",
	} {
		table = append(table, scenario{name: name, method: "GET", url: "/api/me", token: token, status: 401, want: []string{`"code":"unauthorized"`}})
	}
	table = append(table,
		scenario{name: "basic auth scheme", method: "GET", url: "/api/me", headers: map[string]string{"Authorization": "Basic " + valid}, status: 401},
		scenario{name: "token in query is ignored", method: "GET", url: "/api/me?access_token=" + valid, status: 401},
	)
	f.run(t, table)
}

func jwtSegment(b []byte) string {
	return strings.TrimRight(strings.NewReplacer("+", "-", "/", "_").Replace(encodeStd(b)), "=")
}

func TestQueryOperatorsRefused(t *testing.T) {
	f := mustServe(t)
	var table []scenario
	for _, q := range []string{"$where=1", "name[$ne]=x", "q=$gt", "a[]=1"} {
		for _, url := range []string{"/api/groups", "/api/focus-areas", "/api/health", "/api/users"} {
			table = append(table, scenario{name: url + "?" + q, method: "GET", url: url + "?" + q, actor: "secretariat", status: 400, want: []string{`"code":"invalid"`}})
		}
	}
	f.run(t, table)
}

// TestOperatorPayloadsRefused puts MongoDB operator objects and '$' keys in every field of every
// JSON endpoint and checks for 400 and that nothing was stored.
func TestOperatorPayloadsRefused(t *testing.T) {
	f := mustServe(t)
	endpoints := []struct {
		method, url, actor string
		fields             map[string]string // field → a valid JSON value
	}{
		{"POST", "/api/auth/login", "", map[string]string{"email": `"member@example.org"`, "password": `"` + testPassword + `"`}},
		{"POST", "/api/invitations", "secretariat", map[string]string{"email": `"new@example.org"`, "group_id": `"` + f.private + `"`, "group_role": `"member"`}},
		{"POST", "/api/invitations/lookup", "", map[string]string{"token": `"abc.def"`}},
		{"POST", "/api/invitations/accept", "", map[string]string{"token": `"abc.def"`, "name": `"New"`, "password": `"long enough password"`}},
		{"POST", "/api/focus-areas", "secretariat", map[string]string{"name": `"Injected area"`, "description": `"d"`}},
		{"PATCH", "/api/focus-areas/" + f.area, "secretariat", map[string]string{"name": `"Injected area"`, "description": `"d"`}},
		{"POST", "/api/groups", "secretariat", map[string]string{"name": `"Injected group"`, "focus_area": `"` + f.area + `"`, "description": `"d"`, "visibility": `"public"`}},
		{"PATCH", "/api/groups/" + f.public, "secretariat", map[string]string{"name": `"Injected group"`, "focus_area": `"` + f.area + `"`, "description": `"d"`, "visibility": `"public"`}},
		{"POST", "/api/groups/" + f.public + "/members", "secretariat", map[string]string{"email": `"outsider@example.org"`, "role": `"member"`}},
		{"PATCH", "/api/groups/" + f.public + "/members/" + f.users["member"].ID, "secretariat", map[string]string{"role": `"chair"`}},
	}
	payloads := []string{`{"$ne":null}`, `{"$gt":""}`, `{"$regex":".*"}`, `{"$where":"1"}`, `["$ne"]`}
	var table []scenario
	for _, ep := range endpoints {
		for field := range ep.fields {
			for _, p := range payloads {
				var parts []string
				for k, v := range ep.fields {
					if k == field {
						v = p
					}
					parts = append(parts, fmt.Sprintf("%q:%s", k, v))
				}
				table = append(table, scenario{
					name: ep.method + " " + ep.url + " " + field + "=" + p, method: ep.method, url: ep.url, actor: ep.actor,
					body: "{" + strings.Join(parts, ",") + "}", status: 400, want: []string{`"code":"invalid"`},
				})
			}
		}
		// A '$' key next to valid fields.
		var parts []string
		for k, v := range ep.fields {
			parts = append(parts, fmt.Sprintf("%q:%s", k, v))
		}
		table = append(table, scenario{
			name: ep.method + " " + ep.url + " $set key", method: ep.method, url: ep.url, actor: ep.actor,
			body: "{" + strings.Join(append(parts, `"$set":{"role":"secretariat"}`), ",") + "}", status: 400, want: []string{`"code":"invalid"`},
		})
	}
	f.run(t, table)

	// Nothing was stored or changed.
	body := f.do("GET", "/api/focus-areas", "", f.tokens["secretariat"], 200, nil)
	if strings.Contains(body, "Injected") {
		t.Errorf("a focus area was stored: %s", body)
	}
	body = f.do("GET", "/api/groups", "", f.tokens["secretariat"], 200, nil)
	if strings.Contains(body, "Injected") {
		t.Errorf("a group was stored or renamed: %s", body)
	}
	body = f.do("GET", "/api/invitations", "", f.tokens["secretariat"], 200, nil)
	if body != `{"items":[]}` {
		t.Errorf("an invitation was stored: %s", body)
	}
	body = f.do("GET", "/api/groups/"+f.public, "", f.tokens["secretariat"], 200, nil)
	if strings.Contains(body, "outsider") || !strings.Contains(body, `"name":"Member","email":"member@example.org","role":"member"`) {
		t.Errorf("membership changed: %s", body)
	}
}
