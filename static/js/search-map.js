/* Maps of places (search results, the home page, a space's location), as progressive enhancement.
 *
 * Each `.js-map[data-map-source]` element names a <script type="application/json"> block:
 *   {tiles, attribution, markers: [{id?, lat, lon, name, url?, detail?, lines?: [text]}],
 *    center: [lat, lon]|null, zoom, radius_km?}
 * Without JavaScript (or Leaflet) the map stays hidden and the server-rendered list is the page.
 * With a centre and a radius the map draws the searched circle and keeps the centre in view, even
 * without any marker. Results in the page (`[data-space-id]`) and markers with the same id are
 * linked: pointing at or focusing one highlights the other.
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
    box.className = "map-popup";
    var title = document.createElement(marker.url ? "a" : "strong");
    title.textContent = marker.name;
    if (marker.url) title.href = marker.url;
    box.appendChild(title);
    if (marker.detail) {
      var detail = document.createElement("div");
      detail.className = "map-popup-detail";
      detail.textContent = marker.detail;
      box.appendChild(detail);
    }
    (marker.lines || []).forEach(function (line) {
      var row = document.createElement("div");
      row.className = "map-popup-line";
      row.textContent = line;
      box.appendChild(row);
    });
    return box;
  }

  // Markers by place id, for every map of the page.
  var markersById = {};

  function resultsFor(id) {
    return document.querySelectorAll('.result[data-space-id="' + id + '"]');
  }

  function highlight(id, on) {
    (markersById[id] || []).forEach(function (marker) {
      var icon = marker.getElement && marker.getElement();
      if (icon) icon.classList.toggle("is-active", on);
      marker.setZIndexOffset(on ? 1000 : 0);
    });
    resultsFor(id).forEach(function (item) {
      item.classList.toggle("is-active", on);
    });
  }

  function linkMarker(marker, id) {
    if (id === undefined || id === null) return;
    (markersById[id] = markersById[id] || []).push(marker);
    marker.on("mouseover", function () { highlight(id, true); });
    marker.on("mouseout", function () { highlight(id, false); });
    marker.on("popupopen", function () { highlight(id, true); });
    marker.on("popupclose", function () { highlight(id, false); });
    var icon = marker.getElement && marker.getElement();
    if (icon) {
      icon.addEventListener("focus", function () { highlight(id, true); });
      icon.addEventListener("blur", function () { highlight(id, false); });
    }
  }

  function linkResults() {
    // Delegated: the live list is re-rendered when availability changes.
    function handler(on) {
      return function (event) {
        var item = event.target.closest && event.target.closest(".result[data-space-id]");
        if (!item) return;
        if (!on && event.relatedTarget && item.contains(event.relatedTarget)) return;
        highlight(item.getAttribute("data-space-id"), on);
      };
    }
    document.addEventListener("mouseover", handler(true));
    document.addEventListener("mouseout", handler(false));
    document.addEventListener("focusin", handler(true));
    document.addEventListener("focusout", handler(false));
  }

  function showMap(element) {
    var data = readData(element.getAttribute("data-map-source"));
    if (!data || typeof L === "undefined") return;
    element.hidden = false;
    var layout = element.closest(".search-layout");
    if (layout) layout.classList.add("has-map");
    // Zoom buttons and attribution in the page's language come from Leaflet's defaults, set by
    // map-locale.js from the map element's data attributes (h-layout's map_locale()).
    var map = L.map(element, { scrollWheelZoom: false });
    L.tileLayer(data.tiles, { attribution: data.attribution, maxZoom: 19 }).addTo(map);
    var points = [];
    (data.markers || []).forEach(function (m) {
      var marker = L.marker([m.lat, m.lon], { title: m.name, alt: m.name }).addTo(map);
      marker.bindPopup(popupContent(m));
      linkMarker(marker, m.id);
      points.push([m.lat, m.lon]);
    });
    var circle = null;
    if (data.center && data.radius_km) {
      circle = L.circle(data.center, {
        radius: data.radius_km * 1000,
        color: "#1c5fb0",
        weight: 2,
        fillOpacity: 0.06,
        interactive: false,
      }).addTo(map);
    }
    if (points.length && data.center) {
      // The searched place stays in view with its results.
      map.fitBounds(points.concat([data.center]), { padding: [30, 30], maxZoom: 14 });
    } else if (points.length > 1) {
      map.fitBounds(points, { padding: [30, 30], maxZoom: 15 });
    } else if (points.length === 1) {
      map.setView(points[0], data.zoom || 14);
    } else if (circle) {
      // The circle's own bounds need a map view: the same square from its centre.
      map.fitBounds(L.latLng(data.center).toBounds(data.radius_km * 2000), { padding: [10, 10] });
    } else if (data.center) {
      map.setView(data.center, data.zoom || 11);
    } else {
      map.setView([46.6, 2.4], 5);
    }
    element.leafletMap = map;
  }

  function aroundMe() {
    var button = document.getElementById("around-me");
    var form = button && document.getElementById(button.getAttribute("data-form") || "search-form");
    if (!button || !form || !("geolocation" in navigator)) return;
    var lat = form.querySelector('input[name="lat"]');
    var lon = form.querySelector('input[name="lon"]');
    var near = form.querySelector('input[name="near"]');
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
    linkResults();
    aroundMe();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
