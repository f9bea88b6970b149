/* The space page's week strips: "previous week" / "next week" fetch the unit's strip for that
   week (GET /units/<id>/coming-days?from=...) and put it in place, without reloading; the change
   is announced politely (the unit's aria-live paragraph), and so is a live update of the strip
   (live-availability.js). Without JavaScript the same links reload the page on that week. */
(function () {
  "use strict";

  function announce(strip, text) {
    var unit = strip.getAttribute("data-live-unit");
    var status = document.querySelector("[data-strip-status='" + unit + "']");
    if (!status || !text) { return; }
    status.textContent = "";
    window.setTimeout(function () { status.textContent = text; }, 50);
  }

  function go(link) {
    var strip = link.closest(".coming-days");
    var url = link.getAttribute("data-strip-url");
    var direction = link.getAttribute("data-strip");
    if (!strip || !url) { return false; }
    strip.setAttribute("aria-busy", "true");
    fetch(url, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.text();
    }).then(function (html) {
      var holder = document.createElement("div");
      holder.innerHTML = html.trim();
      var fresh = holder.querySelector(".coming-days");
      if (!fresh || !strip.parentNode) { throw new Error("no strip"); }
      strip.parentNode.replaceChild(fresh, strip);
      var focus = fresh.querySelector("[data-strip='" + direction + "']") ||
        fresh.querySelector("[data-strip]");
      if (focus) { focus.focus(); }
      announce(fresh, fresh.getAttribute("data-announce"));
    }).catch(function () {
      window.location.href = link.href;  // the page itself shows that week
    });
    return true;
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-strip-url]");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) { return; }
    if (go(link)) { event.preventDefault(); }
  });
  document.addEventListener("spaces:availability-refreshed", function (event) {
    var strip = event.detail && event.detail.element;
    if (strip && strip.classList && strip.classList.contains("coming-days")) {
      announce(strip, strip.getAttribute("data-updated"));
    }
  });
})();
