// Stars of the databank: post the same small form without leaving the page, then update the
// button. Without JavaScript the form posts normally and the page comes back.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-star]") || !window.fetch) { return; }
    event.preventDefault();
    var button = form.querySelector("button");
    button.disabled = true;
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { "Accept": "application/json" },
      credentials: "same-origin"
    }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json();
    }).then(function (data) {
      var on = !!data.favourite;
      form.querySelector("input[name=on]").value = on ? "0" : "1";
      button.setAttribute("aria-pressed", on ? "true" : "false");
      form.querySelector(".star-icon").textContent = on ? "\u2605" : "\u2606";
      form.querySelector(".star-label").textContent =
        button.getAttribute(on ? "data-label-on" : "data-label-off");
    }).catch(function () {
      form.submit();
    }).finally(function () {
      button.disabled = false;
    });
  });
}());
