/* The booking form: quick choices (morning, afternoon, day) set the times here, without a reload,
   and leave everything else as typed; the quote (free seats, price breakdown or the refusal) is
   asked from GET /api/v1/units/<id>/quote whenever the slot or the seats change (debounced), and
   announced politely (the box is aria-live). Without JavaScript the quick choices post the form,
   which comes back with their times, and the server renders the quote. */
(function () {
  "use strict";
  var DELAY_MS = 300;

  function init() {
    var form = document.getElementById("booking-form");
    var box = document.getElementById("quote");
    if (!form || !box) { return; }
    var url = form.getAttribute("data-quote-url");
    var lang = document.documentElement.lang || "fr";
    var currency = box.getAttribute("data-currency") || "EUR";
    var timer = null, controller = null, asked = 0;

    function field(name) { return form.elements.namedItem(name); }
    function value(name) { var el = field(name); return el && el.value ? el.value : ""; }
    function t(key) { return box.getAttribute("data-t-" + key) || ""; }
    function fill(text, values) {
      return text.replace(/\{(\w+)\}/g, function (all, key) { return key in values ? values[key] : all; });
    }
    function money(cents) {
      if (cents === 0) { return t("zero"); }
      try {
        return new Intl.NumberFormat(lang, { style: "currency", currency: currency }).format(cents / 100);
      } catch (e) { return (cents / 100).toFixed(2) + " " + currency; }
    }
    function el(tag, className, text) {
      var node = document.createElement(tag);
      if (className) { node.className = className; }
      if (text !== undefined) { node.textContent = text; }
      return node;
    }
    function isSeries() {
      return form.querySelectorAll("input[name=weekdays]:checked").length > 0;
    }

    function show(answer) {
      var nodes = [];
      var verdict = el("p", "quote-verdict");
      verdict.appendChild(el("strong", answer.available ? "quote-ok" : "quote-refused",
        t(answer.available ? "available" : "refused")));
      if (box.getAttribute("data-pool") === "true" && typeof answer.free_seats === "number") {
        verdict.appendChild(document.createTextNode(" · "));
        var free = el("span", "", fill(t("free"), { n: answer.free_seats }));
        free.setAttribute("data-testid", "quote-free");
        verdict.appendChild(free);
      }
      nodes.push(verdict);
      if (!answer.available && answer.message) {
        var message = el("p", "quote-message", answer.message);
        message.setAttribute("data-testid", "quote-message");
        nodes.push(message);
      }
      if (answer.available && answer.price) {
        var list = el("ul", "quote-breakdown");
        (answer.price.breakdown || []).forEach(function (line) {
          list.appendChild(el("li", "", fill(t("line"), {
            quantity: line.quantity, rate: t(line.rate) || line.rate, amount: money(line.amount)
          })));
        });
        nodes.push(list);
        var total = el("p", "quote-total");
        total.setAttribute("data-testid", "quote-total");
        total.appendChild(el("strong", "", fill(t("total"), { amount: money(answer.price.amount) })));
        nodes.push(total);
      }
      if (isSeries()) { nodes.push(el("p", "muted", t("series"))); }
      replace(nodes, answer.available ? "ok" : "refused");
    }

    function replace(nodes, state) {
      while (box.firstChild) { box.removeChild(box.firstChild); }
      nodes.forEach(function (node) { box.appendChild(node); });
      box.setAttribute("data-state", state);
      box.removeAttribute("aria-busy");
    }

    function ask() {
      var day = value("date"), from = value("start_time"), to = value("end_time");
      if (!day || !from || !to) {
        replace([el("p", "", t("incomplete"))], "incomplete");
        return;
      }
      var params = new URLSearchParams({
        start: day + "T" + from.slice(0, 5),
        end: (value("end_date") || day) + "T" + to.slice(0, 5),
        seats: value("seats") || "1"
      });
      if (controller) { controller.abort(); }
      controller = window.AbortController ? new AbortController() : null;
      var mine = ++asked;
      box.setAttribute("aria-busy", "true");
      fetch(url + "?" + params.toString(), {
        credentials: "same-origin",
        headers: { "Accept": "application/json" },
        signal: controller ? controller.signal : undefined
      }).then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      }).then(function (answer) {
        if (mine === asked) { show(answer); }
      }).catch(function (error) {
        if (error && error.name === "AbortError") { return; }
        if (mine === asked) { replace([el("p", "", t("error"))], "error"); }
      });
    }

    function later() {
      if (timer) { window.clearTimeout(timer); }
      timer = window.setTimeout(ask, DELAY_MS);
    }

    form.addEventListener("input", function (event) {
      if (event.target && event.target.name !== "note") { later(); }
    });
    form.addEventListener("change", function (event) {
      if (event.target && event.target.name !== "note") { later(); }
    });
    Array.prototype.forEach.call(form.querySelectorAll("[data-preset-start]"), function (button) {
      button.addEventListener("click", function (event) {
        event.preventDefault();
        field("start_time").value = button.getAttribute("data-preset-start");
        field("end_time").value = button.getAttribute("data-preset-end");
        var endDate = field("end_date");
        if (endDate) { endDate.value = ""; }
        later();
      });
    });
    form.setAttribute("data-ready", "true");
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
