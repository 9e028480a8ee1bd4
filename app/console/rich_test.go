
func TestSiteFormMessages(t *testing.T) {
	for _, tc := range []struct {
		typed string
		want  int
		code  string
	}{{"", 0, ""}, {"0", -1, ""}, {"15", 15, ""}, {"61", 0, parley.EInvalid}, {"x", 0, parley.EInvalid}, {"-3", 0, parley.EInvalid}} {
		f := console.NewSiteForm(parley.Site{Name: "Shop", Color: "#123456"}, "UTC")
		f.EditMinutes, f.TypingPreview = tc.typed, true
		s, err := f.Site(parley.Site{ID: "shop"})
		if code := parley.ErrorCode(err); code != tc.code || err == nil && (s.EditMinutes != tc.want || !s.TypingPreview) {
			t.Errorf("%q: %d, preview %v, %v; want %d, %s", tc.typed, s.EditMinutes, s.TypingPreview, err, tc.want, tc.code)
		}
	}
	// And back: what the form shows for a site.
	for n, want := range map[int]string{0: "", -1: "0", 10: "10"} {
		if got := console.NewSiteForm(parley.Site{EditMinutes: n}, "UTC").EditMinutes; got != want {
			t.Errorf("EditMinutes %d shows %q, want %q", n, got, want)
		}
	}
}
