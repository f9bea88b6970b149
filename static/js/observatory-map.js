/* The observatory's map (templates/observatory/page.html) and the territory picker's
 * (templates/observatory/territory.html), both built from JSON in the page:
 * - observatory: one circle per commune, its radius growing with the seats offered, its colour
 *   by occupancy (the page's legend); communes with searches but no seat get a dashed orange
 *   ring of their own; a tooltip names the commune and its figures (the table has them all);
 * - territory picker: a marker per chosen commune; a click on the map fills the "add" form with
 *   the nearest commune (data-suggest-url?lat&lon) and submits it.
 */
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", fn);
    else fn();
  }

  function json(id) {
    var element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  function baseMap(element) {
    var settings = json(element.getAttribute("data-map-source")) || {};
    element.hidden = false;
    var map = L.map(element).setView(settings.center || [47.25, 0.8], settings.zoom || 9);
    L.tileLayer(settings.tiles, { attribution: settings.attribution, maxZoom: 19 }).addTo(map);
    return map;
  }

  function colour(point) {
    if (point.unmet) return "#c2410c";
    if (point.occupancy === null || point.occupancy === undefined) return "#6b7280";
    if (point.occupancy < 0.25) return "#9cc5ae";
    if (point.occupancy < 0.6) return "#3f8f66";
    return "#134a30";
  }

  function observatory(element) {
    var points = json(element.getAttribute("data-points-source")) || [];
    var map = baseMap(element);
    var bounds = [];
    var biggest = 1;
    points.forEach(function (p) { biggest = Math.max(biggest, p.seats || 0); });
    points.forEach(function (p) {
      var latlng = [p.latitude, p.longitude];
      bounds.push(latlng);
      var tip = p.name + " — " + element.getAttribute("data-seats-label") + " " + (p.seats || 0) +
        ", " + element.getAttribute("data-searches-label") + " " + (p.searches || 0);
      var layer;
      if (p.unmet) {
        layer = L.circleMarker(latlng, {
          radius: 9, color: colour(p), weight: 3, dashArray: "4 3", fillColor: "#fed7aa",
          fillOpacity: 0.8, className: "observatory-unmet",
        });
      } else {
        var radius = p.seats ? 6 + 18 * Math.sqrt(p.seats / biggest) : 4;
        layer = L.circleMarker(latlng, {
          radius: radius, color: "#1f2937", weight: 1, fillColor: colour(p), fillOpacity: 0.75,
          className: "observatory-circle",
        });
      }
      layer.bindTooltip(tip);
      layer.addTo(map);
    });
    if (bounds.length) map.fitBounds(L.latLngBounds(bounds).pad(0.2), { maxZoom: 12 });
  }

  function picker(element) {
    var chosen = json(element.getAttribute("data-points-source")) || [];
    var url = element.getAttribute("data-suggest-url");
    var form = document.getElementById(element.getAttribute("data-add-form"));
    var map = baseMap(element);
    var bounds = [];
    chosen.forEach(function (c) {
      var latlng = [c.latitude, c.longitude];
      bounds.push(latlng);
      L.circleMarker(latlng, { radius: 7, color: "#1f6f4a", fillOpacity: 0.6 })
        .bindTooltip(c.name).addTo(map);
    });
    if (bounds.length) map.fitBounds(L.latLngBounds(bounds).pad(0.3), { maxZoom: 11 });
    map.on("click", function (event) {
      var query = "?lat=" + event.latlng.lat.toFixed(5) + "&lon=" + event.latlng.lng.toFixed(5);
      fetch(url + query, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          if (!data.items || !data.items.length || !form) return;
          form.querySelector("input[name=insee]").value = data.items[0].insee;
          form.submit();
        });
    });
  }

  ready(function () {
    if (typeof L === "undefined") return;
    var element = document.getElementById("observatory-map");
    if (element) observatory(element);
    var territory = document.getElementById("territory-map");
    if (territory) picker(territory);
  });
})();
