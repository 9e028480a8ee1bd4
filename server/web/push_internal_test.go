package web

import "testing"

// TestPushOnlyToPublicAddresses: the push client connects to public
// unicast addresses only, whatever name led there.
func TestPushOnlyToPublicAddresses(t *testing.T) {
	for addr, ok := range map[string]bool{
		"142.250.74.78:443": true, "[2a00:1450:4001:82b::200a]:443": true,
		"127.0.0.1:443": false, "[::1]:443": false, "10.1.2.3:443": false, "192.168.1.1:443": false,
		"172.16.0.1:443": false, "169.254.169.254:80": false, "0.0.0.0:443": false, "[fe80::1]:443": false,
		"[::ffff:127.0.0.1]:443": false, "224.0.0.1:443": false, "[fd00::1]:443": false,
	} {
		if err := publicOnly("tcp", addr, nil); (err == nil) != ok {
			t.Errorf("%s: %v, want allowed %v", addr, err, ok)
		}
	}
}
