// The map of an alert's public page: the alert's zone, coloured by its severity, over the tiles
// when configured, and the town's outline so that the map says where the zone is even without
// tiles (offline). The page says everything in words without this script; the map is a help.
(function () {
  "use strict";
  // Tooltips get text, never HTML: street names and addresses come from imported data.
  function asText(value) {
    var span = document.createElement("span");
    span.textContent = value;
    return span;
  }
  var configNode = document.getElementById("alert-map-config");
  var mapNode = document.getElementById("alert-map");
  if (!configNode || !mapNode || typeof L === "undefined") { return; }
  var config = JSON.parse(configNode.textContent);
  if (!config.area) { return; }

  // Strokes dark enough to stand out on the tiles and on the plain ground (3:1 at least).
  var COLOURS = {
    extreme: "#c8102e",
    severe: "#b34700",
    moderate: "#8a6d00",
    minor: "#00804d",
    unknown: "#5c6f82"
  };
  var colour = COLOURS[config.severity] || COLOURS.unknown;

  mapNode.hidden = false;
  mapNode.setAttribute("role", "region");
  mapNode.setAttribute("aria-label", config.texts.mapLabel);
  // On a phone one finger scrolls the page, not the map (the + and − buttons still zoom).
  var map = L.map(mapNode, { keyboard: true, scrollWheelZoom: false, dragging: !L.Browser.mobile });
  if (config.tiles) {
    L.tileLayer(config.tiles, { attribution: config.attribution, maxZoom: 19 }).addTo(map);
  }
  if (config.outline) {
    L.geoJSON(config.outline, {
      interactive: false,
      style: { color: "#5c6f82", weight: 2, dashArray: "6 4", fill: false }
    }).addTo(map);
  }
  var area = L.geoJSON(config.area, {
    style: { color: colour, weight: 3, fillColor: colour, fillOpacity: 0.25 }
  }).bindTooltip(asText(config.texts.area)).addTo(map);
  var bounds = area.getBounds();
  if (bounds.isValid()) {
    map.fitBounds(bounds, { padding: [20, 20], maxZoom: 17 });
  } else {
    map.setView([0, 0], 2);
  }
})();
