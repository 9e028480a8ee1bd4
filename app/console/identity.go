package console

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"github.com/parley-chat/parley/app/parley"
)

// IdentitySecret reads the identity secret of site ("" before the first);
// owners and admins only.
func (a *API) IdentitySecret(ctx context.Context, site string) (string, error) {
	var out struct{ Secret string }
	err := a.do(ctx, http.MethodGet, "/api/sites/"+url.PathEscape(site)+"/identity-secret", nil, &out)
	return out.Secret, err
}

// RotateIdentitySecret makes a new identity secret for site; the old one
// stops verifying at once.
func (a *API) RotateIdentitySecret(ctx context.Context, site string) (string, error) {
	var out struct{ Secret string }
	err := a.do(ctx, http.MethodPost, "/api/sites/"+url.PathEscape(site)+"/identity-secret", nil, &out)
	return out.Secret, err
}

// IdentityCard shows a site's identity secret to its owners and admins,
// with a button to make a new one and samples of the signature for the
// shop's server.
type IdentityCard struct {
	app.Compo

	API  *API
	Site string

	loadedFor string
	secret    string
	load      status
	msg       string
	// confirm: the first click on Rotate asks again.
	confirm bool
	copied  bool
}

// OnMount loads the secret.
func (c *IdentityCard) OnMount(ctx app.Context) { c.fetch(ctx) }

// OnUpdate loads the secret of another site.
func (c *IdentityCard) OnUpdate(ctx app.Context) { c.fetch(ctx) }

func (c *IdentityCard) fetch(ctx app.Context) {
	if c.API == nil || c.Site == "" || c.loadedFor == c.Site {
		return
	}
	site, api := c.Site, c.API
	c.loadedFor, c.secret, c.load, c.msg, c.confirm, c.copied = site, "", loading, "", false, false
	ctx.Async(func() {
		secret, err := api.IdentitySecret(ctx, site)
		ctx.Dispatch(func(ctx app.Context) {
			if c.loadedFor != site {
				return
			}
			if err != nil {
				c.load, c.msg = failed, parley.ErrorMessage(err)
				return
			}
			c.load, c.secret = done, secret
		})
	})
}

func (c *IdentityCard) rotate(ctx app.Context, e app.Event) {
	if c.API == nil || c.load == loading {
		return
	}
	if c.secret != "" && !c.confirm {
		c.confirm = true
		return
	}
	site, api := c.Site, c.API
	c.load, c.msg, c.confirm = loading, "", false
	ctx.Async(func() {
		secret, err := api.RotateIdentitySecret(ctx, site)
		ctx.Dispatch(func(ctx app.Context) {
			if c.loadedFor != site {
				return
			}
			if err != nil {
				c.load, c.msg = failed, parley.ErrorMessage(err)
				return
			}
			c.load, c.secret, c.msg, c.copied = done, secret, "A new secret is in use: update your shop's configuration.", false
		})
	})
}

// Render implements app.Composer.
func (c *IdentityCard) Render() app.UI {
	label := "Generate a secret"
	switch {
	case c.confirm:
		label = "Rotate now: signatures made with the current secret stop working"
	case c.secret != "":
		label = "Rotate"
	}
	var msg app.UI = app.Span().Class("identity-msg-none")
	if c.msg != "" {
		role := "status"
		if c.load == failed {
			role = "alert"
		}
		msg = app.P().Class("identity-msg").Role(role).Text(c.msg)
	}
	var secret app.UI = app.P().Class("hint").Text("No secret yet: identify calls are shown to agents as unverified.")
	if c.load == loading && c.secret == "" {
		secret = app.P().Class("hint").Text("Loading…")
	}
	if c.secret != "" {
		copyLabel := "Copy"
		if c.copied {
			copyLabel = "Copied"
		}
		s := c.secret
		secret = app.Div().Class("identity-secret").Body(
			app.Input().ID("identity-secret").Class("snippet").Type("text").ReadOnly(true).Spellcheck(false).
				Aria("label", "Identity secret").Value(s),
			app.Button().Class("button").Type("button").
				OnClick(func(ctx app.Context, e app.Event) {
					copyText(ctx, s, "identity-secret", func() { c.copied = true })
				}).Text(copyLabel),
		)
	}
	return app.Section().Class("card identity-card").Body(
		app.H3().Text("Verified identity"),
		app.P().Class("hint").Text("Your shop's server signs the id of a logged-in customer with this secret; the page passes it to "+
			"Parley('identify', {id, email, name, signature}). A signed customer sees their whole chat history on every device. "+
			"Keep the secret on your server: never put it in a page."),
		secret,
		msg,
		app.Button().ID("rotate-identity-secret").Class("button").Type("button").
			Disabled(c.load == loading).OnClick(c.rotate).Text(label),
		app.Details().Class("identity-samples").Body(
			app.Summary().Text("Signature samples"),
			sample("PHP", IdentitySamplePHP),
			sample("Node", IdentitySampleNode),
			sample("Go", IdentitySampleGo),
		),
	)
}

func sample(lang, code string) app.UI {
	return app.Div().Class("identity-sample").Body(
		app.H4().Text(lang),
		app.Pre().Class("snippet").Body(app.Code().Text(strings.TrimSpace(code))),
	)
}

// Signature samples: lowercase hex of HMAC-SHA256(secret, id).
const (
	IdentitySamplePHP = `
$signature = hash_hmac('sha256', (string) $customer->id, getenv('PARLEY_IDENTITY_SECRET'));
// In the page: Parley('identify', {id: '<?= $customer->id ?>', email: ..., name: ..., signature: '<?= $signature ?>'});
`
	IdentitySampleNode = `
const crypto = require('crypto');
const signature = crypto.createHmac('sha256', process.env.PARLEY_IDENTITY_SECRET)
  .update(String(customer.id)).digest('hex');
`
	IdentitySampleGo = `
mac := hmac.New(sha256.New, []byte(os.Getenv("PARLEY_IDENTITY_SECRET")))
mac.Write([]byte(customerID))
signature := hex.EncodeToString(mac.Sum(nil))
`
)
