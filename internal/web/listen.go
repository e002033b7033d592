package web

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"
)

// ListenAddr resolves the address of --listen: a bare port ("8080" or
// ":8080") is on the loopback interface, 127.0.0.1, so that a history is
// never served to the network by accident; "host:port" is taken as given.
// loopback reports whether only this machine can connect.
func ListenAddr(addr string) (resolved string, loopback bool, err error) {
	if addr == "" {
		return "", false, errors.New("the address is empty")
	}
	if _, err := strconv.Atoi(addr); err == nil {
		addr = ":" + addr
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", false, fmt.Errorf("want PORT or HOST:PORT, got %q", addr)
	}
	p, err := strconv.Atoi(port)
	if err != nil || p < 0 || p > 65535 {
		return "", false, fmt.Errorf("the port must be a number from 0 to 65535, got %q", port)
	}
	if host == "" {
		host = "127.0.0.1"
	}
	loopback = host == "localhost"
	if ip := net.ParseIP(host); ip != nil {
		loopback = ip.IsLoopback()
	}
	return net.JoinHostPort(host, port), loopback, nil
}

// Limits of the HTTP server: requests are GETs with small headers, so
// anything slow or large is not a browser.
const (
	maxHeaderBytes    = 16 << 10
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 10 * time.Second
	writeTimeout      = 30 * time.Second // pages and the API; live streams set their own deadlines
	idleTimeout       = 60 * time.Second
)

// Serve serves s on ln until ctx ends, then closes the live streams and
// shuts the server down, waiting a moment for the requests under way.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	hs := &http.Server{
		Handler:           http.MaxBytesHandler(s.Handler(), 1<<10),
		MaxHeaderBytes:    maxHeaderBytes,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		s.Close()
		return err
	case <-ctx.Done():
	}
	s.Close()
	sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		hs.Close()
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
