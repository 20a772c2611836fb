// The live monitor of an alert. The page is complete without this script (server-rendered
// figures and an "Aggiorna" link); here, while the alert is sending, the figures are fetched
// every 2 seconds and written into the same places, the map of the addresses is drawn and
// refreshed, and screen readers hear a short summary at most every 30 seconds (a new provider
// problem and the end of the sending at once). Polling stops when the sending is over.
(function () {
  "use strict";
  var configNode = document.getElementById("monitor-config");
  var root = document.getElementById("monitor");
  if (!configNode || !root) { return; }
  var config = JSON.parse(configNode.textContent);
  var texts = config.texts;
  var announcer = document.getElementById("monitor-announcer");
  var auto = document.getElementById("monitor-auto");
  var errorNote = document.getElementById("monitor-error");
  var problemsBox = document.getElementById("monitor-problems");

  var live = Boolean(config.live);
  var failures = 0;
  var timer = null;
  var lastAnnounced = "";
  var lastAnnouncedAt = Date.now(); // the page itself was just read: wait before the first summary
  var knownProblems = {};
  Array.prototype.forEach.call(problemsBox ? problemsBox.children : [], function (node) {
    knownProblems[node.textContent.trim()] = true;
  });

  function format(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_match, key) { return String(values[key]); });
  }

  function announce(message) {
    if (!announcer || !message) { return; }
    // Emptied first, so that the same words said again are still read.
    announcer.textContent = "";
    window.setTimeout(function () { announcer.textContent = message; }, 100);
    lastAnnounced = message;
    lastAnnouncedAt = Date.now();
  }

  function apply(data) {
    Object.keys(data.texts).forEach(function (key) {
      root.querySelectorAll('[data-text="' + key + '"]').forEach(function (node) {
        if (node.textContent !== data.texts[key]) { node.textContent = data.texts[key]; }
      });
    });
    Object.keys(data.bars).forEach(function (key) {
      var bar = data.bars[key];
      root.querySelectorAll('[data-bar="' + key + '"]').forEach(function (node) {
        node.style.width = bar.percent + "%";
        node.setAttribute("aria-valuenow", String(bar.percent));
        node.setAttribute("aria-valuetext", bar.text);
      });
    });
    Object.keys(data.shown).forEach(function (key) {
      root.querySelectorAll('[data-shown="' + key + '"]').forEach(function (node) {
        node.hidden = !data.shown[key];
      });
    });
    if (problemsBox) {
      problemsBox.replaceChildren();
      var fresh = [];
      var current = {};
      data.problems.forEach(function (problem) {
        var node = document.createElement("div");
        node.className = "alert alert-danger";
        node.setAttribute("role", "note");
        node.textContent = problem;
        problemsBox.appendChild(node);
        current[problem] = true;
        if (!knownProblems[problem]) { fresh.push(problem); }
      });
      knownProblems = current;
      if (fresh.length) {
        announce(fresh.map(function (problem) { return format(texts.problem, { text: problem }); }).join(" "));
      }
    }
    startMap(); // the sending may just have started: its sections are shown now
  }

  function schedule(delay) {
    window.clearTimeout(timer);
    timer = window.setTimeout(poll, delay);
  }

  // WCAG 2.2.2: the automatic updates can be paused, and resumed, by the person reading.
  var paused = false;
  var pauseButton = document.getElementById("monitor-pause");
  if (pauseButton) {
    pauseButton.addEventListener("click", function () {
      paused = !paused;
      pauseButton.setAttribute("aria-pressed", paused ? "true" : "false");
      pauseButton.textContent = paused ? pauseButton.dataset.resume : pauseButton.dataset.pause;
      if (!paused && live) { schedule(0); }
    });
  }

  function poll() {
    if (document.hidden || paused) { return; } // resumed by visibilitychange or the button
    fetch(config.progressUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (data) {
        failures = 0;
        if (errorNote) { errorNote.hidden = true; }
        apply(data);
        if (data.finished || !data.live) {
          live = false;
          if (auto) { auto.hidden = true; }
          announce(data.summary);
          refreshMap();
          return;
        }
        if (Date.now() - lastAnnouncedAt >= config.announceInterval && data.summary !== lastAnnounced) {
          announce(data.summary);
        }
        schedule(config.interval);
      })
      .catch(function () {
        failures += 1;
        if (errorNote) { errorNote.hidden = false; }
        schedule(Math.min(30000, config.interval * Math.pow(2, failures)));
      });
  }

  if (live) {
    if (auto) { auto.hidden = false; }
    schedule(config.interval);
    document.addEventListener("visibilitychange", function () {
      if (!document.hidden && live) { schedule(0); }
    });
  }

  // --- the map --------------------------------------------------------------------------
  var mapNode = document.getElementById("monitor-map");
  var map = null;
  var layer = null;
  var fitted = false;
  var STYLES = {
    reached: { color: "#00804d", fillColor: "#00804d", radius: 5, weight: 1 },
    handed: { color: "#0066cc", fillColor: "#0066cc", radius: 5, weight: 1 },
    progress: { color: "#5c6f82", fillColor: "#ffffff", radius: 5, weight: 2 },
    unreached: { color: "#8a0a1f", fillColor: "#c8102e", radius: 7, weight: 2 }
  };
  var ORDER = ["reached", "handed", "progress", "unreached"]; // unreached drawn last, on top

  function popup(properties) {
    var box = document.createElement("div");
    var title = document.createElement("strong");
    title.textContent = properties.address;
    box.appendChild(title);
    var list = document.createElement("ul");
    list.className = "list-unstyled mb-0";
    ORDER.forEach(function (state) {
      if (!properties[state]) { return; }
      var item = document.createElement("li");
      item.textContent = texts.states[state] + ": " + properties[state] + " " + texts.people;
      list.appendChild(item);
    });
    box.appendChild(list);
    return box;
  }

  function draw(collection) {
    if (!map) { return; }
    layer.clearLayers();
    var renderer = L.canvas({ padding: 0.5 });
    var bounds = [];
    ORDER.forEach(function (state) {
      collection.features.forEach(function (feature) {
        if (feature.properties.state !== state) { return; }
        var point = [feature.geometry.coordinates[1], feature.geometry.coordinates[0]];
        var style = Object.assign({ renderer: renderer, fillOpacity: 0.85 }, STYLES[state]);
        L.circleMarker(point, style).bindPopup(popup(feature.properties)).addTo(layer);
        bounds.push(point);
      });
    });
    if (!fitted && bounds.length) {
      map.fitBounds(bounds, { padding: [20, 20], maxZoom: 17 });
      fitted = true;
    }
    Object.keys(collection.addresses).forEach(function (state) {
      root.querySelectorAll('[data-addresses="' + state + '"]').forEach(function (node) {
        node.textContent = String(collection.addresses[state]);
      });
    });
    var people = { total: collection.people_total, reached: collection.people.reached, percent: collection.reached_percent };
    Object.keys(people).forEach(function (key) {
      root.querySelectorAll('[data-people="' + key + '"]').forEach(function (node) {
        node.textContent = String(people[key]);
      });
    });
  }

  function refreshMap() {
    if (!map) { return; }
    fetch(config.mapUrl, { headers: { Accept: "application/geo+json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (collection) { if (collection) { draw(collection); } })
      .catch(function () { /* the table and the legend stay as the page gave them */ });
  }

  // Leaflet needs a visible box to measure: the map starts once its section is shown.
  function startMap() {
    if (map || !mapNode || typeof L === "undefined") { return; }
    mapNode.hidden = false;
    if (mapNode.offsetParent === null) { mapNode.hidden = true; return; }
    mapNode.setAttribute("role", "region");
    mapNode.setAttribute("aria-label", texts.mapLabel);
    map = L.map(mapNode, { keyboard: true, preferCanvas: true });
    if (config.url) {
      L.tileLayer(config.url, { attribution: config.attribution, maxZoom: 19 }).addTo(map);
    }
    map.setView([0, 0], 2);
    layer = L.layerGroup().addTo(map);
    refreshMap();
    if (live) {
      var mapTimer = window.setInterval(function () {
        if (!live) { window.clearInterval(mapTimer); return; }
        if (!document.hidden && !paused) { refreshMap(); }
      }, config.mapInterval);
    }
  }
  startMap();
})();
