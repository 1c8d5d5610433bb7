/* A test AU: questions drawn from the package's banks, scored here against the answer key
 * in questions.js (docs/cmi5.md says why that is acceptable and what it means), then
 * "passed" or "failed" with the score. One attempt per launch. */
(function () {
  "use strict";
  var AU = window.Cmi5AU;
  var DATA = window.LMS_CMI5_TEST;

  function text(texts) {
    if (!texts) return "";
    return texts[AU.language] || texts[DATA.languages[0]] || texts[Object.keys(texts)[0]] || "";
  }

  function shuffle(items) {
    var copy = items.slice();
    for (var i = copy.length - 1; i > 0; i--) {
      var j = Math.floor(Math.random() * (i + 1));
      var swap = copy[i];
      copy[i] = copy[j];
      copy[j] = swap;
    }
    return copy;
  }

  /* Per-tag rules first, then the rest of the count from any question. */
  function draw() {
    var pool = DATA.questions;
    var picked = [];
    DATA.draw.forEach(function (rule) {
      var candidates = shuffle(pool.filter(function (q) {
        return q.tags.indexOf(rule.tag) >= 0 && picked.indexOf(q) < 0;
      }));
      picked = picked.concat(candidates.slice(0, rule.questions));
    });
    var count = DATA.count || pool.length;
    var rest = pool.filter(function (q) { return picked.indexOf(q) < 0; });
    if (count < pool.length) rest = shuffle(rest);
    picked = picked.concat(rest.slice(0, Math.max(0, count - picked.length)));
    if (DATA.shuffleQuestions) return shuffle(picked);
    return picked.sort(function (a, b) { return pool.indexOf(a) - pool.indexOf(b); });
  }

  function element(tag, attributes, content) {
    var node = document.createElement(tag);
    for (var name in attributes || {}) node.setAttribute(name, attributes[name]);
    if (content !== undefined) node.textContent = content;
    return node;
  }

  function option(type, name, value, caption) {
    var wrapper = element("div", { "class": "au-option" });
    var id = name + "-" + value;
    wrapper.appendChild(element("input", { type: type, name: name, value: value, id: id }));
    wrapper.appendChild(element("label", { "for": id }, caption));
    return wrapper;
  }

  function select(name, captionText, values) {
    var wrapper = element("div", { "class": "au-option" });
    wrapper.appendChild(element("label", { "for": name }, captionText));
    var box = element("select", { name: name, id: name });
    box.appendChild(element("option", { value: "" }, AU.label("choose")));
    values.forEach(function (v) { box.appendChild(element("option", { value: v[0] }, v[1])); });
    wrapper.appendChild(box);
    return wrapper;
  }

  function maybeShuffled(items) {
    return DATA.shuffleChoices ? shuffle(items) : items.slice();
  }

  function render(question, index, total) {
    var s = question.settings;
    var name = "q" + index;
    var fieldset = element("fieldset", { "class": "au-question" });
    var legend = element("legend");
    legend.appendChild(element("span", { "class": "au-question-number" }, AU.label("question", { n: index + 1, total: total })));
    legend.appendChild(element("span", { "class": "au-prompt" }, text(question.prompt)));
    fieldset.appendChild(legend);
    if (question.type === "single_choice" || question.type === "multiple_choice") {
      var kind = question.type === "single_choice" ? "radio" : "checkbox";
      maybeShuffled(s.choices).forEach(function (c) { fieldset.appendChild(option(kind, name, c.id, text(c.text))); });
    } else if (question.type === "true_false") {
      fieldset.appendChild(option("radio", name, "true", AU.label("true")));
      fieldset.appendChild(option("radio", name, "false", AU.label("false")));
    } else if (question.type === "matching") {
      var options = s.options.map(function (o) { return [o.id, text(o.text)]; });
      maybeShuffled(s.items).forEach(function (item) {
        fieldset.appendChild(select(name + "-" + item.id, text(item.text), options));
      });
    } else if (question.type === "ordering") {
      var places = s.items.map(function (_, k) { return [String(k + 1), String(k + 1)]; });
      shuffle(s.items).forEach(function (item) {
        fieldset.appendChild(select(name + "-" + item.id, text(item.text) + " (" + AU.label("position") + ")", places));
      });
    } else {
      var wrapper = element("div", { "class": "au-option" });
      wrapper.appendChild(element("label", { "for": name }, AU.label("answer")));
      wrapper.appendChild(element("input", { type: "text", name: name, id: name, autocomplete: "off" }));
      fieldset.appendChild(wrapper);
    }
    return fieldset;
  }

  function values(form, name) {
    return Array.prototype.filter.call(form.elements, function (e) {
      return e.name === name && ((e.type !== "radio" && e.type !== "checkbox") || e.checked);
    }).map(function (e) { return e.value; });
  }

  function fold(value, caseSensitive) {
    var folded = String(value).normalize("NFC").trim().split(/\s+/).join(" ");
    return caseSensitive ? folded : folded.toLowerCase();
  }

  /* The same rules as the LMS's own question types (lms/authoring/types). */
  function score(question, form, index) {
    var s = question.settings;
    var name = "q" + index;
    if (question.type === "single_choice" || question.type === "multiple_choice") {
      var picked = values(form, name);
      var correct = s.choices.filter(function (c) { return c.correct; }).map(function (c) { return c.id; });
      if (!picked.length || !correct.length) return 0;
      var right = picked.filter(function (p) { return correct.indexOf(p) >= 0; }).length;
      var wrong = picked.length - right;
      if (question.type === "single_choice") return picked.length === 1 && wrong === 0 ? 1 : 0;
      if (s.scoring === "all_or_nothing") return wrong === 0 && right === correct.length ? 1 : 0;
      return Math.max(0, (right - wrong) / correct.length);
    }
    if (question.type === "true_false") {
      var given = values(form, name);
      return given.length && (given[0] === "true") === s.answer ? 1 : 0;
    }
    if (question.type === "matching") {
      var matched = s.items.filter(function (item) {
        return values(form, name + "-" + item.id)[0] === item.match;
      }).length;
      return matched / s.items.length;
    }
    if (question.type === "ordering") {
      var place = {};
      var used = {};
      for (var k = 0; k < s.items.length; k++) {
        var p = values(form, name + "-" + s.items[k].id)[0];
        if (!p || used[p]) return 0;
        used[p] = true;
        place[s.items[k].id] = Number(p);
      }
      var pairs = 0;
      var inOrder = 0;
      for (var a = 0; a < s.items.length; a++) {
        for (var b = a + 1; b < s.items.length; b++) {
          pairs++;
          if (place[s.items[a].id] < place[s.items[b].id]) inOrder++;
        }
      }
      return pairs ? inOrder / pairs : 0;
    }
    var typed = values(form, name)[0] || "";
    if (!typed.trim()) return 0;
    if (typeof s.number === "number") {
      var compact = typed.split(/\s+/).join("");
      if (!/^[+-]?\d+([.,]\d+)?$/.test(compact)) return 0;
      var number = Number(compact.replace(",", "."));
      var slack = 1e-9 * Math.max(1, Math.abs(s.number));
      return Math.abs(number - s.number) <= (s.tolerance || 0) + slack ? 1 : 0;
    }
    var accepted = (s.accepted || []).map(function (a) { return fold(a, s.case_sensitive); });
    return accepted.indexOf(fold(typed, s.case_sensitive)) >= 0 ? 1 : 0;
  }

  AU.start().then(function () {
    AU.showVersion();
    var form = document.getElementById("au-test");
    var result = document.getElementById("au-result");
    if (!AU.normal()) AU.status(AU.label("practice"));
    if (AU.saved.passed && AU.normal()) {
      result.hidden = false;
      result.appendChild(element("p", {}, AU.label("alreadyPassed")));
      return;
    }
    var questions = draw();
    questions.forEach(function (q, i) { form.appendChild(render(q, i, questions.length)); });
    var submit = element("button", { type: "submit", "class": "au-button", id: "au-submit" }, AU.label("submit"));
    form.appendChild(submit);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (submit.disabled) return;
      submit.disabled = true;
      var raw = 0;
      questions.forEach(function (q, i) { raw += score(q, form, i); });
      var outcome = AU.judged(raw, questions.length, DATA.passMark);
      raw = outcome.raw;
      Array.prototype.forEach.call(form.elements, function (e) { e.disabled = true; });
      result.hidden = false;
      var shown = String(Math.round(raw * 10) / 10);
      if (AU.language !== "en") shown = shown.replace(".", ",");
      result.appendChild(element("p", { "class": "au-score" }, AU.label("score", {
        raw: shown, max: questions.length, percent: Math.round(outcome.scaled * 100)
      })));
      result.appendChild(element("p", { "class": outcome.passed ? "au-passed" : "au-failed" },
        outcome.passed ? AU.label("passed") : AU.label("failed", { need: Math.round(outcome.mastery * 100) })));
      if (!outcome.passed) result.appendChild(element("p", {}, AU.label("again")));
      result.focus();
    });
  });
})();
