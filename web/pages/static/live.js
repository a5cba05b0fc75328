// Practicum board: live staff pages, without a framework.
//
// [data-live-url]        polls that JSON every data-live-s seconds (backing off while the
//                        server is unreachable, shown by [data-live-status]) and fills in:
//   [data-live="a.b"]      text of state.a.b
//   [data-live-rows="x"]   rows rebuilt from state.x with <template id="row-x">, whose
//                          [data-f] get text, [data-cls-field]/[data-cls-prefix] a class,
//                          [data-attr-action] a form action, [data-attr-href] a link (both hidden when
//                          empty); [data-live-empty="x"] shows when empty
// [data-reload-while]    reloads the page once that JSON's status is no longer data-reload-value
// [data-reload-s]        reloads the page every so many seconds (the public scoreboard)
// [data-board-events]    reloads it at once when its freeze changes from data-frozen-ms (SSE)
(function () {
  "use strict";

  function get(obj, path) {
    return path.split(".").reduce(function (o, k) { return o == null ? undefined : o[k]; }, obj);
  }

  function each(root, selector, fn) {
    Array.prototype.forEach.call(root.querySelectorAll(selector), fn);
  }

  function fill(node, item) {
    var nodes = [node];
    each(node, "[data-f],[data-cls-field],[data-attr-action],[data-attr-href]", function (el) { nodes.push(el); });
    nodes.forEach(function (el) {
      if (el.dataset.f) {
        var v = get(item, el.dataset.f);
        el.textContent = v == null ? "" : String(v);
      }
      if (el.dataset.clsField) {
        var cls = (el.dataset.clsPrefix || "") + String(get(item, el.dataset.clsField));
        if (el.dataset.clsAdded) { el.classList.remove(el.dataset.clsAdded); }
        Array.prototype.slice.call(el.classList).forEach(function (c) {
          if (el.dataset.clsPrefix && c.indexOf(el.dataset.clsPrefix) === 0) { el.classList.remove(c); }
        });
        el.classList.add(cls);
        el.dataset.clsAdded = cls;
      }
      if (el.dataset.attrAction) {           // a form with no action (nothing to do on this row) is hidden
        var action = get(item, el.dataset.attrAction) || "";
        el.setAttribute("action", action);
        el.hidden = !action;
      }
      if (el.dataset.attrHref) {
        var href = get(item, el.dataset.attrHref) || "";
        el.setAttribute("href", href);
        el.hidden = !href;
      }
    });
  }

  function render(state) {
    each(document, "[data-live]", function (el) {
      var v = get(state, el.dataset.live);
      el.textContent = v == null ? "" : String(v);
    });
    each(document, "[data-live-rows]", function (box) {
      var name = box.dataset.liveRows, tpl = document.getElementById("row-" + name);
      var items = get(state, name) || [];
      if (!tpl || !tpl.content.firstElementChild) { return; }
      while (box.firstChild) { box.removeChild(box.firstChild); }
      items.forEach(function (item) {
        var row = tpl.content.firstElementChild.cloneNode(true);
        fill(row, item);
        box.appendChild(row);
      });
      each(document, '[data-live-empty="' + name + '"]', function (el) { el.hidden = items.length > 0; });
    });
  }

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (r) {
        if (r.redirected || !r.ok) { throw new Error("HTTP " + r.status); }   // signed out, or an error
        return r.json();
      });
  }

  var live = document.querySelector("[data-live-url]");
  if (live && window.fetch) {
    var every = Math.max(1, Number(live.dataset.liveS || 3)) * 1000, delay = every;
    var status = document.querySelector("[data-live-status]");
    var poll = function () {
      getJSON(live.dataset.liveUrl).then(function (state) {
        render(state);
        delay = every;
        if (status) { status.hidden = true; }
      }).catch(function () {
        delay = Math.min(delay * 2, 30000);
        if (status) { status.hidden = false; }
      }).then(function () { setTimeout(poll, delay); });
    };
    setTimeout(poll, every);
  }

  var waiter = document.querySelector("[data-reload-while]");
  if (waiter && window.fetch) {
    var wait = Math.max(1, Number(waiter.dataset.liveS || 3)) * 1000;
    var check = function () {
      getJSON(waiter.dataset.reloadWhile).then(function (state) {
        if (state.status !== waiter.dataset.reloadValue) { location.reload(); } else { setTimeout(check, wait); }
      }).catch(function () { setTimeout(check, wait * 2); });
    };
    setTimeout(check, wait);
  }

  // a public scoreboard reloads as soon as it is frozen, refrozen or unfrozen (pushed over SSE)
  var board = document.querySelector("[data-board-events]");
  if (board && window.EventSource) {
    var boardSource = new EventSource(board.dataset.boardEvents);
    boardSource.addEventListener("board", function (ev) {
      var data;
      try { data = JSON.parse(ev.data); } catch (e) { return; }
      var shown = board.dataset.frozenMs || "";
      if ((data.frozen_ms == null ? "" : String(data.frozen_ms)) !== shown) {
        boardSource.close();
        location.reload();
      }
    });
  }

  var reloader = document.querySelector("[data-reload-s]");
  if (reloader) {
    setTimeout(function () { location.reload(); }, Math.max(5, Number(reloader.dataset.reloadS)) * 1000);
  }
})();
