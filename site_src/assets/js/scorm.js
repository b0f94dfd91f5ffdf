/* Thinking in JAX — a chapter as a SCORM 1.2 SCO (embed pages only: the
 * launch page of each package in dist/scorm/, sitebuild/scorm.py).
 *
 * Finds the LMS's API object the standard way: up the window.parent chain
 * from this window, then from the opener of the top window (a chapter
 * launched in a new window). None found (a page opened directly, an iframe
 * on a course page, a sandboxed iframe): it does nothing and says nothing.
 *
 * Found: LMSInitialize; on "resume" the chapter quiz's answers come back
 * from cmi.suspend_data (the LMS's record is the truth: a fresh attempt
 * starts with none, whatever this browser kept); then, whenever an answer is
 * checked, it reports cmi.core.score (0-100), cmi.core.lesson_status
 * (incomplete until every question is answered; then passed or failed
 * against cmi.student_data.mastery_score, or completed when the LMS sets
 * none), the answers as cmi.suspend_data (at most 4096 characters, the
 * SCORM 1.2 bound), cmi.core.exit = "suspend" and LMSCommit. When the page
 * goes (pagehide, beforeunload), cmi.core.session_time and exactly one
 * LMSFinish. Every call's result and LMSGetLastError are checked; a failure
 * is a console warning, never a broken page. The quiz lives in the page's
 * main thread (quiz.js), so Python in the runner's Worker never needs the API.
 */
(function () {
  "use strict";

  var MAX_LEVELS = 10; // frames to climb: LMS players nest the content a few levels deep
  var SUSPEND_LIMIT = 4096; // cmi.suspend_data is a CMIString4096 in SCORM 1.2
  var progress = window.ThinkingInJax && window.ThinkingInJax.progress;

  /* ---- finding the API ---------------------------------------------------- */

  function apiIn(win) {
    try {
      var api = win.API;
      return api && typeof api.LMSInitialize === "function" ? api : null;
    } catch (e) {
      return null; // a frame of another origin
    }
  }

  function climb(win) {
    for (var level = 0; win && level <= MAX_LEVELS; level++) {
      var api = apiIn(win);
      if (api) return api;
      var parent = null;
      try { parent = win.parent; } catch (e) { /* none to climb to */ }
      if (!parent || parent === win) return null;
      win = parent;
    }
    return null;
  }

  function findAPI() {
    var api = climb(window);
    if (api) return api;
    try {
      return window.top.opener ? climb(window.top.opener) : null;
    } catch (e) {
      return null;
    }
  }

  /* ---- talking to it ------------------------------------------------------ */

  function Lms(api) {
    this.api = api;
  }

  /** Call an LMS function; true if it says it worked, else a warning and false. */
  Lms.prototype.call = function (name, args) {
    var result;
    try {
      result = this.api[name].apply(this.api, args);
    } catch (e) {
      warn(name, args, "it threw " + e);
      return false;
    }
    if (String(result) === "true") return true;
    warn(name, args, this.lastError());
    return false;
  };

  /** An element's value, or null (and a warning) if the LMS reports an error. */
  Lms.prototype.get = function (element) {
    var value;
    try {
      value = this.api.LMSGetValue(element);
    } catch (e) {
      warn("LMSGetValue", [element], "it threw " + e);
      return null;
    }
    var code = this.errorCode();
    if (code !== 0) {
      warn("LMSGetValue", [element], this.lastError());
      return null;
    }
    return String(value);
  };

  Lms.prototype.errorCode = function () {
    try { return Number(this.api.LMSGetLastError()) || 0; } catch (e) { return 0; }
  };

  Lms.prototype.lastError = function () {
    var code = this.errorCode(), text = "";
    try { text = String(this.api.LMSGetErrorString(String(code))); } catch (e) { /* the code will do */ }
    return "error " + code + (text ? " (" + text + ")" : "");
  };

  function warn(name, args, why) {
    console.warn("Thinking in JAX: the LMS did not accept " + name + "(" + args.map(function (a) { return JSON.stringify(a); }).join(", ") +
      "): " + why + ". The chapter works; this may not be recorded.");
  }

  /* ---- what is reported --------------------------------------------------- */

  function quizIds() {
    return Array.prototype.map.call(document.querySelectorAll(".jax-quiz[data-quiz]"), function (quiz) {
      return quiz.getAttribute("data-quiz");
    });
  }

  /** The page's quizzes together: {total, answered, correct}. */
  function tally(ids) {
    var t = { total: 0, answered: 0, correct: 0 };
    ids.forEach(function (id) {
      var s = progress.chapter(id); // never null here: every quiz was restored first
      t.total += s.total;
      t.answered += s.answered;
      t.correct += s.correct;
    });
    return t;
  }

  function status(t, score, mastery) {
    if (t.answered < t.total) return "incomplete";
    if (isNaN(mastery) || t.total === 0) return "completed";
    return score >= mastery ? "passed" : "failed";
  }

  /** The answers as suspend_data, {"quiz id": {"question id": option index}}: as many of
   * them as fit in SUSPEND_LIMIT characters, in the order they were given (the page
   * still counts the others). {text, dropped}. */
  function suspendData(ids) {
    var entries = [];
    ids.forEach(function (id) {
      var answers = progress.answers(id);
      Object.keys(answers).forEach(function (qid) { entries.push([id, qid, answers[qid]]); });
    });
    function encode(count) {
      var data = {};
      ids.forEach(function (id) { data[id] = {}; });
      entries.slice(0, count).forEach(function (e) { data[e[0]][e[1]] = e[2]; });
      return JSON.stringify(data);
    }
    var low = 0, high = entries.length; // the most answers that fit: between low and high
    if (encode(high).length <= SUSPEND_LIMIT) low = high;
    while (low < high) {
      var mid = Math.ceil((low + high) / 2);
      if (encode(mid).length <= SUSPEND_LIMIT) low = mid;
      else high = mid - 1;
    }
    var text = encode(low);
    return { text: text.length <= SUSPEND_LIMIT ? text : "", dropped: entries.length - low };
  }

  /** {quiz id: {question id: option index}} from suspend_data; null if it holds none. */
  function savedAnswers(text) {
    if (!text) return null;
    try {
      var data = JSON.parse(text);
      if (data && typeof data === "object" && !Array.isArray(data)) return data;
    } catch (e) { /* below */ }
    console.warn("Thinking in JAX: the LMS's saved progress for this chapter is not in a form it wrote; starting afresh.");
    return null;
  }

  /** SCORM 1.2's CMITimespan, HHHH:MM:SS.SS. */
  function timespan(ms) {
    var cs = Math.min(Math.max(0, Math.round(ms / 10)), 9999 * 360000 + 359999);
    function pad(n, width) { n = String(n); while (n.length < width) n = "0" + n; return n; }
    return pad(Math.floor(cs / 360000), 4) + ":" + pad(Math.floor(cs / 6000) % 60, 2) + ":" +
      pad(Math.floor(cs / 100) % 60, 2) + "." + pad(cs % 100, 2);
  }

  /* ---- the session -------------------------------------------------------- */

  function start(api) {
    var lms = new Lms(api);
    if (!lms.call("LMSInitialize", [""])) return;
    var began = Date.now();
    var ids = quizIds();
    var mastery = parseFloat(lms.get("cmi.student_data.mastery_score"));
    var entry = lms.get("cmi.core.entry");
    var stored = lms.get("cmi.suspend_data");
    var saved = entry === "ab-initio" ? null : savedAnswers(stored);
    // What the LMS holds, so only changes are sent.
    var sent = {
      "cmi.core.lesson_status": lms.get("cmi.core.lesson_status"),
      "cmi.core.score.raw": lms.get("cmi.core.score.raw"),
      "cmi.suspend_data": stored
    };
    var warnedCut = false;
    var finished = false;

    function set(element, value) {
      if (sent[element] === value) return false;
      if (lms.call("LMSSetValue", [element, value])) sent[element] = value;
      return true;
    }

    function report() {
      if (finished) return;
      var t = tally(ids);
      var score = t.total ? Math.round((100 * t.correct) / t.total) : 0;
      var changed = false;
      if (t.answered > 0) {
        changed = set("cmi.core.score.min", "0") || changed;
        changed = set("cmi.core.score.max", "100") || changed;
        changed = set("cmi.core.score.raw", String(score)) || changed;
      }
      changed = set("cmi.core.lesson_status", status(t, score, mastery)) || changed;
      var suspend = suspendData(ids);
      if (suspend.dropped && !warnedCut) {
        warnedCut = true;
        console.warn("Thinking in JAX: " + suspend.dropped + " answers do not fit in the LMS's 4096 characters of saved " +
          "progress; they count now, but a later visit will not show them.");
      }
      changed = set("cmi.suspend_data", suspend.text) || changed;
      changed = set("cmi.core.exit", "suspend") || changed;
      if (changed) lms.call("LMSCommit", [""]);
    }

    function finish() {
      if (finished) return;
      report();
      finished = true;
      lms.call("LMSSetValue", ["cmi.core.session_time", timespan(Date.now() - began)]);
      lms.call("LMSFinish", [""]);
    }

    ids.forEach(function (id) { progress.restore(id, (saved && saved[id]) || {}); });
    report();
    progress.onChange(report);
    window.addEventListener("pagehide", finish);
    window.addEventListener("beforeunload", finish);
  }

  if (!progress) return; // quiz.js did not load: nothing to report
  var api = findAPI();
  if (api) start(api);
})();
