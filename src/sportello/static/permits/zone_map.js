// The zone page's map is the alerts console's (alerts/area.js). Here only what that page does
// not need: the zoom buttons' names in the page's language.
(function () {
  "use strict";
  var configNode = document.getElementById("area-map-config");
  var mapNode = document.getElementById("area-map");
  if (!configNode || !mapNode || !mapNode.leafletMap) { return; }
  var texts = JSON.parse(configNode.textContent).texts;
  [["leaflet-control-zoom-in", texts.zoomIn], ["leaflet-control-zoom-out", texts.zoomOut]].forEach(function (pair) {
    var button = mapNode.querySelector("." + pair[0]);
    if (button) {
      button.setAttribute("title", pair[1]);
      button.setAttribute("aria-label", pair[1]);
    }
  });
})();
