/* Boxes that scroll sideways (a wide table in its .table-scroll box, a strip of days on a phone)
 * can be scrolled from the keyboard: each one that overflows and holds nothing focusable gets
 * tabindex="0", so Tab reaches it and the arrow keys scroll it (WCAG 2.1.1). Checked when the
 * page loads, when the window is resized, and when part of the page is replaced (live updates).
 */
(function () {
  "use strict";

  var FOCUSABLE = "a[href], button, input, select, textarea, [tabindex]";
  var pending = false;

  function scrollsSideways(element) {
    if (element.scrollWidth <= element.clientWidth + 1) return false;
    var overflow = getComputedStyle(element).overflowX;
    return overflow === "auto" || overflow === "scroll";
  }

  function check() {
    pending = false;
    var main = document.querySelector("main") || document.body;
    main.querySelectorAll("div, section, figure, ul, ol, pre").forEach(function (element) {
      var marked = element.getAttribute("data-scroll-focus") === "1";
      if (scrollsSideways(element)) {
        if (!marked && !element.hasAttribute("tabindex") && !element.querySelector(FOCUSABLE)) {
          element.setAttribute("tabindex", "0");
          element.setAttribute("data-scroll-focus", "1");
        }
      } else if (marked) {
        element.removeAttribute("tabindex");
        element.removeAttribute("data-scroll-focus");
      }
    });
  }

  function later() {
    if (!pending) {
      pending = true;
      window.requestAnimationFrame(check);
    }
  }

  function start() {
    check();
    window.addEventListener("resize", later);
    if ("MutationObserver" in window) {
      new MutationObserver(later).observe(document.querySelector("main") || document.body, {
        childList: true,
        subtree: true,
      });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
