// Staff pages: no work lost at the idle sign-out.
// 1. A warning shortly before the idle timeout, with a button that keeps the session alive
//    (any request to the portal counts as activity; this one reads the caller's own profile).
// 2. What is typed into a form is kept in this tab's session storage as it is typed. When the
//    form is sent, the copy is marked sent; on the next page it is forgotten, unless that page
//    is the first after a sign-in (the session had ended and the form never arrived): then it is
//    put back into its box. Session storage ends with the tab and never reaches the server.
(function () {
  "use strict";
  var timer = document.getElementById("session-timer");
  var PREFIX = "tip-portal-draft|";
  var page = window.location.pathname;

  function keyFor(form, field) {
    return PREFIX + page + "|" + (form.getAttribute("action") || page) + "|" + field.name;
  }
  function keepable(field) {
    if (!field.name || field.readOnly || field.disabled) { return false; }
    if (field.tagName === "TEXTAREA") { return true; }
    return field.tagName === "INPUT" && (field.type === "text" || field.type === "search");
  }
  function store(key, value, sent) {
    try {
      if (value) {
        window.sessionStorage.setItem(key, JSON.stringify({ value: value, sent: sent }));
      } else {
        window.sessionStorage.removeItem(key);
      }
    } catch (e) { /* storage full or disabled: the cookie path still keeps short text */ }
  }
  function read(key) {
    try { return JSON.parse(window.sessionStorage.getItem(key) || "null"); } catch (e) { return null; }
  }
  function forgetAll() {
    try {
      for (var i = window.sessionStorage.length - 1; i >= 0; i--) {
        var key = window.sessionStorage.key(i);
        if (key && key.indexOf(PREFIX) === 0) { window.sessionStorage.removeItem(key); }
      }
    } catch (e) { /* nothing kept */ }
  }

  var restore = timer && timer.getAttribute("data-restore") === "1";
  var restored = false;
  var forms = document.querySelectorAll("form[method=post], form[method=POST]");
  Array.prototype.forEach.call(forms, function (form) {
    if ((form.getAttribute("action") || "").indexOf("/logout/") !== -1) {
      form.addEventListener("submit", forgetAll);  // signing out on purpose: keep nothing
      return;
    }
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!keepable(field)) { return; }
      var key = keyFor(form, field);
      var saved = read(key);
      if (saved) {
        if (saved.sent && !restore) {
          store(key, "", false);  // it arrived: nothing to keep
        } else if (!field.value) {
          field.value = saved.value;
          store(key, saved.value, false);
          restored = true;
        }
      }
      field.addEventListener("input", function () { store(key, field.value, false); });
    });
    form.addEventListener("submit", function () {
      Array.prototype.forEach.call(form.elements, function (field) {
        if (keepable(field)) { store(keyFor(form, field), field.value, true); }
      });
    });
  });
  if (restored) {
    var notice = document.getElementById("drafts-restored");
    if (notice) { notice.hidden = false; }
  }

  if (!timer) { return; }
  var idle = parseInt(timer.getAttribute("data-idle-seconds"), 10) || 900;
  var warnAfter = Math.max(idle - 120, Math.floor(idle * 0.8));
  var button = document.getElementById("stay-signed-in");
  var text = document.getElementById("session-warning-text");
  var title = document.getElementById("session-warning-title");
  var warnTimer = null;
  var endTimer = null;

  function schedule() {
    window.clearTimeout(warnTimer);
    window.clearTimeout(endTimer);
    warnTimer = window.setTimeout(warn, warnAfter * 1000);
    endTimer = window.setTimeout(ended, idle * 1000);
  }
  function warn() {
    timer.hidden = false;
    button.focus();
  }
  function ended() {
    title.textContent = "You have been signed out";
    text.textContent = "Your session ended after a while without activity. What you typed on " +
      "this page is kept in this browser: send the form and sign in, and it comes back here.";
    button.hidden = true;
    timer.hidden = false;
  }
  button.addEventListener("click", function () {
    window.fetch(timer.getAttribute("data-keepalive"), {
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      if (response.ok) {
        timer.hidden = true;
        schedule();
      } else {
        ended();
      }
    }, ended);
  });
  schedule();
})();
