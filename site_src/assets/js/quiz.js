/* Thinking in JAX — chapter quizzes and the progress API.
 *
 * The HTML is rendered at build (sitebuild/quizzes.py): one <form> per
 * question, radio buttons, and a <details> with every option's explanation
 * (the no-JavaScript fallback). This script checks answers, explains them,
 * reveals the real JAX output of predict questions, saves answers in
 * localStorage (a reload loses nothing) and exposes scores through
 * window.ThinkingInJax.progress for the progress page and the LMS (scorm.js
 * reports them and restores answers it saved).
 */
(function () {
  "use strict";

  var PREFIX = "thinking-in-jax:quiz:v1:";
  var EVENT = "thinking-in-jax:progress";
  var memory = {}; // used when localStorage is unavailable (private mode, sandboxed iframe)

  function load(id) {
    var raw = null;
    try { raw = window.localStorage.getItem(PREFIX + id); } catch (e) { raw = memory[id] || null; }
    if (!raw) return null;
    try { return JSON.parse(raw); } catch (e) { return null; }
  }

  function save(id, state) {
    var raw = JSON.stringify(state);
    try { window.localStorage.setItem(PREFIX + id, raw); } catch (e) { memory[id] = raw; }
    document.dispatchEvent(new CustomEvent(EVENT, { detail: summary(id, state) }));
  }

  function storedIds() {
    var ids = Object.keys(memory);
    try {
      for (var i = 0; i < window.localStorage.length; i++) {
        var key = window.localStorage.key(i);
        if (key && key.indexOf(PREFIX) === 0) ids.push(key.slice(PREFIX.length));
      }
    } catch (e) { /* memory only */ }
    return ids.filter(function (id, i) { return ids.indexOf(id) === i; });
  }

  function summary(id, state) {
    if (!state) return null;
    var answers = state.answers || {};
    var keys = Object.keys(answers);
    var correct = keys.filter(function (k) { return answers[k].correct; }).length;
    var total = state.total || keys.length;
    return {
      id: id,
      total: total,
      answered: keys.length,
      correct: correct,
      score: total ? Math.round((100 * correct) / total) : 0,
      completed: total > 0 && keys.length >= total
    };
  }

  var api = {
    /** {id, total, answered, correct, score (0-100), completed} for one quiz, or null if never started. */
    chapter: function (id) { return summary(id, load(id)); },
    /** Every quiz the reader has started. */
    chapters: function () { return storedIds().map(api.chapter).filter(Boolean); },
    /** Call `callback(summary)` whenever an answer is checked; returns a function that stops it. */
    onChange: function (callback) {
      var handler = function (event) { callback(event.detail); };
      document.addEventListener(EVENT, handler);
      return function () { document.removeEventListener(EVENT, handler); };
    },
    /** The reader's answers to one quiz: {question id: option index}. */
    answers: function (id) {
      var state = load(id), choices = {};
      Object.keys((state && state.answers) || {}).forEach(function (qid) { choices[qid] = state.answers[qid].choice; });
      return choices;
    },
    /** Replace the reader's answers to a quiz on this page with `choices` ({question id:
     * option index}, e.g. saved by an LMS), before or after the quiz is set up; a set-up
     * quiz is redrawn. The page's key marks them right or wrong; a question or option the
     * quiz no longer has is left out. */
    restore: function (id, choices) {
      var quiz = findQuiz(id);
      if (!quiz) return;
      var state = stateFrom(quiz, choices);
      save(id, state);
      if (redraw[id]) redraw[id](state);
    },
    /** Forget the reader's answers to one quiz. */
    reset: function (id) {
      try { window.localStorage.removeItem(PREFIX + id); } catch (e) { /* memory only */ }
      delete memory[id];
      document.dispatchEvent(new CustomEvent(EVENT, { detail: { id: id, total: 0, answered: 0, correct: 0, score: 0, completed: false } }));
    }
  };
  window.ThinkingInJax = window.ThinkingInJax || {};
  window.ThinkingInJax.progress = api;

  /* ---- one quiz on a chapter page ---------------------------------------- */

  var redraw = {}; // quiz id -> function(state) that shows a set-up quiz in a new state

  function findQuiz(id) {
    var quizzes = document.querySelectorAll(".jax-quiz[data-quiz]");
    for (var i = 0; i < quizzes.length; i++) if (quizzes[i].getAttribute("data-quiz") === id) return quizzes[i];
    return null;
  }

  /** A quiz's saved state from {question id: option index}, each answer marked by the page's key. */
  function stateFrom(quiz, choices) {
    var state = { answers: {}, total: Number(quiz.getAttribute("data-total")) };
    Array.prototype.forEach.call(quiz.querySelectorAll(".jax-quiz__question"), function (question) {
      var qid = question.getAttribute("data-question");
      if (!Object.prototype.hasOwnProperty.call(choices, qid)) return;
      var input = question.querySelector('input[type=radio][value="' + Number(choices[qid]) + '"]');
      if (input) state.answers[qid] = { choice: Number(choices[qid]), correct: input.hasAttribute("data-correct") };
    });
    return state;
  }

  function setUpQuiz(quiz) {
    var id = quiz.getAttribute("data-quiz");
    var total = Number(quiz.getAttribute("data-total"));
    var state = load(id) || { answers: {} };
    state.total = total;
    quiz.classList.add("jax-quiz--enhanced");

    var questions = quiz.querySelectorAll(".jax-quiz__question");
    Array.prototype.forEach.call(questions, function (question) {
      var qid = question.getAttribute("data-question");
      var form = question.querySelector("form");
      // The check button's click, not the form's submit: in an iframe sandboxed without
      // allow-forms (most LMS embeds) a form is never submitted. Enter on an option clicks it too.
      var check = function (event) {
        event.preventDefault();
        var chosen = form.querySelector("input[type=radio]:checked");
        if (!chosen) {
          showMessage(question, "Choose an answer first, then check it.");
          return;
        }
        var correct = chosen.hasAttribute("data-correct");
        state.answers[qid] = { choice: Number(chosen.value), correct: correct };
        save(id, state);
        showResult(question, Number(chosen.value), correct, true);
        updateScore(quiz, id);
      };
      form.querySelector("button[type=submit]").addEventListener("click", check);
      form.addEventListener("submit", check);
      form.addEventListener("change", function () { clearResult(question); });
    });
    redraw[id] = function (next) {
      state = next;
      Array.prototype.forEach.call(questions, function (question) { showSaved(question, state.answers[question.getAttribute("data-question")]); });
      updateScore(quiz, id);
    };
    redraw[id](state);
  }

  /** A question as saved: its answer chosen and explained, or nothing chosen. */
  function showSaved(question, saved) {
    clearResult(question);
    Array.prototype.forEach.call(question.querySelectorAll("input[type=radio]"), function (input) {
      input.checked = !!saved && Number(input.value) === saved.choice;
    });
    if (saved && question.querySelector("input[type=radio]:checked")) showResult(question, saved.choice, saved.correct, false);
  }

  function showMessage(question, text) {
    var box = question.querySelector(".jax-quiz__feedback");
    box.className = "jax-quiz__feedback";
    box.textContent = text;
  }

  function showResult(question, choice, correct, announce) {
    clearResult(question);
    var labels = question.querySelectorAll(".jax-quiz__option");
    var label = labels[choice];
    if (label) label.classList.add(correct ? "is-correct" : "is-wrong");
    var box = question.querySelector(".jax-quiz__feedback");
    box.className = "jax-quiz__feedback " + (correct ? "is-correct" : "is-wrong");
    var explanation = question.querySelector('.jax-quiz__explanation[data-option="' + choice + '"]');
    var parts = [];
    if (explanation) parts.push(explanation.innerHTML);
    if (!correct) parts.push("<p>Try another answer.</p>");
    var reveal = question.querySelector(".jax-quiz__reveal");
    if (reveal) parts.push(reveal.outerHTML); // predict: the real JAX output, right or wrong
    // Writing into the live region after clearing it makes screen readers read the verdict.
    box.innerHTML = parts.join("");
    if (!announce) box.setAttribute("data-restored", "true");
  }

  function clearResult(question) {
    Array.prototype.forEach.call(question.querySelectorAll(".jax-quiz__option"), function (label) {
      label.classList.remove("is-correct", "is-wrong");
    });
    var box = question.querySelector(".jax-quiz__feedback");
    box.className = "jax-quiz__feedback";
    box.textContent = "";
    box.removeAttribute("data-restored");
  }

  function updateScore(quiz, id) {
    var s = api.chapter(id);
    var line = quiz.querySelector(".jax-quiz__score");
    if (!s || s.answered === 0) {
      line.textContent = "";
      return;
    }
    line.textContent = "Your score: " + s.correct + " of " + s.total + " correct (" + s.score + "%)" +
      (s.completed ? "." : " — " + (s.total - s.answered) + " still to answer.");
  }

  /* ---- the progress page ------------------------------------------------- */

  function describe(s) {
    if (!s || s.answered === 0) return "Not started";
    return s.correct + " of " + s.total + " correct (" + s.score + "%)" + (s.completed ? "" : ", " + s.answered + " answered");
  }

  function setUpProgress(root) {
    var cells = root.querySelectorAll("[data-quiz-progress]");
    function render() {
      var sum = 0, count = 0, done = 0;
      Array.prototype.forEach.call(cells, function (cell) {
        var s = api.chapter(cell.getAttribute("data-quiz-progress"));
        cell.textContent = describe(s);
        count += 1;
        if (s) { sum += s.score; if (s.completed) done += 1; }
      });
      var overall = root.querySelector("[data-quiz-progress-overall]");
      if (overall) {
        overall.textContent = "Completed " + done + " of " + count + " chapter quizzes; average score " +
          (count ? Math.round(sum / count) : 0) + "%.";
      }
    }
    var reset = root.querySelector("[data-quiz-reset-all]");
    if (reset) {
      reset.hidden = false;
      reset.addEventListener("click", function () {
        if (!window.confirm("Forget all your quiz answers on this device?")) return;
        Array.prototype.forEach.call(cells, function (cell) { api.reset(cell.getAttribute("data-quiz-progress")); });
        render();
      });
    }
    render();
    api.onChange(render);
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll(".jax-quiz[data-quiz]"), setUpQuiz);
    if (document.querySelector("[data-quiz-progress]")) setUpProgress(document.querySelector(".md-content") || document.body);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
