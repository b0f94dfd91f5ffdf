/* pure-impure — a pure and an impure jitted function, call by call.
 *
 * The reader calls add_bias(x) (reads the global bias) and add_bias_pure(x,
 * bias) with x = 5.0 or x = [5., 5.], and sets the global bias. Each panel's
 * console shows what really happened: the trace-time print lines, the
 * run-time jax.debug.print lines and the returned value, all captured from
 * real JAX at build time. The player keeps only the cache book (which input
 * has a compiled program, traced at which bias) and looks every call up in
 * the baked tables: miss[k][bias] or hit[k][traced-at bias][bias].
 */
(function () {
  "use strict";

  var SIDES = ["impure", "pure"];
  var MAX_ACTIONS = 200;
  var STEP_MS = 380;        // one reveal step of the latest call: trace, run, return
  var LAST_STEP = 3;

  /* ---- baked facts, looked up ----------------------------------------------- */

  function callCode(data, side, k) {
    var x = data.inputs[k].code;
    return side === "impure" ? data.names.impure + "(" + x + ")" : data.names.pure + "(" + x + ", bias)";
  }

  function shortInput(data, k) {
    return data.inputs[k].code.replace("jnp.array(", "").replace(/\)$/, "");
  }

  /* Replay the actions through the baked tables. */
  function history(data, state) {
    var bias = data.initial_bias, entries = { impure: [], pure: [] }, log = [], calls = 0;
    data.inputs.forEach(function () { entries.impure.push(null); entries.pure.push(null); });
    state.actions.forEach(function (a) {
      if (a.kind === "set") { bias = a.arg; log.push({ kind: "set", bias: bias }); return; }
      var step = { kind: "call", k: a.arg, bias: bias, number: ++calls };
      SIDES.forEach(function (side) {
        var e = entries[side][a.arg], out;
        if (e === null) {
          out = data[side].miss[a.arg][bias];
          entries[side][a.arg] = { bias: bias, call: calls };
          e = entries[side][a.arg];
        } else {
          out = data[side].hit[a.arg][e.bias][bias];
        }
        step[side] = { out: out, entry: e };
      });
      log.push(step);
    });
    return { bias: bias, entries: entries, log: log, calls: calls };
  }

  function lastCall(hist) {
    for (var i = hist.log.length - 1; i >= 0; i--) if (hist.log[i].kind === "call") return hist.log[i];
    return null;
  }

  function jaxprOf(data, side, k, entry) {
    return side === "impure" ? data.impure.jaxprs[k][entry.bias] : data.pure.jaxprs[k];
  }

  /* ---- the view ------------------------------------------------------------- */

  var BTN = "padding:0.3em 1em;margin:0 0.5em 0.4em 0;font-size:0.72rem;cursor:pointer";

  function build(view, data, ctx) {
    var h = ctx.h, ui = { panels: {} };
    view.textContent = "";
    ui.calls = data.inputs.map(function (inp, k) {
      return h("button", { type: "button", id: ctx.id + "-call-" + k, "data-input": k,
        class: "md-button" + (k === 0 ? " md-button--primary" : ""), style: BTN,
        onclick: function () { act(view, ctx, { kind: "call", arg: k }); } }, "Call with x = " + shortInput(data, k));
    });
    ui.select = h("select", { id: ctx.id + "-bias", style: "font-size:0.75rem;padding:0.15em 0.3em;margin-right:0.8em",
      onchange: function () { act(view, ctx, { kind: "set", arg: Number(ui.select.value) }); } },
      data.biases.map(function (b, i) { return h("option", { value: String(i) }, b.label); }));
    ui.reset = h("button", { type: "button", id: ctx.id + "-reset", class: "md-button", style: BTN,
      onclick: function () { stop(view); ctx.setState({ actions: [], reveal: LAST_STEP }); } }, "Reset");
    var controls = h("div", { style: "display:flex;flex-wrap:wrap;align-items:center" },
      ui.calls,
      h("label", { "for": ctx.id + "-bias", style: "font-size:0.72rem;margin:0 0.4em 0.4em 0.4em" }, "Set global ", h("code", {}, "bias"), " to"),
      h("span", { style: "margin-bottom:0.4em" }, ui.select),
      ui.reset);
    ui.global = h("p", { style: "margin:0.1em 0 0.6em;font-size:0.75rem" });
    var grid = h("div", { style: "display:grid;grid-template-columns:repeat(auto-fit,minmax(270px,1fr));gap:0.8em" });
    SIDES.forEach(function (side) {
      var p = {};
      p.box = h("section", { "data-panel": side, style: "border-radius:0.4em;padding:0.5em 0.6em;min-width:0" });
      p.head = h("p", { style: "margin:0 0 0.3em;font-size:0.75rem;font-weight:700" },
        side === "impure" ? "Impure: reads the global" : "Pure: bias is an argument");
      p.src = h("pre", { style: "margin:0 0 0.4em;font-size:0.58rem" }, h("code", {}, data.sources[side]));
      p.cache = h("div", { "data-cache": side, style: "font-size:0.66rem;margin:0 0 0.4em" });
      p.console = h("div", { id: ctx.id + "-console-" + side, tabindex: "0", role: "log",
        "aria-label": (side === "impure" ? "Impure" : "Pure") + " function's console",
        style: "font-family:var(--md-code-font-family, monospace);font-size:0.62rem;line-height:1.45;" +
               "height:16em;overflow:auto;padding:0.4em 0.5em;border-radius:0.3em" });
      p.jaxprTitle = h("p", { style: "margin:0.5em 0 0.1em;font-size:0.66rem" });
      p.jaxpr = h("pre", { style: "margin:0;font-size:0.58rem" }, h("code", {}));
      p.box.appendChild(p.head);
      p.box.appendChild(p.src);
      p.box.appendChild(p.cache);
      p.box.appendChild(p.console);
      p.box.appendChild(p.jaxprTitle);
      p.box.appendChild(p.jaxpr);
      grid.appendChild(p.box);
      ui.panels[side] = p;
    });
    view.appendChild(controls);
    view.appendChild(ui.global);
    view.appendChild(grid);
    view._pureImpure = ui;
    return ui;
  }

  function stop(view) {
    if (view._pureImpureStop) { view._pureImpureStop(); view._pureImpureStop = null; }
  }

  function act(view, ctx, action) {
    var state = view._pureImpureState;
    stop(view);
    var actions = state.actions.concat([action]).slice(-MAX_ACTIONS);
    if (action.kind === "set" || ctx.reducedMotion) { ctx.setState({ actions: actions, reveal: LAST_STEP }); return; }
    ctx.setState({ actions: actions, reveal: 0 });
    view._pureImpureStop = ctx.every(STEP_MS, function () {
      var next = view._pureImpureState.reveal + 1;
      if (next >= LAST_STEP) stop(view);
      ctx.setState({ reveal: Math.min(LAST_STEP, next) });
    });
  }

  function line(h, tag, tagColor, text, color, attrs) {
    var a = attrs || {};
    a.style = "white-space:pre-wrap;word-break:break-word;padding-left:3.9em;text-indent:-3.9em" + (a.style ? ";" + a.style : "");
    return h("div", a,
      h("span", { style: "display:inline-block;width:3.9em;text-indent:0;color:" + tagColor }, tag),
      h("span", { style: "color:" + color }, text));
  }

  function render(view, data, state, ctx) {
    var ui = view._pureImpure || build(view, data, ctx);
    var h = ctx.h, col = ctx.colors;
    view._pureImpureState = state;
    var shown = state.reveal;
    if (ctx.reducedMotion && shown < LAST_STEP) { stop(view); shown = LAST_STEP; }
    var hist = history(data, state), last = lastCall(hist);

    ui.select.value = String(hist.bias);
    ui.global.textContent = "";
    ui.global.appendChild(h("span", { style: "color:" + col.muted }, "Python global now: "));
    ui.global.appendChild(h("code", { "data-global": "true", style: "font-weight:700" }, "bias = " + data.biases[hist.bias].label));

    SIDES.forEach(function (side) {
      var p = ui.panels[side];
      p.box.style.border = "1px solid " + (side === "impure" ? col.accent : col.primary);
      p.head.style.color = side === "impure" ? col.accent : col.primary;

      // Cache badges: one per input type.
      p.cache.textContent = "";
      p.cache.appendChild(h("div", { style: "color:" + col.muted + ";margin-bottom:0.15em" }, "jit cache of " + data.names[side] + ":"));
      data.inputs.forEach(function (inp, k) {
        var e = hist.entries[side][k];
        var stale = side === "impure" && e && e.bias !== hist.bias;
        var text = !e ? "no program yet" :
          side === "impure" ? "program adds " + data.biases[e.bias].label + " (global read at trace, call #" + e.call + ")" :
                              "program adds its bias argument (traced at call #" + e.call + ")";
        p.cache.appendChild(h("div", { "data-entry": k, "data-captured": e && side === "impure" ? data.biases[e.bias].label : "",
          style: "display:inline-block;margin:0 0.35em 0.25em 0;padding:0.05em 0.5em;border-radius:0.3em;border:1px " +
                 (e ? "solid " : "dashed ") + (stale ? col.accent : e ? col.fg : col.faint) + ";color:" + (e ? col.fg : col.muted) },
          h("code", { style: "background:none;padding:0;font-weight:600" }, inp.type), " → " + text + (stale ? " — stale" : "")));
      });

      // Console.
      var c = p.console;
      c.textContent = "";
      c.style.background = "var(--md-code-bg-color, " + col.bg + ")";
      c.style.border = "1px solid " + col.faint;
      if (!hist.log.length) c.appendChild(h("div", { style: "color:" + col.muted }, "# Nothing called yet. Press a Call button."));
      hist.log.forEach(function (entry, i) {
        if (entry.kind === "set") {
          c.appendChild(h("div", { style: "color:" + col.muted + ";margin-top:0.3em" }, ">>> bias = " + data.biases[entry.bias].label));
          return;
        }
        var s = entry[side], isLast = entry === last, reveal = isLast ? shown : LAST_STEP;
        var g = h("div", { "data-call": entry.number, "data-traced": String(s.out.traced),
          style: "margin-top:0.3em;" + (isLast ? "border-left:3px solid " + col.primary + ";padding-left:0.3em;margin-left:-0.5em" : "") });
        g.appendChild(h("div", { style: "color:" + col.fg }, ">>> " + callCode(data, side, entry.k) +
          (side === "pure" ? "   # bias = " + data.biases[entry.bias].label : ""),
          h("span", { style: "color:" + (s.out.traced ? col.series[2] : col.muted) + ";font-style:italic" },
            s.out.traced ? "   cache miss: traces" : "   cache hit: no tracing")));
        if (reveal >= 1) s.out.trace.forEach(function (t) { g.appendChild(line(h, "print", col.series[2], t, col.fg, { "data-kind": "trace" })); });
        if (reveal >= 2) s.out.run.forEach(function (t) { g.appendChild(line(h, "debug", col.series[0], t, col.fg, { "data-kind": "run" })); });
        if (reveal >= 3) {
          var stale = side === "impure" && s.entry.bias !== entry.bias;
          g.appendChild(line(h, "→", col.muted, s.out.result, stale ? col.accent : col.fg,
            { "data-kind": "result", style: "font-weight:700" }));
          if (stale) {
            g.appendChild(h("div", { "data-stale": "true", style: "color:" + col.accent + ";padding-left:3.9em" },
              "stale: the program has bias " + data.biases[s.entry.bias].label + " baked in; the global is " + data.biases[entry.bias].label));
          }
        }
        c.appendChild(g);
      });
      c.scrollTop = c.scrollHeight;

      // The program the latest call ran.
      var code = p.jaxpr.firstChild;
      if (last) {
        p.jaxprTitle.textContent = "Jaxpr of the program call #" + last.number + " ran:";
        code.textContent = jaxprOf(data, side, last.k, last[side].entry);
      } else {
        p.jaxprTitle.textContent = "Jaxpr of the program for x = 5.0 (traced at the first call):";
        code.textContent = side === "impure" ? data.impure.jaxprs[0][hist.bias] : data.pure.jaxprs[0];
      }
      p.jaxprTitle.style.color = col.muted;
    });
  }

  /* ---- words and table -------------------------------------------------------- */

  function describe(data, state) {
    var hist = history(data, state), last = lastCall(hist);
    var now = "The global bias is " + data.biases[hist.bias].label + ".";
    if (!last) return "Nothing called yet. " + now + " Press Call: both functions trace on their first call.";
    var im = last.impure, pu = last.pure;
    var what = "Call #" + last.number + ": " + callCode(data, "impure", last.k) + " " +
      (im.out.traced ? "traced (its print ran) and" : "hit the cache (no print) and") + " returned " + im.out.result;
    if (!im.out.traced && im.entry.bias !== last.bias) {
      what += ", a stale value: its program was traced with bias " + data.biases[im.entry.bias].label +
        " although the global was " + data.biases[last.bias].label;
    }
    what += "; " + callCode(data, "pure", last.k) + " returned " + pu.out.result + ".";
    var lastAction = state.actions[state.actions.length - 1];
    return what + (lastAction.kind === "set" ? " Then bias was set: " + now : " " + now);
  }

  function table(data, state) {
    var hist = history(data, state);
    var columns = ["#", "action", "impure: traced?", "impure: print", "impure: jax.debug.print", "impure: returns",
                   "pure: traced?", "pure: print", "pure: jax.debug.print", "pure: returns"];
    if (!hist.log.length) {
      return {
        caption: "No actions yet. The rows show what each Call button would do now: both caches are empty, so the call would trace " +
                 "(outputs captured at build time).",
        columns: columns,
        rows: data.inputs.map(function (inp, k) {
          var row = ["next", "call with x = " + inp.code + " (bias is " + data.biases[hist.bias].label + ")"];
          SIDES.forEach(function (side) {
            var o = data[side].miss[k][hist.bias];
            row.push(o.traced ? "yes" : "no", o.trace.join("\n") || "—", o.run.join("\n"), o.result);
          });
          return row;
        })
      };
    }
    return {
      caption: "Every action so far, oldest first, with what the two jitted functions really printed and returned (captured at build time).",
      columns: columns,
      rows: hist.log.map(function (e, i) {
        if (e.kind === "set") return [String(i + 1), "bias = " + data.biases[e.bias].label, "—", "—", "—", "—", "—", "—", "—", "—"];
        var row = [String(i + 1), "call with x = " + data.inputs[e.k].code + " (bias is " + data.biases[e.bias].label + ")"];
        SIDES.forEach(function (side) {
          var o = e[side].out;
          row.push(o.traced ? "yes" : "no", o.trace.join("\n") || "—", o.run.join("\n"), o.result);
        });
        return row;
      })
    };
  }

  ThinkingInJaxSims.register("pure-impure", {
    title: "Pure vs impure under jit: the stale global",
    initialState: function () { return { actions: [], reveal: LAST_STEP }; },
    render: render,
    describe: describe,
    table: table
  });
})();
