// Parley loader: the only file a shop page loads from Parley until the
// visitor shows intent. It draws the launcher in a shadow root and creates the
// chat iframe lazily: on click, the JS API's open, when a proactive greeting
// fires, or when a conversation is already open from an earlier page view.
// Hover or focus of the launcher on a fast connection creates it warm (a
// hidden prefetch): the chat downloads and renders but connects, writes
// storage and makes a visitor only when it is opened. A resume link from an email opens the page
// with #parley-resume=TOKEN: the loader takes it out of the address bar and
// opens the chat at once, handing the token to the iframe in its URL's
// fragment (see app/visitor/bridge.go).
//
// Pages that call the API before this script has run paste this stub first
// (it queues the calls; the loader replays them in order):
//
//   <script>window.Parley=window.Parley||function(){(Parley.q=Parley.q||[]).push(arguments)};</script>
//
// Commands:
//   Parley('open'), Parley('close'), Parley('toggle')
//   Parley('on', 'message' | 'open' | 'close' | 'ready', fn)
//   Parley('off', event, fn)
//   Parley('identify', {id, email, name, signature})
//   Parley('set', {key: value, …})   attributes for the agents; null deletes
//   Parley('set', {lang: 'pl'})      the chat's language (not an attribute);
//                                    data-lang="pl" on the script tag does the same
//   Parley('cart', {items: [{name, qty, price, url}], total, currency})
//   Parley('track', name, {key: value, …})
// None of them loads the chat: the widget gets them when it is ready.
// 'message' handlers get {from: {kind, name}, text, at}. After a click opened
// the chat, Parley.timing is {ms, prefetched, app}: ms from the click to a
// composer that takes input (the chat's page arrives drawn and says 'ready'
// before its app runs), and app from the click to the app running (absent
// until then; the iframe says 'app').
//
// The server serves this file minified as (function (cfg) {...})(CONFIG):
// the Go package widget appends the call with the site's settings.
// PARLEY_CONFIG below only keeps the minifier from dropping the unused
// function expression; the build strips it. Keep the file a single function
// expression called once, and never let an exception reach the page.
(function (cfg) {
  'use strict';
  var w = window;
  var d = document;

  var warn = function (m) {
    try {
      console.warn('Parley: ' + m);
    } catch (e) {}
  };
  // guard wraps every entry point (API, listeners, timers): a bug here must
  // never break the shop's own scripts.
  var guard = function (fn) {
    return function () {
      try {
        return fn.apply(this, arguments);
      } catch (e) {
        warn((e && e.message) || e);
      }
    };
  };

  guard(start)();

  function start() {
    // The snippet pasted twice must not draw two launchers.
    if (w.Parley && w.Parley.loaded) return;
    var site = String(cfg.site);
    if (!originAllowed(cfg.allowed || [], location.origin)) {
      warn("this page's origin is not allowed for site " + site);
      return;
    }

    var base = new URL(cfg.base).origin;
    var src =
      String(cfg.base).replace(/\/+$/, '') +
      '/chat/' +
      encodeURIComponent(site) +
      '?origin=' +
      encodeURIComponent(location.origin);
    // The token must stay in neither the address bar, the history nor a
    // bookmark, and never reach the page URL the chat reports.
    var resume = /^#parley-resume=([\w-]{1,64})$/.exec(location.hash || '');
    if (resume) {
      resume = resume[1];
      history.replaceState(history.state, '', location.pathname + location.search);
    }
    var key = 'parley:' + site + ':';
    var color = /^#[0-9a-f]{3,8}$/i.test(cfg.color) ? cfg.color : '';
    var pro = cfg.proactive || {};
    var label = String(cfg.label || '').slice(0, 30);
    var handlers = { message: [], open: [], close: [], ready: [] };

    var host, root, launcher, badge, panel, status, frame;
    var ready = false;
    var isOpen = false;
    var pending = null; // the 'open' to send once the iframe is ready
    var who = null; // the latest 'identify', for the widget
    var ctx = null; // set, cart and track calls the widget has not had yet
    var wantFocus = false; // move focus into the chat when it is ready
    var loadTimer = 0;
    var clickAt = -1;
    var shownFrom = -1; // the click that made the chat shown, for timing.app
    var appUp = false; // the iframe's app runs
    var prefetched = false;
    var userOpened = false;
    var greeted = false;
    var greetTimer = 0;
    var lastURL = '';
    var tease, teaseTimer; // the announcement teaser beside the launcher
    // The chat's language: data-lang on our script tag (currentScript is
    // ours only now, during this first run), then Parley('set', {lang}).
    var cs = d.currentScript;
    var lang = (cs && cs.dataset && cs.dataset.lang) || '';
    var unread = 0;
    // The launcher's words, "name|unread": the server's pick by the
    // browser's language, then the chat's own once it runs (its language
    // may be data-lang's or Parley('set', {lang})'s).
    var words = String(cfg.words || 'Open chat|unread');

    var api = guard(function (cmd, ev, fn) {
      if (cmd === 'open') open();
      else if (cmd === 'close') close();
      else if (cmd === 'toggle') isOpen ? close() : open();
      else if (cmd === 'identify' && ev && ev.id) {
        // Kept for the widget, never a reason to load it: sent once it is
        // ready (now, if it is), and again after a reload of the iframe.
        who = { parley: 1, type: 'identify', identify: {} };
        ['id', 'email', 'name', 'signature'].forEach(function (k) {
          if (ev[k] != null) who.identify[k] = String(ev[k]);
        });
        if (ready) send(who);
      } else if (cmd === 'set' || cmd === 'cart' || cmd === 'track') {
        // Like identify, never a reason to load the widget: kept (the
        // latest attributes and cart, the last 20 events) until it is
        // ready. JSON drops what postMessage cannot clone.
        ev = JSON.parse(JSON.stringify(ev === undefined ? null : ev));
        if (cmd === 'set' && ev && typeof ev == 'object' && 'lang' in ev) {
          lang = ev.lang ? String(ev.lang) : '';
          delete ev.lang;
          if (ready) send({ parley: 1, type: 'lang', lang: lang });
          relabel();
          if (!Object.keys(ev).length) return;
        }
        var c = ctx || (ctx = { track: [] });
        if (cmd === 'set') c.attributes = Object.assign(c.attributes || {}, typeof ev == 'object' ? ev : {});
        else if (cmd === 'cart') c.cart = ev;
        else c.track = c.track.concat({ name: String(ev), props: JSON.parse(JSON.stringify(fn || {})) }).slice(-20);
        if (ready) flush();
      }
      else if ((cmd === 'on' || cmd === 'off') && handlers[ev] && typeof fn === 'function') {
        var list = handlers[ev];
        var i = list.indexOf(fn);
        if (cmd === 'off') {
          if (i >= 0) list.splice(i, 1);
        } else if (i < 0) {
          list.push(fn);
          if (ev === 'ready' && ready) call(fn);
        }
      } else warn('unknown command ' + cmd);
    });
    api.loaded = true;

    // Mount first so that queued commands find the launcher.
    onDom(mount);
    var queued = (w.Parley && w.Parley.q) || [];
    w.Parley = api;
    for (var i = 0; i < queued.length; i++) api.apply(null, queued[i]);

    w.addEventListener('message', guard(receive));
    d.addEventListener('securitypolicyviolation', guard(blocked));

    // Single-page shops navigate without reloading: tell the agent and give
    // the proactive rule another look.
    var nav = guard(navigated);
    var push = history.pushState;
    if (typeof push === 'function') {
      history.pushState = function () {
        var r = push.apply(this, arguments);
        nav();
        return r;
      };
    }
    w.addEventListener('popstate', nav);

    if (load('conv') === '1') {
      // A conversation is open from an earlier page view: bring it back, but
      // after the shop page has finished loading.
      var later = guard(function () {
        onDom(ensureFrame);
      });
      if (d.readyState === 'complete') setTimeout(later, 0);
      else w.addEventListener('load', later, { once: true });
    }
    armGreeting();
    if (resume) open();

    function mount() {
      if (host) return;
      host = d.createElement('div');
      host.setAttribute('data-parley', site);
      root = host.attachShadow({ mode: 'open' });
      // The corner, and what a shop may set on div[data-parley] (custom
      // properties inherit into the shadow root; nothing else gets in):
      // --parley-launcher-size, --parley-offset-x, --parley-offset-y,
      // --parley-z.
      var side = cfg.left ? 'left' : 'right';
      var sz = 'var(--parley-launcher-size,56px)';
      var ox = 'var(--parley-offset-x,20px)';
      var oy = 'var(--parley-offset-y,20px)';
      var above = 'calc(' + oy + ' + ' + sz + ' + 12px)';
      var dark = '.p{--pb:#1b1f27;--pf:#e8eaee;--pl:#5b6475}';
      root.innerHTML =
        '<style>' +
        ':host{all:initial!important;position:fixed!important;' + side + ':0!important;bottom:0!important;width:0!important;height:0!important;z-index:var(--parley-z,2147483000)!important;pointer-events:none!important}' +
        '[hidden]{display:none!important}' +
        '.l{position:fixed;' + side + ':' + ox + ';bottom:' + oy + ';width:' + sz + ';height:' + sz + ';margin:0;padding:0;border:0;border-radius:calc(' + sz + '/2);background:#2563eb;color:#fff;box-shadow:0 4px 12px rgba(0,0,0,.25);cursor:pointer;pointer-events:auto;display:flex;align-items:center;justify-content:center;gap:8px;font:600 15px/1 system-ui,sans-serif}' +
        '.l.t{width:auto;padding:0 20px 0 16px}.l.t[aria-expanded=true]{width:' + sz + ';padding:0}.l[aria-expanded=true] .t{display:none}' +
        '.l:focus-visible{outline:0;box-shadow:0 0 0 3px #fff,0 0 0 6px #111}' +
        '.l svg{width:28px;height:28px;fill:currentColor;flex:none}' +
        '.l[aria-expanded=true] .i{display:none}.l[aria-expanded=true]:after{content:"\\d7";font:400 36px/28px system-ui,sans-serif}' +
        '.b{position:absolute;top:-2px;' + side + ':-2px;min-width:20px;height:20px;padding:0 5px;box-sizing:border-box;border-radius:10px;background:#dc2626;color:#fff;font:700 12px/20px system-ui,sans-serif}' +
        '.p{--pb:#fff;--pf:#222;--pl:#bbb;position:fixed;' + side + ':' + ox + ';bottom:' + above + ';width:380px;height:600px;max-width:calc(100vw - 40px);max-height:calc(100vh - ' + above + ' - 20px);overflow:hidden;border-radius:12px;background:var(--pb);box-shadow:0 8px 32px rgba(0,0,0,.3);visibility:hidden;pointer-events:none}' +
        (cfg.theme === 'dark' ? dark : cfg.theme === 'light' ? '' : '@media (prefers-color-scheme:dark){' + dark + '}') +
        '.p.o{visibility:visible;pointer-events:auto}' +
        '@media (max-width:480px){.p{top:var(--vt,0);left:var(--vl,0);right:auto;bottom:auto;width:var(--vw,100%);height:var(--vh,100%);max-width:none;max-height:none;border-radius:0;box-sizing:border-box;padding:env(safe-area-inset-top) env(safe-area-inset-right) env(safe-area-inset-bottom) env(safe-area-inset-left)}}' +
        'iframe{display:block;width:100%;height:100%;border:0}' +
        '.s{position:absolute;top:0;right:0;bottom:0;left:0;display:none;flex-direction:column;align-items:center;justify-content:center;background:var(--pb);color:var(--pf);font:15px/1.4 system-ui,sans-serif;text-align:center}' +
        '.sl,.sf{display:flex}.sp,.f{display:none}.sl .sp,.sf .f{display:block}' +
        '.sp{width:28px;height:28px;box-sizing:border-box;border:3px solid var(--pl);border-top-color:var(--pf);border-radius:50%;animation:r .8s linear infinite}' +
        '@keyframes r{to{transform:rotate(1turn)}}' +
        '.x{position:absolute;top:8px;right:8px;width:40px;height:40px;border:0;border-radius:50%;background:none;color:var(--pf);font-size:26px;line-height:1;cursor:pointer}' +
        '.r{margin-top:12px;padding:8px 16px;border:1px solid var(--pl);border-radius:6px;background:var(--pb);color:var(--pf);font:inherit;cursor:pointer}' +
        '.q{position:fixed;' + side + ':' + ox + ';bottom:' + above + ';max-width:260px;display:flex;border-radius:12px;background:#fff;box-shadow:0 4px 12px rgba(0,0,0,.25);pointer-events:auto}' +
        '.l[hidden]~.q{display:none}' +
        '.q button{border:0;background:none;color:#222;font:15px/1.4 system-ui,sans-serif;cursor:pointer}' +
        '.qt{padding:10px 0 10px 14px;text-align:left}.qx{min-width:40px;font-size:22px!important}' +
        '</style>' +
        '<button class="l" type="button" aria-expanded="false">' +
        '<svg class="i" viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M20 2H4a2 2 0 0 0-2 2v18l4-4h14a2 2 0 0 0 2-2V4a2 2 0 0 0-2-2z"/></svg>' +
        '<span class="b" aria-hidden="true" hidden></span></button>';
      launcher = root.querySelector('.l');
      badge = root.querySelector('.b');
      if (label) {
        // The shop's own words, as text: a pill with the icon.
        var t = d.createElement('span');
        t.className = 't';
        t.textContent = label;
        launcher.insertBefore(t, badge);
        launcher.classList.add('t');
      }
      relabel();
      if (cfg.hide) watchOpen();
      if (color) launcher.style.background = color;
      launcher.addEventListener(
        'click',
        guard(function () {
          if (isOpen) return close();
          clickAt = performance.now();
          // A click fires pointerenter first, which creates the frame: only
          // a frame already ready (hover, an earlier page view) counts.
          prefetched = ready;
          open();
        })
      );
      launcher.addEventListener('pointerenter', guard(warm));
      launcher.addEventListener('focus', guard(warm));
      // Keys typed inside the iframe never reach us: the chat itself posts
      // 'close' on Escape.
      root.addEventListener(
        'keydown',
        guard(function (e) {
          if (e.key === 'Escape' && isOpen) close();
        })
      );
      d.body.appendChild(host);
      teaser();
    }

    // teaser shows the first teaser announcement in its window on this
    // page beside the launcher: a click on it opens the chat, its × hides
    // it for the day (the visitor's act: only then is storage written).
    // The config is cached for minutes, so the window is checked against
    // this browser's clock, and again when one starts or ends.
    function teaser() {
      if (!root) return;
      var now = Date.now();
      var a;
      var gone = load('teaser');
      (cfg.teasers || []).forEach(function (t) {
        if (!a && !(t.start > now) && !(t.end <= now) && gone !== t.id + today() && matchPage(t.page, location.pathname + location.search)) a = t;
      });
      // A window starting or ending while the page is open: looked at
      // again every minute.
      clearTimeout(teaseTimer);
      if (cfg.teasers) teaseTimer = setTimeout(guard(teaser), 6e4);
      if (!a || userOpened) {
        if (tease) tease.hidden = true;
        return;
      }
      if (!tease) {
        tease = d.createElement('div');
        tease.className = 'q';
        tease.innerHTML = '<button class="qt" type="button"></button><button class="qx" type="button" aria-label="Dismiss">&times;</button>';
        tease.onclick = guard(function (e) {
          if (e.target === tease.firstChild) return open();
          save('teaser', tease.k + today());
          tease.hidden = true;
          launcher.focus();
        });
        launcher.after(tease);
      }
      tease.k = a.id;
      tease.firstChild.textContent = a.text;
      tease.hidden = false;
    }

    // contact adds the shop's other ways to be reached (cfg.contact:
    // [href, text] pairs, mailto: and tel: only) to the panel that says
    // the chat could not load, as links made of text.
    function contact(f) {
      var p = d.createElement('p');
      p.textContent = 'You can also reach us at ';
      (cfg.contact || []).forEach(function (x, i) {
        var a = d.createElement('a');
        a.href = x[0];
        a.textContent = x[1];
        p.append(i ? ' / ' : '', a);
        f.append(p);
      });
    }

    // blocked: the shop page's CSP refused the chat's frame, which then
    // never says ready. Fail at once, with the contact details.
    function blocked(e) {
      if (frame && !ready && /^(frame|child)/.test(e.effectiveDirective) && String(e.blockedURI).indexOf(base) === 0) setStatus('sf');
    }

    // A site that hides its chat while nobody answers: the launcher shows
    // only while the site is open, or a conversation is going on. A failed
    // look shows it: the chat itself tells the visitor it is closed.
    function watchOpen() {
      var check = guard(function () {
        fetch(String(cfg.base).replace(/\/+$/, '') + '/s/' + encodeURIComponent(site) + '/open', { credentials: 'omit' })
          .then(function (r) {
            return r.json();
          })
          .then(
            guard(function (j) {
              launcher.hidden = !j.open && !isOpen && load('conv') !== '1';
            }),
            guard(function () {
              launcher.hidden = false;
            })
          );
      });
      launcher.hidden = load('conv') !== '1';
      check();
      setInterval(check, 60000);
    }

    // warm: hover or focus may start the chat's download, never the chat
    // itself (the iframe waits for 'open' before it connects), and only on
    // a connection known to be fast and not saving data. Browsers that do
    // not say (no navigator.connection) are not known to be fast.
    function warm() {
      var c = navigator.connection;
      if (c && !c.saveData && c.effectiveType === '4g') ensureFrame(true);
    }

    function ensureFrame(warming) {
      mount();
      if (frame) return;
      if (!panel) {
        panel = d.createElement('div');
        panel.className = 'p';
        panel.setAttribute('role', 'dialog');
        panel.setAttribute('aria-label', cfg.title || 'Chat');
        panel.innerHTML =
          '<div class="s"><button class="x" type="button" aria-label="Close chat">&times;</button>' +
          '<div class="sp" role="status" aria-label="Loading chat"></div>' +
          '<div class="f"><p>Chat could not load.</p><button class="r" type="button">Retry</button></div></div>';
        status = panel.firstChild;
        contact(panel.querySelector('.f'));
        panel.querySelector('.x').addEventListener('click', guard(close));
        panel.querySelector('.r').addEventListener('click', guard(retry));
        root.appendChild(panel);
        // On a phone the panel is the visual viewport: above the on-screen
        // keyboard, wherever the page has scrolled under it, and no wider
        // than the screen when the shop's page is.
        var vv = w.visualViewport;
        if (vv) {
          var fit = guard(function () {
            var s = panel.style;
            s.setProperty('--vw', vv.width + 'px');
            s.setProperty('--vh', vv.height + 'px');
            s.setProperty('--vl', vv.offsetLeft + 'px');
            s.setProperty('--vt', vv.offsetTop + 'px');
          });
          vv.addEventListener('resize', fit);
          vv.addEventListener('scroll', fit);
          fit();
        }
        relabel();
      }
      frame = d.createElement('iframe');
      frame.title = 'Chat';
      frame.setAttribute('allow', 'clipboard-write');
      frame.src = src + (lang ? '&lang=' + encodeURIComponent(lang) : '') + (warming === true ? '&warm=1' : '') + (resume ? '#parley-resume=' + resume : '');
      ready = false;
      appUp = false;
      // Offline, the chat cannot load: say so at once.
      setStatus(navigator.onLine === false ? 'sf' : 'sl');
      panel.insertBefore(frame, status);
      clearTimeout(loadTimer);
      loadTimer = setTimeout(
        guard(function () {
          if (!ready) setStatus('sf');
        }),
        15000
      );
    }

    function retry() {
      if (frame) panel.removeChild(frame);
      frame = null;
      ensureFrame();
      panel.querySelector('.x').focus();
    }

    function setStatus(s) {
      status.className = 's ' + s;
    }

    function open(greeting) {
      onDom(function () {
        if (!greeting) userOpened = true;
        if (isOpen) return;
        if (tease) tease.hidden = true;
        ensureFrame();
        isOpen = true;
        wantFocus = !greeting; // a greeting must not steal the shopper's focus
        panel.classList.add('o');
        launcher.setAttribute('aria-expanded', 'true');
        var m = { parley: 1, type: 'open', page: page() };
        if (greeting) m.greeting = greeting;
        if (ready) {
          send(m);
          shown();
        } else pending = m;
        emit('open');
      });
    }

    function close(fromFrame) {
      if (!isOpen) return;
      // Give focus back only if it was ours: an API call must not pull focus
      // out of the shop's own form.
      var refocus = d.activeElement === host;
      isOpen = false;
      pending = null;
      clickAt = -1;
      panel.classList.remove('o');
      launcher.setAttribute('aria-expanded', 'false');
      if (ready && fromFrame !== true) send({ parley: 1, type: 'close' });
      if (refocus) launcher.focus();
      emit('close');
    }

    // shown runs when the panel is open and its iframe ready.
    function shown() {
      if (clickAt >= 0) {
        var ms = Math.round(performance.now() - clickAt);
        shownFrom = appUp ? -1 : clickAt;
        clickAt = -1;
        api.timing = { ms: ms, prefetched: prefetched };
        if (appUp) api.timing.app = ms;
        console.info('parley: interactive in ' + ms + ' ms');
      }
      // Unless the shopper has moved on to the page while the chat loaded.
      var a = d.activeElement;
      if (wantFocus && (!a || a === host || a === d.body)) frame.focus();
    }

    function receive(e) {
      var m = e.data;
      if (!frame || e.source !== frame.contentWindow || e.origin !== base) return;
      if (!m || m.parley !== 1) return;
      if (m.type === 'ready') {
        ready = true;
        resume = ''; // the widget has it: a retry must not say it again
        clearTimeout(loadTimer);
        setStatus('');
        send({ parley: 1, type: 'page', page: page(), referrer: d.referrer });
        if (who) send(who);
        if (lang) send({ parley: 1, type: 'lang', lang: lang });
        flush();
        // After a reload of the iframe itself, an open panel needs 'open' again.
        if (isOpen) {
          send(pending || { parley: 1, type: 'open', page: page() });
          pending = null;
          shown();
        }
        emit('ready');
      } else if (m.type === 'app') {
        appUp = true;
        if (shownFrom >= 0 && api.timing) {
          api.timing.app = Math.round(performance.now() - shownFrom);
          console.info('parley: app running in ' + api.timing.app + ' ms');
        }
        shownFrom = -1;
      } else if (m.type === 'close') close(true);
      else if (m.type === 'unread') {
        var n = (unread = Math.max(0, m.count | 0));
        badge.textContent = n > 9 ? '9+' : String(n);
        badge.hidden = !n;
        relabel();
      } else if (m.type === 'words') {
        words = String(m.words);
        relabel();
      } else if (m.type === 'message') emit('message', m.message);
      else if (m.type === 'conversation') save('conv', m.open ? '1' : null);
    }

    function word(i) {
      return words.split('|')[i];
    }

    // relabel says the launcher's words in the chat's language, with the
    // unread count.
    function relabel() {
      // The visible label first (what speech users say), then what it
      // does and the unread count.
      var open = (label ? label + ', ' : '') + word(0);
      if (launcher)
        launcher.setAttribute('aria-label', unread ? open + ', ' + word(1) + ': ' + unread : open);
    }

    function send(m) {
      if (m.page) lastURL = m.page.url;
      frame.contentWindow.postMessage(m, base);
    }

    function flush() {
      if (ctx) send({ parley: 1, type: 'context', context: ctx });
      ctx = null;
    }

    function navigated() {
      if (ready && location.href !== lastURL) send({ parley: 1, type: 'page', page: page() });
      armGreeting();
      teaser();
    }

    function armGreeting() {
      if (!pro.enabled || !pro.message || greeted || greetTimer || !pageMatches()) return;
      if (load('greeted') === today()) {
        greeted = true;
        return;
      }
      greetTimer = setTimeout(
        guard(function () {
          greetTimer = 0;
          if (!pageMatches()) return; // navigated away meanwhile: re-armed on return
          greeted = true;
          // Another tab may have greeted today, and a visitor who opened the
          // chat themselves needs no invitation.
          var day = today();
          if (userOpened || isOpen || load('greeted') === day) return;
          save('greeted', day);
          open(pro.message);
        }),
        Math.max(0, +pro.delaySeconds || 0) * 1000
      );
    }

    function pageMatches() {
      return matchPage(pro.pagePattern || '', location.pathname + location.search);
    }

    function page() {
      return { url: location.href, title: d.title };
    }

    function emit(ev, arg) {
      var list = handlers[ev].slice();
      for (var i = 0; i < list.length; i++) call(list[i], arg);
    }

    function call(fn, arg) {
      try {
        fn(arg);
      } catch (e) {
        warn('a handler failed: ' + ((e && e.message) || e));
      }
    }

    // Storage can throw (blocked site data, Safari private mode): without
    // it, flags live for this page view only.
    function load(name) {
      try {
        return w.localStorage.getItem(key + name);
      } catch (e) {
        return null;
      }
    }

    function save(name, value) {
      try {
        if (value == null) w.localStorage.removeItem(key + name);
        else w.localStorage.setItem(key + name, value);
      } catch (e) {}
    }
  }

  function onDom(fn) {
    if (d.readyState === 'loading') d.addEventListener('DOMContentLoaded', guard(fn), { once: true });
    else fn();
  }

  function today() {
    var t = new Date();
    return t.getFullYear() + '-' + pad(t.getMonth() + 1) + '-' + pad(t.getDate());
  }

  function pad(n) {
    return (n < 10 ? '0' : '') + n;
  }

  // originAllowed ports parley.OriginAllowed: CSP host sources, where a
  // pattern without a scheme matches http and https, "*.example.com" matches
  // subdomains only, and a pattern without a port matches the default port.
  function originAllowed(patterns, origin) {
    var u;
    try {
      u = new URL(origin);
    } catch (e) {
      return false;
    }
    var scheme = u.protocol.slice(0, -1);
    if ((scheme !== 'http' && scheme !== 'https') || !u.hostname) return false;
    var host = u.hostname.toLowerCase();
    var port = u.port || defaultPort(scheme);
    return patterns.some(function (p) {
      var rest = String(p).toLowerCase();
      var i = rest.indexOf('://');
      if (i >= 0) {
        if (rest.slice(0, i) !== scheme) return false;
        rest = rest.slice(i + 3);
      }
      var pHost = rest;
      var pPort = '';
      i = rest.lastIndexOf(':');
      if (i >= 0) {
        pHost = rest.slice(0, i);
        pPort = rest.slice(i + 1);
      }
      if (pPort === '' ? port !== defaultPort(scheme) : pPort !== '*' && pPort !== port) return false;
      return pHost.indexOf('*.') === 0 ? host.endsWith(pHost.slice(1)) : pHost === host;
    });
  }

  function defaultPort(scheme) {
    return scheme === 'https' ? '443' : '80';
  }

  // matchPage ports parley.MatchPage: '*' matches any run of characters and
  // an empty pattern matches every page.
  function matchPage(pattern, path) {
    if (!pattern) return true;
    var parts = String(pattern).split('*');
    if (path.indexOf(parts[0]) !== 0) return false;
    path = path.slice(parts[0].length);
    var last = parts.length - 1;
    for (var i = 1; i < last; i++) {
      var j = path.indexOf(parts[i]);
      if (j < 0) return false;
      path = path.slice(j + parts[i].length);
    }
    return last === 0 ? path === '' : path.endsWith(parts[last]);
  }
})(PARLEY_CONFIG);
