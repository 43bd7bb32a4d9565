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
    // Changing the sort applies it at once.
    var sort = document.getElementById("sort");
    if (sort && sort.form) {
      sort.addEventListener("change", function () { sort.form.submit(); });
    }
  });
})();
