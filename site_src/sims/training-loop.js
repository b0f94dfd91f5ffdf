/* Thinking in JAX — "training-loop": gradient descent on Chapter 9's regression
 * problem, one baked training step per frame.
 *
 * Every number drawn here was baked with real JAX (sims/training_loop.py): the
 * data, the parameters, loss and gradient of every step of the jitted
 * value_and_grad train_step at each learning rate, and the model's predictions
 * on a grid of x. This player only selects a frame (learning-rate index, step
 * index) and lays it out; it never evaluates the model or a gradient.
 * State: { lr: index into data.runs, step: 0..data.steps, playing: bool }.
 */
(function () {
  "use strict";

  var INTERVAL_MS = 150;
  var SUPERSCRIPT = { "-": "⁻", "0": "⁰", "1": "¹", "2": "²", "3": "³", "4": "⁴", "5": "⁵", "6": "⁶", "7": "⁷", "8": "⁸", "9": "⁹" };

  function finite(v) { return typeof v === "number" && isFinite(v); }

  // A baked value for reading: 4 significant digits (exponent form below 0.001 and from 10⁴ on),
  // a real minus sign, ∞/−∞/NaN for the non-finite values baked as "inf"/"-inf"/"nan".
  function num(v) {
    if (v === "nan" || (typeof v === "number" && isNaN(v))) return "NaN";
    if (v === "-inf" || v === -Infinity) return "−∞";
    if (!finite(v)) return "∞";
    var size = Math.abs(v);
    var s = v === 0 ? "0" : (size < 1e-3 || size >= 1e4) ? v.toExponential(3) : v.toPrecision(4);
    return s.replace(/^-/, "−");
  }

  function rateLabel(lr) { return String(lr); }

  function power(d) {
    return "10" + String(d).split("").map(function (c) { return SUPERSCRIPT[c]; }).join("");
  }

  function allFinite(list) {
    for (var i = 0; i < list.length; i++) if (!finite(list[i])) return false;
    return true;
  }

  // What the current frame means, in words (from the baked verdict and numbers).
  function message(data, state) {
    var run = data.runs[state.lr];
    var loss = run.loss[state.step];
    var best = data.least_squares.loss;
    if (!finite(loss)) {
      return { kind: "bad", text: "The updates overshoot: this learning rate diverges. The loss overflowed float32 at step " +
        run.first_nonfinite_step + " and is now " + (loss === "nan" ? "NaN" : "∞") + "." };
    }
    if (run.verdict === "diverges" && state.step > 0 && loss > run.loss[0]) {
      return { kind: "bad", text: "The updates overshoot: this learning rate diverges. It is above 2/λmax ≈ " +
        num(data.stability_limit) + ", so every step lands farther from the minimum than the last." };
    }
    if (loss <= 1.01 * best) {
      return { kind: "good", text: "Converged: the loss is within 1% of the least-squares minimum, " + num(best) +
        " — what is left is the noise in the data." };
    }
    if (state.step === data.steps && run.verdict === "slow") {
      return { kind: "note", text: "Too small: after " + data.steps + " steps the loss is still falling." };
    }
    return null;
  }

  /* ---- the skeleton: controls and readouts, built once so focus survives ---- */

  function build(view, data, ctx) {
    var h = ctx.h;
    var uid = ctx.id;
    var tl = { state: null, stop: null, ctx: ctx };
    var btnStyle = "margin:0;padding:0.25em 1em;font-size:0.7rem;cursor:pointer;min-width:4.5em;";

    function current() { return tl.state; }
    tl.stepBtn = h("button", { type: "button", id: uid + "-step", class: "md-button", style: btnStyle,
      onclick: function () {
        var s = current();
        if (s.step < data.steps) ctx.setState({ step: s.step + 1, playing: false });
        else if (s.playing) ctx.setState({ playing: false });
      } }, "Step");
    tl.playBtn = h("button", { type: "button", id: uid + "-play", class: "md-button md-button--primary", style: btnStyle,
      onclick: function () {
        var s = current();
        if (s.playing && !ctx.reducedMotion) ctx.setState({ playing: false });
        else if (ctx.reducedMotion) ctx.setState({ step: data.steps, playing: false });  // no animation: jump to the end
        else ctx.setState({ playing: true, step: s.step >= data.steps ? 0 : s.step });
      } }, "Play");
    tl.resetBtn = h("button", { type: "button", id: uid + "-reset", class: "md-button", style: btnStyle,
      onclick: function () { ctx.setState({ step: 0, playing: false }); } }, "Reset");

    tl.lrValue = h("strong", { id: uid + "-lr-value" });
    tl.slider = h("input", { type: "range", id: uid + "-lr", min: 0, max: data.runs.length - 1, step: 1,
      style: "width:100%;margin:0.2em 0 0;",
      oninput: function (e) { ctx.setState({ lr: parseInt(e.target.value, 10) }); } });
    tl.ticks = h("div", { "aria-hidden": "true",
      style: "display:flex;justify-content:space-between;font-size:0.6rem;padding:0 2px;" },
      data.runs.map(function (run) { return h("span", { style: "min-width:0;text-align:center;" }, rateLabel(run.lr)); }));
    tl.limit = h("p", { style: "margin:0.3em 0 0;font-size:0.6rem;" },
      "Rates above 2/λmax ≈ " + num(data.stability_limit) + " diverge (λmax = " + num(data.hessian_eigenvalues[2]) +
      ", the largest eigenvalue of the loss's Hessian, from jax.hessian).");

    tl.svgBox = h("div", { style: "margin:0.6em 0 0.2em;" });

    function cell(label, key) {
      var value = h("span", { "data-readout": key, style: "font-variant-numeric:tabular-nums;font-weight:600;" });
      tl.readouts[key] = value;
      return h("div", { style: "min-width:0;" },
        h("span", { style: "display:block;font-size:0.6rem;text-transform:uppercase;letter-spacing:0.04em;" }, label), value);
    }
    tl.readouts = {};
    tl.readoutBox = h("div", { style: "display:grid;grid-template-columns:repeat(auto-fit,minmax(9.5em,1fr));gap:0.4em 1em;font-size:0.72rem;" },
      cell("Step", "step"), cell("Loss (MSE)", "loss"), cell("Parameters a, b, c", "params"),
      cell("Gradient ∂L/∂(a, b, c)", "grads"));
    tl.stages = h("p", { style: "margin:0.4em 0 0;font-size:0.62rem;" });
    tl.message = h("p", { "data-readout": "message", style: "margin:0.5em 0 0;padding:0.35em 0.7em;font-size:0.72rem;border-left:0.2rem solid;" });

    var root = h("div", { class: "tl" },
      h("div", { style: "display:flex;flex-wrap:wrap;gap:0.6em 1.4em;align-items:flex-end;" },
        h("div", { style: "display:flex;gap:0.5em;flex-wrap:wrap;" }, tl.stepBtn, tl.playBtn, tl.resetBtn),
        h("div", { style: "flex:1 1 16em;min-width:14em;" },
          h("label", { for: uid + "-lr", style: "font-size:0.72rem;" }, "Learning rate: ", tl.lrValue),
          tl.slider, tl.ticks)),
      tl.limit, tl.svgBox, tl.readoutBox, tl.stages, tl.message);
    view.textContent = "";
    view.appendChild(root);

    tl.narrow = null;
    if (window.ResizeObserver) {
      new ResizeObserver(function () {
        var narrow = isNarrow(view);
        if (tl.state && narrow !== tl.narrow) ctx.setState({});
      }).observe(view);
    }
    return tl;
  }

  function isNarrow(view) { return view.clientWidth > 0 && view.clientWidth < 540; }

  /* ---- the picture: data + model curve, and the loss so far ---------------- */

  function axisText(ctx, x, y, text, anchor, extra) {
    var attrs = { x: x, y: y, "font-size": 12, fill: ctx.colors.muted, "text-anchor": anchor || "middle" };
    if (extra) Object.keys(extra).forEach(function (k) { attrs[k] = extra[k]; });
    return ctx.h("svg:text", attrs, text);
  }

  function dataPanel(data, state, ctx, box) {
    var h = ctx.h, c = ctx.colors;
    var run = data.runs[state.lr];
    var m = { l: 40, r: 10, t: 30, b: 34 };
    var X0 = box.x + m.l, X1 = box.x + box.w - m.r, Y0 = box.y + m.t, Y1 = box.y + box.h - m.b;
    var xlo = -1.65, xhi = 1.65, ylo = -0.6, yhi = 6.2;
    var sx = function (v) { return X0 + (v - xlo) / (xhi - xlo) * (X1 - X0); };
    var sy = function (v) { return Y1 - (v - ylo) / (yhi - ylo) * (Y1 - Y0); };
    var g = h("svg:g", {});
    var clip = ctx.id + "-clip";
    g.appendChild(h("svg:clipPath", { id: clip }, h("svg:rect", { x: X0, y: Y0, width: X1 - X0, height: Y1 - Y0 })));
    g.appendChild(h("svg:text", { x: box.x + 4, y: box.y + 16, "font-size": 13, "font-weight": 600, fill: c.fg },
      "Data and model at step " + state.step));
    [0, 2, 4, 6].forEach(function (v) {
      g.appendChild(h("svg:line", { x1: X0, x2: X1, y1: sy(v), y2: sy(v), stroke: c.faint, "stroke-width": 1 }));
      g.appendChild(axisText(ctx, X0 - 6, sy(v) + 4, String(v), "end"));
    });
    [-1.5, -1, -0.5, 0, 0.5, 1, 1.5].forEach(function (v) {
      g.appendChild(h("svg:line", { x1: sx(v), x2: sx(v), y1: Y1, y2: Y1 + 4, stroke: c.muted, "stroke-width": 1 }));
      if (v === Math.round(v) || Math.abs(v) === 1.5) g.appendChild(axisText(ctx, sx(v), Y1 + 17, String(v).replace("-", "−")));
    });
    g.appendChild(h("svg:line", { x1: X0, x2: X1, y1: Y1, y2: Y1, stroke: c.muted, "stroke-width": 1 }));
    g.appendChild(axisText(ctx, (X0 + X1) / 2, Y1 + 31, "x"));
    g.appendChild(axisText(ctx, box.x + 10, (Y0 + Y1) / 2, "y", "middle"));

    data.data_x.forEach(function (x, i) {
      g.appendChild(h("svg:circle", { cx: sx(x), cy: sy(data.data_y[i]), r: 3.6, fill: c.accent, "fill-opacity": 0.85 }));
    });

    var preds = run.predictions[state.step];
    if (allFinite(preds)) {
      // Clamp far-off points to a band just outside the plot (drawing only; the clip hides them).
      var clampY = function (y) { return Math.max(Y0 - 1000, Math.min(Y1 + 1000, sy(y))); };
      var pts = preds.map(function (y, i) { return sx(data.grid_x[i]).toFixed(1) + "," + clampY(y).toFixed(1); }).join(" ");
      g.appendChild(h("svg:polyline", { points: pts, fill: "none", stroke: c.primary, "stroke-width": 2.6,
        "stroke-linejoin": "round", "clip-path": "url(#" + clip + ")", "data-curve": "model" }));
      var outside = preds.filter(function (y) { return y < ylo || y > yhi; }).length;
      if (outside === preds.length) {
        var biggest = preds.reduce(function (a, y) { return Math.abs(y) > Math.abs(a) ? y : a; }, 0);
        g.appendChild(axisText(ctx, sx(0.1), sy(3.4), "The curve is off the chart", "middle",
          { fill: c.accent, "font-weight": 600, "font-size": 13 }));
        g.appendChild(axisText(ctx, sx(0.1), sy(3.4) + 18, "(it reaches " + num(biggest) + ")", "middle",
          { fill: c.accent, "font-weight": 600, "font-size": 13 }));
      }
    } else {
      var what = preds.indexOf("nan") >= 0 ? "NaN" : "∞";
      g.appendChild(axisText(ctx, (X0 + X1) / 2, (Y0 + Y1) / 2 - 8, "The model predicts " + what + ":",
        "middle", { fill: c.accent, "font-weight": 600, "font-size": 13 }));
      g.appendChild(axisText(ctx, (X0 + X1) / 2, (Y0 + Y1) / 2 + 10, "no curve to draw", "middle",
        { fill: c.accent, "font-weight": 600, "font-size": 13 }));
    }
    // legend
    var lx = X1 - 150, ly = Y0 + 6;
    g.appendChild(h("svg:circle", { cx: lx, cy: ly, r: 3.6, fill: c.accent }));
    g.appendChild(axisText(ctx, lx + 9, ly + 4, "data (32 points)", "start", { fill: c.fg }));
    g.appendChild(h("svg:line", { x1: lx - 6, x2: lx + 6, y1: ly + 18, y2: ly + 18, stroke: c.primary, "stroke-width": 2.6 }));
    g.appendChild(axisText(ctx, lx + 9, ly + 22, "model a·x² + b·x + c", "start", { fill: c.fg }));
    return g;
  }

  function lossPanel(data, state, ctx, box) {
    var h = ctx.h, c = ctx.colors;
    var run = data.runs[state.lr];
    var m = { l: 46, r: 12, t: 30, b: 34 };
    var X0 = box.x + m.l, X1 = box.x + box.w - m.r, Y0 = box.y + m.t, Y1 = box.y + box.h - m.b;
    var N = data.steps;
    // Log axis: from the decade below the lowest loss any run reaches to the decade above this run's highest.
    var lowest = Infinity, highest = -Infinity;
    data.runs.forEach(function (r) { r.loss.forEach(function (v) { if (finite(v) && v > 0 && v < lowest) lowest = v; }); });
    run.loss.forEach(function (v) { if (finite(v) && v > highest) highest = v; });
    var dlo = Math.floor(Math.log10(lowest)), dhi = Math.max(1, Math.ceil(Math.log10(highest)));
    var sx = function (k) { return X0 + k / N * (X1 - X0); };
    var sy = function (v) { return Y1 - (Math.log10(v) - dlo) / (dhi - dlo) * (Y1 - Y0); };
    var g = h("svg:g", {});
    g.appendChild(h("svg:text", { x: box.x + 4, y: box.y + 16, "font-size": 13, "font-weight": 600, fill: c.fg },
      "Loss so far (log scale)"));
    var every = Math.max(1, Math.ceil((dhi - dlo) / 5));
    for (var d = dlo; d <= dhi; d++) {
      if ((d - dlo) % every !== 0 && d !== dhi) continue;
      g.appendChild(h("svg:line", { x1: X0, x2: X1, y1: sy(Math.pow(10, d)), y2: sy(Math.pow(10, d)), stroke: c.faint, "stroke-width": 1 }));
      g.appendChild(axisText(ctx, X0 - 6, sy(Math.pow(10, d)) + 4, power(d), "end"));
    }
    for (var k = 0; k <= N; k += 20) {
      g.appendChild(h("svg:line", { x1: sx(k), x2: sx(k), y1: Y1, y2: Y1 + 4, stroke: c.muted, "stroke-width": 1 }));
      g.appendChild(axisText(ctx, sx(k), Y1 + 17, String(k)));
    }
    g.appendChild(h("svg:line", { x1: X0, x2: X1, y1: Y1, y2: Y1, stroke: c.muted, "stroke-width": 1 }));
    g.appendChild(axisText(ctx, (X0 + X1) / 2, Y1 + 31, "step"));

    // The floor: the least-squares loss.
    var best = data.least_squares.loss;
    g.appendChild(h("svg:line", { x1: X0, x2: X1, y1: sy(best), y2: sy(best), stroke: c.muted, "stroke-width": 1.2, "stroke-dasharray": "5 4" }));
    g.appendChild(axisText(ctx, X1 - 2, sy(best) - 5, "least-squares minimum " + num(best), "end"));

    // The loss so far: finite points joined, up to the current step.
    var segments = [], current = [];
    for (var i = 0; i <= state.step; i++) {
      var v = run.loss[i];
      if (finite(v)) current.push(sx(i).toFixed(1) + "," + sy(v).toFixed(1));
      else { if (current.length) segments.push(current); current = []; }
    }
    if (current.length) segments.push(current);
    var stroke = c.series[2];
    segments.forEach(function (pts) {
      g.appendChild(h("svg:polyline", { points: pts.join(" "), fill: "none", stroke: stroke, "stroke-width": 2.2, "stroke-linejoin": "round" }));
    });
    var now = run.loss[state.step];
    if (finite(now)) {
      g.appendChild(h("svg:circle", { cx: sx(state.step), cy: sy(now), r: 4.5, fill: stroke, stroke: c.bg, "stroke-width": 1.5 }));
    }
    var bad = run.first_nonfinite_step;
    if (bad !== null && bad <= state.step) {
      var bx = sx(bad);
      g.appendChild(h("svg:line", { x1: bx, x2: bx, y1: Y0, y2: Y1, stroke: c.accent, "stroke-width": 1.2, "stroke-dasharray": "3 3" }));
      g.appendChild(h("svg:path", { d: "M" + (bx - 6) + "," + (Y0 + 8) + " L" + bx + "," + (Y0 - 2) + " L" + (bx + 6) + "," + (Y0 + 8) + " Z", fill: c.accent }));
      var side = bx > (X0 + X1) / 2 ? -10 : 10, anchor = side < 0 ? "end" : "start";
      g.appendChild(axisText(ctx, bx + side, Y0 + 12, "loss overflows", anchor, { fill: c.accent, "font-weight": 600 }));
      g.appendChild(axisText(ctx, bx + side, Y0 + 28, "at step " + bad + ": now " + (now === "nan" ? "NaN" : "∞"), anchor,
        { fill: c.accent, "font-weight": 600 }));
    }
    return g;
  }

  /* ---- render ----------------------------------------------------------- */

  function render(view, data, state, ctx) {
    var tl = view.__trainingLoop;
    if (!tl || !view.contains(tl.slider)) tl = view.__trainingLoop = build(view, data, ctx);
    tl.state = state;
    var c = ctx.colors;
    var run = data.runs[state.lr];
    var N = data.steps;

    // Play: a pausable timer, running only while state.playing (never with reduced motion).
    var animate = state.playing && !ctx.reducedMotion;
    if (animate && !tl.stop) {
      tl.stop = ctx.every(INTERVAL_MS, function () {
        var s = tl.state;
        if (!s.playing) return;
        var next = Math.min(s.step + 1, N);
        var r = data.runs[s.lr];
        // Stop at the end, and at the step where the loss stops being finite.
        ctx.setState({ step: next, playing: next < N && r.first_nonfinite_step !== next });
      });
    } else if (!animate && tl.stop) {
      tl.stop();
      tl.stop = null;
    }

    tl.playBtn.textContent = animate ? "Pause" : "Play";
    tl.playBtn.setAttribute("aria-label", animate ? "Pause" : (ctx.reducedMotion ? "Play (jumps to the last step)" : "Play"));
    tl.stepBtn.setAttribute("aria-disabled", String(state.step >= N));
    tl.stepBtn.style.opacity = state.step >= N ? "0.55" : "";
    tl.slider.value = String(state.lr);
    tl.slider.setAttribute("aria-valuetext", rateLabel(run.lr) + " (" + run.verdict + ")");
    tl.lrValue.textContent = rateLabel(run.lr);
    Array.prototype.forEach.call(tl.ticks.children, function (span, i) {
      var r = data.runs[i];
      span.style.color = r.verdict === "diverges" ? c.accent : c.muted;
      span.style.fontWeight = i === state.lr ? "700" : "400";
      span.style.textDecoration = i === state.lr ? "underline" : "none";
    });
    tl.limit.style.color = c.muted;

    // The picture.
    var narrow = isNarrow(view);
    tl.narrow = narrow;
    var W = narrow ? 360 : 700, H = narrow ? 580 : 290;
    var left = { x: 0, y: 0, w: narrow ? 360 : 340, h: 290 };
    var right = narrow ? { x: 0, y: 290, w: 360, h: 290 } : { x: 360, y: 0, w: 340, h: 290 };
    var svg = ctx.h("svg:svg", { viewBox: "0 0 " + W + " " + H, role: "img",
      "aria-label": "Left: the 32 data points and the model's curve at step " + state.step +
        ". Right: the loss at each step so far, on a log scale.",
      style: "font-family:inherit;" },
      dataPanel(data, state, ctx, left), lossPanel(data, state, ctx, right));
    tl.svgBox.textContent = "";
    tl.svgBox.appendChild(svg);

    // Readouts: the baked numbers of this frame.
    var loss = run.loss[state.step];
    var p = run.params[state.step], gr = run.grads[state.step];
    tl.readouts.step.textContent = state.step + " / " + N;
    tl.readouts.loss.textContent = num(loss);
    tl.readouts.loss.style.color = finite(loss) ? c.fg : c.accent;
    tl.readouts.params.textContent = num(p[0]) + ", " + num(p[1]) + ", " + num(p[2]);
    tl.readouts.grads.textContent = num(gr[0]) + ", " + num(gr[1]) + ", " + num(gr[2]);
    Array.prototype.forEach.call(tl.readoutBox.querySelectorAll("span:not([data-readout])"), function (s) { s.style.color = c.muted; });
    tl.stages.style.color = c.muted;
    tl.stages.textContent = state.step < N
      ? "Step runs the jitted train_step: forward (model on the 32 points) → loss (" + num(loss) +
        ") → backward (jax.value_and_grad gives the gradient above) → update (jax.tree.map: params − " + rateLabel(run.lr) + " × gradient)."
      : "All " + N + " baked steps done. Reset to start again, or pick another learning rate.";

    var msg = message(data, state);
    if (msg) {
      var colour = msg.kind === "bad" ? c.accent : msg.kind === "good" ? c.primary : c.muted;
      tl.message.hidden = false;
      tl.message.textContent = msg.text;
      tl.message.style.borderLeftColor = colour;
      tl.message.style.color = msg.kind === "bad" ? c.accent : c.fg;
    } else {
      tl.message.hidden = true;
      tl.message.textContent = "";
    }
  }

  ThinkingInJaxSims.register("training-loop", {
    title: "A training loop, step by step: gradient descent at 8 learning rates",
    initialState: function (data) {
      var start = 0;
      data.runs.forEach(function (r, i) { if (r.lr === 0.2) start = i; });
      return { lr: start, step: 0, playing: false };
    },
    render: render,
    describe: function (data, state) {
      var run = data.runs[state.lr];
      var p = run.params[state.step];
      var text = "Learning rate " + rateLabel(run.lr) + ", step " + state.step + " of " + data.steps +
        ": loss " + num(run.loss[state.step]) + " (it was " + num(run.loss[0]) + " at step 0; the least-squares minimum is " +
        num(data.least_squares.loss) + "); a = " +
        num(p[0]) + ", b = " + num(p[1]) + ", c = " + num(p[2]) + ".";
      var msg = message(data, state);
      return msg ? text + " " + msg.text : text;
    },
    table: function (data, state) {
      var run = data.runs[state.lr];
      var rows = [];
      for (var k = 0; k <= state.step; k++) {
        var p = run.params[k];
        rows.push([String(k), num(run.loss[k]), num(p[0]), num(p[1]), num(p[2])]);
      }
      return {
        caption: "Training with learning rate " + rateLabel(run.lr) + ": loss and parameters after each of steps 0 to " + state.step + " (baked with JAX).",
        columns: ["step", "loss", "a", "b", "c"],
        rows: rows
      };
    }
  });
})();
