/* The materials viewer's zoom and rotate: CSS transforms on the page image (no page is
   fetched again), kept for the next page htmx swaps in. */
(function () {
  "use strict";
  var zoom = 1, turn = 0;
  function apply() {
    var image = document.querySelector("[data-page-image]");
    if (image) { image.style.transform = "scale(" + zoom + ") rotate(" + turn + "deg)"; }
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-viewer]") : null;
    if (!button) { return; }
    var what = button.getAttribute("data-viewer");
    if (what === "zoom-in") { zoom = Math.min(zoom * 1.25, 6); }
    else if (what === "zoom-out") { zoom = Math.max(zoom / 1.25, 0.25); }
    else if (what === "rotate") { turn = (turn + 90) % 360; }
    else { zoom = 1; turn = 0; }
    apply();
  });
  // Once htmx has settled the new page in (each page image has its own id, so htmx does not
  // carry the old one's style attribute over: the CSP would refuse that).
  document.addEventListener("htmx:afterSettle", apply);
}());

/* Idle sign-out: a minute before the session's idle deadline (the server's, body's
   data-idle-seconds) a warning offers to stay; at the deadline the page is left for the
   sign-in, so no case stays on an unattended screen. Any page, htmx request or "stay"
   moves the deadline on, as it does on the server. */
(function () {
  "use strict";
  var seconds = parseInt(document.body.getAttribute("data-idle-seconds") || "0", 10);
  if (!seconds) { return; }
  var warning = document.getElementById("idle-warning"), warnTimer = 0, endTimer = 0;
  function arm() {
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    if (warning) { warning.hidden = true; }
    warnTimer = setTimeout(function () {
      if (warning) { warning.hidden = false; document.getElementById("stay-signed-in").focus(); }
    }, Math.max(seconds - 60, 1) * 1000);
    endTimer = setTimeout(function () { window.location.replace("/console/sign-in?idle=1"); }, seconds * 1000);
  }
  document.addEventListener("click", function (event) {
    var stay = event.target.closest ? event.target.closest("[data-stay]") : null;
    if (!stay) { return; }
    var request = new XMLHttpRequest();
    request.open("GET", "/console/alive");
    request.onload = function () {
      if (request.status === 204) { arm(); } else { window.location.replace("/console/sign-in?idle=1"); }
    };
    request.send();
  });
  document.addEventListener("htmx:afterRequest", arm);
  arm();
}());
