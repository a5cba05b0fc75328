// Practicum board: the server clock, the exam countdown, live submission status and intake (SSE).
(function () {
  "use strict";
  var body = document.body;
  var offset = Number(body.dataset.serverNow || Date.now()) - Date.now();   // server - client
  var tz = body.dataset.tz || undefined;
  var lang = body.dataset.lang === "en" ? "en-GB" : "zh-CN";
  function serverNow() { return Date.now() + offset; }

  var clockEl = document.getElementById("clock");
  var fmt;
  try {
    fmt = new Intl.DateTimeFormat(lang, { timeZone: tz, year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false });
  } catch (e) { fmt = null; }

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function span(ms) {
    var s = Math.max(0, Math.floor(ms / 1000));
    var d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60);
    return (d ? d + "d " : "") + pad(h) + ":" + pad(m) + ":" + pad(s % 60);
  }

  var win = document.getElementById("window");
  var countdown = document.getElementById("countdown");
  function tick() {
    var now = serverNow();
    if (clockEl && fmt) { clockEl.textContent = fmt.format(new Date(now)); }
    if (!win || !countdown) { return; }
    var start = win.dataset.startMs ? Number(win.dataset.startMs) : null;
    var end = win.dataset.endMs ? Number(win.dataset.endMs) : null;
    var state = win.dataset.state, text;
    if (start !== null && now < start) {
      text = win.dataset.labelStarts + " " + span(start - now);
      if (state !== "not_started") { location.reload(); }
    } else if (end !== null && now >= end) {
      text = win.dataset.labelClosed;
      if (state !== "closed") { location.reload(); }
    } else if (end !== null) {
      text = win.dataset.labelEnds + " " + span(end - now);
      if (state !== "open") { location.reload(); }
    } else {
      text = win.dataset.labelOpen;
    }
    countdown.textContent = text;
  }
  tick();
  setInterval(tick, 1000);

  // a queued receipt's place in the queue and expected wait, asked again every data-wait-s
  var waitBox = document.getElementById("wait");
  if (waitBox && waitBox.dataset.waitUrl && window.fetch) {
    var waitEvery = Math.max(2, Number(waitBox.dataset.waitS || 10)) * 1000;
    var askWait = function () {
      fetch(waitBox.dataset.waitUrl, { credentials: "same-origin", cache: "no-store" })
        .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.json(); })
        .then(function (data) {
          while (waitBox.firstChild) { waitBox.removeChild(waitBox.firstChild); }
          (data.lines || []).forEach(function (line) {
            var p = document.createElement("p");
            p.textContent = line;
            waitBox.appendChild(p);
          });
          waitBox.hidden = !(data.lines || []).length;
          if ((data.lines || []).length) { setTimeout(askWait, waitEvery); }
        })
        .catch(function () { setTimeout(askWait, waitEvery * 2); });
    };
    setTimeout(askWait, waitEvery);
  }

  // live status of the candidate's own submissions
  var url = body.dataset.events;
  if (url && window.EventSource) {
    var labels = {};
    try { labels = JSON.parse(body.dataset.statusLabels || "{}"); } catch (e) { labels = {}; }
    var finals = { graded: 1, failed: 1, cancelled: 1, rejected: 1 };
    var source = new EventSource(url);
    source.addEventListener("status", function (ev) {
      var data;
      try { data = JSON.parse(ev.data); } catch (e) { return; }
      var badges = document.querySelectorAll('[data-sub-id="' + data.id + '"]');
      for (var i = 0; i < badges.length; i++) {
        var b = badges[i];
        if (b.dataset.status === data.status) { continue; }
        b.dataset.status = data.status;
        b.className = "badge status-" + data.status;
        b.textContent = labels[data.status] || data.status;
      }
      if (finals[data.status] && document.querySelector('[data-reload-when-final="' + data.id + '"]')) {
        source.close();
        location.reload();
      }
    });
    // the exam's intake as the staff change it: pause hides the upload forms, resume shows
    // them; a moved window is counted down anew (tick reloads when its state changes)
    source.addEventListener("intake", function (ev) {
      var data;
      try { data = JSON.parse(ev.data); } catch (e) { return; }
      var forms = document.querySelectorAll("form.upload-form");
      for (var i = 0; i < forms.length; i++) { forms[i].hidden = !!data.paused; }
      var banner = document.getElementById("paused");
      if (banner) { banner.hidden = !data.paused; }
      if (win) {
        win.dataset.startMs = data.start_ms == null ? "" : String(data.start_ms);
        win.dataset.endMs = data.end_ms == null ? "" : String(data.end_ms);
        tick();
      }
    });
  }
})();
