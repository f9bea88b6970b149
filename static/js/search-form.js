/* The search form, as progressive enhancement (without JavaScript every field is shown and the
 * server reads the period or the times):
 * - the period choice shows the time fields for "set times" and "several days" only, and a quick
 *   choice (day, morning, afternoon) writes its times into them, so switching keeps them sensible;
 * - sorting by price is offered once a date is chosen;
 * - the place field suggests commune names as they are typed (`data-suggest-url`, JSON
 *   {items: [{label, value}]}) through its <datalist>.
 */
(function () {
  "use strict";

  function periods() {
    var select = document.getElementById("period");
    if (!select) return;
    var presets = {};
    try {
      presets = JSON.parse(select.getAttribute("data-presets") || "{}");
    } catch (err) {
      presets = {};
    }
    var from = document.getElementById("from");
    var to = document.getElementById("to");
    function update() {
      var value = select.value;
      document.querySelectorAll("#search-when [data-periods]").forEach(function (box) {
        var shown = box.getAttribute("data-periods").split(" ").indexOf(value) !== -1;
        box.hidden = !shown;
        box.querySelectorAll("input").forEach(function (input) {
          input.disabled = !shown;
        });
      });
      if (presets[value] && from && to) {
        from.value = presets[value][0];
        to.value = presets[value][1];
      }
    }
    select.addEventListener("change", update);
    update();
  }

  // Sorting by price needs a date (the price is that of the chosen time).
  function sortNeedsDate() {
    var date = document.getElementById("date");
    var sort = document.getElementById("sort");
    var byPrice = sort && sort.querySelector('option[value="price"]');
    if (!date || !byPrice) return;
    function update() {
      byPrice.disabled = !date.value;
      if (!date.value && sort.value === "price") sort.value = "distance";
    }
    date.addEventListener("change", update);
    date.addEventListener("input", update);
    update();
  }

  function suggestions() {
    var input = document.getElementById("near");
    var list = document.getElementById("near-options");
    var url = input && input.getAttribute("data-suggest-url");
    if (!input || !list || !url || !window.fetch) return;
    var timer = null;
    var last = "";
    var controller = null;
    function fill(items) {
      list.textContent = "";
      items.forEach(function (item) {
        var option = document.createElement("option");
        option.value = item.value;
        option.label = item.label;
        option.textContent = item.label;
        list.appendChild(option);
      });
    }
    input.addEventListener("input", function () {
      var text = input.value.trim();
      if (timer) clearTimeout(timer);
      if (text.length < 2 || text === last) return;
      timer = setTimeout(function () {
        last = text;
        if (controller) controller.abort();
        controller = window.AbortController ? new AbortController() : null;
        fetch(url + "?q=" + encodeURIComponent(text), {
          headers: { Accept: "application/json" },
          signal: controller ? controller.signal : undefined,
        })
          .then(function (response) { return response.ok ? response.json() : { items: [] }; })
          .then(function (data) { fill(data.items || []); })
          .catch(function () {});
      }, 200);
    });
  }

  function start() {
    periods();
    sortNeedsDate();
    suggestions();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
