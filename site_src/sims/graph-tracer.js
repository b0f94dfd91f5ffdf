/* graph-tracer — one function's computation graph, read from its real jaxpr,
 * in four views: forward values, jit's abstract values, grad's adjoints and
 * vmap's batches.
 *
 * Baked data (sims/graph_tracer.py): for each preset, the nodes (the input,
 * then one per jaxpr equation: primitive, params, operands) and edges (every
 * use of a variable); at each x of the grid, every node's value (the jaxpr
 * run equation by equation with each primitive's bind), every node's adjoint
 * (jax.grad), what each edge sends back (jax.vjp), and the batched values of
 * jax.vmap(f) on xs = x + [0, 0.5, 1, 1.5]. This player only lays the graph
 * out and reveals baked values one node at a time: it computes no JAX result.
 *
 * "Trace your own function": the reader's f(x) goes to the page's Python
 * (window.ThinkingInJaxPython, from runner.js: Pyodide with jaxlite as jax),
 * where sims/graph_tracer.py, the baker itself, traces it into one more preset
 * of the same shape; it is drawn the same way and labelled as jaxlite's.
 *
 * State: { preset, xIndex, mode, step, playing, custom }; step = how many
 * nodes of the current mode's order are revealed; custom = the reader's traced
 * preset (index data.presets.length), or null.
 */
(function () {
  "use strict";

  var MIN_W = 680, MIN_PITCH = 136; // a wider graph grows to the right (and scrolls on narrow screens)
  var NODE_W = 106;
  var LEFT = 8, RIGHT = 76, TOP = 16, ROW_GAP = 34, LANE = 40;
  var STEP_MS = 900;
  var MODES = [
    { id: "forward", label: "Forward" },
    { id: "jit", label: "JIT trace" },
    { id: "grad", label: "grad" },
    { id: "vmap", label: "vmap" }
  ];
  var MODE_NAMES = { forward: "Forward", jit: "JIT trace", grad: "grad", vmap: "vmap" };
  var EXAMPLE = "jnp.cos(x) * x ** 2";
  var SOURCE_KEY = "thinking-in-jax:graph-tracer:v1:source"; // the reader's function survives a reload

  function presetOf(data, state) {
    if (state.custom && state.preset === data.presets.length) return state.custom;
    return data.presets[state.preset] || data.presets[0];
  }
  function isCustom(data, state) { return !!state.custom && state.preset === data.presets.length; }
  function labelOf(data, state) {
    return presetOf(data, state).label + (isCustom(data, state) ? " (yours, traced by jaxlite)" : "");
  }
  function pointOf(data, state) { var p = presetOf(data, state); return p.points[state.xIndex] || p.points[0]; }

  /* Reveal order: values flow left to right, adjoints right to left. */
  function orderOf(preset, mode) {
    var order = [];
    for (var i = 0; i < preset.nodes.length; i++) order.push(i);
    return mode === "grad" ? order.reverse() : order;
  }

  function modeColor(ctx, mode) {
    if (mode === "grad") return ctx.colors.accent;
    if (mode === "jit") return ctx.colors.series[2];
    if (mode === "vmap") return ctx.colors.series[3];
    return ctx.colors.primary;
  }

  function xText(ctx, x) { return ctx.format(x, 3); }

  function list(ctx, values, digits) {
    return "[" + values.map(function (v) { return ctx.format(v, digits); }).join(", ") + "]";
  }

  /* What the jaxpr shows as a node's operands, e.g. "[y=2] b" or "2.0:f32[] a". */
  function operandText(node) {
    var ops = node.operands.map(function (o) { return o.literal !== undefined ? o.literal : o.var; }).join(" ");
    return (node.params ? "[" + node.params + "] " : "") + ops;
  }

  /* ---- layout: columns by longest path, rows in jaxpr order --------------- */

  function layout(preset, mode) {
    var n = preset.nodes.length;
    var col = [0];
    for (var i = 1; i < n; i++) col.push(0);
    preset.edges.forEach(function (e) { col[e.to] = Math.max(col[e.to], col[e.from] + 1); });
    var ncols = Math.max.apply(null, col) + 1;
    var byCol = [];
    for (var c = 0; c < ncols; c++) byCol.push([]);
    for (i = 0; i < n; i++) byCol[col[i]].push(i);
    var rows = Math.max.apply(null, byCol.map(function (b) { return b.length; }));
    var nodeH = mode === "vmap" ? 134 : mode === "grad" ? 88 : 72;
    var width = Math.max(MIN_W, LEFT + RIGHT + NODE_W + (ncols - 1) * MIN_PITCH);
    var pitch = ncols > 1 ? (width - LEFT - RIGHT - NODE_W) / (ncols - 1) : 0;
    // An edge that skips a column runs in a lane under the nodes, or over them when it
    // enters its equation's upper operand slot (so that wires do not cross).
    var above = false, below = false, skipAbove = [];
    preset.edges.forEach(function (e, k) {
      if (col[e.to] - col[e.from] <= 1) return;
      skipAbove[k] = e.operand < (preset.nodes[e.to].operands.length - 1) / 2;
      if (skipAbove[k]) above = true; else below = true;
    });
    var top = TOP + (above ? LANE : 0);
    var pos = [];
    for (c = 0; c < ncols; c++) {
      byCol[c].forEach(function (node, r) {
        var slot = r + (rows - byCol[c].length) / 2;
        pos[node] = { x: LEFT + c * pitch, y: top + slot * (nodeH + ROW_GAP), col: c };
      });
    }
    var bottom = top + rows * nodeH + (rows - 1) * ROW_GAP;
    return { pos: pos, col: col, nodeH: nodeH, skipAbove: skipAbove, width: width,
             laneAbove: top - LANE / 2 - 4, laneBelow: bottom + LANE / 2 + 4,
             height: bottom + (below ? LANE + 14 : 18) };
  }

  /* ---- the stable part of the view: controls, readouts, svg, jaxpr ------- */

  function build(view, data, ctx) {
    var h = ctx.h, id = ctx.id;
    var refs = { timer: null, state: null };
    var row = "display:flex;flex-wrap:wrap;align-items:center;gap:0.4em 1em;margin:0 0 0.6em;";
    var small = "margin:0;padding:0.25em 0.9em;font-size:0.7rem;cursor:pointer;";

    refs.select = h("select", { id: id + "-preset", onchange: function () {
      ctx.setState({ preset: Number(refs.select.value), step: 0, playing: false });
    } }, data.presets.map(function (p, i) { return h("option", { value: String(i) }, "f(x) = " + p.label); }));

    refs.radios = {};
    var radios = MODES.map(function (m) {
      var input = h("input", { type: "radio", name: id + "-mode", id: id + "-mode-" + m.id, value: m.id,
        onchange: function () { if (input.checked) ctx.setState({ mode: m.id, step: 0, playing: false }); } });
      refs.radios[m.id] = input;
      return h("label", { for: id + "-mode-" + m.id, style: "display:inline-flex;align-items:center;gap:0.25em;margin-right:0.8em;cursor:pointer;" },
        input, m.label);
    });
    var modes = h("fieldset", { style: "border:0;margin:0;padding:0;display:inline-flex;flex-wrap:wrap;align-items:center;" },
      h("legend", { style: "float:left;padding:0;margin-right:0.6em;font-weight:700;" }, "Mode"), radios);

    refs.range = h("input", { type: "range", id: id + "-x", min: 0, max: data.grid.length - 1, step: 1,
      style: "flex:1 1 14em;min-width:10em;",
      oninput: function () { ctx.setState({ xIndex: Number(refs.range.value) }); } });
    refs.xOut = h("output", { id: id + "-xval", for: id + "-x", style: "font-variant-numeric:tabular-nums;min-width:5.5em;" });

    function go(delta) {
      var s = refs.state, n = presetOf(data, s).nodes.length;
      ctx.setState({ step: Math.max(0, Math.min(n, s.step + delta)), playing: false });
    }
    refs.back = h("button", { type: "button", class: "md-button", id: id + "-back", style: small,
      onclick: function () { go(-1); } }, "Step back");
    refs.step = h("button", { type: "button", class: "md-button", id: id + "-step", style: small,
      onclick: function () { go(1); } }, "Step");
    refs.play = h("button", { type: "button", class: "md-button md-button--primary", id: id + "-play", style: small,
      onclick: function () {
        var s = refs.state, n = presetOf(data, s).nodes.length;
        if (s.playing) { ctx.setState({ playing: false }); return; }
        if (ctx.reducedMotion) { ctx.setState({ step: n, playing: false }); return; }  // no motion: show it all at once
        ctx.setState({ step: s.step >= n ? 0 : s.step, playing: true });
      } }, "Play");
    refs.reset = h("button", { type: "button", class: "md-button", id: id + "-reset", style: small,
      onclick: function () { ctx.setState({ step: 0, playing: false }); } }, "Reset");
    refs.counter = h("span", { id: id + "-counter", style: "font-variant-numeric:tabular-nums;" });

    refs.origin = h("p", { id: id + "-origin", style: "margin:0 0 0.3em;font-size:0.75rem;" });
    var custom = customForm(data, ctx, refs);

    refs.source = h("code", { id: id + "-source" });
    refs.svgBox = h("div", { id: id + "-graph", style: "overflow-x:auto;" });  // phones scroll, text stays legible
    refs.readout = h("p", { id: id + "-readout", style: "margin:0.4em 0;display:flex;flex-wrap:wrap;gap:0.3em 1.6em;font-variant-numeric:tabular-nums;" });
    refs.jaxprTitle = h("p", { style: "margin:0.6em 0 0.2em;font-size:0.7rem;" });
    refs.jaxpr = h("pre", { id: id + "-jaxpr", style: "margin:0;" });

    view.textContent = "";
    view.appendChild(h("div", { style: row },
      h("label", { for: id + "-preset", style: "font-weight:700;" }, "Function"), refs.select, modes));
    view.appendChild(custom);
    view.appendChild(h("div", { style: row },
      h("label", { for: id + "-x", style: "font-weight:700;" }, "Input x"), refs.range, refs.xOut));
    view.appendChild(h("div", { style: row + "gap:0.4em 0.6em;" },
      refs.back, refs.step, refs.play, refs.reset, refs.counter));
    view.appendChild(h("p", { style: "margin:0 0 0.3em;font-size:0.75rem;" }, "Python: ", refs.source));
    view.appendChild(refs.origin);
    view.appendChild(refs.svgBox);
    view.appendChild(refs.readout);
    view.appendChild(refs.jaxprTitle);
    view.appendChild(refs.jaxpr);
    return refs;
  }

  /* ---- "Trace your own function": the reader's f(x), traced by jaxlite ----- */

  function savedSource() {
    try { return window.localStorage.getItem(SOURCE_KEY); } catch (e) { return null; }
  }

  function saveSource(text) {
    try { window.localStorage.setItem(SOURCE_KEY, text); } catch (e) { /* private mode: kept for this visit only */ }
  }

  function customForm(data, ctx, refs) {
    var h = ctx.h, id = ctx.id;
    var python = function () { return window.ThinkingInJaxPython; };
    refs.customInput = h("input", { type: "text", id: id + "-custom", value: savedSource() || EXAMPLE,
      spellcheck: "false", autocomplete: "off", autocapitalize: "off", "aria-describedby": id + "-custom-help",
      style: "flex:1 1 16em;min-width:12em;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;" +
        "font-size:0.8rem;padding:0.3em 0.5em;border:1px solid var(--md-default-fg-color--light);border-radius:4px;" +
        "background:var(--md-default-bg-color);color:var(--md-default-fg-color);",
      oninput: function () { saveSource(refs.customInput.value); },
      onfocus: function () { if (python() && python().prewarm) python().prewarm(); } });
    // The button's click, not the form's submit, starts a trace: an iframe sandboxed without
    // allow-forms never submits a form. Enter in the field clicks the button.
    refs.trace = h("button", { type: "submit", class: "md-button", id: id + "-trace",
      style: "margin:0;padding:0.25em 0.9em;font-size:0.7rem;cursor:pointer;", onclick: trace }, "Trace");
    refs.customStatus = h("p", { id: id + "-custom-status", role: "status", style: "margin:0.2em 0 0;font-size:0.75rem;flex-basis:100%;" });
    var tracing = false;
    function trace(event) {
      event.preventDefault();
      if (tracing) return;
      var say = function (text, failed) {
        refs.customStatus.textContent = text;
        refs.customStatus.style.color = failed ? ctx.colors.accent : "";
      };
      if (!python()) {
        say("Tracing needs the page's Python runner (runner.js), which did not load: reload the page.", true);
        return;
      }
      var source = refs.customInput.value;
      saveSource(source);
      tracing = true;
      refs.trace.setAttribute("aria-disabled", "true");
      var started = Date.now();
      python().call("sims.graph_tracer", "trace_json", source, function (stage) {
        say(stage === "starting" ? "Starting Python in your browser (the first time downloads about 12 MB)…"
          : "Tracing f with jaxlite…");
      }).then(function (text) {
        var answer = JSON.parse(text);
        if (answer.error) { say("Not traced: " + answer.error, true); return; }
        var preset = answer.preset;
        if (!preset || !preset.nodes || !preset.points || preset.points.length !== data.grid.length) {
          throw new Error("the trace came back in an unexpected shape");
        }
        say("Traced f(x) = " + preset.label + " in " + ((Date.now() - started) / 1000).toFixed(1) +
          " s: " + preset.nodes.length + " nodes, chosen under Function.");
        ctx.setState({ custom: preset, preset: data.presets.length, step: 0, playing: false });
      }).catch(function (err) {
        say("Not traced: " + err.message, true);
      }).finally(function () {
        tracing = false;
        refs.trace.removeAttribute("aria-disabled");
      });
    }
    var form = h("form", { class: "gt-custom", style: "display:flex;flex-wrap:wrap;align-items:center;gap:0.4em 0.6em;margin:0 0 0.8em;",
      onsubmit: trace },
      h("label", { for: id + "-custom", style: "font-weight:700;" }, "Trace your own: f(x) ="),
      refs.customInput, refs.trace,
      h("p", { id: id + "-custom-help", style: "margin:0;font-size:0.75rem;flex-basis:100%;color:var(--md-default-fg-color--light);" },
        "An expression in x using jnp (jax.numpy), such as jnp.tanh(x) * x. It is traced in your browser by jaxlite, " +
        "this course's small JAX written in Python; the functions in the list were traced by real JAX when the site was built."),
      refs.customStatus);
    return form;
  }

  /* The select lists the presets, then the reader's traced function once there is one. */
  function syncOptions(refs, data, state, ctx) {
    var extra = refs.select.options[data.presets.length];
    if (!state.custom) {
      if (extra) extra.remove();
      return;
    }
    var text = "f(x) = " + state.custom.label + " (yours, jaxlite)";
    if (!extra) refs.select.appendChild(ctx.h("option", { value: String(data.presets.length) }, text));
    else extra.textContent = text;
  }

  function tick(refs, data, ctx) {
    var s = refs.state, n = presetOf(data, s).nodes.length;
    if (!s.playing) return;
    var next = Math.min(n, s.step + 1);
    ctx.setState({ step: next, playing: next < n });
  }

  /* ---- the graph ----------------------------------------------------------- */

  function drawGraph(data, state, ctx) {
    var h = ctx.h, c = ctx.colors, mode = state.mode;
    var preset = presetOf(data, state), point = pointOf(data, state);
    var L = layout(preset, mode);
    var order = orderOf(preset, mode);
    var shown = {};
    order.slice(0, state.step).forEach(function (i) { shown[i] = true; });
    var current = state.step > 0 ? order[state.step - 1] : -1;
    var color = modeColor(ctx, mode);
    var mono = "ui-monospace,SFMono-Regular,Menlo,Consolas,monospace";
    var last = preset.nodes.length - 1;

    var defs = h("svg:defs", {},
      ["on", "off"].map(function (which) {
        return h("svg:marker", { id: ctx.id + "-arrow-" + which, viewBox: "0 0 10 10", refX: 9, refY: 5,
          markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" },
          h("svg:path", { d: "M0,0 L10,5 L0,10 z", fill: which === "on" ? color : c.muted }));
      }));

    var wires = preset.edges.map(function (e, k) {
      var a = L.pos[e.from], b = L.pos[e.to];
      var node = preset.nodes[e.to];
      var sx = a.x + NODE_W, sy = a.y + L.nodeH / 2;
      var tx = b.x, ty = b.y + L.nodeH / 2 + (e.operand - (node.operands.length - 1) / 2) * 16;
      var d, lx, ly;
      if (L.col[e.to] - L.col[e.from] > 1) {
        var yb = L.skipAbove[k] ? L.laneAbove : L.laneBelow;
        d = "M" + sx + "," + sy + " C" + (sx + 36) + "," + sy + " " + (sx + 20) + "," + yb + " " + (sx + 60) + "," + yb +
          " L" + (tx - 60) + "," + yb + " C" + (tx - 20) + "," + yb + " " + (tx - 36) + "," + ty + " " + tx + "," + ty;
        lx = (sx + tx) / 2; ly = yb - 7;
      } else {
        var mx = (sx + tx) / 2;
        d = "M" + sx + "," + sy + " C" + mx + "," + sy + " " + mx + "," + ty + " " + tx + "," + ty;
        // Label the level stretch just before the target; a lower operand's label goes under its wire.
        lx = tx - 6; ly = e.operand > 0 && e.operand === node.operands.length - 1 ? ty + 15 : ty - 6;
      }
      // Forward-like modes: a wire is live once its source is known. grad: once its consumer's adjoint is.
      var live = mode === "grad" ? !!shown[e.to] : !!shown[e.from];
      var label = preset.nodes[e.from].var;
      if (mode === "grad" && live) {
        var ct = point.edge_adjoints[k];
        label = (typeof ct === "number" && ct >= 0 ? "+" : "") + ctx.format(ct, 3);
      }
      return h("svg:g", { class: "gt-wire" },
        h("svg:path", { d: d, fill: "none", stroke: live ? color : c.muted, "stroke-width": live ? 2.4 : 1.3,
          "stroke-dasharray": live ? null : "4 4",
          "marker-end": mode === "grad" ? null : "url(#" + ctx.id + "-arrow-" + (live ? "on" : "off") + ")",
          "marker-start": mode === "grad" ? "url(#" + ctx.id + "-arrow-" + (live ? "on" : "off") + ")" : null }),
        h("svg:text", { x: lx, y: ly, "text-anchor": L.col[e.to] - L.col[e.from] > 1 ? "middle" : "end", "font-size": 12, "font-family": mono,
          fill: live ? color : c.muted, stroke: c.bg, "stroke-width": 4, "paint-order": "stroke",
          "font-weight": live && mode === "grad" ? 700 : 400 }, label));
    });

    var boxes = preset.nodes.map(function (node, i) {
      var p = L.pos[i], on = !!shown[i], x0 = p.x + 8, yy = p.y;
      var parts = [
        h("svg:rect", { x: p.x, y: p.y, width: NODE_W, height: L.nodeH, rx: 8, fill: c.bg,
          stroke: on ? color : c.muted, "stroke-width": i === current ? 3.2 : on ? 2 : 1.2,
          "stroke-dasharray": on ? null : "5 4" }),
        on ? h("svg:rect", { x: p.x, y: p.y, width: NODE_W, height: L.nodeH, rx: 8, fill: color, "fill-opacity": 0.09 }) : null,
        h("svg:text", { x: x0, y: yy + 19, "font-size": 13, fill: c.fg },
          h("svg:tspan", { "font-family": mono, "font-weight": 700, fill: color }, node.var),
          h("svg:tspan", { dx: 5, "font-weight": 700 }, node.kind === "input" ? "input" : node.primitive)),
        h("svg:text", { x: x0, y: yy + 37, "font-size": 12, "font-family": mono, fill: c.muted },
          node.kind === "input" ? "argument x" : operandText(node))
      ];
      var q = on ? null : "?";
      if (mode === "forward") {
        parts.push(h("svg:text", { x: x0, y: yy + 60, "font-size": 15, "font-family": mono, "font-weight": 700,
          fill: on ? c.fg : c.muted }, q || ctx.format(point.values[i], 4)));
      } else if (mode === "jit") {
        parts.push(h("svg:text", { x: x0, y: yy + 60, "font-size": 15, "font-family": mono, "font-weight": 700,
          fill: on ? color : c.muted }, q || node.aval));
      } else if (mode === "grad") {
        parts.push(h("svg:text", { x: x0, y: yy + 57, "font-size": 12, "font-family": mono, fill: c.muted },
          "= " + ctx.format(point.values[i], 4)));
        parts.push(h("svg:text", { x: x0, y: yy + 77, "font-size": 13, "font-family": mono, fill: on ? color : c.muted },
          h("svg:tspan", {}, "∂f/∂" + node.var + " "),
          h("svg:tspan", { "font-weight": 700, fill: on ? c.fg : c.muted }, q || ctx.format(point.adjoints[i], 4))));
      } else {
        parts.push(h("svg:text", { x: x0, y: yy + 57, "font-size": 13, "font-family": mono, "font-weight": 700,
          fill: on ? color : c.muted }, q || node.vmap_aval));
        point.batch_values[i].forEach(function (v, b) {
          var y = yy + 76 + b * 16;
          parts.push(h("svg:circle", { cx: x0 + 4, cy: y - 4, r: 4, fill: c.series[b], "fill-opacity": on ? 1 : 0.35 }));
          parts.push(h("svg:text", { x: x0 + 14, y: y, "font-size": 12, "font-family": mono, fill: on ? c.fg : c.muted },
            on ? ctx.format(v, 4) : "?"));
        });
      }
      return h("svg:g", { class: "gt-node", "data-node": i, "data-shown": on ? "true" : "false" }, parts);
    });

    // The output leaves the last node on the right; grad's seed enters there.
    var out = L.pos[last], oy = out.y + L.nodeH / 2, ox = out.x + NODE_W;
    var outLive = !!shown[last];
    var outLabel = mode === "vmap" ? "f(xs)" : mode === "grad" ? "seed 1" : "f(x)";
    var output = h("svg:g", {},
      h("svg:line", { x1: ox, y1: oy, x2: ox + 24, y2: oy, stroke: outLive ? color : c.muted, "stroke-width": outLive ? 2.4 : 1.3,
        "marker-end": mode === "grad" ? null : "url(#" + ctx.id + "-arrow-" + (outLive ? "on" : "off") + ")",
        "marker-start": mode === "grad" ? "url(#" + ctx.id + "-arrow-" + (outLive ? "on" : "off") + ")" : null }),
      h("svg:text", { x: ox + 28, y: oy + 4, "font-size": 12, "font-family": mono, fill: outLive ? color : c.muted }, outLabel));

    var title = MODE_NAMES[mode] + " view of the computation graph of f(x) = " + labelOf(data, state) +
      ": " + preset.nodes.length + " nodes, " + state.step + " revealed.";
    return h("svg:svg", { viewBox: "0 0 " + L.width + " " + Math.ceil(L.height), role: "img", "aria-label": title,
      style: "min-width:" + Math.round(520 * L.width / MIN_W) + "px;",
      "data-mode": mode, "data-step": state.step },
      h("svg:title", {}, title), defs, wires, boxes, output);
  }

  /* ---- readouts and the jaxpr listing -------------------------------------- */

  function readouts(data, state, ctx) {
    var h = ctx.h, preset = presetOf(data, state), point = pointOf(data, state);
    var n = preset.nodes.length, last = n - 1, mode = state.mode;
    var order = orderOf(preset, mode);
    var doneOut = order.slice(0, state.step).indexOf(last) >= 0;
    var items = [];
    var item = function (name, value, key) {
      return h("span", { "data-readout": key }, h("span", { style: "color:" + ctx.colors.muted + ";" }, name + " "),
        h("strong", {}, value));
    };
    if (mode === "forward") {
      items.push(item("f(x) =", doneOut ? ctx.format(point.values[last], 4) : "? (step to the output)", "f"));
    } else if (mode === "jit") {
      items.push(item("f(x):", doneOut ? preset.nodes[last].aval : "?", "f"));
      items.push(item("jax.eval_shape(f, x) →", preset.eval_shape, "eval-shape"));
      items.push(h("span", { style: "color:" + ctx.colors.muted + ";" }, "The same trace for every float32 x: no values, so x's slider changes nothing here."));
    } else if (mode === "grad") {
      items.push(item("f(x) =", ctx.format(point.values[last], 4), "f"));
      items.push(item("f′(x) = ∂f/∂" + preset.nodes[0].var + " =",
        order.slice(0, state.step).indexOf(0) >= 0 ? ctx.format(point.adjoints[0], 4) : "? (the input comes last)", "dfdx"));
    } else {
      items.push(h("span", { "data-readout": "xs" }, h("span", { style: "color:" + ctx.colors.muted + ";" }, "xs = "),
        h("strong", {}, "[", point.batch_x.map(function (v, b) {
          return [b ? ", " : "", h("span", { style: "color:" + ctx.colors.series[b] + ";", "aria-hidden": "true" }, "● "), ctx.format(v, 3)];
        }), "]")));
      items.push(item("jax.vmap(f)(xs) =", doneOut ? list(ctx, point.batch_values[last], 4) : "?", "f"));
    }
    return items;
  }

  function jaxprListing(data, state, ctx) {
    var h = ctx.h, preset = presetOf(data, state), mode = state.mode;
    var text = mode === "grad" ? preset.grad_jaxpr : mode === "vmap" ? preset.vmap_jaxpr : preset.jaxpr;
    var lines = text.split("\n");
    var order = orderOf(preset, mode);
    var shown = {};
    order.slice(0, state.step).forEach(function (i) { shown[i] = true; });
    var color = modeColor(ctx, mode);
    var code = h("code", {}, lines.map(function (line, k) {
      // Line 0 binds the input (node 0); line k is equation k, node k. grad's own program is shown as is.
      var node = k < preset.nodes.length ? k : -1;
      var on = mode !== "grad" && node >= 0 && shown[node];
      return h("span", { style: "display:block;" + (on ? "color:" + color + ";font-weight:700;" : "") },
        line || " ");
    }));
    return code;
  }

  function jaxprTitle(state) {
    if (state.mode === "grad") return "The program grad builds, jax.make_jaxpr(jax.grad(f))(x): the forward equations, then the backward ones that compute these adjoints";
    if (state.mode === "vmap") return "jax.make_jaxpr(jax.vmap(f))(xs): the same equations on f32[4] (revealed lines in colour)";
    if (state.mode === "jit") return "jax.make_jaxpr(f)(x): what jit traces — types, no values (revealed lines in colour)";
    return "jax.make_jaxpr(f)(x): one node per equation (revealed lines in colour)";
  }

  /* ---- the player ---------------------------------------------------------- */

  ThinkingInJaxSims.register("graph-tracer", {
    title: "Graph tracer: one jaxpr, four views",

    initialState: function (data) {
      return { preset: 0, xIndex: data.initial_index, mode: "forward", step: 0, playing: false, custom: null };
    },

    render: function (view, data, state, ctx) {
      var refs = view._graphTracer;
      if (!refs || !view.contains(refs.select)) refs = view._graphTracer = build(view, data, ctx);
      refs.state = state;
      var preset = presetOf(data, state), point = pointOf(data, state), n = preset.nodes.length;

      // Play: one node per tick; with reduced motion, never animate.
      if (state.playing && ctx.reducedMotion) {
        if (refs.timer) { refs.timer(); refs.timer = null; }
        ctx.setState({ step: n, playing: false });
        return;
      }
      if (state.playing && !refs.timer) refs.timer = ctx.every(STEP_MS, function () { tick(refs, data, ctx); });
      if (!state.playing && refs.timer) { refs.timer(); refs.timer = null; }

      syncOptions(refs, data, state, ctx);
      refs.select.value = String(state.preset);
      MODES.forEach(function (m) { refs.radios[m.id].checked = m.id === state.mode; });
      refs.range.value = String(state.xIndex);
      refs.range.setAttribute("aria-valuetext", "x = " + xText(ctx, point.x));
      refs.xOut.textContent = "x = " + xText(ctx, point.x);
      refs.play.textContent = state.playing ? "Pause" : "Play";
      refs.play.setAttribute("aria-pressed", state.playing ? "true" : "false");
      refs.back.setAttribute("aria-disabled", state.step <= 0 ? "true" : "false");
      refs.step.setAttribute("aria-disabled", state.step >= n ? "true" : "false");
      refs.counter.textContent = state.step + " of " + n + " nodes revealed";
      refs.source.textContent = "f = lambda x: " + preset.source;
      refs.origin.textContent = isCustom(data, state)
        ? "Your function: traced in your browser by jaxlite, this course's small JAX in Python — not by real JAX."
        : "A preset: traced by real JAX when this site was built.";

      refs.svgBox.textContent = "";
      refs.svgBox.appendChild(drawGraph(data, state, ctx));
      refs.readout.textContent = "";
      readouts(data, state, ctx).forEach(function (el) { refs.readout.appendChild(el); });
      refs.jaxprTitle.textContent = jaxprTitle(state);
      refs.jaxpr.textContent = "";
      refs.jaxpr.appendChild(jaxprListing(data, state, ctx));
    },

    describe: function (data, state) {
      var preset = presetOf(data, state), point = pointOf(data, state);
      var fmt = numberText;
      var n = preset.nodes.length, mode = state.mode, order = orderOf(preset, mode);
      var at = " at x = " + fmt(point.x, 3);
      var head = MODE_NAMES[mode] + " mode, f(x) = " + labelOf(data, state);
      if (state.step === 0) {
        var what = mode === "grad" ? "adjoints flow from the output back to the input"
          : mode === "jit" ? "the tracer's abstract values flow through the " + (n - 1) + " equations"
          : mode === "vmap" ? "a batch of 4 values flows through the " + (n - 1) + " equations"
          : "values flow through the " + (n - 1) + " equations of its jaxpr";
        return head + (mode === "jit" ? "" : at) + ": nothing revealed yet. Press Step or Play to watch " + what + ".";
      }
      var i = order[state.step - 1], node = preset.nodes[i];
      var eq = node.kind === "input" ? "the input " + node.var : node.var + " = " + node.primitive +
        (node.params ? "[" + node.params + "]" : "") + " " + node.operands.map(function (o) {
          return o.literal !== undefined ? o.literal : o.var; }).join(" ");
      var where = head + ", step " + state.step + " of " + n;
      if (mode === "forward") {
        var s = where + at + ": " + eq + " gives " + node.var + " = " + fmt(point.values[i], 4) + ".";
        return i === n - 1 ? s + " That is the output, f(x) = " + fmt(point.values[i], 4) + "." : s;
      }
      if (mode === "jit") {
        return where + ": " + eq + " has abstract value " + node.aval + " — a shape and dtype, no number." +
          (i === n - 1 ? " jax.eval_shape(f, x) gives " + preset.eval_shape + "." : "");
      }
      if (mode === "grad") {
        var g = where + at + ": the adjoint ∂f/∂" + node.var + " of " + eq + " is " + fmt(point.adjoints[i], 4) + ".";
        return i === 0 ? g + " That is f′(x); jax.grad(f)(x) gives " + fmt(point.dfdx, 4) + "." : g;
      }
      return where + " with xs = " + "[" + point.batch_x.map(function (v) { return fmt(v, 3); }).join(", ") + "]: " + eq +
        " gives " + node.vmap_aval + " [" + point.batch_values[i].map(function (v) { return fmt(v, 4); }).join(", ") + "].";
    },

    table: function (data, state) {
      var preset = presetOf(data, state), point = pointOf(data, state), mode = state.mode;
      var fmt = numberText;
      var order = orderOf(preset, mode);
      var rows = order.map(function (i, k) {
        var node = preset.nodes[i];
        var eq = mode === "vmap" ? node.vmap_equation : node.equation;
        var base = [k + 1, node.var, node.kind === "input" ? "input" : node.primitive + (node.params ? "[" + node.params + "]" : ""), eq];
        if (mode === "forward") return base.concat([point.values[i]]);
        if (mode === "jit") return base.concat([node.aval]);
        if (mode === "grad") return base.concat([point.values[i], point.adjoints[i], sentBack(preset, point, i)]);
        return base.concat([point.batch_values[i].map(function (v) { return fmt(v, 4); }).join(", ")]);
      });
      var columns = ["order", "variable", "primitive", "equation in the jaxpr"];
      var last = { forward: ["value"], jit: ["abstract value"], grad: ["value", "adjoint ∂f/∂variable", "sent back along each operand wire"],
        vmap: ["4 values (xs = " + point.batch_x.map(function (v) { return fmt(v, 3); }).join(", ") + ")"] }[mode];
      return {
        caption: MODE_NAMES[mode] + " mode: the nodes of f(x) = " + labelOf(data, state) +
          (mode === "jit" ? "" : " at x = " + fmt(point.x, 3)) + ", in the order they are revealed",
        columns: columns.concat(last),
        rows: rows
      };
    }
  });

  /* What grad sends back from node i along each wire into it, as its wires are labelled. */
  function sentBack(preset, point, i) {
    var parts = [];
    preset.edges.forEach(function (e, k) {
      if (e.to !== i) return;
      var ct = point.edge_adjoints[k];
      parts.push("to " + preset.nodes[e.from].var + ": " + (typeof ct === "number" && ct >= 0 ? "+" : "") + numberText(ct, 3));
    });
    return parts.join(", ") || "—";
  }

  /* describe and table get no ctx: they write numbers with the core's ctx.format. */
  function numberText(value, digits) { return ThinkingInJaxSims.format(value, digits); }
})();
