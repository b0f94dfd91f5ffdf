/* jit-timeline — the jit cache, call by call.
 *
 * The reader picks the arguments of jitted(x, scale, n) and presses Call. Each
 * call becomes a row on a timeline: trace, lower, compile and execute bars for
 * a call that misses the cache, a lone execute bar for a hit. Whether a call
 * hits is a lookup of baked facts: the call's combination belongs to a baked
 * cache entry ("class", found by calling real jitted functions at build time),
 * and it hits when an earlier call since the last "Reset cache" used the same
 * entry. Bar lengths are the real stage durations measured at build time.
 */
(function () {
  "use strict";

  var STAGES = ["trace", "lower", "compile", "execute"];
  var MAX_ROWS = 8;          // rows drawn on the timeline; the table lists every call
  var MAX_CALLS = 200;       // calls kept in state
  var MIN_BAR = 3;           // px: execute bars are far shorter than a pixel at this scale
  var DIVIDER_H = 22, TOP = 44, AXIS_H = 28;
  var GROW_MS = { miss: 900, hit: 300 }, TICK_MS = 30;

  /* ---- baked facts, looked up ----------------------------------------------- */

  function comboIndex(data, s) {
    var c = data.controls;
    return ((s.shape * c.dtypes.length + s.dtype) * c.scalars.length + s.scalar) * c.statics.length + s.n;
  }

  function shortLabel(data, i) {
    var c = data.controls, k = data.combos[i];
    return c.shapes[k.shape].label + " " + c.dtypes[k.dtype] + ", " + c.scalars[k.scalar].label + ", n=" + c.statics[k.n];
  }

  function callText(data, i) {
    var c = data.controls, k = data.combos[i];
    return "jitted(x, " + c.scalars[k.scalar].label + ", " + c.statics[k.n] + ")";
  }

  function argsText(data, i) {
    var c = data.controls, k = data.combos[i];
    return "x: a " + c.dtypes[k.dtype] + " array of shape " + c.shapes[k.shape].label +
      "; scale: the Python " + c.scalars[k.scalar].type + " " + c.scalars[k.scalar].label + "; n = " + c.statics[k.n] + " (static)";
  }

  /* Each call with what the baked classes say about it: did it trace, and
   * which earlier call made the cache entry it ran. */
  function history(data, state) {
    var out = [];
    var entries = {};      // "epoch:class" -> number of the call that traced it
    state.calls.forEach(function (call, j) {
      var cls = data.combos[call.combo]["class"];
      var key = call.epoch + ":" + cls;
      var traced = !(key in entries);
      if (traced) entries[key] = j + 1;
      out.push({ number: j + 1, combo: call.combo, epoch: call.epoch, cls: cls, traced: traced,
                 entryOf: entries[key], afterReset: j > 0 ? state.calls[j - 1].epoch !== call.epoch : call.epoch > 0 });
    });
    return out;
  }

  function cacheNow(data, state) {
    var seen = {}, list = [];
    history(data, state).forEach(function (c) {
      if (c.epoch === state.epoch && c.traced && !seen[c.cls]) { seen[c.cls] = true; list.push(c); }
    });
    return list;
  }

  function durations(data, c) {
    var t = data.timings[c.combo];
    return c.traced ? STAGES.map(function (s) { return t[s]; }) : [0, 0, 0, t.execute];
  }

  function total(list) { return list.reduce(function (a, b) { return a + b; }, 0); }

  function ms(v) {
    if (v >= 100) return v.toFixed(0);
    if (v >= 10) return v.toFixed(1);
    if (v >= 1) return v.toFixed(2);
    return v.toPrecision(2);
  }

  function niceMax(v) {
    var step = Math.pow(10, Math.floor(Math.log(v) / Math.LN10));
    var choices = [1, 2, 2.5, 5, 10];
    for (var i = 0; i < choices.length; i++) if (choices[i] * step >= v) return choices[i] * step;
    return 10 * step;
  }

  function scaleMax(data) {
    var most = 0;
    data.timings.forEach(function (t) { most = Math.max(most, t.trace + t.lower + t.compile + t.execute); });
    return niceMax(most);
  }

  /* ---- the view ------------------------------------------------------------- */

  function build(view, data, ctx) {
    var h = ctx.h, ui = { radios: {}, labels: {} };
    view.textContent = "";
    var c = data.controls;
    var groups = [
      ["shape", "x.shape", c.shapes.map(function (s) { return s.label; })],
      ["dtype", "x.dtype", c.dtypes],
      ["scalar", "scale (a Python scalar)", c.scalars.map(function (s) { return s.label + (s.type === "int" ? " (int)" : " (float)"); })],
      ["n", "n (static)", c.statics.map(String)]
    ];
    ui.code = h("code", {});
    var controls = h("div", { style: "display:flex;flex-wrap:wrap;gap:0.2em 1.2em;align-items:flex-start" });
    groups.forEach(function (g) {
      var field = g[0];
      ui.radios[field] = [];
      ui.labels[field] = [];
      var box = h("fieldset", { style: "border:0;margin:0;padding:0;min-width:0" },
        h("legend", { style: "font-size:0.7rem;font-weight:600;padding:0;margin-bottom:0.2em" }, g[1]));
      g[2].forEach(function (text, k) {
        var input = h("input", { type: "radio", name: ctx.id + "-" + field, id: ctx.id + "-" + field + "-" + k, value: String(k),
          style: "margin:0 0.3em 0 0", onchange: function () {
            if (input.checked) { var patch = {}; patch[field] = k; ctx.setState(patch); }
          } });
        var label = h("label", { "for": ctx.id + "-" + field + "-" + k,
          style: "display:inline-flex;align-items:center;margin:0 0.35em 0.35em 0;padding:0.1em 0.6em 0.1em 0.4em;" +
                 "border-radius:1em;font-size:0.7rem;cursor:pointer;white-space:nowrap" }, input, text);
        ui.radios[field].push(input);
        ui.labels[field].push(label);
        box.appendChild(label);
      });
      controls.appendChild(box);
    });
    ui.call = h("button", { type: "button", id: ctx.id + "-call", class: "md-button md-button--primary",
      style: "padding:0.3em 1.4em;margin:0 0.6em 0 0;font-size:0.75rem;cursor:pointer", onclick: function () { call(view, data, ctx); } }, "Call");
    ui.reset = h("button", { type: "button", id: ctx.id + "-reset", class: "md-button",
      style: "padding:0.3em 1.1em;font-size:0.75rem;cursor:pointer", onclick: function () { reset(view, ctx); } }, "Reset cache");
    ui.key = h("p", { style: "margin:0.5em 0 0.2em;font-size:0.7rem" });
    ui.cache = h("div", { style: "font-size:0.7rem;margin:0.2em 0 0.4em" });
    ui.chart = h("div", {});
    ui.note = h("p", { style: "margin:0.3em 0 0.6em;font-size:0.65rem" });
    ui.jaxprTitle = h("p", { style: "margin:0.4em 0 0;font-size:0.7rem;font-weight:600" });
    ui.jaxpr = h("code", {});
    view.appendChild(h("pre", { style: "margin:0 0 0.6em" }, ui.code));
    view.appendChild(controls);
    view.appendChild(h("div", { style: "margin:0.2em 0 0.2em" }, ui.call, ui.reset));
    view.appendChild(ui.key);
    view.appendChild(ui.cache);
    view.appendChild(ui.chart);
    view.appendChild(ui.note);
    view.appendChild(ui.jaxprTitle);
    view.appendChild(h("pre", { style: "margin:0.3em 0 0" }, ui.jaxpr));
    view._jitTimeline = ui;
    window.addEventListener("resize", function () {   // redraw at the new width, same state
      if (layout(ui.chart.clientWidth).W !== layout(ui.width).W && view._jitTimelineState) ctx.setState({});
    });
    return ui;
  }

  function stopGrowing(view) {
    if (view._jitTimelineStop) { view._jitTimelineStop(); view._jitTimelineStop = null; }
  }

  function call(view, data, ctx) {
    var state = view._jitTimelineState;
    stopGrowing(view);
    var calls = state.calls.concat([{ combo: comboIndex(data, state), epoch: state.epoch }]).slice(-MAX_CALLS);
    if (ctx.reducedMotion) { ctx.setState({ calls: calls, grow: 1 }); return; }
    ctx.setState({ calls: calls, grow: 0 });
    var last = history(data, view._jitTimelineState);
    var step = TICK_MS / (last[last.length - 1].traced ? GROW_MS.miss : GROW_MS.hit);
    view._jitTimelineStop = ctx.every(TICK_MS, function () {
      var grow = Math.min(1, view._jitTimelineState.grow + step);
      if (grow >= 1) stopGrowing(view);
      ctx.setState({ grow: grow });
    });
  }

  function reset(view, ctx) {
    var state = view._jitTimelineState;
    stopGrowing(view);
    ctx.setState({ epoch: state.epoch + 1, grow: 1 });
  }

  function render(view, data, state, ctx) {
    var ui = view._jitTimeline || build(view, data, ctx);
    var h = ctx.h, col = ctx.colors;
    view._jitTimelineState = state;
    if (ctx.reducedMotion && state.grow < 1) stopGrowing(view);
    var current = comboIndex(data, state);
    var cls = data.classes[data.combos[current]["class"]];

    ui.code.textContent = data.source + "\n\n" + callText(data, current) + "   # x: a " + data.controls.dtypes[state.dtype] +
      " array of shape " + data.controls.shapes[state.shape].label;
    Object.keys(ui.radios).forEach(function (field) {
      ui.radios[field].forEach(function (input, k) {
        var on = state[field] === k;
        input.checked = on;
        var label = ui.labels[field][k];
        label.style.border = "1px solid " + (on ? col.primary : col.faint);
        label.style.color = on ? col.fg : col.muted;
        label.style.fontWeight = on ? "600" : "400";
      });
    });

    ui.key.textContent = "";
    ui.key.appendChild(h("span", { style: "color:" + col.muted }, "Cache key of the next call: "));
    ui.key.appendChild(h("code", {}, cls.key));

    var entries = cacheNow(data, state);
    ui.cache.textContent = "";
    ui.cache.appendChild(h("span", { style: "color:" + col.muted },
      entries.length ? "In the cache now (" + entries.length + (entries.length === 1 ? " program" : " programs") + "): " :
                       "The cache is empty."));
    entries.forEach(function (e) {
      ui.cache.appendChild(h("span", { style: "display:inline-block;margin:0.15em 0.4em 0 0;padding:0 0.5em;border-radius:0.3em;" +
        "border:1px solid " + col.faint }, h("code", { style: "background:none;padding:0" }, data.classes[e.cls].key),
        h("span", { style: "color:" + col.muted }, " (call #" + e.number + ")")));
    });

    ui.width = ui.chart.clientWidth || ui.width || 680;
    ui.chart.textContent = "";
    ui.chart.appendChild(chart(data, state, ctx, ui.width));

    ui.note.textContent = "";
    ui.note.appendChild(h("span", { style: "color:" + col.muted },
      "Bars are wall-clock times measured when this site was built, on " + ctx.provenance.machine +
      " (median of " + data.repeats + " runs of each stage, on a fresh function each time): they vary between machines and runs. " +
      "Execute bars are drawn at least " + MIN_BAR + " px wide; at this scale they would be thinner than a pixel. " +
      "The hit or miss of every call comes from real cache behaviour recorded at build time (" +
      data.verification.calls + " calls checked with a trace counter)."));

    ui.jaxprTitle.textContent = "The jaxpr that tracing produces for these arguments (one per cache entry):";
    ui.jaxpr.textContent = cls.jaxpr;
  }

  /* The SVG's coordinates are the view's pixels (so text stays 12-13 px):
   * wide views put each call's label left of its bar, narrow ones above it. */
  function layout(width) {
    var W = Math.max(300, Math.min(960, Math.round(width || 680)));
    if (W >= 560) {
      return { W: W, wide: true, labelX: 188, barX: 192, barW: W - 284, totalX: W - 84, rowH: 34, barY: 7, barH: 20, textY: 22 };
    }
    return { W: W, wide: false, labelX: 0, barX: 0, barW: W - 4, totalX: W, rowH: 46, barY: 22, barH: 16, textY: 15 };
  }

  function chart(data, state, ctx, width) {
    var h = ctx.h, col = ctx.colors, L = layout(width), W = L.W;
    var calls = history(data, state);
    var shown = calls.slice(-MAX_ROWS);
    var maxMs = scaleMax(data);
    var px = function (v) { return L.barW * v / maxMs; };

    // Rows (with a divider where the cache was reset between shown calls).
    var rows = [], y = TOP;
    shown.forEach(function (c, i) {
      if (c.afterReset && (i > 0 || calls.length > shown.length || c.epoch > 0)) { rows.push({ divider: true, y: y }); y += DIVIDER_H; }
      rows.push({ call: c, y: y });
      y += L.rowH;
    });
    var resetAfterLast = calls.length && calls[calls.length - 1].epoch !== state.epoch;
    if (resetAfterLast || (!calls.length && state.epoch > 0)) { rows.push({ divider: true, y: y }); y += DIVIDER_H; }
    if (!shown.length) y += L.rowH;
    var height = y + AXIS_H;

    var svg = h("svg:svg", { viewBox: "0 0 " + W + " " + height, role: "img",
      "aria-label": "Timeline of the calls so far: one row per call, with bars for trace, lower, compile and execute.",
      style: "font-family:var(--md-text-font-family, sans-serif);max-width:" + W + "px" });

    // Legend.
    var lx = 0;
    STAGES.forEach(function (s, k) {
      svg.appendChild(h("svg:rect", { x: lx, y: 8, width: 14, height: 14, rx: 2, fill: col.series[k] }));
      svg.appendChild(h("svg:text", { x: lx + 19, y: 20, "font-size": 13, fill: col.fg }, s));
      lx += 19 + s.length * 7.5 + (L.wide ? 22 : 12);
    });
    if (L.wide || calls.length > shown.length) {
      svg.appendChild(h("svg:text", { x: W, y: L.wide ? 20 : 38, "font-size": 12, fill: col.muted, "text-anchor": "end" },
        calls.length > shown.length ? "last " + shown.length + " of " + calls.length + " calls" : "time from the start of each call"));
    }

    // Grid and axis.
    var steps = L.wide ? 5 : 4, axisY = height - AXIS_H + 4;
    for (var k = 0; k <= steps; k++) {
      var gx = L.barX + L.barW * k / steps;
      svg.appendChild(h("svg:line", { x1: gx, x2: gx, y1: TOP - 2, y2: axisY, stroke: col.faint, "stroke-width": 1 }));
      svg.appendChild(h("svg:text", { x: gx, y: axisY + 16, "font-size": 12, fill: col.muted,
        "text-anchor": k === 0 && !L.wide ? "start" : k === steps ? "end" : "middle" },
        +(maxMs * k / steps).toFixed(2) + (k === steps ? " ms" : "")));
    }

    if (!shown.length) {
      svg.appendChild(h("svg:text", { x: L.barX + 8, y: TOP + L.rowH / 2 + 5, "font-size": 13, fill: col.muted },
        state.epoch > 0 ? "Cache cleared. Press Call." : "No calls yet: press Call."));
    }

    rows.forEach(function (row) {
      if (row.divider) {
        var dy = row.y + DIVIDER_H / 2;
        svg.appendChild(h("svg:line", { x1: L.wide ? L.barX - 2 : 150, x2: W, y1: dy, y2: dy, stroke: col.accent,
          "stroke-width": 1.5, "stroke-dasharray": "5 4" }));
        svg.appendChild(h("svg:text", { x: L.wide ? L.labelX : 0, y: dy + 4, "font-size": 12, fill: col.accent,
          "text-anchor": L.wide ? "end" : "start", "data-reset": "true" }, "Reset cache: emptied"));
        return;
      }
      var c = row.call, last = c.number === calls.length;
      var g = h("svg:g", { "data-call": c.number, "data-traced": String(c.traced) });
      svg.appendChild(g);
      var grow = last ? Math.max(0, Math.min(1, state.grow)) : 1;
      var d = durations(data, c);
      var widths = d.map(function (v, s) { return v > 0 ? Math.max(px(v), s === 3 ? MIN_BAR : 0) : 0; });
      var budget = grow * total(widths), x = L.barX, by = row.y + L.barY;
      var textY = row.y + L.textY, barTextY = by + L.barH / 2 + 4.5;
      g.appendChild(h("svg:text", { x: L.labelX, y: textY, "font-size": 13, fill: col.fg, "text-anchor": L.wide ? "end" : "start" },
        "#" + c.number + "  " + shortLabel(data, c.combo)));
      widths.forEach(function (w, s) {
        var drawn = Math.min(w, budget);
        budget -= drawn;
        if (drawn <= 0) return;
        g.appendChild(h("svg:rect", { x: x, y: by, width: drawn, height: L.barH, fill: col.series[s], "data-stage": STAGES[s] },
          h("svg:title", {}, STAGES[s] + ": " + ms(d[s]) + " ms")));
        x += drawn;
      });
      if (grow >= 1) {
        g.appendChild(h("svg:text", { x: L.totalX, y: textY, "font-size": 13, fill: col.fg, "font-weight": c.traced ? 600 : 400,
          "text-anchor": L.wide ? "start" : "end", "data-total": "true" }, ms(total(d)) + " ms"));
        if (!c.traced) {
          g.appendChild(h("svg:text", { x: x + 6, y: barTextY, "font-size": 12, fill: col.muted },
            "cache hit (entry of call #" + c.entryOf + ")" + (L.wide ? ": execute only" : "")));
        } else if (px(d[2]) > 120) {
          g.appendChild(h("svg:text", { x: L.barX + widths[0] + widths[1] + widths[2] / 2, y: barTextY, "font-size": 12,
            fill: col.bg, "text-anchor": "middle" }, "compile " + ms(d[2]) + " ms"));
        }
      }
    });
    return svg;
  }

  /* ---- words and table -------------------------------------------------------- */

  function describe(data, state) {
    var calls = history(data, state);
    var current = comboIndex(data, state);
    var entries = cacheNow(data, state).length;
    var holds = "The cache holds " + entries + (entries === 1 ? " program." : " programs.");
    if (!calls.length) {
      return "No calls yet; the cache is empty. Pick the arguments, predict whether the call will trace, then press Call: " +
        callText(data, current) + " with " + argsText(data, current) + ".";
    }
    var c = calls[calls.length - 1];
    if (c.epoch !== state.epoch) {
      return "Cache cleared after call #" + c.number + ": the cache is empty, so the next call traces, lowers and compiles again.";
    }
    var d = durations(data, c), what = callText(data, c.combo) + " (" + data.classes[c.cls].key + ")";
    if (!c.traced) {
      return "Call #" + c.number + ", " + what + ", was a cache hit: it ran the program compiled for call #" + c.entryOf +
        " and only executed, " + ms(d[3]) + " ms. " + holds;
    }
    return "Call #" + c.number + ", " + what + ", missed the cache and traced: trace " + ms(d[0]) + " ms, lower " + ms(d[1]) +
      " ms, compile " + ms(d[2]) + " ms, execute " + ms(d[3]) + " ms (" + ms(total(d)) + " ms in all). " + holds;
  }

  function table(data, state) {
    var calls = history(data, state);
    var columns = ["#", "call", "cache key", "traced?", "trace (ms)", "lower (ms)", "compile (ms)", "execute (ms)", "total (ms)"];
    if (!calls.length) {
      var next = comboIndex(data, state), d = durations(data, { combo: next, traced: true });
      return {
        caption: "No calls yet. The row shows the call that Call would make: the cache is empty, so it would trace. " +
                 "Durations in milliseconds, measured at build time.",
        columns: columns,
        rows: [["next", callText(data, next) + ", x: " + data.controls.shapes[state.shape].label + " " + data.controls.dtypes[state.dtype],
                data.classes[data.combos[next]["class"]].key, "yes: the cache is empty",
                ms(d[0]), ms(d[1]), ms(d[2]), ms(d[3]), ms(total(d))]]
      };
    }
    return {
      caption: "The calls so far, oldest first. Durations in milliseconds, measured at build time; — means the stage was skipped.",
      columns: columns,
      rows: calls.map(function (c) {
        var d = durations(data, c);
        return [
          String(c.number) + (c.afterReset ? " (after Reset cache)" : ""),
          callText(data, c.combo) + ", x: " + data.controls.shapes[data.combos[c.combo].shape].label + " " +
            data.controls.dtypes[data.combos[c.combo].dtype],
          data.classes[c.cls].key,
          c.traced ? "yes: new entry" : "no: hit, entry of call #" + c.entryOf,
          c.traced ? ms(d[0]) : "—",
          c.traced ? ms(d[1]) : "—",
          c.traced ? ms(d[2]) : "—",
          ms(d[3]),
          ms(total(d))
        ];
      })
    };
  }

  ThinkingInJaxSims.register("jit-timeline", {
    title: "The jit cache, call by call",
    initialState: function () { return { shape: 0, dtype: 0, scalar: 0, n: 0, calls: [], epoch: 0, grow: 1 }; },
    render: render,
    describe: describe,
    table: table
  });
})();
