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
