// The compose page of the alert console: a live count of each SMS text (characters, GSM-7 or
// UCS-2, parts), computed exactly as sportello.channels.gsm does on the server; the exercise
// banner shown as soon as "Esercitazione" is ticked; a note when the voice script changes after
// its audio preview was made. Everything here is a help: the server counts and checks again.
(function () {
  "use strict";
  var form = document.getElementById("compose-form");
  if (!form) { return; }
  var exercise = form.querySelector("input[name='exercise']");
  var banner = document.getElementById("exercise-banner");

  if (exercise && banner) {
    exercise.addEventListener("change", function () { banner.hidden = !exercise.checked; });
  }

  var configNode = document.getElementById("compose-config");
  if (!configNode) { return; }
  var config = JSON.parse(configNode.textContent);

  // 3GPP TS 23.038: the default alphabet and the extension table (each of those costs two).
  var GSM_BASIC = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
  var GSM_EXTENSION = "\f^{}\\[~]|€";
  // [one message, one part of a concatenated message]
  var LIMITS = { "GSM-7": [160, 153], "UCS-2": [70, 67] };

  function characters(text) { return Array.from(text); } // by code point, as Python iterates

  function encoding(chars) {
    for (var i = 0; i < chars.length; i++) {
      if (GSM_BASIC.indexOf(chars[i]) < 0 && GSM_EXTENSION.indexOf(chars[i]) < 0) { return "UCS-2"; }
    }
    return "GSM-7";
  }

  function cost(char, enc) {
    if (enc === "GSM-7") { return GSM_EXTENSION.indexOf(char) >= 0 ? 2 : 1; }
    return char.codePointAt(0) > 0xFFFF ? 2 : 1;
  }

  function count(text) {
    var chars = characters(text);
    var enc = encoding(chars);
    var length = 0;
    chars.forEach(function (char) { length += cost(char, enc); });
    if (!chars.length) { return { length: 0, encoding: enc, segments: 0 }; }
    if (length <= LIMITS[enc][0]) { return { length: length, encoding: enc, segments: 1 }; }
    // A part never ends inside an escape sequence or a surrogate pair.
    var segments = 1;
    var used = 0;
    chars.forEach(function (char) {
      var c = cost(char, enc);
      if (used + c > LIMITS[enc][1]) { segments += 1; used = 0; }
      used += c;
    });
    return { length: length, encoding: enc, segments: segments };
  }

  function format(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_match, key) { return String(values[key]); });
  }

  // Python's str.strip() and the "\r\n" -> "\n" the server applies (textareas give "\n").
  function normalise(text) {
    return text.split("\n").map(function (line) { return line.replace(/\s+$/, ""); }).join("\n").trim();
  }

  var counters = Array.prototype.slice.call(document.querySelectorAll("[data-sms-counter]"));
  function update(counter) {
    var field = document.getElementById(counter.getAttribute("data-sms-counter"));
    if (!field) { return; }
    var text = normalise(field.value);
    var language = field.getAttribute("data-sms-language") || "it";
    if (!text && language !== "it") { counter.textContent = ""; return; }
    var sent = (exercise && exercise.checked ? config.markers[language] : "") + text;
    var result = count(sent);
    var message = format(config.format, {
      chars: result.length, encoding: result.encoding, segments: result.segments
    });
    if (result.segments > config.max) { message += format(config.tooLong, { max: config.max }); }
    counter.textContent = message;
  }
  counters.forEach(function (counter) {
    var field = document.getElementById(counter.getAttribute("data-sms-counter"));
    if (!field) { return; }
    field.addEventListener("input", function () { update(counter); });
    update(counter);
  });
  if (exercise) {
    exercise.addEventListener("change", function () { counters.forEach(update); });
  }

  // The audio preview speaks the text as the page was made: say so once it is edited.
  Array.prototype.forEach.call(document.querySelectorAll("[data-listen-for]"), function (box) {
    var field = document.getElementById(box.getAttribute("data-listen-for"));
    var note = box.querySelector("[data-listen-stale]");
    if (!field || !note) { return; }
    var original = field.value;
    field.addEventListener("input", function () {
      var stale = field.value !== original;
      note.hidden = !stale;
      note.textContent = stale ? config.stale : "";
    });
  });
})();
