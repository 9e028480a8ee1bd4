package main

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserPolishWidget: a shopper whose browser speaks Polish gets the
// widget in Polish (its texts and its page's lang), and the transcript
// email in Polish; the shop page's Parley('set', {lang: 'de'}) switches
// the open widget to German.
func TestBrowserPolishWidget(t *testing.T) {
	requireBrowserTests(t)
	m := startDemo(t, nil)
	agentOnline(t, m)
	b := newBrowser(t, map[string]any{"intl.accept_languages": "pl-PL,pl"})
	v := b.newVisitor("visitor")
	openShopChat(t, m, v)
	chat, _ := v.chat(t)

	var got string
	poll(t, chat, 20*time.Second, "the Polish composer", `(() => {
		const c = document.querySelector('#composer');
		return c && c.placeholder === 'Napisz wiadomość…' && document.documentElement.lang === 'pl' && c.placeholder;
	})()`, &got)
	poll(t, chat, 10*time.Second, "the Polish header and footer", `(() => {
		const w = document.querySelector('#wait'), f = document.querySelector('.widget-footer');
		return w && f && w.textContent === 'Zwykle odpowiadamy w ciągu kilku minut' && f.textContent === 'Działa dzięki Parley';
	})()`, nil)

	poll(t, v.ctx, 10*time.Second, "the Polish launcher", launcherLabelJS+` === 'Otwórz czat'`, nil)

	send(t, chat, "visitor", "Dzień dobry, "+t.Name())
	waitMessage(t, chat, "visitor", ".msg-visitor", "Dzień dobry")
	poll(t, chat, 15*time.Second, "the Polish receipt", `(() => {
		const r = document.querySelector('.msg-receipt');
		return r && ['Wysłano', 'Dostarczono', 'Przeczytano'].includes(r.textContent);
	})()`, nil)

	// The transcript, to an address typed in the widget, is Polish.
	step(t, chat, 10*time.Second, "asking for the transcript",
		chromedp.Click("#transcript", chromedp.ByQuery),
		chromedp.WaitVisible("#transcript-email", chromedp.ByQuery),
		chromedp.SendKeys("#transcript-email", "ola@example.com", chromedp.ByQuery),
		chromedp.Click("#transcript-form button[type=submit]", chromedp.ByQuery),
	)
	ml := waitMail(t, m, "the transcript to ola@example.com", mailTo("ola@example.com"))
	if !strings.HasPrefix(ml.Subject, "Twoja rozmowa z ") || !strings.Contains(ml.Text, "Oto Twoja rozmowa z ") || !strings.Contains(ml.HTML, `lang="pl"`) {
		t.Errorf("the transcript is not Polish: %q\n%s", ml.Subject, ml.Text)
	}

	// The shop page switches the language, live.
	step(t, v.ctx, 5*time.Second, "Parley('set', {lang: 'de'})", chromedp.Evaluate(`Parley('set', {lang: 'de'})`, nil))
	poll(t, chat, 15*time.Second, "the German composer", `(() => {
		const c = document.querySelector('#composer');
		return c && c.placeholder === 'Nachricht schreiben…' && document.documentElement.lang === 'de' &&
			document.querySelector('.widget-footer').textContent === 'Bereitgestellt von Parley';
	})()`, nil)
	poll(t, v.ctx, 10*time.Second, "the German launcher", launcherLabelJS+` === 'Chat öffnen'`, nil)
}

// launcherLabelJS is the launcher's aria-label, in the loader's shadow root.
const launcherLabelJS = `document.querySelector('div[data-parley]').shadowRoot.querySelector('.l').getAttribute('aria-label')`
