/* The main menu on a narrow screen: folded behind the "Menu" button (aria-expanded), opened and
 * closed by it, closed again by Escape (focus goes back to the button).
 *
 * Loaded without defer in <head>, so the class below is set before the first paint and the menu
 * does not flash open; without JavaScript the button stays hidden and the menu stays open.
 * The CSS (app.css, "main menu") folds the menu only under the wide-screen breakpoint.
 */
(function () {
  "use strict";

  document.documentElement.classList.add("js-menu");

  function setup(nav) {
    var button = nav.querySelector(".menu-toggle");
    var menu = document.getElementById(button ? button.getAttribute("aria-controls") : "");
    if (!button || !menu) {
      document.documentElement.classList.remove("js-menu");
      return;
    }
    button.hidden = false;

    function open(state) {
      button.setAttribute("aria-expanded", state ? "true" : "false");
    }

    button.addEventListener("click", function () {
      open(button.getAttribute("aria-expanded") !== "true");
    });
    nav.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
        open(false);
        button.focus();
      }
    });
  }

  function start() {
    document.querySelectorAll("[data-menu]").forEach(setup);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
