package detect

import "testing"

func TestIPv4(t *testing.T) {
	runCases(t, []detectCase{
		{"from 192.168.1.10.", []string{"ipv4=192.168.1.10"}},
		{"10.0.0.1:8080 and 10.0.0.0/8", []string{"ipv4=10.0.0.1", "ipv4=10.0.0.0"}},
		{"see http://192.168.1.1/admin", []string{"ipv4=192.168.1.1"}},
		{"(255.255.255.255)", []string{"ipv4=255.255.255.255"}},
		{"ip=８.８.８.８", []string{"ipv4=８.８.８.８"}},
		// negatives
		{"version 1.2.3.4.5", nil},
		{"v1.2.3.4 and build-10.0.0.1", nil},
		{"256.1.1.1 1.2.3 01.2.3.4", nil},
		{"Chrome/120.0.6099.129", nil},
		{"0.0.0.0::0:0", nil},
	})
}

func TestIPv6(t *testing.T) {
	runCases(t, []detectCase{
		{"from 2001:db8::1 ok", []string{"ipv6=2001:db8::1"}},
		{"[2001:0db8:85a3:0000:0000:8a2e:0370:7334]:443", []string{"ipv6=2001:0db8:85a3:0000:0000:8a2e:0370:7334"}},
		{"fe80::1ff:fe23:4567:890a.", []string{"ipv6=fe80::1ff:fe23:4567:890a"}},
		{"::ffff:192.0.2.128", []string{"ipv6=::ffff:192.0.2.128"}},
		// an IPv4 address in IPv6 form is one span
		{"mapped ::ffff:10.0.0.1, compat ::192.168.1.1.", []string{"ipv6=::ffff:10.0.0.1", "ipv6=::192.168.1.1"}},
		{"nat64 64:ff9b::192.0.2.33/96", []string{"ipv6=64:ff9b::192.0.2.33"}},
		// a zone belongs to the address, a prefix length does not
		{"ping fe80::1%eth0 now", []string{"ipv6=fe80::1%eth0"}},
		{"fe80::1ff:fe23:4567:890a%en0.", []string{"ipv6=fe80::1ff:fe23:4567:890a%en0"}},
		{"http://[fe80::1%25eth0]:8080/", []string{"ipv6=fe80::1%25eth0"}},
		{"fe80::1%wlan_0.1-a/64", []string{"ipv6=fe80::1%wlan_0.1-a"}},
		{"2001:db8::1% of hosts", []string{"ipv6=2001:db8::1"}},
		// negatives
		{"::1.2 ::1.2.3 ::256.1.1.1 ::1%eth0", nil},
		{"Bar::1.2 dead::beef.cafe", nil},
		{"std::vector dead::beef ::1 a::b::c", nil},
		{"10:22:33 and 1:2:3:4:5:6:7", nil},
		{"x2001:db8::1", nil},
	})
}

func TestMAC(t *testing.T) {
	runCases(t, []detectCase{
		{"mac 00:1A:2B:3C:4D:5E.", []string{"mac_address=00:1A:2B:3C:4D:5E"}},
		{"00-1a-2b-3c-4d-5e", []string{"mac_address=00-1a-2b-3c-4d-5e"}},
		{"cisco 001a.2b3c.4d5e", []string{"mac_address=001a.2b3c.4d5e"}},
		// negatives
		{"00:1A:2B:3C:4D:5E:6F", nil},
		{"00:1A-2B:3C:4D:5E", nil},
		{"10:22:33", nil},
		{"x00:1A:2B:3C:4D:5E", nil},
	})
}
