/* Test timer: counts down the remaining time that the server wrote into the page.
   Optional: without JavaScript every page still shows the time left, and the server
   enforces the deadline whatever this script shows. The visible time changes every
   second; screen readers hear it only at the warning and when time is up, through a
   polite live region (no interruptions). */
(function () {
  "use strict";
  var timer = document.getElementById("test-timer");
  if (!timer) { return; }
  var value = timer.querySelector(".timer-value");
  var announce = timer.querySelector(".timer-announce");
  var left = parseInt(timer.getAttribute("data-seconds-left"), 10);
  var warnAt = parseInt(timer.getAttribute("data-warning-seconds"), 10);
  if (isNaN(left) || !value || !announce) { return; }
  var end = Date.now() + left * 1000;
  var warned = left <= warnAt;
  var over = left <= 0;

  function clock(seconds) {
    var minutes = Math.floor(seconds / 60);
    var rest = seconds % 60;
    return minutes + ":" + (rest < 10 ? "0" : "") + rest;
  }

  function say(text) {
    // Clear first, so that the same words are announced again.
    announce.textContent = "";
    window.setTimeout(function () { announce.textContent = text; }, 100);
  }

  function tick() {
    var seconds = Math.max(0, Math.round((end - Date.now()) / 1000));
    value.textContent = timer.getAttribute("data-text-left").replace("%(time)s", clock(seconds));
    if (!warned && seconds <= warnAt) {
      warned = true;
      timer.classList.add("timer-warning");
      say(timer.getAttribute("data-text-warning").replace("%(time)s", clock(seconds)));
    }
    if (!over && seconds <= 0) {
      over = true;
      say(timer.getAttribute("data-text-over"));
    }
    if (seconds > 0) { window.setTimeout(tick, 1000); }
  }
  tick();
})();
