package loopbacktls_test

import (
	"crypto/tls"
	"crypto/x509"
	"net"
	"testing"
	"time"

	"github.com/parley-chat/parley/server/internal/loopbacktls"
)

// TestHandshake: a client trusting the CA (by config, or by its PEM)
// completes a handshake with the server on 127.0.0.1 and localhost.
func TestHandshake(t *testing.T) {
	c, err := loopbacktls.New("test CA", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(c.CAPEM) {
		t.Fatal("CAPEM holds no certificate")
	}
	l, err := tls.Listen("tcp", "127.0.0.1:0", c.Server)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			conn.(*tls.Conn).Handshake()
			conn.Close()
		}
	}()
	_, port, _ := net.SplitHostPort(l.Addr().String())
	for _, tc := range []struct {
		host string
		cfg  *tls.Config
	}{{"127.0.0.1", c.Client}, {"localhost", &tls.Config{RootCAs: pool}}} {
		conn, err := tls.Dial("tcp", net.JoinHostPort(tc.host, port), tc.cfg)
		if err != nil {
			t.Errorf("%s: %v", tc.host, err)
			continue
		}
		conn.Close()
	}
	if _, err := tls.Dial("tcp", l.Addr().String(), &tls.Config{}); err == nil {
		t.Error("a client that does not trust the CA completed the handshake")
	}
}
