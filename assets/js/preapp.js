// Parley's widget page before its app: the server draws the panel
// (server/web/pages.go, #parley.widget-prerendered) and this script makes
// its composer work until the wasm runs. A message sent now goes to the
// outbox in localStorage, as app/client keeps it (a send frame with a new
// id), and is shown on its way; the app sends it once it is up. Messages of
// the loader are kept for the app. It writes nothing before the visitor
// sends: a warm frame (the loader's hover prefetch) stores nothing.
//
// The app takes over with window.ParleyPreApp (app/visitor/preapp.go):
// take() ends sending here and returns {ready, draft}; messages() ends
// listening and returns the loader's messages in order. The page inlines
// this file under a CSP hash; keep it small and free of exceptions.
(function () {
  'use strict';
  var w = window;
  var d = document;
  var root = d.getElementById('parley');
  if (!root || !/\bwidget-prerendered\b/.test(root.className)) return;
  var site = root.getAttribute('data-site') || '';
  var origin = root.getAttribute('data-origin') || '';
  var max = +root.getAttribute('data-max') || 4000;
  var embedded = !!origin && w.parent !== w;
  var box = d.getElementById('composer');
  var sendBtn = d.getElementById('send');
  var list = d.getElementById('messages');
  var usable = !!(box && !box.disabled && sendBtn && list);
  var kept = [];
  var taken = false;
  var listening = true;
  var open = !embedded;
  var ready = false;

  w.ParleyPreApp = {
    take: function () {
      taken = true;
      return { ready: ready, draft: box ? box.value : '' };
    },
    messages: function () {
      listening = false;
      w.removeEventListener('message', receive);
      d.removeEventListener('keydown', escape);
      return kept.splice(0);
    }
  };

  function post(type) {
    if (!embedded) return;
    try {
      w.parent.postMessage({ parley: 1, type: type }, origin);
    } catch (e) {}
  }

  function receive(e) {
    var m = e.data;
    if (!listening || e.origin !== origin || e.source !== w.parent || !m || m.parley !== 1) return;
    kept.push(m);
    if (m.type === 'open') {
      open = true;
      if (usable && !taken) box.focus();
    } else if (m.type === 'close') open = false;
  }

  // Escape and × close the chat, as in the app; the app learns of it.
  function close() {
    if (!open || !embedded || taken) return;
    open = false;
    kept.push({ parley: 1, type: 'close' });
    post('close');
  }

  function escape(e) {
    if (e.key === 'Escape') close();
  }

  if (embedded) {
    w.addEventListener('message', receive);
    d.addEventListener('keydown', escape);
    var x = d.getElementById('close');
    if (x) x.addEventListener('click', close);
  }
  if (!usable) return; // the app asks first (a form) or says the site is closed

  function id() {
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = '';
    for (var i = 0; i < 16; i++) {
      h += (b[i] < 16 ? '0' : '') + b[i].toString(16);
      if (i === 3 || i === 5 || i === 7 || i === 9) h += '-';
    }
    return h;
  }

  function send() {
    if (taken) return;
    var text = box.value.replace(/\r\n/g, '\n').trim();
    if (!text || Array.from(text).length > max) return;
    var key = 'parley.outbox.' + site;
    var out = null;
    try {
      out = JSON.parse(localStorage.getItem(key) || 'null');
    } catch (e) {}
    if (!Array.isArray(out)) out = [];
    var f = { type: 'send', id: id(), conv: 0, text: text, fresh: true };
    out.push(f);
    try {
      localStorage.setItem(key, JSON.stringify(out));
    } catch (e) {
      return; // not kept, not shown: the text stays in the box
    }
    box.value = '';
    show(f);
  }

  // show draws a message on its way as the app's message list does.
  function show(f) {
    var intro = d.querySelector('#parley .intro');
    if (intro) intro.parentNode.replaceChild(span('intro-none'), intro);
    var row = d.createElement('div');
    row.className = 'msg msg-visitor msg-mine msg-sending';
    row.setAttribute('data-key', f.id);
    var text = d.createElement('div');
    text.className = 'msg-text';
    text.textContent = f.text;
    var meta = d.createElement('div');
    meta.className = 'msg-meta';
    var st = span('msg-status');
    st.textContent = root.getAttribute('data-sending') || 'Sending…';
    meta.appendChild(st);
    row.appendChild(span('msg-author-none'));
    row.appendChild(text);
    row.appendChild(meta);
    list.appendChild(row);
    var body = d.getElementById('scroller') || list.parentNode;
    body.scrollTop = body.scrollHeight;
  }

  function span(cls) {
    var s = d.createElement('span');
    s.className = cls;
    return s;
  }

  box.addEventListener('keydown', function (e) {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      send();
    }
  });
  sendBtn.addEventListener('click', function () {
    send();
    box.focus();
  });
  // The shell takes input: the loader may show it, and measures this.
  ready = true;
  w.ParleyPreApp.readyAt = performance.now();
  post('ready');
})();
