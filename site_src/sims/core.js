/* Thinking in JAX — the simulation player core.
 *
 * Every <div class="jax-sim" data-sim="ID" data-live> (the build adds
 * data-live when ID is baked) becomes a live simulation: this
 * script loads the baked data (assets/tij/sims/data/ID.js, written at build
 * from real JAX) and the player (assets/tij/sims/ID.js) as plain scripts, so
 * pages also work from file://. It loads them when the placeholder comes
 * within a screen of the viewport, and the rest once the page has loaded and
 * the browser is idle (or when the page is printed), one simulation per idle
 * moment: a long chapter first shows its text, and every simulation is there
 * by the time a reader scrolls or prints. A player is a function of (baked data, UI
 * state): it registers { title, initialState, render, describe, table } and
 * changes state only through ctx.setState. The core draws the frame: title,
 * a live status line, "Show as table" and the provenance line; it fills the
 * table when the page is printed, so paper gets the picture and its table.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var base = script ? script.src.replace(/sims\/core\.js(?:[?#].*)?$/, "") : "assets/tij/"; // .../assets/tij/
  var players = {};
  var data = {};
  var requested = {};
  var counter = 0;
  var SVG = "http://www.w3.org/2000/svg";

  window.ThinkingInJaxSims = {
    data: data,
    players: players,
    format: format, // how players write numbers (ctx.format); exposed for tests
    register: function (id, player) { players[id] = player; mountSoon(id); },
    provide: function (id, envelope) { data[id] = envelope; mountSoon(id); }
  };

  /* ---- small helpers given to players ------------------------------------ */

  function h(tag, attrs) {
    var svg = tag.indexOf("svg:") === 0;
    var el = svg ? document.createElementNS(SVG, tag.slice(4)) : document.createElement(tag);
    attrs = attrs || {};
    Object.keys(attrs).forEach(function (key) {
      var value = attrs[key];
      if (value === null || value === undefined || value === false) return;
      if (key.slice(0, 2) === "on" && typeof value === "function") el.addEventListener(key.slice(2), value);
      else if (key === "text") el.textContent = value;
      else if (key === "value" && !svg) el.value = value;
      else if (key === "checked" && !svg) el.checked = !!value;
      else el.setAttribute(key, value === true ? "" : String(value));
    });
    appendChildren(el, Array.prototype.slice.call(arguments, 2));
    return el;
  }

  function appendChildren(el, children) {
    children.forEach(function (child) {
      if (child === null || child === undefined || child === false) return;
      if (Array.isArray(child)) appendChildren(el, child);
      else el.appendChild(typeof child === "object" ? child : document.createTextNode(String(child)));
    });
  }

  function format(value, digits) {
    if (value === "inf" || value === Infinity) return "∞";
    if (value === "-inf" || value === -Infinity) return "−∞";
    if (value === "nan" || (typeof value === "number" && isNaN(value))) return "NaN";
    if (typeof value !== "number") return String(value);
    digits = digits === undefined ? 4 : digits;
    var size = Math.abs(value);
    if (size !== 0 && (size >= 1e5 || size < 1e-3)) return value.toExponential(Math.max(0, digits - 1));
    return value.toFixed(digits);
  }

  function readColors(el) {
    var style = getComputedStyle(el);
    var get = function (name, fallback) { return (style.getPropertyValue(name) || "").trim() || fallback; };
    return {
      fg: get("--md-default-fg-color", "#000"),
      muted: get("--md-default-fg-color--light", "#666"),
      faint: get("--md-default-fg-color--lightest", "#ddd"),
      bg: get("--md-default-bg-color", "#fff"),
      primary: get("--jax-sim-primary", "#00796b"),
      accent: get("--jax-sim-accent", "#d84315"),
      series: [get("--jax-series-1", "#00796b"), get("--jax-series-2", "#d84315"),
               get("--jax-series-3", "#5e35b1"), get("--jax-series-4", "#2e7d32")]
    };
  }

  function provenanceText(p) {
    var where = p.backend.toUpperCase();
    if (p.simulated_devices) where += " (" + p.device_count + " simulated devices)";
    else if (p.device_count > 1) where += " (" + p.device_count + " devices)";
    return "Computed with JAX " + p.jax + " on " + where + " at build time";
  }

  /* ---- loading and mounting ---------------------------------------------- */

  function load(src, onError) {
    var el = document.createElement("script");
    el.src = src;
    el.onerror = onError;
    document.head.appendChild(el);
  }

  // A screen ahead of the viewport: a simulation is drawn before a reader scrolls to it.
  var AHEAD = "100% 0px";

  function request(id) {
    if (requested[id]) return;
    requested[id] = true;
    var failed = function () { showFailure(id, "its files could not be loaded"); };
    load(base + "sims/data/" + id + ".js", failed);
    load(base + "sims/" + id + ".js", failed);
  }

  function start() {
    // Only placeholders the build marked live: their simulation was baked.
    var placeholders = Array.prototype.slice.call(document.querySelectorAll(".jax-sim[data-sim][data-live]"));
    var ids = placeholders.map(function (el) { return el.getAttribute("data-sim"); });
    var requestAll = function () { ids.forEach(request); };
    if (!("IntersectionObserver" in window)) return requestAll();
    var near = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (!entry.isIntersecting) return;
        near.unobserve(entry.target);
        request(entry.target.getAttribute("data-sim"));
      });
    }, { rootMargin: AHEAD });
    placeholders.forEach(function (el) { near.observe(el); });
    // Printed pages show every simulation; so does a page left to load in the background.
    window.addEventListener("beforeprint", requestAll);
    var print = window.matchMedia ? window.matchMedia("print") : null;
    if (print && print.addEventListener) print.addEventListener("change", function () { if (print.matches) requestAll(); });
    var idle = window.requestIdleCallback || function (fn) { return window.setTimeout(fn, 200); };
    var next = function () {
      var id = ids.filter(function (i) { return !requested[i]; })[0];
      if (id === undefined) return;
      request(id);
      idle(next);
    };
    var afterLoad = function () { idle(next); };
    if (document.readyState === "complete") afterLoad();
    else window.addEventListener("load", afterLoad);
  }

  function showFailure(id, why) {
    Array.prototype.forEach.call(document.querySelectorAll('.jax-sim[data-sim="' + id + '"]'), function (el) {
      el.textContent = "";
      el.appendChild(h("p", { class: "jax-sim__error", role: "alert" },
        "The simulation “" + id + "” is not available: " + why + ". The text around it explains the same idea; " +
        "if you built this site yourself, run `make build` again."));
    });
  }

  // Mount in a task of its own, not in the one that evaluated the (sometimes large) baked data.
  function mountSoon(id) {
    if (players[id] && data[id]) window.setTimeout(function () { mountAll(id); }, 0);
  }

  function mountAll(id) {
    if (!players[id] || !data[id]) return;
    Array.prototype.forEach.call(document.querySelectorAll('.jax-sim[data-sim="' + id + '"]:not([data-mounted])'), function (el) {
      mount(el, id, players[id], data[id]);
    });
  }

  function mount(el, id, player, envelope) {
    el.setAttribute("data-mounted", "true");
    var uid = "jax-sim-" + id + "-" + (++counter);
    var timers = [];
    var motion = window.matchMedia ? window.matchMedia("(prefers-reduced-motion: reduce)") : null;
    var view = h("div", { class: "jax-sim__view" });
    var status = h("p", { class: "jax-sim__status", id: uid + "-status", "aria-live": "polite" });
    // Focusable: the table may scroll, and a keyboard reader must be able to scroll it.
    var tableBox = h("div", { class: "jax-sim__table", id: uid + "-table", hidden: true, tabindex: 0, role: "group",
      "aria-label": player.title + ", as a table" });
    var toggle = h("button", { type: "button", class: "md-button jax-sim__table-toggle", "aria-expanded": "false",
      "aria-controls": uid + "-table", onclick: function () {
        var open = tableBox.hidden;
        tableBox.hidden = !open;
        toggle.setAttribute("aria-expanded", String(open));
        toggle.textContent = open ? "Hide table" : "Show as table";
        update();
      } }, "Show as table");
    var frame = h("div", { class: "jax-sim__frame", role: "group", "aria-labelledby": uid + "-title", "aria-describedby": uid + "-status" },
      h("p", { class: "jax-sim__title", id: uid + "-title" }, player.title),
      view, status,
      h("div", { class: "jax-sim__footer" }, toggle,
        h("p", { class: "jax-sim__provenance", title: "Baked " + envelope.provenance.baked_at + " on " + envelope.provenance.machine },
          provenanceText(envelope.provenance))),
      tableBox);
    el.textContent = "";
    el.appendChild(frame);

    var state;
    var ctx = {
      id: uid,
      h: h,
      format: format,
      provenance: envelope.provenance,
      colors: readColors(el),
      reducedMotion: !!(motion && motion.matches),
      setState: function (patch) { state = Object.assign({}, state, patch); update(); },
      every: function (ms, fn) {
        var handle = window.setInterval(fn, ms);
        var stop = function () { window.clearInterval(handle); timers = timers.filter(function (t) { return t !== stop; }); };
        timers.push(stop);
        return stop;
      },
      stopAll: function () { timers.slice().forEach(function (stop) { stop(); }); }
    };

    function update() {
      var focused = document.activeElement && view.contains(document.activeElement) ? document.activeElement.id : null;
      try {
        player.render(view, envelope.data, state, ctx);
        var said = player.describe(envelope.data, state);
        if (status.textContent !== said) status.textContent = said; // unchanged text is not announced again
        if (!tableBox.hidden) renderTable(player.table(envelope.data, state));
      } catch (err) {
        console.error("simulation " + id + " failed to draw", err);
        status.textContent = "This simulation failed to draw (" + err.message + ").";
        return;
      }
      if (focused && !view.contains(document.activeElement)) {
        var again = document.getElementById(focused);
        if (again) again.focus();
      }
    }

    function renderTable(t) {
      tableBox.textContent = "";
      tableBox.appendChild(h("table", {},
        h("caption", {}, t.caption),
        h("thead", {}, h("tr", {}, t.columns.map(function (c) { return h("th", { scope: "col" }, c); }))),
        h("tbody", {}, t.rows.map(function (row) {
          return h("tr", {}, row.map(function (cell) { return h("td", {}, typeof cell === "number" ? format(cell) : cell); }));
        }))));
    }

    // Printed, a simulation is its picture plus its table, open or not (site.css shows it in print).
    function renderForPrint() {
      if (tableBox.hidden) renderTable(player.table(envelope.data, state));
    }
    window.addEventListener("beforeprint", renderForPrint);
    var print = window.matchMedia ? window.matchMedia("print") : null;
    if (print && print.addEventListener) print.addEventListener("change", function () { if (print.matches) renderForPrint(); });

    new MutationObserver(function () { ctx.colors = readColors(el); update(); })
      .observe(document.body, { attributes: true, attributeFilter: ["data-md-color-scheme"] });
    if (motion && motion.addEventListener) {
      motion.addEventListener("change", function () { ctx.reducedMotion = motion.matches; ctx.stopAll(); update(); });
    }
    state = player.initialState(envelope.data);
    update();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
