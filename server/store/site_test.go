package store_test

import (
	"reflect"
	"testing"

	"github.com/parley-chat/parley/app/parley"
)

func TestSites(t *testing.T) {
	d := openTestDB(t)

	b := mustCreateSite(t, d, "beta")
	a := mustCreateSite(t, d, "alpha")

	wantCode(t, d.CreateSite(parley.Site{ID: "beta", Name: "Other"}), parley.EConflict)
	wantCode(t, d.CreateSite(parley.Site{Name: "No id"}), parley.EInvalid)

	got, err := d.Site("beta")
	if err != nil {
		t.Fatalf("Site: %v", err)
	}
	if !reflect.DeepEqual(got, b) {
		t.Errorf("Site(beta): got %+v, want %+v", got, b)
	}
	_, err = d.Site("gamma")
	wantCode(t, err, parley.ENotFound)

	all, err := d.Sites()
	if err != nil {
		t.Fatalf("Sites: %v", err)
	}
	if want := []parley.Site{a, b}; !reflect.DeepEqual(all, want) {
		t.Errorf("Sites: got %+v, want %+v", all, want)
	}

	b.Title = "Hello"
	b.Proactive = parley.Proactive{Enabled: true, DelaySeconds: 5, PagePattern: "/products/*", Message: "Need help?"}
	if err := d.PutSite(b); err != nil {
		t.Fatalf("PutSite: %v", err)
	}
	if got, _ := d.Site("beta"); !reflect.DeepEqual(got, b) {
		t.Errorf("after PutSite: got %+v, want %+v", got, b)
	}
	wantCode(t, d.PutSite(parley.Site{ID: "gamma"}), parley.ENotFound)
}
