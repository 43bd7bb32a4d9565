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

  document.addEventListener("DOMContentLoaded", function () {
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
