package web

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"golang.org/x/crypto/bcrypt"

	"github.com/httpmon/httpmon/internal/textsafe"
)

// Users are the people allowed in with HTTP basic authentication, from a
// file of lines "user:bcrypt-hash".
type Users struct {
	names  [][]byte
	hashes [][]byte
}

// Len returns the number of users.
func (u *Users) Len() int { return len(u.names) }

// ParseUsers reads a users file: a line "user:hash" per user, the hash
// from bcrypt (htpasswd -B writes them); blank lines and lines starting
// with # are skipped. Errors name the line but never quote a hash.
func ParseUsers(r io.Reader) (*Users, error) {
	u := &Users{}
	sc := bufio.NewScanner(r)
	seen := map[string]bool{}
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		name, hash, ok := bytes.Cut(line, []byte{':'})
		if !ok || len(name) == 0 {
			return nil, fmt.Errorf("line %d: want user:bcrypt-hash", n)
		}
		if _, err := bcrypt.Cost(hash); err != nil {
			return nil, fmt.Errorf("line %d: the hash of user %q is not a bcrypt hash ($2a$, $2b$ or $2y$; htpasswd -B writes them)", n, textsafe.String(string(name)))
		}
		if seen[string(name)] {
			return nil, fmt.Errorf("line %d: user %q is given twice", n, textsafe.String(string(name)))
		}
		seen[string(name)] = true
		u.names = append(u.names, bytes.Clone(name))
		u.hashes = append(u.hashes, bytes.Clone(hash))
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(u.names) == 0 {
		return nil, fmt.Errorf("no users in it")
	}
	return u, nil
}

// tokenCookie holds the token given once as ?token=.
const tokenCookie = "httpmon_token"

// authenticator lets a request through when it proves it may see the
// history; with neither a token nor users, every request.
type authenticator struct {
	token []byte // sha256 of the token; nil without one
	users *Users
	// dummy is compared against for unknown users, so that a wrong name
	// takes as long as a wrong password.
	dummy []byte

	mu   sync.Mutex
	good map[[32]byte]bool // digests of basic credentials bcrypt accepted
}

// maxGood bounds the remembered credentials; bcrypt costs tens of
// milliseconds, too much for each of a page's requests.
const maxGood = 64

func newAuthenticator(token string, users *Users) *authenticator {
	a := &authenticator{users: users, good: map[[32]byte]bool{}}
	if token != "" {
		sum := sha256.Sum256([]byte(token))
		a.token = sum[:]
	}
	if users != nil {
		a.dummy, _ = bcrypt.GenerateFromPassword([]byte("not a password"), bcrypt.MinCost)
	}
	return a
}

func (a *authenticator) enabled() bool { return a.token != nil || a.users != nil }

// tokenOK compares in constant time, over digests so that not even the
// token's length shows.
func (a *authenticator) tokenOK(t string) bool {
	if a.token == nil || t == "" {
		return false
	}
	sum := sha256.Sum256([]byte(t))
	return subtle.ConstantTimeCompare(sum[:], a.token) == 1
}

func (a *authenticator) userOK(name, pass string) bool {
	if a.users == nil {
		return false
	}
	key := sha256.Sum256([]byte(name + "\x00" + pass))
	a.mu.Lock()
	ok := a.good[key]
	a.mu.Unlock()
	if ok {
		return true
	}
	hash := a.dummy
	found := 0
	for i, n := range a.users.names {
		if subtle.ConstantTimeCompare(n, []byte(name)) == 1 {
			hash, found = a.users.hashes[i], 1
		}
	}
	if bcrypt.CompareHashAndPassword(hash, []byte(pass)) != nil || found == 0 {
		return false
	}
	a.mu.Lock()
	if len(a.good) >= maxGood {
		clear(a.good)
	}
	a.good[key] = true
	a.mu.Unlock()
	return true
}

func (a *authenticator) wrap(next http.Handler) http.Handler {
	if !a.enabled() {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if t := r.URL.Query().Get("token"); t != "" {
			if !a.tokenOK(t) {
				a.deny(w)
				return
			}
			// The token leaves the address bar, the history and the
			// logs of proxies at once; the cookie carries it from now on.
			http.SetCookie(w, &http.Cookie{Name: tokenCookie, Value: url.QueryEscape(t), Path: "/",
				HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil})
			q := r.URL.Query()
			q.Del("token")
			u := *r.URL
			u.RawQuery = q.Encode()
			http.Redirect(w, r, u.RequestURI(), http.StatusSeeOther)
			return
		}
		if a.allowed(r) {
			next.ServeHTTP(w, r)
			return
		}
		a.deny(w)
	})
}

func (a *authenticator) allowed(r *http.Request) bool {
	if h := r.Header.Get("Authorization"); h != "" {
		if t, ok := strings.CutPrefix(h, "Bearer "); ok {
			return a.tokenOK(t)
		}
		if name, pass, ok := r.BasicAuth(); ok {
			return a.userOK(name, pass)
		}
		return false
	}
	if c, err := r.Cookie(tokenCookie); err == nil {
		t, err := url.QueryUnescape(c.Value)
		return err == nil && a.tokenOK(t)
	}
	return false
}

func (a *authenticator) deny(w http.ResponseWriter) {
	if a.users != nil {
		w.Header().Set("WWW-Authenticate", `Basic realm="httpmon", charset="UTF-8"`)
	} else {
		w.Header().Set("WWW-Authenticate", `Bearer realm="httpmon"`)
	}
	http.Error(w, "this history needs a token or a user's password", http.StatusUnauthorized)
}
