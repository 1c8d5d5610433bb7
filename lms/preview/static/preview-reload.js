// The preview only (lms preview): reload the page when the files on disk were rebuilt.
(function () {
  "use strict";
  var marker = document.querySelector("[data-preview-counter]");
  if (!marker) { return; }
  var seen = marker.getAttribute("data-preview-counter");
  var url = marker.getAttribute("data-preview-poll");
  function poll() {
    fetch(url, { cache: "no-store" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        if (String(data.counter) !== seen) { window.location.reload(); }
        else { window.setTimeout(poll, 700); }
      })
      .catch(function () { window.setTimeout(poll, 2000); });
  }
  window.setTimeout(poll, 700);
}());
