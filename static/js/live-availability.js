/* Live availability: elements with data-live-unit (a unit's coming days) or data-live-units (a
   list of results) are re-fetched from their data-refresh-url when an availability event for one
   of their units arrives. One EventSource per page. Without EventSource (or while it is down),
   the same URLs are polled with If-None-Match every 20 seconds. */
(function () {
  "use strict";
  var POLL_MS = 20000;

  function targets() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-live-unit], [data-live-units]"));
  }

  function unitsOf(el) {
    var raw = el.getAttribute("data-live-unit") || el.getAttribute("data-live-units") || "";
    return raw.split(",").filter(Boolean).map(Number);
  }

  var etags = {};

  function refresh(el) {
    var url = el.getAttribute("data-refresh-url");
    if (!url) { return; }
    var headers = etags[url] ? { "If-None-Match": etags[url] } : {};
    fetch(url, { headers: headers, credentials: "same-origin" }).then(function (response) {
      if (response.status === 304 || !response.ok) { return null; }
      if (response.headers.get("ETag")) { etags[url] = response.headers.get("ETag"); }
      return response.text();
    }).then(function (html) {
      if (!html) { return; }
      var holder = document.createElement("div");
      holder.innerHTML = html.trim();
      var fresh = holder.querySelector("[data-live-unit], [data-live-units]") || holder.firstElementChild;
      if (fresh && el.parentNode) {
        el.parentNode.replaceChild(fresh, el);
        document.dispatchEvent(new CustomEvent("spaces:availability-refreshed", { detail: { element: fresh } }));
      }
    }).catch(function () { /* offline: the next event or poll tries again */ });
  }

  function refreshUnit(unitId) {
    targets().forEach(function (el) {
      if (unitsOf(el).indexOf(unitId) !== -1) { refresh(el); }
    });
  }

  var pollTimer = null;
  function startPolling() {
    if (pollTimer) { return; }
    pollTimer = window.setInterval(function () { targets().forEach(refresh); }, POLL_MS);
  }
  function stopPolling() {
    if (pollTimer) { window.clearInterval(pollTimer); pollTimer = null; }
  }

  function start() {
    var ids = [];
    targets().forEach(function (el) {
      unitsOf(el).forEach(function (id) { if (ids.indexOf(id) === -1) { ids.push(id); } });
    });
    if (!ids.length) { return; }
    if (!window.EventSource) { startPolling(); return; }
    var source = new EventSource("/api/v1/availability/stream?units=" + ids.slice(0, 100).join(","));
    source.addEventListener("availability", function (event) {
      try { refreshUnit(JSON.parse(event.data).unit_id); } catch (e) { /* ignore a bad message */ }
    });
    source.addEventListener("open", function () {
      // Back after a cut: changes may have been missed, so refresh once, then rely on events.
      if (pollTimer) { targets().forEach(refresh); }
      stopPolling();
    });
    source.addEventListener("error", function () { startPolling(); });
    document.documentElement.setAttribute("data-live", "on");
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
