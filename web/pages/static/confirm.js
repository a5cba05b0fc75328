// Practicum board: a form with data-confirm asks before it posts (the server asks too, on a
// page of its own, when this script does not run). Confirmed: confirm=yes goes with the form.
(function () {
  "use strict";
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (!form || !form.dataset || !form.dataset.confirm) { return; }
    if (form.querySelector('input[name="confirm"]')) { return; }
    if (!window.confirm(form.dataset.confirm)) { ev.preventDefault(); return; }
    var yes = document.createElement("input");
    yes.type = "hidden";
    yes.name = "confirm";
    yes.value = "yes";
    form.appendChild(yes);
  }, true);
})();
