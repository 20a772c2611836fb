// The coverage map of the alert console. On every move the map asks the server for the civic
// numbers in view (bbox and zoom): one dot per civic number when few, coloured by how it can be
// reached; otherwise one small pie per group of neighbouring civic numbers with the share of each
// state. Without tiles the dots themselves draw the town. The tables on the page hold the same
// figures for keyboard and screen-reader users; the map is a help.
(function () {
  "use strict";
  // Tooltips get text, never HTML: street names and addresses come from imported data.
  function asText(value) {
    var span = document.createElement("span");
    span.textContent = value;
    return span;
  }
  var configNode = document.getElementById("coverage-config");
  var mapNode = document.getElementById("coverage-map");
  if (!configNode || !mapNode || typeof L === "undefined") { return; }
  var config = JSON.parse(configNode.textContent);
  var texts = config.texts;
  var status = document.getElementById("coverage-map-status");
  var COLOURS = { verified: "#00804d", directory: "#0066cc", none: "#c8102e" };
  var ORDER = ["verified", "directory", "none"]; // "none" drawn last, on top

  function format(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_match, key) { return String(values[key]); });
  }
  function number(value) { return Number(value).toLocaleString(document.documentElement.lang || "it"); }
  function say(text) { if (status && status.textContent !== text) { status.textContent = text; } }

  mapNode.hidden = false;
  mapNode.setAttribute("role", "region");
  mapNode.setAttribute("aria-label", texts.mapLabel);
  var map = L.map(mapNode, { keyboard: true, preferCanvas: true });
  mapNode.leafletMap = map; // for scripts (and browser tests) that drive the map
  if (config.tiles) {
    L.tileLayer(config.tiles, { attribution: config.attribution, maxZoom: 19 }).addTo(map);
  }
  var renderer = L.canvas({ padding: 0.5 });
  var layer = L.layerGroup().addTo(map);

  function pie(properties) {
    // A conic gradient: green, blue and red in proportion to the three counts.
    var total = properties.count || 1;
    var stops = [];
    var start = 0;
    ORDER.forEach(function (state) {
      var end = start + (100 * properties[state]) / total;
      stops.push(COLOURS[state] + " " + start.toFixed(1) + "% " + end.toFixed(1) + "%");
      start = end;
    });
    var size = Math.round(Math.min(44, 14 + 6 * Math.log(1 + properties.count)));
    return L.divIcon({
      className: "",
      iconSize: [size, size],
      html: '<div class="sportello-coverage-cell" style="width:' + size + "px;height:" + size +
        "px;background:conic-gradient(" + stops.join(",") + ')"></div>'
    });
  }

  function cellText(properties) {
    return format(texts.cell, {
      count: number(properties.count),
      verified: number(properties.verified),
      directory: number(properties.directory),
      none: number(properties.none)
    });
  }

  function draw(collection) {
    layer.clearLayers();
    if (collection.mode === "cells") {
      collection.features.forEach(function (feature) {
        var c = feature.geometry.coordinates;
        L.marker([c[1], c[0]], { icon: pie(feature.properties), keyboard: false })
          .bindTooltip(asText(cellText(feature.properties)))
          .addTo(layer);
      });
      say(texts.cells);
      return;
    }
    ORDER.forEach(function (state) {
      collection.features.forEach(function (feature) {
        if (feature.properties.state !== state) { return; }
        var c = feature.geometry.coordinates;
        L.circleMarker([c[1], c[0]], {
          renderer: renderer, radius: state === "none" ? 5 : 4, weight: 1,
          color: "#1a1a1a", fillColor: COLOURS[state], fillOpacity: 0.9
        }).bindTooltip(asText(feature.properties.address + " — " + texts.states[state])).addTo(layer);
      });
    });
    say(texts.points);
  }

  var request = null;
  var timer = null;
  function load() {
    var b = map.getBounds();
    var bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) { return v.toFixed(5); });
    if (request) { request.abort(); }
    request = new AbortController();
    var url = config.pointsUrl + "?bbox=" + bbox.join(",") + "&zoom=" + Math.round(map.getZoom());
    fetch(url, { signal: request.signal, credentials: "same-origin", headers: { Accept: "application/geo+json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(draw)
      .catch(function (error) {
        if (error && error.name === "AbortError") { return; }
        say(texts.failed);
      });
  }
  map.on("moveend", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(load, 250);
  });

  if (config.bounds) {
    map.fitBounds(config.bounds, { padding: [10, 10] });
  } else {
    map.setView([41.9, 12.5], 6);
  }
})();
