// rampart console: progressive enhancement only. Every page works without this file.
"use strict";
(function () {
  // The API's insight_ui_url is `/#/apps/{app}/vulnerabilities/{id}`: the fragment never
  // reaches the server, so the page that receives it (after `/` → `/console`, and the
  // sign-in page if needed) opens the vulnerability.
  var deep = /^#\/apps\/[0-9a-f-]{36}\/vulnerabilities\/([0-9a-f-]{36})$/i;
  var m = deep.exec(location.hash);
  if (m) {
    if (location.pathname === "/console/sign-in") {
      try { sessionStorage.setItem("rampart-next", m[1]); } catch (e) { /* private mode */ }
    } else {
      location.replace("/console/vulnerabilities/" + m[1]);
      return;
    }
  } else if (location.pathname === "/console") {
    var next = null;
    try { next = sessionStorage.getItem("rampart-next"); sessionStorage.removeItem("rampart-next"); } catch (e) { /* private mode */ }
    if (next && /^[0-9a-f-]{36}$/i.test(next)) {
      location.replace("/console/vulnerabilities/" + next);
      return;
    }
  }

  function followScan(live) {
    var es = new EventSource(live.getAttribute("data-live"));
    var status = document.getElementById("scan-status");
    var completed = document.getElementById("scan-completed");
    var list = document.getElementById("events");
    es.addEventListener("state", function (m) {
      var s = JSON.parse(m.data);
      if (status) { status.textContent = s.status; }
      if (completed && s.completed) { completed.textContent = s.completed; }
      Object.keys(s.counters).forEach(function (k) {
        var cell = live.querySelector('[data-counter="' + k + '"]');
        if (cell) { cell.textContent = k === "logged_in" ? (s.counters[k] ? "yes" : "no") : String(s.counters[k]); }
      });
      live.querySelectorAll("form[data-action]").forEach(function (f) {
        f.hidden = s.actions.indexOf(f.getAttribute("data-action")) < 0;
      });
      if (s.terminal) { live.setAttribute("data-state", "done"); }
    });
    es.addEventListener("log", function (m) {
      var none = document.getElementById("no-events");
      if (none) { none.remove(); }
      JSON.parse(m.data).forEach(function (e) {
        var li = document.createElement("li");
        li.setAttribute("data-seq", String(e.seq));
        var t = document.createElement("time");
        t.setAttribute("datetime", e.time);
        t.textContent = e.clock;
        var k = document.createElement("span");
        k.className = "kind kind-" + e.kind;
        k.textContent = e.kind;
        li.appendChild(t);
        li.appendChild(document.createTextNode(" "));
        li.appendChild(k);
        li.appendChild(document.createTextNode(" " + e.text));
        list.appendChild(li);
      });
      while (list.children.length > 500) { list.removeChild(list.firstChild); }
      list.scrollTop = list.scrollHeight;
    });
    es.addEventListener("end", function () {
      es.close();
      live.setAttribute("data-state", "done");
    });
  }

  // The scan-config editor: the config's errors[] for the form's current values (nothing
  // is saved; the endpoint computes them as the API does), refreshed as the user types.
  function liveErrors(form) {
    var url = form.getAttribute("data-errors-url");
    var box = document.getElementById("config-errors");
    if (!url || !box || !window.fetch) { return; }
    var timer = null;
    var seq = 0;
    function render(errors) {
      box.textContent = "";
      if (!errors.length) {
        var ok = document.createElement("p");
        ok.className = "ok";
        ok.id = "config-errors-none";
        ok.textContent = "No configuration error: a scan of this config can run.";
        box.appendChild(ok);
        return;
      }
      var ul = document.createElement("ul");
      ul.className = "errors";
      errors.forEach(function (e) {
        var li = document.createElement("li");
        li.textContent = e;
        ul.appendChild(li);
      });
      box.appendChild(ul);
    }
    function check() {
      var mine = ++seq;
      var body = new URLSearchParams(new FormData(form));
      body.delete("password");
      fetch(url, { method: "POST", body: body, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (j) {
          if (j && mine === seq) {
            render(j.errors);
            box.setAttribute("data-checked", String(mine));
          }
        })
        .catch(function () { /* the saved state stays shown */ });
    }
    function later(ms) {
      return function () {
        clearTimeout(timer);
        timer = setTimeout(check, ms);
      };
    }
    form.addEventListener("input", later(300));
    form.addEventListener("change", later(50));
  }

  // The search box: completion of the field name being typed (anywhere in the query) from
  // the search language's catalogue, which the page lists in the input's <datalist>.
  // ARIA combobox: arrows move, Enter or Tab takes the choice, Escape closes.
  function completeFields(input) {
    var list = document.getElementById(input.getAttribute("list"));
    if (!list) { return; }
    var fields = Array.prototype.map.call(list.options, function (o) { return o.value; });
    input.removeAttribute("list");
    var box = document.createElement("ul");
    box.id = input.id + "-suggest";
    box.className = "suggest";
    box.setAttribute("role", "listbox");
    box.setAttribute("aria-label", "Field names");
    box.hidden = true;
    var row = input.closest(".row") || input;
    row.parentNode.insertBefore(box, row.nextSibling);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", box.id);
    input.setAttribute("aria-expanded", "false");
    var active = -1;
    var shown = [];
    function token() {
      var at = input.selectionStart === null ? input.value.length : input.selectionStart;
      var m = /[A-Za-z_][A-Za-z0-9_.]*$/.exec(input.value.slice(0, at));
      return m ? { start: at - m[0].length, end: at, text: m[0] } : null;
    }
    function close() {
      box.hidden = true;
      box.textContent = "";
      shown = [];
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }
    function mark(i) {
      active = i;
      Array.prototype.forEach.call(box.children, function (li, j) {
        li.setAttribute("aria-selected", j === i ? "true" : "false");
      });
      if (i >= 0) {
        input.setAttribute("aria-activedescendant", box.children[i].id);
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }
    function take(i) {
      var t = token();
      if (!t || i < 0 || i >= shown.length) { return; }
      var v = input.value;
      var rest = v.slice(t.end);
      var add = shown[i] + (rest.charAt(0) === " " ? "" : " ");
      input.value = v.slice(0, t.start) + add + rest;
      var caret = t.start + add.length;
      input.setSelectionRange(caret, caret);
      close();
    }
    function update() {
      var t = token();
      if (!t) { close(); return; }
      var low = t.text.toLowerCase();
      shown = fields.filter(function (f) {
        return f.toLowerCase().indexOf(low) === 0 && f.toLowerCase() !== low;
      }).slice(0, 8);
      if (!shown.length) {
        shown = fields.filter(function (f) { return f.toLowerCase().indexOf("." + low) >= 0; }).slice(0, 8);
      }
      box.textContent = "";
      if (!shown.length) { close(); return; }
      shown.forEach(function (f, i) {
        var li = document.createElement("li");
        li.id = box.id + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.textContent = f;
        li.addEventListener("mousedown", function (e) { e.preventDefault(); take(i); input.focus(); });
        box.appendChild(li);
      });
      box.hidden = false;
      input.setAttribute("aria-expanded", "true");
      mark(-1);
    }
    input.addEventListener("input", update);
    input.addEventListener("blur", close);
    input.addEventListener("keydown", function (e) {
      if (box.hidden) { return; }
      if (e.key === "ArrowDown") { e.preventDefault(); mark((active + 1) % shown.length); }
      else if (e.key === "ArrowUp") { e.preventDefault(); mark(active <= 0 ? shown.length - 1 : active - 1); }
      else if ((e.key === "Enter" || e.key === "Tab") && active >= 0) { e.preventDefault(); take(active); }
      else if (e.key === "Escape") { e.preventDefault(); close(); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var q = document.querySelector("input[type=search][list]");
    if (q) { completeFields(q); }
    document.querySelectorAll("form[data-errors-url]").forEach(liveErrors);
    // "Select all on this page" for bulk changes.
    document.querySelectorAll("[data-select-all]").forEach(function (all) {
      var name = all.getAttribute("data-select-all");
      var form = all.form;
      all.addEventListener("change", function () {
        form.querySelectorAll('input[type=checkbox][name="' + name + '"]').forEach(function (c) {
          c.checked = all.checked;
        });
      });
    });
    // A scan's page follows the scan live: the server streams its state and events.
    var live = document.querySelector("[data-live]");
    if (live && live.getAttribute("data-state") === "live" && window.EventSource) {
      followScan(live);
    }
    // Changing the sort applies it at once.
    var sort = document.getElementById("sort");
    if (sort && sort.form) {
      sort.addEventListener("change", function () { sort.form.submit(); });
    }
  });
})();
