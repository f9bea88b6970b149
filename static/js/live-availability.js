/* Live availability: elements with data-live-unit (a unit's coming days) or data-live-units (a
   list of results) are re-fetched from their data-refresh-url when an availability event for one
   of their units arrives. One EventSource per page. Without EventSource (or while it is down),
   the same URLs are polled with If-None-Match every 20 seconds.

   Nothing is missed between the page's rendering and the stream's subscription: the stream is
   opened with the versions the page shows (data-version), and the server sends at once an event
   for every unit that has moved since; an element without a version is re-fetched (conditionally)
   each time the stream opens. One refresh per element at a time: an event arriving while one is
   under way fetches again once it is done, so a late answer never hides a newer change. */
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

  function versionOf(el) {
    var raw = el && el.getAttribute("data-version");
    return raw === null || raw === undefined || raw === "" ? null : Number(raw);
  }

  function current(url) {
    return targets().filter(function (el) { return el.getAttribute("data-refresh-url") === url; })[0];
  }

  var etags = {};
  var running = {};  // url -> {again: bool} while a refresh of it is under way

  function refresh(el) {
    var url = el.getAttribute("data-refresh-url");
    if (!url) { return; }
    if (running[url]) { running[url].again = true; return; }
    running[url] = { again: false };
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
      var shown = current(url);
      if (!fresh || !shown || !shown.parentNode) { return; }
      var before = versionOf(shown), after = versionOf(fresh);
      if (before !== null && after !== null && after < before) { return; }  // an older answer
      shown.parentNode.replaceChild(fresh, shown);
      document.dispatchEvent(new CustomEvent("spaces:availability-refreshed", { detail: { element: fresh } }));
    }).catch(function () { /* offline: the next event or poll tries again */ }).then(function () {
      var again = running[url] && running[url].again;
      delete running[url];
      if (again) {
        var el2 = current(url);
        if (el2) { refresh(el2); }
      }
    });
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
    var ids = [], shown = {};
    targets().forEach(function (el) {
      var version = el.hasAttribute("data-live-unit") ? versionOf(el) : null;
      unitsOf(el).forEach(function (id) {
        if (ids.indexOf(id) === -1) { ids.push(id); }
        if (version !== null) { shown[id] = version; }
      });
    });
    if (!ids.length) { return; }
    if (!window.EventSource) { startPolling(); return; }
    // "12:5" asks for an event at once if unit 12 is past version 5 (changed since the page was made)
    var units = ids.slice(0, 100).map(function (id) { return id in shown ? id + ":" + shown[id] : String(id); });
    var source = new EventSource("/api/v1/availability/stream?units=" + units.join(","));
    source.addEventListener("availability", function (event) {
      try { refreshUnit(JSON.parse(event.data).unit_id); } catch (e) { /* ignore a bad message */ }
    });
    source.addEventListener("open", function () {
      // Elements without a version cannot be caught up by the server: re-fetch them (cheap: 304
      // when nothing changed). Those with one get their events from the server at once.
      targets().forEach(function (el) { if (versionOf(el) === null) { refresh(el); } });
      stopPolling();
      document.documentElement.setAttribute("data-live", "on");
    });
    source.addEventListener("error", function () {
      document.documentElement.setAttribute("data-live", "connecting");
      startPolling();
    });
    document.documentElement.setAttribute("data-live", "connecting");
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
