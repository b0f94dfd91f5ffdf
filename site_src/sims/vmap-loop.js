/* vmap-loop — a Python loop beside vmap, in_axes with real shapes, and real timings.
 *
 * Three parts, all drawn from baked data (sims/vmap_loop.py):
 *  1. The loop, one example per Step (each baked predict(W, xs[i]) output
 *     appears in its row), beside vmap, which fills every output at the
 *     first step: one call.
 *  2. An in_axes radio group: the baked input shapes, the shapes predict
 *     really saw inside vmap, the output shape, the batched jaxpr, and what
 *     JAX did with the animation's own (W, xs) (a shape or the real error).
 *  3. A log-scale chart of the baked timings of the loop, vmap and jit(vmap)
 *     over batch sizes, with one batch size highlighted.
 * State: { step: 0..N, playing: bool, axes: index into data.in_axes,
 *          batch: index into data.batch_sizes }.
 */
(function () {
  "use strict";

  var SIM = "vmap-loop";
  var INTERVAL_MS = 800;
  var METHODS = [
    { key: "loop", label: "Python loop" },
    { key: "vmap", label: "vmap" },
    { key: "jit_vmap", label: "jit(vmap)" }
  ];

  /* ---- formatting of baked values ------------------------------------------- */

  function num(v) {
    var s = String(Math.round(v * 10000) / 10000);
    return s.charAt(0) === "-" ? "−" + s.slice(1) : s;
  }

  function vec(list) { return "[" + list.map(num).join(", ") + "]"; }

  function shape(dims) {
    if (!dims) return "—";
    return "(" + dims.join(", ") + (dims.length === 1 ? ",)" : ")");
  }

  function ms(v) {
    if (v >= 100) return v.toFixed(0);
    if (v >= 10) return v.toFixed(1);
    if (v >= 1) return v.toFixed(2);
    return v.toPrecision(2);
  }

  function pyList(m) {           // the baked matrix as Python prints a list of floats
    return "[" + m.map(function (row) {
      return "[" + row.map(function (v) { return Number.isInteger(v) ? v.toFixed(1) : String(v); }).join(", ") + "]";
    }).join(", ") + "]";
  }

  function steps(data) { return data.steps.length; }

  /* ---- the skeleton: controls and readouts, built once so focus survives ---- */

  function build(view, data, ctx) {
    var h = ctx.h, uid = ctx.id;
    var ui = { state: null, stop: null, radios: [], labels: [] };
    view.textContent = "";
    var btn = "margin:0 0.5em 0 0;padding:0.25em 1em;font-size:0.7rem;cursor:pointer;min-width:4.5em;";
    var small = "margin:0.8em 0 0.2em;font-size:0.72rem;font-weight:700";

    // Part 1: loop and vmap.
    ui.code = h("code", {});
    ui.stepBtn = h("button", { type: "button", id: uid + "-step", class: "md-button md-button--primary", style: btn,
      onclick: function () {
        var s = ui.state;
        if (s.step < steps(data)) ctx.setState({ step: s.step + 1, playing: false });
        else if (s.playing) ctx.setState({ playing: false });
      } }, "Step");
    ui.playBtn = h("button", { type: "button", id: uid + "-play", class: "md-button", style: btn,
      onclick: function () {
        var s = ui.state;
        if (ctx.reducedMotion) ctx.setState({ step: steps(data), playing: false });   // no animation: jump to the end
        else if (s.playing) ctx.setState({ playing: false });
        else ctx.setState({ playing: true, step: s.step >= steps(data) ? 0 : s.step });
      } }, "Play");
    ui.resetBtn = h("button", { type: "button", id: uid + "-reset", class: "md-button", style: btn,
      onclick: function () { ctx.setState({ step: 0, playing: false }); } }, "Reset");
    ui.counter = h("span", { "data-readout": "step", style: "font-size:0.72rem;font-variant-numeric:tabular-nums" });
    ui.anim = h("div", { style: "margin:0.5em 0 0" });

    // Part 2: in_axes.
    var group = h("fieldset", { style: "border:0;margin:0;padding:0;min-width:0" },
      h("legend", { style: "font-size:0.7rem;font-weight:600;padding:0;margin-bottom:0.2em" }, "in_axes for (params, x)"));
    data.in_axes.forEach(function (c, k) {
      var input = h("input", { type: "radio", name: uid + "-axes", id: uid + "-axes-" + k, value: String(k),
        style: "margin:0 0.3em 0 0", onchange: function () { if (input.checked) ctx.setState({ axes: k }); } });
      var label = h("label", { "for": uid + "-axes-" + k,
        style: "display:inline-flex;align-items:center;margin:0 0.4em 0.35em 0;padding:0.1em 0.7em 0.1em 0.4em;" +
               "border-radius:1em;font-size:0.72rem;cursor:pointer;white-space:nowrap;font-family:var(--md-code-font-family,monospace)" },
        input, c.in_axes);
      ui.radios.push(input);
      ui.labels.push(label);
      group.appendChild(label);
    });
    ui.axesCall = h("code", { "data-call": "in-axes" });
    ui.axesPic = h("div", { style: "margin:0.3em 0 0" });
    ui.axesFacts = h("div", { style: "font-size:0.72rem;margin:0.3em 0 0" });
    ui.asIs = h("div", { style: "font-size:0.72rem;margin:0.5em 0 0" });
    ui.jaxprPer = h("code", { "data-jaxpr": "per-example" });
    ui.jaxprBatched = h("code", { "data-jaxpr": "batched" });
    ui.jaxprTitle = h("p", { style: "margin:0 0 0.2em;font-size:0.68rem;font-weight:600" });

    // Part 3: timings.
    ui.select = h("select", { id: uid + "-batch", style: "font-size:0.72rem;margin-left:0.4em",
      onchange: function (e) { ctx.setState({ batch: parseInt(e.target.value, 10) }); } },
      data.batch_sizes.map(function (n, k) { return h("option", { value: String(k) }, String(n)); }));
    ui.chart = h("div", { style: "margin:0.4em 0 0" });
    ui.readout = h("p", { "data-readout": "timing", style: "margin:0.3em 0 0;font-size:0.72rem;font-variant-numeric:tabular-nums" });
    ui.note = h("p", { style: "margin:0.3em 0 0;font-size:0.65rem" });

    var pre = "margin:0;font-size:0.65rem";
    view.appendChild(h("p", { style: small.replace("0.8em", "0") }, "1 · A Python loop, one example per step, beside vmap"));
    view.appendChild(h("pre", { style: "margin:0 0 0.5em" }, ui.code));
    view.appendChild(h("div", { style: "display:flex;flex-wrap:wrap;align-items:center;gap:0.3em" },
      ui.stepBtn, ui.playBtn, ui.resetBtn, ui.counter));
    view.appendChild(ui.anim);
    view.appendChild(h("p", { style: small }, "2 · in_axes: which axis of each argument is the batch"));
    view.appendChild(group);
    view.appendChild(h("pre", { style: "margin:0.2em 0 0.3em" }, ui.axesCall));
    view.appendChild(ui.axesPic);
    view.appendChild(ui.axesFacts);
    view.appendChild(ui.asIs);
    view.appendChild(h("div", { style: "display:grid;grid-template-columns:repeat(auto-fit,minmax(17em,1fr));gap:0.5em;margin:0.6em 0 0" },
      h("div", { style: "min-width:0" },
        h("p", { style: "margin:0 0 0.2em;font-size:0.68rem;font-weight:600" }, "make_jaxpr(predict)(W, xs[0]) — one example"),
        h("pre", { style: pre }, ui.jaxprPer)),
      h("div", { style: "min-width:0" }, ui.jaxprTitle, h("pre", { style: pre }, ui.jaxprBatched))));
    view.appendChild(h("p", { style: small }, "3 · Measured: Python loop, vmap and jit(vmap) by batch size"));
    view.appendChild(h("label", { "for": uid + "-batch", style: "font-size:0.72rem" }, "Highlight batch size"));
    view.appendChild(ui.select);
    view.appendChild(ui.chart);
    view.appendChild(ui.readout);
    view.appendChild(ui.note);

    ui.code.textContent = data.source + "\n\n" +
      "W = " + pyList(data.W) + "    # (2, 3), shared by every example\n" +
      "xs = a batch of " + data.xs.length + " examples, shape (" + data.xs.length + ", " + data.xs[0].length + ")\n\n" +
      "looped  = jnp.stack([predict(W, x) for x in xs])          # " + data.xs.length + " calls\n" +
      "vmapped = jax.vmap(predict, in_axes=(None, 0))(W, xs)     # 1 call";
    ui.jaxprPer.textContent = data.jaxprs.per_example;
    window.addEventListener("resize", function () {
      if (ui.state && Math.abs((ui.anim.clientWidth || 0) - ui.width) > 40) ctx.setState({});
    });
    view._vmapLoop = ui;
    return ui;
  }

  /* ---- render ----------------------------------------------------------------- */

  function render(view, data, state, ctx) {
    var ui = view._vmapLoop;
    if (!ui || !view.contains(ui.stepBtn)) ui = build(view, data, ctx);
    ui.state = state;
    var col = ctx.colors, N = steps(data);

    // Play: a pausable timer, running only while state.playing (never with reduced motion).
    var animate = state.playing && !ctx.reducedMotion;
    if (animate && !ui.stop) {
      ui.stop = ctx.every(INTERVAL_MS, function () {
        var s = ui.state;
        if (!s.playing) return;
        var next = Math.min(s.step + 1, N);
        ctx.setState({ step: next, playing: next < N });
      });
    } else if (!animate && ui.stop) {
      ui.stop();
      ui.stop = null;
    }
    ui.playBtn.textContent = animate ? "Pause" : "Play";
    ui.playBtn.setAttribute("aria-label", animate ? "Pause" : (ctx.reducedMotion ? "Play (jumps to the last step)" : "Play"));
    ui.stepBtn.setAttribute("aria-disabled", String(state.step >= N));
    ui.stepBtn.style.opacity = state.step >= N ? "0.55" : "";
    ui.counter.textContent = "Step " + state.step + " of " + N + " · loop: " + state.step +
      (state.step === 1 ? " call" : " calls") + " · vmap: " + (state.step ? "1 call" : "0 calls");

    ui.width = ui.anim.clientWidth || ui.width || 680;
    ui.anim.textContent = "";
    ui.anim.appendChild(animation(data, state, ctx, ui.width));

    // in_axes.
    var c = data.in_axes[state.axes];
    ui.radios.forEach(function (input, k) {
      var on = state.axes === k;
      input.checked = on;
      ui.labels[k].style.border = "1px solid " + (on ? col.primary : col.faint);
      ui.labels[k].style.color = on ? col.fg : col.muted;
      ui.labels[k].style.fontWeight = on ? "600" : "400";
    });
    ui.axesCall.textContent = "jax.vmap(predict, in_axes=" + c.in_axes + ")(params, x)   # params: " +
      shape(c.params_shape) + ", x: " + shape(c.x_shape);
    ui.axesPic.textContent = "";
    ui.axesPic.appendChild(axesPicture(data, c, ctx, ui.width));
    facts(ui, data, c, ctx);
    ui.jaxprTitle.textContent = "make_jaxpr(vmap(predict, in_axes=" + c.in_axes + "))(params, x) — the batch";
    ui.jaxprBatched.textContent = c.jaxpr;

    // Timings.
    ui.select.value = String(state.batch);
    ui.chart.textContent = "";
    ui.chart.appendChild(timingChart(data, state, ctx, ui.width));
    var n = data.batch_sizes[state.batch], t = data.timings;
    ui.readout.textContent = "Batch of " + n + ": Python loop " + ms(t.loop[state.batch]) + " ms, vmap " +
      ms(t.vmap[state.batch]) + " ms, jit(vmap) " + ms(t.jit_vmap[state.batch]) + " ms per call.";
    ui.note.textContent = "";
    ui.note.appendChild(h(ctx, "span", { style: "color:" + col.muted },
      "Wall-clock times measured when this site was built, on " + ctx.provenance.machine + " (median of " + data.repeats +
      " calls each, after warm-up calls, so jit's compile time is not included): they vary between machines and runs. " +
      "The time axis is logarithmic: each grid line is 10× the one below."));
  }

  function h(ctx) { return ctx.h.apply(null, Array.prototype.slice.call(arguments, 1)); }

  function facts(ui, data, c, ctx) {
    var col = ctx.colors;
    ui.axesFacts.textContent = "";
    var line = function (name, axis, full, seen) {
      return h(ctx, "div", { style: "margin:0.1em 0" },
        h(ctx, "code", {}, name), " " + shape(full) + " — ",
        axis === null ? "in_axes None: not mapped, the same value for every example, so predict sees " :
                        "mapped along axis " + axis + ": predict sees one slice, ",
        h(ctx, "code", {}, shape(seen)));
    };
    ui.axesFacts.appendChild(line("params", c.params_axis, c.params_shape, c.params_seen));
    ui.axesFacts.appendChild(line("x", c.x_axis, c.x_shape, c.x_seen));
    ui.axesFacts.appendChild(h(ctx, "div", { style: "margin:0.2em 0 0;font-weight:600" }, "Output shape: ",
      h(ctx, "code", { "data-output-shape": "true" }, shape(c.output_shape)),
      h(ctx, "span", { style: "font-weight:400;color:" + col.muted }, " — one result of shape (2,) per example, batch axis first")));
    ui.asIs.textContent = "";
    var a = c.as_is;
    ui.asIs.appendChild(h(ctx, "div", {}, "With the animation's own ", h(ctx, "code", {}, "(W, xs)"),
      ", shapes (2, 3) and (4, 3), as they are: ",
      a.ok ? h(ctx, "span", { "data-as-is": "ok" }, "runs, output ", h(ctx, "code", {}, shape(a.shape)))
           : h(ctx, "span", { "data-as-is": "error", style: "color:" + col.accent + ";font-weight:600" }, "JAX raises " + a.error_type + ":")));
    if (!a.ok) {
      ui.asIs.appendChild(h(ctx, "pre", { style: "margin:0.2em 0 0;font-size:0.62rem;white-space:pre-wrap" },
        h(ctx, "code", { "data-error": "true" }, a.error_type + ": " + a.error)));
    }
  }

  /* ---- part 1: the loop and vmap, side by side ------------------------------- */

  function animation(data, state, ctx, width) {
    var col = ctx.colors, W = Math.max(300, Math.min(900, Math.round(width)));
    var wide = W >= 600;
    var P = wide ? (W - 24) / 2 : W;                 // panel width
    var narrow = P < 380;
    var cellW = narrow ? 34 : 40, cellH = 26, outW = narrow ? 46 : 54, gap = 8, rowLabel = 44;
    var rows = data.xs.length, PH = 66 + rows * (cellH + gap) + 34;
    var height = wide ? PH : 2 * PH + 16;
    var svg = h(ctx, "svg:svg", { viewBox: "0 0 " + W + " " + height, role: "img",
      "aria-label": "Left: the Python loop, one example per step. Right: vmap, every example in one call.",
      style: "font-family:var(--md-text-font-family, sans-serif);max-width:" + W + "px" });
    [0, 1].forEach(function (k) {
      var x0 = wide ? k * (P + 24) : 0, y0 = wide ? 0 : k * (PH + 16);
      panel(svg, data, state, ctx, k === 0, x0, y0, P, PH, { cellW: cellW, cellH: cellH, outW: outW, gap: gap, rowLabel: rowLabel });
    });
    return svg;
  }

  function panel(svg, data, state, ctx, isLoop, x0, y0, P, PH, g) {
    var col = ctx.colors, rows = data.xs.length;
    var g0 = h(ctx, "svg:g", { "data-panel": isLoop ? "loop" : "vmap" });
    svg.appendChild(g0);
    g0.appendChild(h(ctx, "svg:rect", { x: x0 + 0.5, y: y0 + 0.5, width: P - 1, height: PH - 1, rx: 8,
      fill: "none", stroke: col.faint }));
    g0.appendChild(h(ctx, "svg:text", { x: x0 + 12, y: y0 + 22, "font-size": 14, "font-weight": 700, fill: col.fg },
      isLoop ? "Python loop" : "vmap"));
    g0.appendChild(h(ctx, "svg:text", { x: x0 + P - 12, y: y0 + 22, "font-size": 12, fill: col.muted, "text-anchor": "end" },
      isLoop ? "predict(W, xs[i]) per step" : "vmap(predict)(W, xs): one call"));
    var calls = isLoop ? state.step : (state.step > 0 ? 1 : 0);
    var gridX = x0 + 12 + g.rowLabel, top = y0 + 54;
    var arrowX0 = gridX + 3 * g.cellW + 6, outX = x0 + P - 12 - 2 * g.outW, arrowX1 = outX - 6;
    g0.appendChild(h(ctx, "svg:text", { x: gridX + 1.5 * g.cellW, y: top - 8, "font-size": 12, fill: col.muted, "text-anchor": "middle" }, "xs (4, 3)"));
    g0.appendChild(h(ctx, "svg:text", { x: outX + g.outW, y: top - 8, "font-size": 12, fill: col.muted, "text-anchor": "middle" },
      isLoop ? "outputs, (2,) each" : "output (4, 2)"));
    for (var i = 0; i < rows; i++) {
      var y = top + i * (g.cellH + g.gap);
      var done = isLoop ? i < state.step : state.step > 0;
      var current = isLoop ? i === state.step - 1 : state.step > 0;
      var colour = col.series[i % col.series.length];
      var row = h(ctx, "svg:g", { "data-row": i, "data-done": String(done), "data-current": String(isLoop && current) });
      g0.appendChild(row);
      row.appendChild(h(ctx, "svg:text", { x: gridX - 6, y: y + g.cellH / 2 + 4.5, "font-size": 12, "text-anchor": "end",
        fill: done ? colour : col.muted, "font-weight": current ? 700 : 400, "font-family": "var(--md-code-font-family, monospace)" }, "xs[" + i + "]"));
      data.xs[i].forEach(function (v, j) {
        row.appendChild(h(ctx, "svg:rect", { x: gridX + j * g.cellW, y: y, width: g.cellW, height: g.cellH,
          fill: done ? colour : "none", "fill-opacity": done ? (current ? 0.3 : 0.14) : 0,
          stroke: current ? colour : col.faint, "stroke-width": current ? 2 : 1 }));
        row.appendChild(h(ctx, "svg:text", { x: gridX + (j + 0.5) * g.cellW, y: y + g.cellH / 2 + 4.5, "font-size": 12,
          "text-anchor": "middle", fill: col.fg }, num(v)));
      });
      var out = isLoop ? data.steps[i].output : data.vmap_output[i];
      out.forEach(function (v, j) {
        row.appendChild(h(ctx, "svg:rect", { x: outX + j * g.outW, y: y, width: g.outW, height: g.cellH,
          fill: done ? colour : "none", "fill-opacity": done ? 0.14 : 0, stroke: done ? colour : col.faint,
          "stroke-dasharray": done ? null : "3 3" }));
        if (done) {
          row.appendChild(h(ctx, "svg:text", { x: outX + (j + 0.5) * g.outW, y: y + g.cellH / 2 + 4.5, "font-size": 12,
            "text-anchor": "middle", fill: col.fg, "font-weight": 600, "data-output": i + "," + j }, num(v)));
        }
      });
      if (isLoop && current) arrow(g0, ctx, arrowX0, arrowX1, y + g.cellH / 2, colour, "predict");
    }
    if (!isLoop && state.step > 0) {
      var yTop = top + g.cellH / 2, yBot = top + (rows - 1) * (g.cellH + g.gap) + g.cellH / 2;
      for (var r = 0; r < rows; r++) arrow(g0, ctx, arrowX0, arrowX1, yTop + r * (yBot - yTop) / (rows - 1), col.primary, null);
      var mid = (yTop + yBot) / 2;
      g0.appendChild(h(ctx, "svg:rect", { x: (arrowX0 + arrowX1) / 2 - 30, y: mid - 11, width: 60, height: 20, rx: 4, fill: col.bg, stroke: col.primary }));
      g0.appendChild(h(ctx, "svg:text", { x: (arrowX0 + arrowX1) / 2, y: mid + 4, "font-size": 12, "text-anchor": "middle", fill: col.primary,
        "font-weight": 700 }, "predict"));
    }
    var foot = y0 + PH - 12;
    var text = isLoop
      ? (state.step === 0 ? "Press Step: the loop will call predict on xs[0]." :
         state.step < rows ? "Call " + state.step + " done: predict(W, xs[" + (state.step - 1) + "]) → " + vec(data.steps[state.step - 1].output) :
         rows + " calls, " + rows + " outputs: stacked to (4, 2).")
      : (state.step === 0 ? "Waiting: vmap needs one step for the whole batch." :
         "1 call, all " + rows + " outputs at once: one batched dot_general.");
    g0.appendChild(h(ctx, "svg:text", { x: x0 + 12, y: foot, "font-size": 12, fill: calls ? col.fg : col.muted, "data-caption": isLoop ? "loop" : "vmap" }, text));
  }

  function arrow(parent, ctx, x1, x2, y, colour, label) {
    parent.appendChild(h(ctx, "svg:line", { x1: x1, x2: x2 - 6, y1: y, y2: y, stroke: colour, "stroke-width": 2 }));
    parent.appendChild(h(ctx, "svg:path", { d: "M" + (x2 - 7) + "," + (y - 4.5) + " L" + x2 + "," + y + " L" + (x2 - 7) + "," + (y + 4.5) + " Z", fill: colour }));
    if (label) {
      parent.appendChild(h(ctx, "svg:text", { x: (x1 + x2) / 2, y: y - 6, "font-size": 12, "text-anchor": "middle", fill: colour, "font-weight": 700 }, label));
    }
  }

  /* ---- part 2: a picture of the mapped axes ------------------------------------ */

  // Draws each argument as a grid of cells; the slices along the mapped axis get
  // one colour per example, an unmapped argument is drawn once, grey, "shared".
  function axesPicture(data, c, ctx, width) {
    var col = ctx.colors, W = Math.max(300, Math.min(900, Math.round(width)));
    var cs = W < 520 ? 8 : 14, H = 118;
    var svg = h(ctx, "svg:svg", { viewBox: "0 0 " + W + " " + H, role: "img",
      "aria-label": "params " + shape(c.params_shape) + (c.params_axis === null ? " shared" : " mapped on axis " + c.params_axis) +
        ", x " + shape(c.x_shape) + (c.x_axis === null ? " shared" : " mapped on axis " + c.x_axis) + ", output " + shape(c.output_shape),
      style: "font-family:var(--md-text-font-family, sans-serif);max-width:" + W + "px" });
    var slots = [
      { name: "params", dims: c.params_shape, axis: c.params_axis },
      { name: "x", dims: c.x_shape, axis: c.x_axis },
      { name: "output", dims: c.output_shape, axis: 0 }
    ];
    var slotW = W / 3;
    slots.forEach(function (s, k) {
      var cx = k * slotW + slotW / 2;
      svg.appendChild(h(ctx, "svg:text", { x: cx, y: 14, "font-size": 12, "text-anchor": "middle", fill: col.fg, "font-weight": 600 },
        s.name + " " + shape(s.dims)));
      svg.appendChild(h(ctx, "svg:text", { x: cx, y: H - 4, "font-size": 12, "text-anchor": "middle",
        fill: s.axis === null ? col.muted : col.fg }, k === 2 ? "one row per example" : (s.axis === null ? "shared (None)" : "batch on axis " + s.axis)));
      grid(svg, ctx, s, cx, 24, cs, H - 46);
      if (k === 1) {
        svg.appendChild(h(ctx, "svg:text", { x: 2 * slotW, y: 62, "font-size": 16, "text-anchor": "middle", fill: col.muted }, "→"));
      }
    });
    return svg;
  }

  function grid(svg, ctx, s, cx, top, cs, maxH) {
    var col = ctx.colors, d = s.dims;
    var colour = function (i) { return col.series[i % col.series.length]; };
    if (d.length === 3) {                       // a stack of matrices: draw them side by side
      var sep = cs < 10 ? 4 : 6, mw = d[2] * cs, total = d[0] * mw + (d[0] - 1) * sep, x0 = cx - total / 2;
      for (var b = 0; b < d[0]; b++) {
        for (var r = 0; r < d[1]; r++) for (var q = 0; q < d[2]; q++) {
          svg.appendChild(h(ctx, "svg:rect", { x: x0 + b * (mw + sep) + q * cs, y: top + 18 + r * cs, width: cs, height: cs,
            fill: s.axis === 0 ? colour(b) : col.faint, "fill-opacity": 0.35, stroke: s.axis === 0 ? colour(b) : col.muted, "stroke-width": 1 }));
        }
      }
      return;
    }
    var rowsN = d.length === 2 ? d[0] : 1, colsN = d.length === 2 ? d[1] : d[0];
    var gw = colsN * cs, gh = rowsN * cs, gx = cx - gw / 2, gy = top + Math.max(0, (maxH - gh) / 2);
    for (var i = 0; i < rowsN; i++) for (var j = 0; j < colsN; j++) {
      var ex = null;
      if (s.axis === 0 && d.length === 2) ex = i;
      else if (s.axis === 1) ex = j;
      svg.appendChild(h(ctx, "svg:rect", { x: gx + j * cs, y: gy + i * cs, width: cs, height: cs,
        fill: ex === null ? col.faint : colour(ex), "fill-opacity": 0.35, stroke: ex === null ? col.muted : colour(ex), "stroke-width": 1 }));
    }
  }

  /* ---- part 3: timings on a log scale ----------------------------------------- */

  function timingChart(data, state, ctx, width) {
    var col = ctx.colors, W = Math.max(300, Math.min(900, Math.round(width)));
    var H = 250, left = 70, right = W >= 520 ? 96 : 20, top = 30, bottom = 40;
    var all = [];
    METHODS.forEach(function (m) { all = all.concat(data.timings[m.key]); });
    var lo = Math.floor(Math.log(Math.min.apply(null, all)) / Math.LN10);
    var hi = Math.ceil(Math.log(Math.max.apply(null, all)) / Math.LN10);
    if (hi === lo) hi = lo + 1;
    var n = data.batch_sizes.length;
    var px = function (k) { return left + (W - left - right) * (n === 1 ? 0.5 : k / (n - 1)); };
    var py = function (v) { return top + (H - top - bottom) * (hi - Math.log(v) / Math.LN10) / (hi - lo); };
    var svg = h(ctx, "svg:svg", { viewBox: "0 0 " + W + " " + H, role: "img",
      "aria-label": "Milliseconds per call, log scale, against batch size, for the Python loop, vmap and jit(vmap).",
      style: "font-family:var(--md-text-font-family, sans-serif);max-width:" + W + "px" });
    // Highlight band.
    var bx = px(state.batch);
    svg.appendChild(h(ctx, "svg:rect", { x: bx - 22, y: top - 6, width: 44, height: H - top - bottom + 12, rx: 6,
      fill: col.primary, "fill-opacity": 0.1, "data-highlight": data.batch_sizes[state.batch] }));
    // Decades.
    for (var e = lo; e <= hi; e++) {
      var y = py(Math.pow(10, e));
      svg.appendChild(h(ctx, "svg:line", { x1: left, x2: W - right, y1: y, y2: y, stroke: col.faint }));
      svg.appendChild(h(ctx, "svg:text", { x: left - 6, y: y + 4, "font-size": 12, "text-anchor": "end", fill: col.muted },
        +Math.pow(10, e).toPrecision(1) + " ms"));
    }
    data.batch_sizes.forEach(function (b, k) {
      svg.appendChild(h(ctx, "svg:text", { x: px(k), y: H - bottom + 18, "font-size": 12, "text-anchor": "middle",
        fill: k === state.batch ? col.fg : col.muted, "font-weight": k === state.batch ? 700 : 400 }, String(b)));
    });
    svg.appendChild(h(ctx, "svg:text", { x: (left + W - right) / 2, y: H - 4, "font-size": 12, "text-anchor": "middle", fill: col.muted },
      "batch size (examples per call)"));
    // Series.
    var legendX = left;
    METHODS.forEach(function (m, s) {
      var colour = col.series[s], vals = data.timings[m.key];
      var d = vals.map(function (v, k) { return (k ? "L" : "M") + px(k).toFixed(1) + "," + py(v).toFixed(1); }).join(" ");
      svg.appendChild(h(ctx, "svg:path", { d: d, fill: "none", stroke: colour, "stroke-width": 2, "data-series": m.key }));
      vals.forEach(function (v, k) {
        var on = k === state.batch;
        svg.appendChild(h(ctx, "svg:circle", { cx: px(k), cy: py(v), r: on ? 5.5 : 3.5, fill: on ? colour : col.bg, stroke: colour, "stroke-width": 2 },
          h(ctx, "svg:title", {}, m.label + ", batch " + data.batch_sizes[k] + ": " + ms(v) + " ms")));
      });
      if (right > 40) {
        svg.appendChild(h(ctx, "svg:text", { x: W - right + 8, y: py(vals[n - 1]) + 4 + (s - 1) * 0, "font-size": 12, fill: colour, "font-weight": 600 }, m.label));
      }
      svg.appendChild(h(ctx, "svg:rect", { x: legendX, y: 8, width: 14, height: 4, fill: colour }));
      svg.appendChild(h(ctx, "svg:text", { x: legendX + 19, y: 15, "font-size": 12, fill: col.fg }, m.label));
      legendX += 19 + m.label.length * 7 + 18;
    });
    return svg;
  }

  /* ---- words and table ------------------------------------------------------------ */

  function describe(data, state) {
    var N = steps(data), c = data.in_axes[state.axes], k = state.batch, t = data.timings;
    var loop;
    if (state.step === 0) loop = "Step 0 of " + N + ": the loop has made no call yet and vmap has not run.";
    else {
      var last = data.steps[state.step - 1];
      loop = "Step " + state.step + " of " + N + ": the loop has called predict " + state.step + (state.step === 1 ? " time" : " times") +
        " (the last, on xs[" + last.example + "] = " + vec(last.x) + ", gave " + vec(last.output) + "); vmap made one call and produced all " +
        N + " outputs.";
    }
    var axes = "in_axes=" + c.in_axes + ": params " + shape(c.params_shape) + ", x " + shape(c.x_shape) + " → output " +
      shape(c.output_shape) + (c.as_is.ok ? "." : "; with (W, xs) as they are JAX raises " + c.as_is.error_type + ".");
    var timing = "Batch " + data.batch_sizes[k] + ": loop " + ms(t.loop[k]) + " ms, vmap " + ms(t.vmap[k]) + " ms, jit(vmap) " +
      ms(t.jit_vmap[k]) + " ms.";
    return loop + " " + axes + " " + timing;
  }

  function table(data, state) {
    var rows = [];
    data.steps.forEach(function (s, i) {
      rows.push(["Loop step " + (i + 1), "predict(W, xs[" + s.example + "])", "W (2, 3)", "x = " + vec(s.x), vec(s.output)]);
    });
    rows.push(["vmap (one call)", "in_axes=(None, 0)", "W (2, 3)", "xs (" + data.xs.length + ", " + data.xs[0].length + ")",
      "[" + data.vmap_output.map(vec).join(", ") + "]"]);
    data.in_axes.forEach(function (c) {
      rows.push(["in_axes", c.in_axes, "params " + shape(c.params_shape) + " (sees " + shape(c.params_seen) + ")",
        "x " + shape(c.x_shape) + " (sees " + shape(c.x_seen) + ")",
        "output " + shape(c.output_shape) + "; with (W, xs) as is: " + (c.as_is.ok ? shape(c.as_is.shape) : c.as_is.error_type)]);
    });
    data.batch_sizes.forEach(function (n, k) {
      rows.push(["Timing", "batch " + n, "loop " + ms(data.timings.loop[k]) + " ms", "vmap " + ms(data.timings.vmap[k]) + " ms",
        "jit(vmap) " + ms(data.timings.jit_vmap[k]) + " ms"]);
    });
    return {
      caption: "Baked with real JAX: the loop's outputs step by step and vmap's in one call; each in_axes choice with its input " +
               "shapes, the shapes predict sees, and the output shape; median milliseconds per call by batch size (measured at build, they vary).",
      columns: ["Part", "Setting", "params, or loop time", "x, or vmap time", "Result, or jit(vmap) time"],
      rows: rows
    };
  }

  ThinkingInJaxSims.register(SIM, {
    title: "A Python loop beside vmap",
    initialState: function (data) { return { step: 0, playing: false, axes: 0, batch: data.batch_sizes.length - 1 }; },
    render: render,
    describe: describe,
    table: table
  });
})();
