/* "Paid by" on the booking pages: what is left of each employer's budget follows the chosen
 * date's month (GET /api/v1/organisations/<id>/budget?month=YYYY-MM, as the page's session).
 * Without JavaScript the server-rendered text names the month it is about, so it stays true.
 */
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", fn);
    else fn();
  }

  ready(function () {
    var hint = document.getElementById("sponsor-hint");
    var input = document.getElementById("date") || document.getElementById("start_date");
    if (!hint || !input || !window.fetch) return;
    var lang = document.documentElement.lang || "fr";
    var last = null;

    function fill(template, values) {
      return template.replace(/\{(\w+)\}/g, function (_, key) {
        return values[key] !== undefined ? values[key] : "";
      });
    }

    function update() {
      var match = /^(\d{4})-(\d{2})-\d{2}$/.exec(input.value || "");
      if (!match) return;
      var month = match[1] + "-" + match[2];
      if (month === last) return;
      last = month;
      var label = new Intl.DateTimeFormat(lang, { month: "long", year: "numeric" }).format(
        new Date(Number(match[1]), Number(match[2]) - 1, 1)
      );
      hint.querySelectorAll("[data-sponsor-budget]").forEach(function (span) {
        var url = span.getAttribute("data-sponsor-budget") + "?month=" + month;
        fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
          .then(function (response) {
            return response.ok ? response.json() : null;
          })
          .then(function (data) {
            if (!data || month !== last) return;
            var limits = [data.member_remaining, data.total_remaining].filter(function (v) {
              return v !== null && v !== undefined;
            });
            var values = { name: span.getAttribute("data-name"), month: label };
            if (!limits.length) {
              span.textContent = fill(hint.getAttribute("data-t-none"), values);
              return;
            }
            var currency = data.currency || span.getAttribute("data-currency") || "EUR";
            values.amount = new Intl.NumberFormat(lang, { style: "currency", currency: currency }).format(
              Math.min.apply(null, limits) / 100
            );
            span.textContent = fill(hint.getAttribute("data-t-left"), values);
          })
          .catch(function () {});
      });
    }

    input.addEventListener("change", update);
    input.addEventListener("input", update);
    last = (/^(\d{4}-\d{2})/.exec(input.value || "") || [])[1] || null;
  });
})();
