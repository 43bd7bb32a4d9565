//! The single-page area: a client-side router (pushState and hash routes), fetch-driven forms
//! posting JSON, buttons with handlers, a page whose states never end, a script that calls
//! another origin, and the DOM-based XSS pages (each with a safe twin). Nothing here is in the
//! HTML: an HTML crawler sees the shell `/spa/` and the `/dom/` pages' markup only.

use crate::html::esc;
use crate::state::Shared;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use http::header;
use serde_json::{json, Value};
use std::collections::HashMap;

pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/spa/", get(shell))
        .route("/spa/{*route}", get(shell))
        .route("/spa/app.js", get(app_js))
        .route("/spa/api/products", get(products))
        .route("/spa/api/products/{id}", get(product))
        .route("/spa/api/search", get(search))
        .route("/spa/api/items", get(items))
        .route("/spa/api/contact", post(contact))
        .route("/spa/api/favourites", post(favourite))
        .route("/spa/api/settings", put(settings))
        .route("/dom/", get(dom_index))
        .route("/dom/{page}", get(dom_page))
}

async fn shell(State(st): State<Shared>) -> Html<String> {
    let partner = match &st.outside {
        Some(o) => serde_json::to_string(o.trim_end_matches('/')).unwrap_or_else(|_| "null".into()),
        None => "null".into(),
    };
    Html(format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Trip planner - Acme Outdoor</title></head>\
         <body><div id=\"app\">Loading&hellip;</div>\n<script>window.ACME_PARTNER = {partner};</script>\n\
         <script src=\"/spa/app.js\"></script></body></html>\n"
    ))
}

const APP_JS: &str = r##"(function () {
  var app = document.getElementById('app');
  // Built at run time, as bundlers do: no API path is a literal in this file.
  var API = ['', 'spa', 'a' + 'pi'].join('/');
  var links = [['/spa/', 'Home'], ['/spa/products', 'Products'], ['/spa/contact', 'Contact'],
               ['/spa/search', 'Search'], ['/spa/explore', 'Explore']];
  function nav() {
    return '<nav>' + links.map(function (l) { return '<a href="' + l[0] + '" data-link>' + l[1] + '</a> '; }).join('') +
      '<a href="#/settings">Settings</a></nav>';
  }
  function go(path) { history.pushState({}, '', path); render(); }
  document.addEventListener('click', function (e) {
    var a = e.target.closest && e.target.closest('a[data-link]');
    if (a) { e.preventDefault(); go(a.getAttribute('href')); }
  });
  window.addEventListener('popstate', render);
  window.addEventListener('hashchange', render);
  var clock = null;
  function render() {
    if (clock) { clearInterval(clock); clock = null; }
    if (location.hash === '#/settings') return settings();
    var p = location.pathname;
    if (p.indexOf('/spa/explore') === 0) return explore();
    if (p.indexOf('/spa/products/') === 0) return detail(p.split('/').pop());
    if (p === '/spa/products') return products();
    if (p === '/spa/contact') return contact();
    if (p === '/spa/search') return search();
    app.innerHTML = nav() + '<h1>Trip planner</h1><p>Plan your next trip.</p>';
  }
  function products() {
    fetch(API + '/products').then(function (r) { return r.json(); }).then(function (list) {
      app.innerHTML = nav() + '<ul>' + list.map(function (p) {
        return '<li><a href="/spa/products/' + p.id + '" data-link>' + p.name + '</a></li>';
      }).join('') + '</ul>';
    });
  }
  function detail(id) {
    fetch(API + '/products/' + encodeURIComponent(id)).then(function (r) { return r.json(); }).then(function (p) {
      app.innerHTML = nav() + '<h1></h1><button id="fav">Add to favourites</button>';
      app.querySelector('h1').textContent = p.name;
      document.getElementById('fav').addEventListener('click', function () {
        fetch(API + '/favourites', { method: 'POST', headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ product_id: Number(id), note: 'gift' }) });
      });
    });
  }
  function contact() {
    app.innerHTML = nav() + '<form id="cf"><input name="name"><input type="email" name="email">' +
      '<textarea name="message"></textarea><button>Send</button></form><p id="msg"></p>';
    document.getElementById('cf').addEventListener('submit', function (e) {
      e.preventDefault();
      var f = e.target;
      fetch(API + '/contact', { method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Requested-With': 'XMLHttpRequest' },
        body: JSON.stringify({ name: f.name.value, email: f.email.value, message: f.message.value }) })
        .then(function (r) { return r.json(); })
        .then(function (j) { document.getElementById('msg').textContent = j.status; });
    });
  }
  function search() {
    app.innerHTML = nav() + '<input id="q" value="tent"><span id="go" class="btn">Search</span><p id="res"></p>';
    document.getElementById('go').addEventListener('click', function () {
      var xhr = new XMLHttpRequest();
      xhr.open('GET', API + '/search?q=' + encodeURIComponent(document.getElementById('q').value));
      xhr.onload = function () { document.getElementById('res').textContent = JSON.parse(xhr.responseText).length + ' results'; };
      xhr.send();
    });
  }
  function settings() {
    app.innerHTML = nav() + '<label><input type="checkbox" id="news"> Newsletter</label><button id="save">Save</button>';
    document.getElementById('save').addEventListener('click', function () {
      fetch(API + '/settings', { method: 'PUT',
        headers: { 'Content-Type': 'application/json', 'X-Requested-With': 'XMLHttpRequest' },
        body: JSON.stringify({ newsletter: document.getElementById('news').checked, theme: 'dark' }) });
    });
  }
  // A page whose states never end: "Next" makes a new route, every "More" makes a new
  // button, and a clock changes the DOM every 100 ms.
  function explore() {
    var n = Number(location.pathname.split('/')[3] || 0);
    app.innerHTML = nav() + '<h1>Page ' + n + '</h1><p id="clock"></p><button id="next">Next</button><div id="more"></div>';
    document.getElementById('next').addEventListener('click', function () { go('/spa/explore/' + (n + 1)); });
    var k = 0;
    function more() {
      var b = document.createElement('button');
      b.textContent = 'More ' + (++k);
      b.addEventListener('click', more);
      document.getElementById('more').appendChild(b);
    }
    more();
    clock = setInterval(function () { document.getElementById('clock').textContent = String(Date.now()); }, 100);
    fetch(API + '/items?page=' + n);
  }
  // Calls to another origin (analytics, a partner): a scanner must never let them out.
  if (window.ACME_PARTNER) {
    fetch(window.ACME_PARTNER + '/spa-beacon', { mode: 'no-cors' }).catch(function () {});
    new Image().src = window.ACME_PARTNER + '/pixel.gif';
    try {
      var px = new XMLHttpRequest();
      px.open('POST', window.ACME_PARTNER + '/spa-xhr');
      px.setRequestHeader('Content-Type', 'application/json');
      px.send('{"from":"spa"}');
    } catch (e) { /* blocked */ }
    try { new WebSocket(window.ACME_PARTNER.replace(/^http/, 'ws') + '/spa-socket'); } catch (e) { /* blocked */ }
  }
  // Live updates over a WebSocket of the app's own origin.
  try { new WebSocket(location.origin.replace(/^http/, 'ws') + API + '/live'); } catch (e) { /* no socket */ }
  render();
})();
"##;

async fn app_js() -> Response {
    ([(header::CONTENT_TYPE, "application/javascript")], APP_JS).into_response()
}

const PRODUCTS: &[(u32, &str)] = &[
    (1, "Trail Tent 3000"),
    (2, "Summit Lamp"),
    (3, "River Kayak"),
];

async fn products() -> Json<Value> {
    Json(json!(PRODUCTS
        .iter()
        .map(|(id, name)| json!({"id": id, "name": name}))
        .collect::<Vec<_>>()))
}

async fn product(Path(id): Path<String>) -> Json<Value> {
    let name = PRODUCTS
        .iter()
        .find(|(i, _)| i.to_string() == id)
        .map(|(_, n)| *n)
        .unwrap_or("Unknown");
    Json(json!({"id": id, "name": name}))
}

async fn search(Query(q): Query<HashMap<String, String>>) -> Json<Value> {
    let q = q.get("q").cloned().unwrap_or_default().to_lowercase();
    Json(json!(PRODUCTS
        .iter()
        .filter(|(_, n)| n.to_lowercase().contains(&q))
        .map(|(id, name)| json!({"id": id, "name": name}))
        .collect::<Vec<_>>()))
}

async fn items(Query(q): Query<HashMap<String, String>>) -> Json<Value> {
    Json(json!({"page": q.get("page"), "items": []}))
}

async fn contact(Json(_body): Json<Value>) -> Json<Value> {
    Json(json!({"status": "Thanks, we will answer soon."}))
}

async fn favourite(Json(_body): Json<Value>) -> Json<Value> {
    Json(json!({"status": "saved"}))
}

async fn settings(Json(body): Json<Value>) -> Json<Value> {
    Json(json!({"saved": body}))
}

/// (vulnerable case id, path, vulnerable script, safe twin path, safe script).
const DOM: &[(&str, &str, &str, &str, &str)] = &[
    (
        "dom-xss-hash",
        "welcome.html",
        "document.getElementById('o').innerHTML = 'Welcome ' + decodeURIComponent(location.hash.slice(1));",
        "welcome-safe.html",
        "document.getElementById('o').textContent = 'Welcome ' + decodeURIComponent(location.hash.slice(1));",
    ),
    (
        "dom-xss-search",
        "results.html",
        "var t = new URLSearchParams(location.search).get('term') || ''; document.write('<p>Results for ' + t + '</p>');",
        "results-safe.html",
        "var t = new URLSearchParams(location.search).get('term') || ''; var esc = function (s) { return s.replace(/[&<>\"']/g, function (c) { return '&#' + c.charCodeAt(0) + ';'; }); }; document.write('<p>Results for ' + esc(t) + '</p>');",
    ),
    (
        "dom-xss-referrer",
        "back.html",
        "var r = decodeURIComponent(document.referrer); document.getElementById('o').innerHTML = '<a href=\"' + r + '\">Back</a>';",
        "back-safe.html",
        "var a = document.createElement('a'); a.href = document.referrer; a.textContent = 'Back'; document.getElementById('o').appendChild(a);",
    ),
    (
        "dom-xss-name",
        "config.html",
        "eval('var cfg = \"' + window.name + '\";'); document.getElementById('o').textContent = cfg;",
        "config-safe.html",
        "var cfg = window.name; document.getElementById('o').textContent = cfg;",
    ),
    (
        "dom-xss-message",
        "chat.html",
        "function $(s) { var e = document.querySelector(s); return { html: function (v) { e.innerHTML = v; return this; } }; } window.addEventListener('message', function (e) { $('#o').html(e.data); });",
        "chat-safe.html",
        "function $(s) { var e = document.querySelector(s); return { html: function (v) { e.innerHTML = v; return this; } }; } window.addEventListener('message', function (e) { if (e.origin !== 'https://chat.acme.example') return; $('#o').html(e.data); });",
    ),
    (
        "dom-xss-storage",
        "greeting.html",
        "function show(m) { document.getElementById('o').textContent = m; } var g = localStorage.getItem('greeting') || 'Hello'; setTimeout('show(\"' + g + '\")', 10);",
        "greeting-safe.html",
        "function show(m) { document.getElementById('o').textContent = m; } var g = localStorage.getItem('greeting') || 'Hello'; setTimeout(function () { show(g); }, 10);",
    ),
    (
        "dom-xss-location",
        "continue.html",
        "var n = new URLSearchParams(location.search).get('next'); if (n) location.href = n;",
        "continue-safe.html",
        "var n = new URLSearchParams(location.search).get('next'); if (n && /^\\/[^\\/\\\\]/.test(n)) location.href = n;",
    ),
];

async fn dom_index() -> Html<String> {
    let items: String = DOM
        .iter()
        .flat_map(|d| [d.1, d.3])
        .map(|p| format!("<li><a href=\"/dom/{p}\">{p}</a></li>"))
        .collect();
    Html(format!(
        "<!DOCTYPE html>\n<html><head><title>Widgets - Acme Outdoor</title></head><body><h1>Widgets</h1><ul>{items}</ul></body></html>\n"
    ))
}

async fn dom_page(State(st): State<Shared>, Path(page): Path<String>) -> Response {
    let script = DOM.iter().find_map(|(id, vp, vs, sp, ss)| {
        if page == *vp {
            // A fixed case serves its safe twin's script.
            Some(if st.vulnerable(id) {
                (*vs, true)
            } else {
                (*ss, false)
            })
        } else if page == *sp {
            Some((*ss, false))
        } else {
            None
        }
    });
    let Some((script, unsafe_sink)) = script else {
        return super::not_found(&st, &format!("/dom/{page}"));
    };
    let mark = if unsafe_sink {
        " data-sink=\"unsafe\""
    } else {
        ""
    };
    Html(format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{} - Acme Outdoor</title></head><body>\
         <div id=\"o\"></div>\n<script{mark}>{script}</script>\n</body></html>\n",
        esc(&page)
    ))
    .into_response()
}
