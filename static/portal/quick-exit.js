// Quick exit: leave for a neutral page and replace this page in the history, so the Back
// button does not return here. Escape pressed twice does the same. Without JavaScript the
// button is still a plain link.
(function () {
  "use strict";
  var button = document.getElementById("quick-exit");
  if (!button) { return; }
  function leave(event) {
    if (event) { event.preventDefault(); }
    document.body.innerHTML = "";
    window.location.replace(button.href);
  }
  button.addEventListener("click", leave);
  var lastEscape = 0;
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    var now = Date.now();
    if (now - lastEscape < 800) { leave(event); }
    lastEscape = now;
  });
})();
