/* The sponsorship page's communes, as progressive enhancement (without JavaScript the boxes, the
 * "Search" button and the list of communes with places do everything):
 * - typing in "Find a commune" lists matching communes of the offline index (data-suggest-url,
 *   JSON {items: [{insee, name, departement, latitude, longitude}]}) as boxes to check;
 * - a checked box moves to "Chosen communes" and gets a marker on the map; unchecking removes
 *   the marker (the box stays, unchecked, until the page is saved);
 * - a click on the map adds the nearest commune (same URL with lat and lon).
 */
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", fn);
    else fn();
  }

  ready(function () {
    var form = document.querySelector("[data-testid=sponsorship-form]");
    if (!form) return;
    var url = form.getAttribute("data-suggest-url");
    var chosen = document.getElementById("chosen-communes");
    var found = document.getElementById("found-communes");
    var query = document.getElementById("commune_query");
    var none = document.getElementById("no-commune");
    var mapElement = document.getElementById("communes-map");
    var markers = {};
    var map = null;

    function row(item, checked) {
      var li = document.createElement("li");
      li.setAttribute("data-insee", item.insee);
      li.setAttribute("data-latitude", item.latitude);
      li.setAttribute("data-longitude", item.longitude);
      li.setAttribute("data-name", item.name);
      var label = document.createElement("label");
      var box = document.createElement("input");
      box.type = "checkbox";
      box.name = "allowed_communes";
      box.value = item.insee;
      box.checked = !!checked;
      box.setAttribute("data-testid", checked ? "chosen-commune" : "found-commune");
      var small = document.createElement("span");
      small.className = "muted";
      small.textContent = "(" + item.departement + ")";
      label.appendChild(box);
      label.appendChild(document.createTextNode(" " + item.name + " "));
      label.appendChild(small);
      li.appendChild(label);
      return li;
    }

    function itemOf(li) {
      return {
        insee: li.getAttribute("data-insee"),
        name: li.getAttribute("data-name"),
        latitude: parseFloat(li.getAttribute("data-latitude")),
        longitude: parseFloat(li.getAttribute("data-longitude")),
      };
    }

    function boxFor(insee) {
      return form.querySelector('input[name=allowed_communes][value="' + insee + '"]');
    }

    function refresh() {
      var any = false;
      form.querySelectorAll("input[name=allowed_communes]").forEach(function (box) {
        var li = box.closest("li");
        var item = itemOf(li);
        if (box.checked) {
          any = true;
          if (li.parentNode !== chosen) chosen.appendChild(li);
          box.setAttribute("data-testid", "chosen-commune");
          if (map && !markers[item.insee] && isFinite(item.latitude)) {
            markers[item.insee] = L.marker([item.latitude, item.longitude], {
              title: item.name,
              alt: item.name,
            }).addTo(map);
          }
        } else if (markers[item.insee]) {
          map.removeLayer(markers[item.insee]);
          delete markers[item.insee];
        }
      });
      if (none) none.hidden = any;
    }

    function add(item) {
      var box = boxFor(item.insee);
      if (box) {
        box.checked = true;
      } else {
        chosen.appendChild(row(item, true));
      }
      refresh();
    }

    form.addEventListener("change", function (event) {
      if (event.target && event.target.name === "allowed_communes") refresh();
    });

    var timer = null;
    var controller = null;
    function search(text) {
      if (!window.fetch || !url) return;
      if (controller) controller.abort();
      controller = window.AbortController ? new AbortController() : null;
      fetch(url + "?q=" + encodeURIComponent(text), {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        signal: controller ? controller.signal : undefined,
      })
        .then(function (response) {
          return response.ok ? response.json() : { items: [] };
        })
        .then(function (data) {
          found.textContent = "";
          (data.items || []).forEach(function (item) {
            var box = boxFor(item.insee);
            if (!box || !box.checked) {
              if (box) box.closest("li").remove();
              found.appendChild(row(item, false));
            }
          });
        })
        .catch(function () {});
    }
    if (query) {
      query.addEventListener("input", function () {
        var text = query.value.trim();
        if (timer) clearTimeout(timer);
        if (text.length < 2) return;
        timer = setTimeout(function () {
          search(text);
        }, 200);
      });
      query.addEventListener("keydown", function (event) {
        if (event.key === "Enter") {
          event.preventDefault(); // Enter searches here; "Save" saves
          if (query.value.trim().length >= 2) search(query.value.trim());
        }
      });
    }

    if (mapElement && typeof L !== "undefined") {
      var source = document.getElementById(mapElement.getAttribute("data-map-source"));
      var settings = source ? JSON.parse(source.textContent) : {};
      mapElement.hidden = false;
      map = L.map(mapElement).setView(settings.center || [47.25, 0.8], settings.zoom || 9);
      L.tileLayer(settings.tiles, { attribution: settings.attribution, maxZoom: 19 }).addTo(map);
      refresh();
      var points = Object.keys(markers).map(function (key) {
        return markers[key].getLatLng();
      });
      if (points.length) map.fitBounds(L.latLngBounds(points).pad(0.3), { maxZoom: 11 });
      map.on("click", function (event) {
        if (!window.fetch || !url) return;
        var target = url + "?lat=" + event.latlng.lat.toFixed(5) + "&lon=" + event.latlng.lng.toFixed(5);
        fetch(target, { headers: { Accept: "application/json" }, credentials: "same-origin" })
          .then(function (response) {
            return response.ok ? response.json() : { items: [] };
          })
          .then(function (data) {
            if (data.items && data.items[0]) add(data.items[0]);
          })
          .catch(function () {});
      });
    } else {
      refresh();
    }
  });
})();
