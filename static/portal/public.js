// Public pages, when JavaScript runs: show what only works with it (the copy button, the
// Escape shortcut), copy the receipt code, and move focus to a form's problem summary so it
// cannot be missed. Without JavaScript every page still works: the summary sits at the top
// with anchor links and the receipt can be saved as a text file.
(function () {
  "use strict";
  var onlyWithScript = document.querySelectorAll(".js-only");
  for (var i = 0; i < onlyWithScript.length; i++) { onlyWithScript[i].hidden = false; }

  var exit = document.getElementById("quick-exit");
  if (exit) { exit.setAttribute("aria-keyshortcuts", "Escape Escape"); }

  var problem = document.getElementById("form-problem");
  if (problem) {
    problem.scrollIntoView({ block: "start" });
    problem.focus();
  }

  var copy = document.getElementById("copy-receipt");
  var status = document.getElementById("copy-status");
  if (copy && status) {
    copy.addEventListener("click", function () {
      var done = function () { status.textContent = copy.getAttribute("data-copied"); };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(copy.getAttribute("data-receipt")).then(done, function () {
          selectCode();
        });
      } else {
        selectCode();
      }
    });
  }
  // Where the clipboard is not available, select the code so the phone offers "Copy".
  function selectCode() {
    var code = document.getElementById("receipt");
    if (!code) { return; }
    var range = document.createRange();
    range.selectNodeContents(code);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }
})();
