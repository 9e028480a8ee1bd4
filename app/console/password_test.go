package console_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/parley-chat/parley/app/console"
	"github.com/parley-chat/parley/app/parley"
)

func TestPasswordForm(t *testing.T) {
	f := &console.PasswordForm{}
	load(t, f)
	match(t, app.Input().ID("password-current").Type("password").Attr("autocomplete", "current-password").
		Required(true).Value("").OnInput(func(app.Context, app.Event) {}), f, 0, 2, 1)
	match(t, app.Input().ID("password-new").Type("password").Attr("autocomplete", "new-password").
		Required(true).Value("").OnInput(func(app.Context, app.Event) {}), f, 0, 3, 1)
	match(t, app.Input().ID("password-again").Type("password").Attr("autocomplete", "new-password").
		Required(true).Value("").OnInput(func(app.Context, app.Event) {}), f, 0, 4, 1)
	match(t, app.Span().Class("save-none"), f, 0, 5)
	match(t, app.Button().ID("change-password").Class("button button-primary").Type("submit").Disabled(false), f, 0, 6)
}

// TestAPIChangePassword: the call carries the session's CSRF token and
// the two passwords, and a refusal comes back with the server's words.
func TestAPIChangePassword(t *testing.T) {
	var got struct{ Current, New string }
	var csrf string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method + " " + r.URL.Path {
		case "GET /api/session":
			w.Write([]byte(`{"agent":{"id":1},"csrf":"tok"}`))
		case "POST /api/password":
			csrf = r.Header.Get("X-CSRF-Token")
			json.NewDecoder(r.Body).Decode(&got)
			if got.Current != "old password" {
				w.WriteHeader(http.StatusForbidden)
				w.Write([]byte(`{"code":"forbidden","message":"The current password is wrong."}`))
				return
			}
			w.WriteHeader(http.StatusNoContent)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	api := console.NewAPI(srv.URL, srv.Client())
	ctx := context.Background()
	if _, err := api.Session(ctx); err != nil {
		t.Fatal(err)
	}
	if err := api.ChangePassword(ctx, "old password", "new password!"); err != nil {
		t.Fatalf("ChangePassword: %v", err)
	}
	if csrf != "tok" || got.New != "new password!" {
		t.Errorf("the server got CSRF %q and %+v", csrf, got)
	}
	err := api.ChangePassword(ctx, "guess", "new password!")
	if parley.ErrorCode(err) != parley.EForbidden || parley.ErrorMessage(err) != "The current password is wrong." {
		t.Errorf("a wrong current password: %v", err)
	}
}
