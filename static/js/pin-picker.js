/* Place a space's pin by hand: a click (or a drag) on the map fills the latitude and longitude
 * inputs, and typing in them moves the pin. Without JavaScript the inputs work alone.
 *
 * The map element has data-map-source (JSON: {tiles, attribution, center, zoom}),
 * data-lat-input and data-lon-input (the ids of the inputs). Inside a closed <details>, the map
 * is built when the details open, so Leaflet measures a visible box.
 */
(function () {
  "use strict";

  function number(input) {
    var value = parseFloat(String(input.value).replace(",", "."));
    return isFinite(value) ? value : null;
  }

  function setup(element) {
    var source = document.getElementById(element.getAttribute("data-map-source"));
    var latInput = document.getElementById(element.getAttribute("data-lat-input"));
    var lonInput = document.getElementById(element.getAttribute("data-lon-input"));
    if (!source || !latInput || !lonInput || typeof L === "undefined") return;
    var data = JSON.parse(source.textContent);
    var map = null;
    var marker = null;

    function place(latlng, fill) {
      if (!marker) {
        var alt = element.getAttribute("data-pin-alt") || "📍";
        marker = L.marker(latlng, { draggable: true, title: alt, alt: alt }).addTo(map);
        marker.on("dragend", function () {
          place(marker.getLatLng(), true);
        });
      } else {
        marker.setLatLng(latlng);
      }
      if (fill) {
        latInput.value = latlng.lat.toFixed(6);
        lonInput.value = latlng.lng.toFixed(6);
        latInput.dispatchEvent(new Event("change", { bubbles: true }));
      }
    }

    function build() {
      if (map) {
        map.invalidateSize();
        return;
      }
      element.hidden = false;
      document.querySelectorAll(".pin-picker .js-only").forEach(function (n) {
        n.hidden = false;
      });
      map = L.map(element).setView(data.center || [46.6, 2.4], data.zoom || 5);
      L.tileLayer(data.tiles, { attribution: data.attribution, maxZoom: 19 }).addTo(map);
      var lat = number(latInput);
      var lon = number(lonInput);
      if (lat !== null && lon !== null) place(L.latLng(lat, lon), false);
      map.on("click", function (event) {
        place(event.latlng, true);
      });
      [latInput, lonInput].forEach(function (input) {
        input.addEventListener("input", function () {
          var a = number(latInput);
          var b = number(lonInput);
          if (a !== null && b !== null && Math.abs(a) <= 90 && Math.abs(b) <= 180) {
            place(L.latLng(a, b), false);
            map.panTo([a, b]);
          }
        });
      });
    }

    var details = element.closest("details");
    if (details && !details.open) {
      details.addEventListener("toggle", function () {
        if (details.open) build();
      });
    } else {
      build();
    }
  }

  function start() {
    document.querySelectorAll("[data-lat-input][data-map-source]").forEach(setup);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
