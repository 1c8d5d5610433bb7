// "Show password": the checkbox is hidden in the page; this script shows it and switches the
// type of every field marked data-show-password between password and text. Without
// JavaScript the fields stay ordinary password fields.
(function () {
  "use strict";
  var box = document.getElementById("show-password");
  if (!box) { return; }
  var fields = document.querySelectorAll("input[data-show-password]");
  box.parentNode.hidden = false;
  box.addEventListener("change", function () {
    for (var i = 0; i < fields.length; i++) {
      fields[i].type = box.checked ? "text" : "password";
    }
  });
}());
