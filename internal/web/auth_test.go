package web

import (
	"net/http"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

func TestAuth(t *testing.T) {
	hash, err := bcrypt.GenerateFromPassword([]byte("correct horse"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	users, err := ParseUsers(strings.NewReader("# people\n\nalice:" + string(hash) + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	const token = "0123456789abcdef-token"
	s := New(Options{AuthToken: token, Users: users}, sharedFake())
	tests := []struct {
		name   string
		target string
		hdr    []string
		code   int
	}{
		{name: "nothing", target: "/", code: 401},
		{name: "api too", target: "/api/ticks?last=15m", code: 401},
		{name: "live stream too", target: "/events", code: 401},
		{name: "bearer", target: "/", hdr: []string{"Authorization", "Bearer " + token}, code: 200},
		{name: "wrong bearer", target: "/", hdr: []string{"Authorization", "Bearer " + token + "x"}, code: 401},
		{name: "prefix of the token", target: "/", hdr: []string{"Authorization", "Bearer " + token[:8]}, code: 401},
		{name: "cookie", target: "/", hdr: []string{"Cookie", tokenCookie + "=" + token}, code: 200},
		{name: "wrong cookie", target: "/", hdr: []string{"Cookie", tokenCookie + "=nope"}, code: 401},
		{name: "wrong token in the url", target: "/?token=nope", code: 401},
		{name: "basic", target: "/", hdr: []string{"Authorization", basic("alice", "correct horse")}, code: 200},
		{name: "basic again, remembered", target: "/", hdr: []string{"Authorization", basic("alice", "correct horse")}, code: 200},
		{name: "basic wrong password", target: "/", hdr: []string{"Authorization", basic("alice", "wrong")}, code: 401},
		{name: "basic unknown user", target: "/", hdr: []string{"Authorization", basic("mallory", "correct horse")}, code: 401},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := get(t, s.Handler(), "GET", tc.target, tc.hdr...)
			if w.Code != tc.code {
				t.Fatalf("want %d, got %d: %s", tc.code, w.Code, w.Body)
			}
			if tc.code == 401 && !strings.HasPrefix(w.Header().Get("WWW-Authenticate"), "Basic") {
				t.Errorf("want a Basic challenge, got %q", w.Header().Get("WWW-Authenticate"))
			}
			if strings.Contains(w.Body.String(), token) {
				t.Error("the answer holds the token")
			}
		})
	}
	// ?token= once: a cookie for the page's later requests, and the token
	// out of the address bar.
	w := get(t, s.Handler(), "GET", "/?last=1h&token="+token)
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/?last=1h" {
		t.Fatalf("want a redirect to /?last=1h, got %d %q", w.Code, w.Header().Get("Location"))
	}
	c := w.Result().Cookies()
	if len(c) != 1 || c[0].Name != tokenCookie || !c[0].HttpOnly || c[0].SameSite != http.SameSiteStrictMode || c[0].Path != "/" {
		t.Fatalf("want an HttpOnly SameSite=Strict cookie, got %v", c)
	}
	if w := get(t, s.Handler(), "GET", "/?last=1h", "Cookie", c[0].String()); w.Code != 200 {
		t.Errorf("with the cookie: %d", w.Code)
	}
}

func basic(user, pass string) string {
	r, _ := http.NewRequest("GET", "/", nil)
	r.SetBasicAuth(user, pass)
	return r.Header.Get("Authorization")
}

func TestParseUsersErrors(t *testing.T) {
	tests := []struct{ in, err string }{
		{"", "no users"},
		{"# only a comment\n", "no users"},
		{"alice\n", "line 1: want user:bcrypt-hash"},
		{":$2y$05$6z7GKa9kpDN7KC3ICW1Hi.fd0/to7Y/x9WUet2vGRcgGFdXlvBd2W\n", "line 1: want user:bcrypt-hash"},
		{"\nbob:{SHA}secretsecret\n", `line 2: the hash of user "bob" is not a bcrypt hash`},
		{"a:$2y$05$6z7GKa9kpDN7KC3ICW1Hi.fd0/to7Y/x9WUet2vGRcgGFdXlvBd2W\na:$2y$05$6z7GKa9kpDN7KC3ICW1Hi.fd0/to7Y/x9WUet2vGRcgGFdXlvBd2W\n", `line 2: user "a" is given twice`},
		{"\u202e:{SHA}x\n", `user "\\u202e"`},
	}
	for _, tc := range tests {
		_, err := ParseUsers(strings.NewReader(tc.in))
		if err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%q: want an error saying %q, got %v", tc.in, tc.err, err)
		}
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("%q: the error quotes the hash: %v", tc.in, err)
		}
	}
}
