/* Maps of places (search results, a space's location), as progressive enhancement.
 *
 * Each `.js-map[data-map-source]` element names a <script type="application/json"> block:
 *   {tiles, attribution, markers: [{lat, lon, name, url?, detail?}], center: [lat, lon]|null, zoom}
 * Without JavaScript (or Leaflet) the map stays hidden and the server-rendered list is the page.
 * The search form's "around me" button also lives here: it fills the hidden lat/lon inputs from
 * the browser's geolocation and submits.
 */
(function () {
  "use strict";

  function readData(id) {
    var node = document.getElementById(id);
    if (!node) return null;
    try {
      return JSON.parse(node.textContent);
    } catch (err) {
      return null;
    }
  }

  function popupContent(marker) {
    var box = document.createElement("div");
    var title = document.createElement(marker.url ? "a" : "strong");
    title.textContent = marker.name;
    if (marker.url) title.href = marker.url;
    box.appendChild(title);
    if (marker.detail) {
      box.appendChild(document.createElement("br"));
      box.appendChild(document.createTextNode(marker.detail));
    }
    return box;
  }

  function showMap(element) {
    var data = readData(element.getAttribute("data-map-source"));
    if (!data || typeof L === "undefined") return;
    element.hidden = false;
    var layout = element.closest(".search-layout");
    if (layout) layout.classList.add("has-map");
    var map = L.map(element, { scrollWheelZoom: false });
    L.tileLayer(data.tiles, { attribution: data.attribution, maxZoom: 19 }).addTo(map);
    var points = [];
    (data.markers || []).forEach(function (m) {
      var marker = L.marker([m.lat, m.lon], { title: m.name, alt: m.name }).addTo(map);
      marker.bindPopup(popupContent(m));
      points.push([m.lat, m.lon]);
    });
    if (points.length > 1) {
      map.fitBounds(points, { padding: [30, 30], maxZoom: 15 });
    } else if (points.length === 1) {
      map.setView(points[0], data.zoom || 14);
    } else if (data.center) {
      map.setView(data.center, data.zoom || 11);
    } else {
      map.setView([46.6, 2.4], 5);
    }
    element.leafletMap = map;
  }

  function aroundMe() {
    var button = document.getElementById("around-me");
    var form = document.getElementById("search-form");
    if (!button || !form || !("geolocation" in navigator)) return;
    var lat = document.getElementById("lat");
    var lon = document.getElementById("lon");
    var near = document.getElementById("near");
    var status = document.getElementById("around-me-status");
    button.hidden = false;
    button.addEventListener("click", function () {
      button.setAttribute("aria-busy", "true");
      navigator.geolocation.getCurrentPosition(
        function (position) {
          lat.value = position.coords.latitude.toFixed(5);
          lon.value = position.coords.longitude.toFixed(5);
          lat.disabled = lon.disabled = false;
          if (near) near.value = "";
          form.submit();
        },
        function () {
          button.removeAttribute("aria-busy");
          if (status) status.textContent = button.getAttribute("data-error");
        },
        { timeout: 10000, maximumAge: 300000 }
      );
    });
    if (near) {
      // A typed place replaces a position found earlier.
      near.addEventListener("input", function () {
        lat.value = lon.value = "";
        lat.disabled = lon.disabled = true;
      });
    }
  }

  function start() {
    document.querySelectorAll(".js-map[data-map-source]").forEach(showMap);
    aroundMe();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
