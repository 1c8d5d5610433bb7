/* A small cmi5 runtime for the AUs of an LMS cmi5 package (no libraries, no network other
 * than the launching LMS). It reads the launch parameters, fetches the auth token once,
 * reads LMS.LaunchData and the learner's preferences, and sends the cmi5 defined statements:
 * initialized, completed, passed or failed, terminated (cmi5 1.0, sections 8 to 11). */
(function () {
  "use strict";

  var ADL = "http://adlnet.gov/expapi/verbs/";
  var VERBS = {
    initialized: ADL + "initialized",
    completed: ADL + "completed",
    passed: ADL + "passed",
    failed: ADL + "failed",
    terminated: ADL + "terminated"
  };
  var CATEGORY_CMI5 = "https://w3id.org/xapi/cmi5/context/categories/cmi5";
  var CATEGORY_MOVEON = "https://w3id.org/xapi/cmi5/context/categories/moveon";
  var MASTERY_SCORE = "https://w3id.org/xapi/cmi5/context/extensions/masteryscore";
  /* This AU's own state document (where the learner was, what was already reported). */
  var OWN_STATE = "lms-au-progress";

  var LABELS = {
    nl: {
      loading: "Even geduld, de module wordt geladen.",
      noLaunch: "Open deze module vanuit je leerplatform.",
      noConnection: "Er ging iets mis met het leerplatform. Sluit dit venster en open de module opnieuw.",
      previous: "Vorige", next: "Volgende", finish: "Afronden", exit: "Module verlaten",
      lesson: "Les {n} van {total}", progress: "{percent}% voltooid",
      done: "Je hebt alles gezien. Deze module is voltooid.",
      closed: "Je bent klaar. Je kunt dit venster nu sluiten.",
      question: "Vraag {n} van {total}", submit: "Antwoorden indienen",
      score: "Je score: {raw} op {max} ({percent}%).",
      passed: "Geslaagd!", failed: "Niet geslaagd. Je hebt {need}% nodig.",
      again: "Wil je het opnieuw proberen? Verlaat de test en open hem opnieuw vanuit je leerplatform.",
      alreadyPassed: "Je bent al geslaagd voor deze test.",
      practice: "Oefenmodus: je resultaat wordt niet doorgegeven.",
      "true": "Waar", "false": "Niet waar", choose: "Kies een antwoord", position: "Plaats",
      answer: "Je antwoord"
    },
    fr: {
      loading: "Un instant, le module se charge.",
      noLaunch: "Ouvrez ce module depuis votre plateforme d'apprentissage.",
      noConnection: "Un problème est survenu avec la plateforme. Fermez cette fenêtre et rouvrez le module.",
      previous: "Précédent", next: "Suivant", finish: "Terminer", exit: "Quitter le module",
      lesson: "Leçon {n} sur {total}", progress: "{percent} % terminé",
      done: "Vous avez tout vu. Ce module est terminé.",
      closed: "C'est fini. Vous pouvez fermer cette fenêtre.",
      question: "Question {n} sur {total}", submit: "Envoyer les réponses",
      score: "Votre score : {raw} sur {max} ({percent} %).",
      passed: "Réussi !", failed: "Pas réussi. Il faut {need} %.",
      again: "Vous voulez réessayer ? Quittez le test et rouvrez-le depuis votre plateforme.",
      alreadyPassed: "Vous avez déjà réussi ce test.",
      practice: "Mode d'essai : votre résultat n'est pas transmis.",
      "true": "Vrai", "false": "Faux", choose: "Choisissez une réponse", position: "Place",
      answer: "Votre réponse"
    },
    de: {
      loading: "Einen Moment, das Modul wird geladen.",
      noLaunch: "Öffnen Sie dieses Modul über Ihre Lernplattform.",
      noConnection: "Mit der Lernplattform ist etwas schiefgegangen. Schließen Sie dieses Fenster und öffnen Sie das Modul erneut.",
      previous: "Zurück", next: "Weiter", finish: "Abschließen", exit: "Modul verlassen",
      lesson: "Lektion {n} von {total}", progress: "{percent} % erledigt",
      done: "Sie haben alles gesehen. Dieses Modul ist abgeschlossen.",
      closed: "Fertig. Sie können dieses Fenster jetzt schließen.",
      question: "Frage {n} von {total}", submit: "Antworten senden",
      score: "Ihr Ergebnis: {raw} von {max} ({percent} %).",
      passed: "Bestanden!", failed: "Nicht bestanden. Sie brauchen {need} %.",
      again: "Noch einmal versuchen? Verlassen Sie den Test und öffnen Sie ihn erneut über Ihre Lernplattform.",
      alreadyPassed: "Sie haben diesen Test schon bestanden.",
      practice: "Übungsmodus: Ihr Ergebnis wird nicht übermittelt.",
      "true": "Richtig", "false": "Falsch", choose: "Wählen Sie eine Antwort", position: "Platz",
      answer: "Ihre Antwort"
    },
    en: {
      loading: "One moment, the module is loading.",
      noLaunch: "Open this module from your learning platform.",
      noConnection: "Something went wrong with the learning platform. Close this window and open the module again.",
      previous: "Previous", next: "Next", finish: "Finish", exit: "Leave the module",
      lesson: "Lesson {n} of {total}", progress: "{percent}% done",
      done: "You have seen everything. This module is complete.",
      closed: "You are done. You can close this window now.",
      question: "Question {n} of {total}", submit: "Send my answers",
      score: "Your score: {raw} out of {max} ({percent}%).",
      passed: "Passed!", failed: "Not passed. You need {need}%.",
      again: "Want to try again? Leave the test and open it again from your learning platform.",
      alreadyPassed: "You have already passed this test.",
      practice: "Practice mode: your result is not passed on.",
      "true": "True", "false": "False", choose: "Choose an answer", position: "Place",
      answer: "Your answer"
    }
  };

  var body = document.body;
  var available = (body.getAttribute("data-languages") || "nl").split(" ");
  var fallback = body.getAttribute("data-default") || "nl";
  var language = pickLanguage(navigator.languages || [navigator.language || ""]);
  var launch = null; /* the launch parameters */
  var token = null;
  var launchData = {};
  var saved = {};
  var startedAt = 0;
  var lastStamp = 0;
  var queue = Promise.resolve();
  var sent = {}; /* verbs sent in this session: none is sent twice */
  var failedConnection = false;

  function pickLanguage(tags) {
    for (var i = 0; i < tags.length; i++) {
      var primary = String(tags[i] || "").trim().toLowerCase().split("-")[0];
      if (primary && available.indexOf(primary) >= 0) return primary;
    }
    return available.indexOf(fallback) >= 0 ? fallback : available[0];
  }

  function label(key, values) {
    var table = LABELS[language] || LABELS.nl;
    var text = table[key] || LABELS.en[key] || key;
    return text.replace(/\{(\w+)\}/g, function (_, name) {
      return values && name in values ? String(values[name]) : "";
    });
  }

  function status(text) {
    var element = document.getElementById("au-status");
    if (element) element.textContent = text;
  }

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  /* Timestamps in UTC that never go backwards: cmi5 orders a session's statements by them. */
  function stamp() {
    var now = Date.now();
    if (now <= lastStamp) now = lastStamp + 1;
    lastStamp = now;
    return new Date(now).toISOString();
  }

  function duration(ms) {
    return "PT" + (Math.max(0, ms) / 1000).toFixed(2) + "S";
  }

  function readLaunch() {
    var query = new URLSearchParams(window.location.search);
    var names = ["endpoint", "fetch", "actor", "registration", "activityId"];
    var found = {};
    for (var i = 0; i < names.length; i++) {
      var value = query.get(names[i]);
      if (!value) return null;
      found[names[i]] = value;
    }
    try {
      found.actor = JSON.parse(found.actor);
    } catch (e) {
      return null;
    }
    if (found.endpoint.slice(-1) !== "/") found.endpoint += "/";
    return found;
  }

  function request(method, path, query, document_, options) {
    var url = launch.endpoint + path + (query ? "?" + new URLSearchParams(query).toString() : "");
    var headers = { "X-Experience-API-Version": "1.0.3", Authorization: "Basic " + token };
    var init = { method: method, headers: headers, credentials: "omit", cache: "no-store" };
    if (document_ !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(document_);
    }
    if (options && options.keepalive) init.keepalive = true;
    return fetch(url, init);
  }

  function stateQuery(stateId) {
    return {
      stateId: stateId,
      activityId: launch.activityId,
      agent: JSON.stringify(launch.actor),
      registration: launch.registration
    };
  }

  function readJson(response, missing) {
    if (response.status === 404 || response.status === 403) return missing;
    if (!response.ok) throw new Error("LRS answered " + response.status);
    return response.json();
  }

  function fetchToken() {
    return fetch(launch.fetch, { method: "POST", credentials: "omit", cache: "no-store" })
      .then(function (response) { return response.json(); })
      .then(function (answer) {
        if (!answer || !answer["auth-token"]) throw new Error("no auth-token: " + JSON.stringify(answer));
        token = answer["auth-token"];
      });
  }

  function statement(verb, result, extensions) {
    var context = JSON.parse(JSON.stringify(launchData.contextTemplate || {}));
    context.registration = launch.registration;
    var activities = (context.contextActivities = context.contextActivities || {});
    var category = (activities.category = (activities.category || []).slice());
    function addCategory(id) {
      for (var i = 0; i < category.length; i++) if (category[i].id === id) return;
      category.push({ id: id, objectType: "Activity" });
    }
    addCategory(CATEGORY_CMI5);
    if (result && ("success" in result || "completion" in result)) addCategory(CATEGORY_MOVEON);
    if (extensions) {
      context.extensions = context.extensions || {};
      for (var key in extensions) if (!(key in context.extensions)) context.extensions[key] = extensions[key];
    }
    var built = {
      id: uuid(),
      actor: launch.actor,
      verb: { id: VERBS[verb], display: { "en-US": verb } },
      object: { id: launch.activityId, objectType: "Activity" },
      context: context,
      timestamp: stamp()
    };
    if (result) built.result = result;
    return built;
  }

  function send(verb, result, extensions, options) {
    if (sent[verb]) return queue;
    sent[verb] = true;
    var built = statement(verb, result, extensions);
    queue = queue.then(function () {
      return request("POST", "statements", null, built, options).then(function (response) {
        if (!response.ok) throw new Error("LRS refused " + verb + ": " + response.status);
      });
    });
    queue.catch(function () {
      failedConnection = true;
      status(label("noConnection"));
    });
    return queue;
  }

  function save(changes) {
    for (var key in changes) saved[key] = changes[key];
    queue = queue.then(function () {
      return request("PUT", "activities/state", stateQuery(OWN_STATE), saved).then(function (response) {
        if (!response.ok && response.status !== 403) throw new Error("state not saved: " + response.status);
      });
    });
    return queue;
  }

  function normal() {
    return launchData.launchMode === undefined || launchData.launchMode === "Normal";
  }

  var AU = {
    label: label,
    status: status,
    get language() { return language; },
    get launchData() { return launchData; },
    get saved() { return saved; },
    normal: normal,

    /* Launch: token, launch data, preferences, own state; then "initialized". */
    start: function () {
      status(label("loading"));
      launch = readLaunch();
      if (!launch) {
        status(label("noLaunch"));
        return Promise.reject(new Error("not launched by a cmi5 LMS"));
      }
      return fetchToken()
        .then(function () {
          return request("GET", "activities/state", stateQuery("LMS.LaunchData")).then(function (r) {
            return readJson(r, null);
          });
        })
        .then(function (data) {
          if (!data) throw new Error("no LMS.LaunchData");
          launchData = data;
          var query = { profileId: "cmi5LearnerPreferences", agent: JSON.stringify(launch.actor) };
          return request("GET", "agents/profile", query).then(function (r) { return readJson(r, {}); });
        })
        .then(function (preferences) {
          var wanted = String((preferences && preferences.languagePreference) || "").split(",");
          language = pickLanguage(wanted.concat(navigator.languages || [navigator.language || ""]));
          return request("GET", "activities/state", stateQuery(OWN_STATE)).then(function (r) {
            return readJson(r, {});
          });
        })
        .then(function (own) {
          saved = own || {};
          startedAt = Date.now();
          window.addEventListener("pagehide", function () { AU.terminate({ keepalive: true }); });
          send("initialized");
          status("");
          return AU;
        })
        .catch(function (error) {
          status(label("noConnection"));
          throw error;
        });
    },

    /* The learner has seen everything: "completed", once per registration. */
    completed: function () {
      if (!normal() || saved.completed) return queue;
      send("completed", { completion: true, duration: duration(Date.now() - startedAt) }, null);
      return save({ completed: true });
    },

    /* A judged attempt: "passed" or "failed" against the masteryScore of the launch data
     * (else the package's pass mark). Returns whether it passed. */
    judged: function (raw, max, passMark) {
      /* Both at 4 decimals, from the exact share, so that scaled = raw / max holds. */
      var scaled = max > 0 ? Math.round((raw / max) * 10000) / 10000 : 0;
      raw = Math.round(raw * 10000) / 10000;
      var mastery = typeof launchData.masteryScore === "number" ? launchData.masteryScore : passMark;
      var passed = scaled >= mastery;
      if (normal() && !saved.passed && !sent.passed && !sent.failed) {
        var result = {
          score: { scaled: scaled, raw: raw, min: 0, max: max },
          success: passed,
          duration: duration(Date.now() - startedAt)
        };
        var extensions = {};
        extensions[MASTERY_SCORE] = mastery;
        send(passed ? "passed" : "failed", result, extensions);
        if (passed) save({ passed: true });
      }
      return { passed: passed, scaled: scaled, raw: raw, mastery: mastery };
    },

    save: save,

    terminate: function (options) {
      if (!launch || !token || sent.terminated || failedConnection) return queue;
      return send("terminated", { duration: duration(Date.now() - startedAt) }, null, options);
    },

    /* Leave: "terminated", then back to the LMS (returnURL) or a closing message. */
    exit: function () {
      return AU.terminate().then(function () {
        if (launchData.returnURL) window.location.assign(launchData.returnURL);
        else {
          var main = document.getElementById("au-main");
          if (main) main.hidden = true;
          status(label("closed"));
        }
      });
    },

    /* Show the content in the chosen language, and the page's own language with it. */
    showVersion: function () {
      var versions = document.querySelectorAll(".au-version");
      var shown = null;
      for (var i = 0; i < versions.length; i++) {
        var match = versions[i].getAttribute("data-lang") === language;
        versions[i].hidden = !match;
        if (match) shown = versions[i];
      }
      if (shown) document.documentElement.lang = shown.getAttribute("lang");
      var exit = document.getElementById("au-exit");
      if (exit) {
        exit.textContent = label("exit");
        exit.addEventListener("click", function () { AU.exit(); });
      }
      document.getElementById("au-main").hidden = false;
      return shown;
    }
  };

  window.Cmi5AU = AU;
})();
