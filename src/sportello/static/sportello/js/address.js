// Address suggestions from the stradario for inputs with data-address-search: a plain
// <datalist>, so the field stays an ordinary text box (keyboard and screen readers as usual).
(function () {
  "use strict";
  document.querySelectorAll("input[data-address-search]").forEach(function (input) {
    var list = document.getElementById("address-suggestions");
    if (!list) { return; }
    input.setAttribute("list", list.id);
    var timer = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var query = input.value.trim();
      if (query.length < 3) { return; }
      timer = setTimeout(function () {
        fetch(input.dataset.addressSearch + "?limit=8&q=" + encodeURIComponent(query))
          .then(function (response) { return response.ok ? response.json() : []; })
          .then(function (matches) {
            list.replaceChildren();
            matches.forEach(function (match) {
              var option = document.createElement("option");
              option.value = match.label;
              list.appendChild(option);
            });
          })
          .catch(function () { /* suggestions are a help, not a need */ });
      }, 250);
    });
  });
})();
