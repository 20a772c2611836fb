/* A minute before the session ends for inactivity, show the warning with «Resta collegato»
   (WCAG 2.2.1). Staying asks the server to restart the inactivity clock without leaving the
   page, so nothing typed is lost. When the time is up the page is asked for again: the server,
   which alone decides, answers with «Sessione scaduta» and no personal data stays on screen. */
(function () {
  var box = document.getElementById("session-warning");
  if (!box || !window.fetch) return;
  var form = box.querySelector("form");
  var warnBefore = parseInt(box.dataset.warnBefore, 10) || 60;
  var warnTimer = null;
  var endTimer = null;
  var returnFocus = null;

  function schedule(secondsLeft) {
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    warnTimer = setTimeout(show, Math.max(0, secondsLeft - warnBefore) * 1000);
    endTimer = setTimeout(function () {
      window.location.assign(window.location.href.split("#")[0]);
    }, (secondsLeft + 1) * 1000);
  }

  function show() {
    returnFocus = document.activeElement;
    box.hidden = false;
    form.querySelector("button").focus();
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (answer) {
        if (typeof answer.seconds_left !== "number") throw new Error("no answer");
        box.hidden = true;
        if (returnFocus && returnFocus.focus) returnFocus.focus();
        schedule(answer.seconds_left);
      })
      .catch(function () {
        window.location.assign(window.location.href.split("#")[0]);
      });
  });

  schedule(parseInt(box.dataset.secondsLeft, 10) || 0);
})();
