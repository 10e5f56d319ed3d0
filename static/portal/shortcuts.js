// Keyboard shortcuts for the triage queue and the tip page, on top of pages that work without
// them: every key does what a visible control does (a link, a box, a button), and the help
// panel lists them all (the "?" key or the "Keyboard shortcuts" button).
// For screen reader and speech users (WCAG 2.1.4 Character Key Shortcuts): single keys are
// ignored while focus is in a form field or editable text, and whenever Ctrl, Alt or Meta is
// held; the panel turns them off and on, kept in this browser's localStorage; moves are
// announced through a polite live region; `aria-keyshortcuts` names a key on its control only
// while the key works. The panel's words come from the page (data attributes), in its language.
(function () {
  "use strict";
  var panel = document.getElementById("shortcuts-help");
  if (!panel || typeof panel.showModal !== "function") { return; }
  var STORE = "tip-portal-shortcuts";
  var words = panel.dataset;
  var opener = document.getElementById("shortcuts-open");
  var toggle = document.getElementById("shortcuts-toggle");
  var state = document.getElementById("shortcuts-state");
  var announcer = document.getElementById("shortcuts-announcer");
  var back = document.getElementById("back-to-queue");
  var links = Array.prototype.slice.call(document.querySelectorAll("table.queue tbody a.tip-link"));
  // The key each control answers to. "g then q" (the queue link) is a sequence, which
  // aria-keyshortcuts cannot express: the panel names it.
  var KEYED = [
    ["#queue-search", "/"],
    ["table.queue tbody a.tip-link", "O"],
    ["table.queue tbody input[name=ids]", "X"],
    ["#note-body", "N"],
    ["#message-body", "M"],
    ["#claim", "C"],
    ["#shortcuts-open", "?"]
  ];
  var off = false;
  try { off = window.localStorage.getItem(STORE) === "off"; } catch (e) { /* on by default */ }
  var returnTo = null;
  var awaitingQ = false;

  function say(message) {
    // The same words twice in a row are still a change, so they are announced again.
    announcer.textContent = announcer.textContent === message ? message + "\u00a0" : message;
  }
  function render() {
    state.textContent = off ? words.off : words.on;
    toggle.textContent = off ? words.turnOn : words.turnOff;
    KEYED.forEach(function (pair) {
      Array.prototype.forEach.call(document.querySelectorAll(pair[0]), function (element) {
        if (off) { element.removeAttribute("aria-keyshortcuts"); }
        else { element.setAttribute("aria-keyshortcuts", pair[1]); }
      });
    });
  }
  function openPanel() {
    returnTo = document.activeElement;
    panel.showModal();
    document.getElementById("shortcuts-close").focus();
  }
  function typing(element) {
    if (!element || element === document.body) { return false; }
    if (element.isContentEditable) { return true; }
    return Boolean(element.closest && element.closest("input, textarea, select, [contenteditable]"));
  }
  function currentRow() {
    var element = document.activeElement;
    return element && element.closest ? element.closest("table.queue tbody tr") : null;
  }
  function numberOf(row) {
    var number = row.querySelector(".tip-number");
    return number ? number.textContent.trim() : "";
  }
  function move(step) {
    if (!links.length) { return false; }
    var row = currentRow();
    var index = row ? links.indexOf(row.querySelector("a.tip-link")) : -1;
    var next = index === -1 ? (step > 0 ? 0 : links.length - 1) : index + step;
    if (next < 0 || next >= links.length) {
      say(step > 0 ? words.last : words.first);
      return true;
    }
    links[next].focus();
    var position = words.position.replace("{position}", String(next + 1))
      .replace("{total}", String(links.length));
    say(position + ", " + numberOf(links[next].closest("tr")));
    return true;
  }
  function select() {
    var row = currentRow();
    var box = row && row.querySelector("input[name=ids]");
    if (!box) {
      if (links.length) { say(words.noRow); }
      return Boolean(links.length);
    }
    box.click();  // as a click would: the same change event, the same form
    say((box.checked ? words.selected : words.unselected) + " " + numberOf(row));
    return true;
  }
  function open() {
    var row = currentRow();
    var link = row && row.querySelector("a.tip-link");
    if (!link) { return false; }
    link.click();
    return true;
  }
  function focusOn(id) {
    var element = document.getElementById(id);
    if (!element) { return false; }
    element.focus();
    return true;
  }
  function press(id) {
    var element = document.getElementById(id);
    if (!element) { return false; }
    element.click();  // the same form post as the button itself
    return true;
  }

  var KEYS = {
    "j": function () { return move(1); },
    "k": function () { return move(-1); },
    "x": select,
    "o": open,
    "/": function () { return focusOn("queue-search"); },
    "n": function () { return focusOn("note-body"); },
    "m": function () { return focusOn("message-body"); },
    "c": function () { return press("claim"); },
    "g": function () {
      if (!back) { return false; }
      awaitingQ = true;
      say(words.go);
      return true;
    },
    "?": function () { openPanel(); return true; }
  };

  document.addEventListener("keydown", function (event) {
    if (off || panel.open || event.defaultPrevented || event.isComposing) { return; }
    if (event.ctrlKey || event.altKey || event.metaKey || typing(event.target)) { return; }
    if (awaitingQ) {
      awaitingQ = false;
      if (event.key === "q") {
        event.preventDefault();
        back.click();
        return;
      }
    }
    var handler = Object.prototype.hasOwnProperty.call(KEYS, event.key) && KEYS[event.key];
    if (handler && handler()) { event.preventDefault(); }
  });

  document.getElementById("shortcuts-close").addEventListener("click", function () {
    panel.close();
  });
  panel.addEventListener("close", function () {
    // Esc and the close button both end here: focus goes back where it was, unless a key
    // pressed since the dialog closed (the close event comes a task later) has moved it on.
    var now = document.activeElement;
    var lost = !now || now === document.body || panel.contains(now);
    if (lost && returnTo && typeof returnTo.focus === "function" && document.contains(returnTo)) {
      returnTo.focus();
    }
    returnTo = null;
  });
  toggle.addEventListener("click", function () {
    off = !off;
    try {
      if (off) { window.localStorage.setItem(STORE, "off"); }
      else { window.localStorage.removeItem(STORE); }
    } catch (e) { /* kept for this page only */ }
    render();
  });
  if (opener) {
    opener.hidden = false;
    opener.addEventListener("click", openPanel);
  }
  render();
})();
