/* An e-learning AU: one section at a time, in the learner's language; "completed" when the
 * learner reaches the last section; comes back where the learner left off. */
(function () {
  "use strict";
  var AU = window.Cmi5AU;

  AU.start().then(function () {
    var version = AU.showVersion();
    var sections = version.querySelectorAll(".au-section");
    var lessons = 0;
    for (var i = 0; i < sections.length; i++) {
      lessons = Math.max(lessons, Number(sections[i].getAttribute("data-lesson")));
    }
    var previous = document.getElementById("au-previous");
    var next = document.getElementById("au-next");
    var last = sections.length - 1;
    var furthest = Math.min(Number(AU.saved.furthest) || 0, last);
    var current = Math.min(Number(AU.saved.position) || 0, last);
    previous.textContent = AU.label("previous");

    function show(index, focus) {
      current = index;
      furthest = Math.max(furthest, index);
      for (var j = 0; j < sections.length; j++) sections[j].hidden = j !== index;
      var section = sections[index];
      var lesson = section.querySelector(".au-lesson");
      var number = Number(section.getAttribute("data-lesson"));
      lesson.textContent =
        AU.label("lesson", { n: number, total: lessons }) + ": " + lesson.getAttribute("data-lesson-title");
      var percent = Math.round(((furthest + 1) / sections.length) * 100);
      document.getElementById("au-progress").textContent = AU.label("progress", { percent: percent });
      document.getElementById("au-progress-done").style.width = percent + "%";
      previous.hidden = index === 0;
      next.textContent = index === last ? AU.label("finish") : AU.label("next");
      if (focus) {
        var heading = section.querySelector("h1");
        heading.setAttribute("tabindex", "-1");
        heading.focus();
      }
      if (index === last) AU.completed();
      AU.save({ position: current, furthest: furthest });
    }

    previous.addEventListener("click", function () {
      if (current > 0) show(current - 1, true);
    });
    next.addEventListener("click", function () {
      if (current < last) show(current + 1, true);
      else {
        AU.status(AU.label("done"));
        AU.exit();
      }
    });
    show(current, false);
  });
})();
