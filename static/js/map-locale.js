/* Leaflet in the page's language: the zoom buttons' titles, the title of the "Leaflet" link in
 * the attribution, and the popups' close button. The words are data attributes of the page's
 * map element (templates/macros/maps.html, map_locale()); this sets Leaflet's defaults, so every
 * map built after it (search-map.js, pin-picker.js) uses them. Load it right after leaflet.js.
 */
(function () {
  "use strict";

  if (typeof L === "undefined") return;
  var source = document.querySelector("[data-zoom-in-title]");
  if (!source) return;
  var words = source.dataset;

  L.Control.Zoom.mergeOptions({
    zoomInTitle: words.zoomInTitle,
    zoomOutTitle: words.zoomOutTitle,
  });

  if (words.attributionTitle) {
    // Leaflet's own prefix (its link, and the flag it shows), with the title translated.
    var box = document.createElement("div");
    box.innerHTML = L.Control.Attribution.prototype.options.prefix || "";
    var link = box.querySelector("a");
    if (link) {
      link.title = words.attributionTitle;
      L.Control.Attribution.mergeOptions({ prefix: box.innerHTML });
    }
  }

  if (words.closePopup) {
    L.Map.addInitHook(function () {
      this.on("popupopen", function (event) {
        var button = event.popup && event.popup._closeButton;
        if (button) button.setAttribute("aria-label", words.closePopup);
      });
    });
  }
})();
