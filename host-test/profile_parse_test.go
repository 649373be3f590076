package hosttest

import (
	"strings"
	"testing"
)

// Every Envoy release Veil runs on names its profile, with or without the
// envoy- or v prefix and a patch version; anything else is refused with a
// message saying what is wanted.
func TestParseProfile(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    Profile
		wantErr string
	}{
		{"", Envoy133, ""},
		{"1.33", Envoy133, ""},
		{"envoy-1.33", Envoy133, ""},
		{"1.36", Envoy133, ""},
		{"1.36.2", Envoy133, ""},
		{"envoy-1.36", Envoy133, ""},
		{"v1.38.0", Envoy133, ""},
		{"envoy-v1.35.3", Envoy133, ""},
		{"1.39", Envoy139, ""},
		{"envoy-1.39", Envoy139, ""},
		{"1.39.1", Envoy139, ""},
		{"1.42", Envoy139, ""},
		{"1.32", "", "needs Envoy 1.33 or later"},
		{"1.32.9", "", "needs Envoy 1.33 or later"},
		{"1.9", "", "needs Envoy 1.33 or later"},
		{"2.0", "", "want a 1.x release"},
		{"1", "", "want a 1.x release"},
		{"1.", "", "want a 1.x release"},
		{"1.36.", "", "want a 1.x release"},
		{"1.36.2.1", "", "want a 1.x release"},
		{"1.3x", "", "want a 1.x release"},
		{"latest", "", "want a 1.x release"},
		{"envoy-", "", "want a 1.x release"},
		{" 1.36", "", "want a 1.x release"},
		{"1.99999", "", "want a 1.x release"},
	} {
		got, err := ParseProfile(tc.in)
		switch {
		case tc.wantErr == "" && (err != nil || got != tc.want):
			t.Errorf("ParseProfile(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("ParseProfile(%q) = %q, %v; want an error with %q", tc.in, got, err, tc.wantErr)
		}
	}
}

// FuzzParseProfile: ParseProfile never panics, and what it accepts is one of
// the two profiles.
func FuzzParseProfile(f *testing.F) {
	for _, s := range []string{"", "1.33", "envoy-1.36.2", "v1.39", "1.32", "2.0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParseProfile(s)
		if err == nil && p != Envoy133 && p != Envoy139 {
			t.Errorf("ParseProfile(%q) = %q", s, p)
		}
	})
}
