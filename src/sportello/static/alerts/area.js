// Maps of the alert console. On the area page: draw polygons, rectangles and circles
// (Leaflet.draw), keep them as GeoJSON in the form's hidden "features" field, list them, and
// show the count of civic numbers inside while drawing. On the preview: the area and the
// recipients' addresses. Without tiles the stradario's civic numbers are drawn as dots, so the
// map still shows the town. Everything here is a help: the form works without it.
(function () {
  "use strict";
  // Tooltips get text, never HTML: street names and addresses come from imported data.
  function asText(value) {
    var span = document.createElement("span");
    span.textContent = value;
    return span;
  }
  var configNode = document.getElementById("area-map-config");
  if (!configNode || typeof L === "undefined") { return; }
  var config = JSON.parse(configNode.textContent);
  var texts = config.texts;
  var areaMap = document.getElementById("area-map");
  var previewMap = document.getElementById("preview-map");
  var mapNode = areaMap || previewMap;
  if (!mapNode) { return; }

  function format(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_match, key) { return String(values[key]); });
  }
  function number(value) { return Number(value).toLocaleString(document.documentElement.lang || "it"); }
  function debounce(fn, ms) {
    var timer = null;
    return function () { clearTimeout(timer); timer = setTimeout(fn, ms); };
  }
  function merge(target, source) {
    Object.keys(source).forEach(function (key) {
      if (source[key] && typeof source[key] === "object" && target[key] && typeof target[key] === "object") {
        merge(target[key], source[key]);
      } else {
        target[key] = source[key];
      }
    });
  }
  function round(value) { return Math.round(value * 1e7) / 1e7; }

  var canvas = L.canvas({ padding: 0.5 });
  var map = L.map(mapNode, { keyboard: true, preferCanvas: true });
  mapNode.setAttribute("aria-label", texts.mapLabel);
  mapNode.leafletMap = map; // for scripts (and browser tests) that drive the map
  if (config.tiles) {
    L.tileLayer(config.tiles, { attribution: config.attribution, maxZoom: 19 }).addTo(map);
  }

  // --- the stradario as dots (bounded by the server) ------------------------------------
  var dots = L.layerGroup().addTo(map);
  var dotsRequest = null;
  function loadDots() {
    var b = map.getBounds();
    var bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) { return v.toFixed(5); });
    if (dotsRequest) { dotsRequest.abort(); }
    dotsRequest = new AbortController();
    fetch(config.civicsUrl + "?bbox=" + bbox.join(","), { signal: dotsRequest.signal, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        dots.clearLayers();
        data.points.forEach(function (point) {
          var dot = L.circleMarker([point[1], point[0]], {
            renderer: canvas, radius: 2, stroke: false, fillColor: "#5c6f82", fillOpacity: 0.55,
            interactive: Boolean(point[2])
          });
          if (point[2]) { dot.bindTooltip(asText(point[2])); }
          dots.addLayer(dot);
        });
      })
      .catch(function () { /* the dots are a help, not a need */ });
  }
  map.on("moveend", debounce(loadDots, 250));

  // --- shapes: GeoJSON <-> layers --------------------------------------------------------
  function isClosed(ring) {
    var first = ring[0], last = ring[ring.length - 1];
    return ring.length > 1 && first[0] === last[0] && first[1] === last[1];
  }
  function layersOf(feature) {
    var geometry = feature.geometry || {};
    if (geometry.type === "Point" && feature.properties && feature.properties.radius) {
      return [L.circle([geometry.coordinates[1], geometry.coordinates[0]], { radius: feature.properties.radius })];
    }
    var parts = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.type === "MultiPolygon" ? geometry.coordinates : [];
    return parts.map(function (rings) {
      // Leaflet does not repeat the first vertex; a ring left open stays open in the form.
      return L.polygon(rings.map(function (ring) {
        var latlngs = ring.map(function (p) { return [p[1], p[0]]; });
        return isClosed(ring) ? latlngs.slice(0, -1) : latlngs;
      }));
    });
  }
  function featureOf(layer) {
    if (layer instanceof L.Circle) {
      var centre = layer.getLatLng();
      return {
        type: "Feature",
        geometry: { type: "Point", coordinates: [round(centre.lng), round(centre.lat)] },
        properties: { radius: Math.round(layer.getRadius() * 10) / 10 }
      };
    }
    return { type: "Feature", geometry: layer.toGeoJSON(7).geometry, properties: {} };
  }
  function labelOf(feature) {
    if (feature.geometry.type === "Point") {
      return format(texts.circle, { radius: number(Math.round(feature.properties.radius)) });
    }
    return format(texts.polygon, { count: feature.geometry.coordinates[0].length - 1 });
  }
  function readCollection(text) {
    try {
      var data = JSON.parse(text || "{}");
      if (Array.isArray(data.features)) { return data; }
    } catch (error) { /* shown as nothing */ }
    return { type: "FeatureCollection", features: [] };
  }

  var shapes = new L.FeatureGroup().addTo(map);

  if (previewMap) {
    var saved = JSON.parse((document.getElementById("area-saved") || {}).textContent || "{}");
    ((saved.features || {}).features || []).forEach(function (feature) {
      layersOf(feature).forEach(function (layer) {
        layer.setStyle({ color: "#0066cc", weight: 2, fillOpacity: 0.08, interactive: false });
        shapes.addLayer(layer);
      });
    });
    var status = document.getElementById("preview-map-status");
    var recipients = L.layerGroup().addTo(map);
    fetch(config.pointsUrl, { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        var bounds = L.latLngBounds([]);
        data.features.forEach(function (feature) {
          var c = feature.geometry.coordinates;
          var count = feature.properties.recipients;
          var latlng = L.latLng(c[1], c[0]);
          bounds.extend(latlng);
          recipients.addLayer(L.circleMarker(latlng, {
            renderer: canvas, radius: count > 9 ? 6 : 4, color: "#a61919", weight: 1,
            fillColor: "#d1344c", fillOpacity: 0.8
          }).bindTooltip(asText(count === 1 ? texts.recipientsOne : format(texts.recipients, { count: number(count) }))));
        });
        if (data.capped) {
          status.textContent = format(texts.capped, {
            shown: number(data.shown), total: number(data.addresses)
          });
        }
        if (!shapes.getLayers().length && bounds.isValid()) {
          map.fitBounds(bounds, { padding: [20, 20], maxZoom: 17 });
        }
      })
      .catch(function () { status.textContent = texts.countFailed; });
    if (shapes.getLayers().length) { map.fitBounds(shapes.getBounds(), { padding: [20, 20] }); }
    else if (config.bounds) { map.fitBounds(config.bounds); }
    else { map.setView([42.5, 12.5], 6); }
    return;
  }

  // --- the area page -------------------------------------------------------------------
  var form = document.getElementById("area-form");
  var featuresInput = document.getElementById("id_features");
  var streetsInput = document.getElementById("id_streets");
  var cityInput = document.getElementById("id_city");
  var list = document.getElementById("area-shapes");
  var countNode = document.getElementById("area-count");
  var parts = document.getElementById("area-parts");
  if (!form || !featuresInput) { return; }

  readCollection(featuresInput.value).features.forEach(function (feature) {
    layersOf(feature).forEach(function (layer) { shapes.addLayer(layer); });
  });
  if (shapes.getLayers().length) { map.fitBounds(shapes.getBounds(), { padding: [30, 30] }); }
  else if (config.bounds) { map.fitBounds(config.bounds); }
  else { map.setView([42.5, 12.5], 6); }

  if (L.drawLocal) { merge(L.drawLocal, config.draw); }
  map.addControl(new L.Control.Draw({
    position: "topleft",
    draw: {
      polygon: { allowIntersection: false, showArea: false },
      rectangle: { showArea: false },
      circle: { showRadius: true, metric: true },
      polyline: false, marker: false, circlemarker: false
    },
    edit: { featureGroup: shapes }
  }));

  function collection() {
    var features = [];
    shapes.eachLayer(function (layer) { features.push(featureOf(layer)); });
    return { type: "FeatureCollection", features: features };
  }
  function renderList(features) {
    list.replaceChildren();
    if (!features.length) {
      var empty = document.createElement("li");
      empty.textContent = texts.noShapes;
      list.appendChild(empty);
      return;
    }
    features.forEach(function (feature, index) {
      var item = document.createElement("li");
      item.className = "d-flex align-items-center gap-2";
      var label = document.createElement("span");
      label.textContent = labelOf(feature);
      var button = document.createElement("button");
      button.type = "submit";
      button.name = "action";
      button.value = "remove_feature:" + index;
      button.className = "btn btn-link btn-sm p-0";
      button.textContent = texts.remove;
      var hidden = document.createElement("span");
      hidden.className = "visually-hidden";
      hidden.textContent = " " + label.textContent;
      button.appendChild(hidden);
      item.appendChild(label);
      item.appendChild(button);
      list.appendChild(item);
    });
  }

  // --- the live count (never blocks: debounced, the previous request abandoned) ----------
  var countRequest = null;
  var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  function count() {
    if (countRequest) { countRequest.abort(); }
    countRequest = new AbortController();
    countNode.textContent = texts.counting;
    var body = {
      city: Boolean(cityInput && cityInput.checked),
      features: readCollection(featuresInput.value),
      streets: JSON.parse(streetsInput.value || "[]")
    };
    fetch(config.countUrl, {
      method: "POST",
      credentials: "same-origin",
      signal: countRequest.signal,
      headers: { "Content-Type": "application/json", "X-CSRFToken": token },
      body: JSON.stringify(body)
    })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        if (data.errors) { countNode.textContent = data.errors.join(" "); return; }
        var template = data.civic_numbers === 0 ? texts.countNone : data.civic_numbers === 1 ? texts.countOne : texts.count;
        var said = format(template, { count: number(data.civic_numbers), summary: data.summary });
        if (typeof data.recipients === "number" && texts.countRecipients) {
          said += " " + format(texts.countRecipients, { count: number(data.recipients) });
        }
        countNode.textContent = said;
      })
      .catch(function (error) {
        if (error.name !== "AbortError") { countNode.textContent = texts.countFailed; }
      });
  }
  var countSoon = debounce(count, 400);

  function changed() {
    var data = collection();
    featuresInput.value = JSON.stringify(data);
    renderList(data.features);
    countSoon();
  }
  map.on(L.Draw.Event.CREATED, function (event) { shapes.addLayer(event.layer); changed(); });
  map.on(L.Draw.Event.EDITED, changed);
  map.on(L.Draw.Event.DELETED, changed);

  function cityChanged() {
    if (parts) { parts.classList.toggle("sportello-area-off", cityInput.checked); }
    countSoon();
  }
  if (cityInput) { cityInput.addEventListener("change", cityChanged); }
  if (cityInput && cityInput.checked && parts) { parts.classList.add("sportello-area-off"); }
  count();
})();
