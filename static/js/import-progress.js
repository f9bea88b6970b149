/* The progress of a spreadsheet import: polls the import's JSON status every second, moves the
 * <progress> bar and its text, and reloads the page (which shows the result) once it is over.
 * Without JavaScript, the page refreshes itself (a <noscript> meta refresh).
 */
(function () {
  "use strict";

  var bar = document.getElementById("import-progress");
  if (!bar) return;
  var text = document.getElementById("import-progress-text");
  var template = text ? text.getAttribute("data-template") : null;

  function poll() {
    fetch(bar.getAttribute("data-status-url"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (!state) { window.setTimeout(poll, 3000); return; }
        bar.max = state.total;
        bar.value = state.done;
        if (text && template) {
          text.textContent = template.replace("{done}", state.done).replace("{total}", state.total);
        }
        if (state.status === "done" || state.status === "failed") {
          window.location.assign(bar.getAttribute("data-done-url"));
        } else {
          window.setTimeout(poll, 1000);
        }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }

  window.setTimeout(poll, 500);
})();
