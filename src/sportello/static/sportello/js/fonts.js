/* Load Bootstrap Italia's fonts from our static folder (no inline script needed). */
(function () {
  var script = document.currentScript;
  var path = script && script.dataset.fonts;
  if (path && window.bootstrap && window.bootstrap.loadFonts) {
    window.__PUBLIC_PATH__ = path;
    window.bootstrap.loadFonts(path);
  }
})();
