// The payment's return page: while the receipt is on its way, ask every 2 seconds whether it
// has arrived, and show the page again when it has (the status region announces it).
(function () {
  "use strict";
  var region = document.getElementById("payment-status");
  if (!region || region.dataset.waiting !== "true") {
    return;
  }
  var url = region.dataset.statusUrl;
  var tries = 0;
  function ask() {
    tries += 1;
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (data && data.waiting === 0) {
          window.location.reload();
        } else if (tries < 150) {
          window.setTimeout(ask, 2000);
        }
      })
      .catch(function () {
        if (tries < 150) { window.setTimeout(ask, 5000); }
      });
  }
  window.setTimeout(ask, 2000);
})();
