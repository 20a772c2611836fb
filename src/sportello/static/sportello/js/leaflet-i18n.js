// Leaflet's own controls in the page's language, and every map a named region: loaded right
// after leaflet.js, before the page's map script (Leaflet.draw's words come with the area
// page's configuration). The texts come translated from the
// <script> tag's data-* attributes (templates/includes/leaflet_i18n.html).
(function () {
  "use strict";
  var script = document.currentScript;
  if (!window.L || !script) { return; }
  var texts = script.dataset;
  L.Control.Zoom.prototype.options.zoomInTitle = texts.zoomIn;
  L.Control.Zoom.prototype.options.zoomOutTitle = texts.zoomOut;
  var link = document.createElement("a");
  link.href = "https://leafletjs.com";
  link.title = texts.leafletTitle;
  link.textContent = "Leaflet";
  L.Control.Attribution.prototype.options.prefix = link.outerHTML;
  // The map takes the keyboard focus (arrows move it, + and − zoom): it needs a role and a name.
  // A page's own script may name it more precisely afterwards.
  L.Map.addInitHook(function () {
    var node = this.getContainer();
    if (!node.hasAttribute("role")) { node.setAttribute("role", "region"); }
    node.setAttribute("aria-roledescription", texts.roleDescription);
    if (!node.hasAttribute("aria-label") && !node.hasAttribute("aria-labelledby")) {
      node.setAttribute("aria-label", texts.mapLabel);
    }
  });
})();
