/* Calendar addresses on the account page: select on focus, and copy buttons.
 * Copy buttons appear only with JavaScript; without it, the address is in a read-only field.
 * (A file rather than an inline script: the Content-Security-Policy allows no inline script.)
 */
(function () {
  "use strict";
  document.querySelectorAll("[data-select-on-focus]").forEach(function (input) {
    input.addEventListener("focus", function () { input.select(); });
  });
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var input = document.getElementById(button.dataset.copy);
    var label = button.textContent;
    button.hidden = false;
    button.addEventListener("click", function () {
      var shown = function () {
        button.textContent = button.dataset.copied;
        setTimeout(function () { button.textContent = label; }, 2000);
      };
      input.focus();
      input.select();
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(input.value).then(shown, function () {
          if (document.execCommand("copy")) { shown(); }
        });
      } else if (document.execCommand("copy")) {
        shown();
      }
    });
  });
})();
