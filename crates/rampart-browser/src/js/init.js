// rampart's instrumentation, installed in every document before the page's own scripts
// (Page.addScriptToEvaluateOnNewDocument). It records client-side routes, elements with
// handlers, DOM activity (to know when a page has settled), what the page reads (query
// parameter names, storage keys) and every value that reaches a script or HTML sink, and
// defines the confirmation callbacks of DOM XSS probes. Nothing here changes what the page does.
(() => {
  if (window.__rampart) return;
  const R = {
    routes: [], sinks: [], hits: [], params: [], storage: [], handlers: new WeakSet(),
    mutations: 0, lastMutation: 0, doc: Math.random().toString(36).slice(2),
  };
  Object.defineProperty(window, '__rampart', { value: R, enumerable: false });
  const now = () => performance.now();
  const TOKEN = /rmq[0-9a-z]{10}/;
  const stack = () => (new Error().stack || '').split('\n').slice(3, 9).map(s => s.trim()).join('\n');
  const note = (sink, v) => {
    try {
      const s = String(v);
      const m = s.match(TOKEN);
      if (m && R.sinks.length < 200) R.sinks.push({ sink, token: m[0], value: s.slice(0, 300), stack: stack() });
    } catch (e) { /* a value that cannot be read is not a taint */ }
  };
  R.note = note;
  // Probe callbacks: a payload calls __rampart_<token>() and the call proves execution.
  const probe = (window.__rampartProbe || {});
  R.logout = probe.logout || null;
  for (const t of (probe.tokens || [])) {
    window['__rampart_' + t] = () => { R.hits.push({ token: t, stack: stack() }); };
  }
  // XSS confirmation: the engine's payloads call a marker function; a call in a frame of
  // the same origin is told to the top document too.
  for (const f of (probe.calls || [])) {
    window[f] = () => {
      const h = { token: f, stack: stack(), url: location.href };
      R.hits.push(h);
      try { if (window.top !== window && window.top.__rampart) window.top.__rampart.hits.push(h); } catch (e) { /* another origin */ }
    };
  }
  // The visible elements whose attributes carry a call to `f` (a handler, a javascript:
  // URL), scrolled into view, with the centre a pointer reaches them at.
  R.carriers = (f) => {
    const out = [];
    for (const el of document.querySelectorAll('*')) {
      if (out.length >= 20) break;
      if (![...el.attributes].some(a => a.value.includes(f + '('))) continue;
      try { el.scrollIntoView({ block: 'center', inline: 'center' }); } catch (e) { /* not scrollable */ }
      const r = el.getBoundingClientRect();
      if (r.width <= 0 || r.height <= 0) continue;
      const x = r.left + r.width / 2, y = r.top + r.height / 2;
      const top = document.elementFromPoint(x, y);
      if (top && (top === el || el.contains(top))) out.push({ x, y });
    }
    return JSON.stringify(out);
  };
  // Focuses every element that carries a call to `f` (only focusable, rendered ones take it).
  R.focusCarriers = (f) => {
    for (const el of document.querySelectorAll('*')) {
      if ([...el.attributes].some(a => a.value.includes(f + '('))) { try { el.focus(); } catch (e) { /* not focusable */ } }
    }
    return true;
  };
  if (probe.name != null) window.name = probe.name;
  for (const [k, v] of (probe.storage || [])) {
    try { localStorage.setItem(k, v); sessionStorage.setItem(k, v); } catch (e) { /* storage may be denied */ }
  }
  // Routes: pushState/replaceState and hash changes.
  for (const m of ['pushState', 'replaceState']) {
    const o = history[m];
    history[m] = function (s, t, u) {
      try { if (u != null) R.routes.push(new URL(u, location.href).href); } catch (e) { /* ignore bad URLs */ }
      return o.apply(this, arguments);
    };
  }
  window.addEventListener('hashchange', () => R.routes.push(location.href));
  window.addEventListener('popstate', () => R.routes.push(location.href));
  // Window message listeners, wrapped: whether each reads event.origin while it handles the
  // probe message (R.client). The page's own messages pass through untouched.
  R.listeners = [];
  let reading = null;
  const oOrigin = Object.getOwnPropertyDescriptor(MessageEvent.prototype, 'origin');
  if (oOrigin && oOrigin.get) {
    Object.defineProperty(MessageEvent.prototype, 'origin', Object.assign({}, oOrigin, {
      get() { if (reading) reading.readOrigin = true; return oOrigin.get.call(this); },
    }));
  }
  const oSource = Object.getOwnPropertyDescriptor(MessageEvent.prototype, 'source');
  if (oSource && oSource.get) {
    Object.defineProperty(MessageEvent.prototype, 'source', Object.assign({}, oSource, {
      get() { if (reading) reading.readOrigin = true; return oSource.get.call(this); },
    }));
  }
  const wrapped = new WeakMap();
  const wrapMessage = (fn) => {
    const call = typeof fn === 'function' ? fn : (fn && typeof fn.handleEvent === 'function' ? fn.handleEvent : null);
    if (!call) return fn;
    if (wrapped.has(fn)) return wrapped.get(fn);
    const rec = { code: String(call).slice(0, 4000), handled: 0, readOrigin: false };
    if (R.listeners.length < 50) R.listeners.push(rec);
    const w = function (e) {
      const probe = !!(e && e.__rampart);
      const prev = reading;
      reading = probe ? rec : null;
      if (probe) rec.handled++;
      try { return typeof fn === 'function' ? fn.apply(this, arguments) : fn.handleEvent(e); } finally { reading = prev; }
    };
    wrapped.set(fn, w);
    return w;
  };
  // Elements with handlers.
  const oAdd = EventTarget.prototype.addEventListener;
  const oRemove = EventTarget.prototype.removeEventListener;
  EventTarget.prototype.addEventListener = function (type, fn, opts) {
    if (this instanceof Element && /^(click|dblclick|mousedown|mouseup|pointerdown|pointerup|touchstart)$/.test(type)) R.handlers.add(this);
    if (this === window && type === 'message' && fn) return oAdd.call(this, type, wrapMessage(fn), opts);
    return oAdd.call(this, type, fn, opts);
  };
  EventTarget.prototype.removeEventListener = function (type, fn, opts) {
    if (this === window && type === 'message' && fn && wrapped.has(fn)) return oRemove.call(this, type, wrapped.get(fn), opts);
    return oRemove.call(this, type, fn, opts);
  };
  for (let o = window; o; o = Object.getPrototypeOf(o)) {
    const d = Object.getOwnPropertyDescriptor(o, 'onmessage');
    if (!d || !d.set) continue;
    try {
      Object.defineProperty(window, 'onmessage', {
        configurable: true, enumerable: true,
        get() { return d.get.call(window); },
        set(fn) { return d.set.call(window, typeof fn === 'function' ? wrapMessage(fn) : fn); },
      });
    } catch (e) { /* not redefinable here: addEventListener listeners are still seen */ }
    break;
  }
  // Client-side checks: the scripts (with the head of each same-origin script, from the
  // cache), the globals named by the advisory data, web storage, the message listeners'
  // answer to a foreign-origin probe message, and what an HTTPS page loads over HTTP.
  R.client = async (paths) => {
    const scripts = [];
    for (const s of [...document.scripts].slice(0, 60)) {
      if (s.src) {
        let head = '';
        try {
          if (new URL(s.src).origin === location.origin && scripts.filter(x => x.head).length < 20) {
            const r = await oFetch(s.src, { cache: 'force-cache', credentials: 'same-origin' });
            head = (await r.text()).slice(0, 3000);
          }
        } catch (e) { /* unreadable: the name is still there */ }
        scripts.push({ src: s.src, head });
      } else {
        scripts.push({ src: null, head: (s.text || '').slice(0, 3000) });
      }
    }
    const globals = {};
    for (const p of paths || []) {
      try {
        let v = window;
        for (const k of p.split('.')) { if (v == null) break; v = v[k]; }
        if (typeof v === 'string' || typeof v === 'number') globals[p] = String(v);
        else if (v != null) globals[p] = 'present';
      } catch (e) { /* a throwing getter is not a version */ }
    }
    const storage = [];
    for (const [area, st] of [['localStorage', window.localStorage], ['sessionStorage', window.sessionStorage]]) {
      try {
        for (let i = 0; i < st.length && storage.length < 100; i++) {
          const k = st.key(i);
          storage.push({ area, key: k, value: String(oItem.call(st, k)).slice(0, 2000), written: R.written.includes(area + '\u0000' + k) });
        }
      } catch (e) { /* storage may be denied */ }
    }
    try {
      const ev = new MessageEvent('message', { data: 'rampart-probe', origin: 'https://rampart-probe.invalid' });
      Object.defineProperty(ev, '__rampart', { value: true });
      window.dispatchEvent(ev);
    } catch (e) { /* a throwing listener still counts as having handled it */ }
    const listeners = R.listeners.map(l => ({ code: l.code, handled: l.handled, read_origin: l.readOrigin }));
    const insecure = [];
    if (location.protocol === 'https:') {
      const add = u => { try { const x = new URL(u, document.baseURI); if (x.protocol === 'http:' && !insecure.includes(x.href) && insecure.length < 50) insecure.push(x.href); } catch (e) { /* not a URL */ } };
      for (const e of performance.getEntriesByType('resource')) add(e.name);
      for (const e of document.querySelectorAll('script[src], img[src], iframe[src], audio[src], video[src], source[src], embed[src]')) add(e.getAttribute('src'));
      for (const e of document.querySelectorAll('link[rel~="stylesheet"][href], object[data]')) add(e.getAttribute('href') || e.getAttribute('data'));
    }
    return JSON.stringify({ url: location.href, scripts, globals, storage, listeners, insecure });
  };
  // What the page reads.
  const oGet = URLSearchParams.prototype.get;
  URLSearchParams.prototype.get = function (n) {
    if (R.params.length < 50 && !R.params.includes(String(n))) R.params.push(String(n));
    return oGet.call(this, n);
  };
  // Storage entries this document writes (web storage is shared by the origin's pages: an
  // entry is judged on the page that wrote it).
  R.written = [];
  const oSetItem = Storage.prototype.setItem;
  Storage.prototype.setItem = function (k, v) {
    try {
      const area = this === window.sessionStorage ? 'sessionStorage' : 'localStorage';
      if (R.written.length < 100) R.written.push(area + '\u0000' + String(k));
    } catch (e) { /* storage may be denied */ }
    return oSetItem.call(this, k, v);
  };
  const oItem = Storage.prototype.getItem;
  Storage.prototype.getItem = function (k) {
    if (R.storage.length < 50 && !R.storage.includes(String(k))) R.storage.push(String(k));
    return oItem.call(this, k);
  };
  // Sinks.
  const hookSetter = (proto, prop, name) => {
    const d = Object.getOwnPropertyDescriptor(proto, prop);
    if (!d || !d.set) return;
    Object.defineProperty(proto, prop, Object.assign({}, d, { set(v) { note(name, v); return d.set.call(this, v); } }));
  };
  hookSetter(Element.prototype, 'innerHTML', 'innerHTML');
  hookSetter(Element.prototype, 'outerHTML', 'outerHTML');
  hookSetter(HTMLIFrameElement.prototype, 'srcdoc', 'iframe.srcdoc');
  const wrap = (obj, fn, name, pick) => {
    const o = obj[fn];
    if (typeof o !== 'function') return;
    obj[fn] = function (...a) { note(name, pick ? pick(a) : a.join('')); return o.apply(this, a); };
  };
  wrap(Document.prototype, 'write', 'document.write');
  wrap(Document.prototype, 'writeln', 'document.writeln');
  wrap(Element.prototype, 'insertAdjacentHTML', 'insertAdjacentHTML', a => a[1]);
  wrap(Range.prototype, 'createContextualFragment', 'createContextualFragment', a => a[0]);
  wrap(Location.prototype, 'assign', 'location.assign');
  wrap(Location.prototype, 'replace', 'location.replace');
  wrap(window, 'open', 'window.open', a => a[0]);
  for (const t of ['setTimeout', 'setInterval']) {
    const o = window[t];
    window[t] = function (f, ...r) { if (typeof f === 'string') note(t, f); return o.call(this, f, ...r); };
  }
  const oEval = window.eval;
  window.eval = function (s) { note('eval', s); return oEval(s); };
  const oF = window.Function;
  const F = function (...a) { note('Function', a.join(',')); return oF.apply(this, a); };
  F.prototype = oF.prototype;
  window.Function = F;
  // Network activity of the page's own script (fetch, XHR), for the settle wait.
  R.pending = 0;
  const done = () => { R.pending--; R.lastMutation = now(); };
  const oFetch = window.fetch;
  if (oFetch) {
    window.fetch = function (...a) {
      R.pending++;
      const p = oFetch.apply(this, a);
      p.then(done, done);
      return p;
    };
  }
  const oSend = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.send = function (...a) {
    R.pending++;
    this.addEventListener('loadend', done, { once: true });
    return oSend.apply(this, a);
  };
  R.ws = [];
  const OWS = window.WebSocket;
  if (OWS) {
    const W = function (u, p) { try { R.ws.push(new URL(u, location.href).href); } catch (e) { /* bad URL */ } return p === undefined ? new OWS(u) : new OWS(u, p); };
    W.prototype = OWS.prototype;
    Object.assign(W, { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 });
    window.WebSocket = W;
  }
  // What the crawler clicks: elements with handlers, buttons and script links.
  R.clickables = () => {
    const out = [];
    const seen = new Set();
    const skip = R.logout ? new RegExp(R.logout, 'i') : null;
    const add = el => {
      if (seen.has(el) || out.length >= 200) return;
      seen.add(el);
      if (!el.isConnected || el.disabled || (el.closest('form') && (el.type === 'submit' || el.type === 'image'))) return;
      const label = (el.textContent || '') + ' ' + (el.getAttribute('href') || '') + ' ' + (el.id || '');
      if (skip && skip.test(label)) return;
      out.push(el);
    };
    for (const el of document.querySelectorAll('button, input[type=button], [onclick], [role=button], [role=tab], [role=menuitem], [role=link], a[href^="#"], a[href^="javascript:"], a:not([href])')) add(el);
    for (const el of document.querySelectorAll('body *')) if (R.handlers.has(el)) add(el);
    return out;
  };
  R.click = (i) => {
    const els = R.clickables();
    if (i >= els.length) return -1;
    try { els[i].click(); } catch (e) { /* a throwing handler is the page's business */ }
    return els.length;
  };
  const value = (el) => {
    const t = (el.type || 'text').toLowerCase();
    const n = ((el.name || '') + ' ' + (el.id || '')).toLowerCase();
    switch (t) {
      case 'email': return 'rampart@example.com';
      case 'password': return 'Rampart-1234!';
      case 'number': case 'range': return el.min !== '' ? el.min : '1';
      case 'tel': return '5555550100';
      case 'url': return 'https://example.com/';
      case 'date': return '2024-01-01';
      case 'datetime-local': return '2024-01-01T12:00';
      case 'time': return '12:00';
      case 'month': return '2024-01';
      case 'week': return '2024-W01';
      case 'color': return '#336699';
      default:
        if (/mail/.test(n)) return 'rampart@example.com';
        if (/phone|tel/.test(n)) return '5555550100';
        if (/age|qty|quantity|count|amount|num/.test(n)) return '1';
        if (/url|site|link/.test(n)) return 'https://example.com/';
        return 'rampart';
    }
  };
  R.submitForm = (i) => {
    const f = document.forms[i];
    if (!f) return false;
    for (const el of f.elements) {
      const t = (el.type || '').toLowerCase();
      if (el.disabled || ['hidden', 'submit', 'button', 'image', 'reset', 'file'].includes(t)) continue;
      if (t === 'checkbox' || t === 'radio') { el.checked = true; continue; }
      if (el.tagName === 'SELECT') { const o = [...el.options].find(o => o.value); if (o) el.value = o.value; continue; }
      if (!el.value) el.value = value(el);
      el.dispatchEvent(new Event('input', { bubbles: true }));
      el.dispatchEvent(new Event('change', { bubbles: true }));
    }
    try { if (f.requestSubmit) f.requestSubmit(); else f.submit(); } catch (e) { return false; }
    return true;
  };
  R.settled = (quiet) => document.readyState === 'complete' && R.pending <= 0 && now() - R.lastMutation >= quiet;
  R.snapshot = () => {
    const abs = u => { try { return new URL(u, document.baseURI).href; } catch (e) { return null; } };
    const links = new Set();
    const attr = (sel, a) => { for (const e of document.querySelectorAll(sel)) { const h = abs(e.getAttribute(a)); if (h) links.add(h); } };
    attr('a[href], area[href]', 'href');
    attr('iframe[src], frame[src]', 'src');
    attr('[data-href]', 'data-href');
    attr('[data-url]', 'data-url');
    attr('[routerlink]', 'routerlink');
    attr('form[action]', 'action');
    const sig = new Set();
    for (const el of document.querySelectorAll('body *')) {
      if (sig.size >= 2000) break;
      const names = [...el.attributes].map(a => a.name).filter(n => n !== 'style').sort().join(',');
      const href = (el.getAttribute('href') || '').replace(/[0-9]+/g, 'N').slice(0, 80);
      sig.add(el.tagName + '[' + names + ']' + href);
    }
    return JSON.stringify({
      url: location.href, doc: R.doc, links: [...links], routes: R.routes, params: R.params,
      storage: R.storage.concat(Object.keys(localStorage || {})), ws: R.ws, forms: document.forms.length,
      sig: [...sig].sort().join('|'),
    });
  };
  // DOM activity, for the settle wait.
  const watch = () => {
    new MutationObserver(() => { R.mutations++; R.lastMutation = now(); })
      .observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
  };
  if (document.documentElement) watch(); else document.addEventListener('readystatechange', watch, { once: true });
  // A dialog would block the page: answered by the crawler, recorded here too.
  for (const d of ['alert', 'confirm', 'prompt']) {
    const o = window[d];
    window[d] = function (m) { note(d, m); return d === 'confirm' ? true : (d === 'prompt' ? '' : undefined); };
    void o;
  }
})();
