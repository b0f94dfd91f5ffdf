/* grad-visualizer — the tangent line whose slope is jax.grad(f)(x).
 *
 * Baked data (sims/grad_visualizer.py): for each function, f, jax.grad(f) and
 * jax.grad(jax.grad(f)) at 121 float32 grid points, the jaxpr of grad(f), and
 * what grad returns at a kink. This player only picks the grid point the
 * reader chose and draws lines through baked values: it computes no JAX result.
 * State: { fn, index, showSecond, showJaxpr, playing, compact } (compact: the view
 * is narrower than 520 px, as on a phone, so the picture gets a narrower viewBox
 * whose text stays legible).
 */
(function () {
  "use strict";

  var WIDE = 640, NARROW = 400, H = 432;
  var LEFT = 54, RIGHT = 14;
  var TOP = { y0: 28, y1: 250 };      // f and its tangent
  var BOTTOM = { y0: 290, y1: 400 };  // f' (and f'')
  var TICK_Y = 418;
  var STEP_MS = 60;
  var format = function (v, d) { return typeof v === "number" ? v.toFixed(d) : String(v); };  // replaced by ctx.format on first render

  function fnOf(data, id) {
    for (var i = 0; i < data.functions.length; i++) if (data.functions[i].id === id) return data.functions[i];
    return data.functions[0];
  }

  /* A number as Python prints a float: 0.5, 1.0, -0.0 stays 0.0. */
  function py(v) {
    if (v === 0) return "0.0";
    return Number.isInteger(v) ? v.toFixed(1) : String(v);
  }

  function tickLabel(t) { return String(Number(t.toFixed(6))).replace("-", "−"); }

  function menuLabel(f) { return f.name ? f.label + "  (" + f.name + ")" : f.label; }

  function niceTicks(lo, hi, count) {
    var raw = (hi - lo) / count;
    var mag = Math.pow(10, Math.floor(Math.log10(raw)));
    var step = [1, 2, 2.5, 5, 10].map(function (m) { return m * mag; }).filter(function (s) { return s >= raw; })[0];
    var ticks = [];
    for (var t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push(Number(t.toFixed(10)));
    return ticks;
  }

  function range(values) {
    var lo = Infinity, hi = -Infinity;
    values.forEach(function (arr) { arr.forEach(function (v) { if (v < lo) lo = v; if (v > hi) hi = v; }); });
    if (hi - lo < 1e-9) { lo -= 1; hi += 1; }
    var pad = (hi - lo) * 0.08;
    return [lo - pad, hi + pad];
  }

  function sideText(kink) {
    if (kink.side === "left") return "the slope of the piece on the left";
    if (kink.side === "right") return "the slope of the piece on the right";
    if (kink.side === "average") return "the average of the slopes on either side";
    return "neither side's slope";
  }

  /* ---- the stable part of the view: controls, readouts, svg, jaxpr ------- */

  function build(view, data, ctx) {
    var h = ctx.h, id = ctx.id;
    var refs = {};
    var row = "display:flex;flex-wrap:wrap;align-items:center;gap:0.4em 1.2em;margin:0 0 0.6em;";
    refs.select = h("select", { id: id + "-fn", onchange: function () {
      var f = fnOf(data, refs.select.value);
      ctx.setState({ fn: f.id, index: f.start, playing: false });
    } }, data.functions.map(function (f) { return h("option", { value: f.id }, menuLabel(f)); }));
    refs.check = h("input", { type: "checkbox", id: id + "-second", onchange: function () {
      ctx.setState({ showSecond: refs.check.checked });
    } });
    refs.play = h("button", { type: "button", class: "md-button", id: id + "-play", onclick: function () {
      var s = refs.state, f = fnOf(data, s.fn);
      if (s.playing && !ctx.reducedMotion) { ctx.setState({ playing: false }); return; }
      var from = s.index >= f.x.length - 1 ? 0 : s.index;
      if (ctx.reducedMotion) ctx.setState({ index: f.x.length - 1, playing: false });  // no motion: jump to the end
      else ctx.setState({ index: from, playing: true });
    } }, "Play");
    refs.range = h("input", { type: "range", id: id + "-x", min: 0, step: 1, style: "flex:1 1 12em;min-width:10em;",
      oninput: function () { ctx.setState({ index: Number(refs.range.value), playing: false }); } });
    refs.xOut = h("output", { id: id + "-xval", "data-readout": "x", for: id + "-x", style: "font-variant-numeric:tabular-nums;min-width:6.5em;" });
    refs.code = h("code", {});
    refs.out = {};
    refs.cards = {};
    var cards = [["f", "f(x)"], ["df", "f′(x) = jax.grad(f)(x)"], ["d2f", "f″(x) = jax.grad(jax.grad(f))(x)"]].map(function (c) {
      refs.out[c[0]] = h("output", { id: id + "-" + c[0], "data-readout": c[0], style: "font-size:1.05rem;font-weight:700;font-variant-numeric:tabular-nums;" });
      refs.cards[c[0]] = h("div", { style: "flex:1 1 9em;padding:0.25em 0.6em;border-left:0.25rem solid;" },
        h("div", { style: "font-size:0.7rem;" }, c[1]), refs.out[c[0]]);
      return refs.cards[c[0]];
    });
    refs.svg = h("svg:svg", { role: "img", style: "touch-action:pan-y;cursor:ew-resize;",
      "aria-labelledby": id + "-svgdesc" });
    refs.svgDesc = h("svg:title", { id: id + "-svgdesc" });
    refs.layer = h("svg:g", {});
    refs.svg.appendChild(refs.svgDesc);
    refs.svg.appendChild(refs.layer);
    var dragging = false;
    function pick(ev) {
      var s = refs.state, f = fnOf(data, s.fn), box = refs.svg.getBoundingClientRect();
      if (!box.width) return;
      var vx = (ev.clientX - box.left) * refs.W / box.width;
      var x = f.x[0] + (vx - LEFT) / (refs.W - LEFT - RIGHT) * (f.x[f.x.length - 1] - f.x[0]);
      var best = 0;
      for (var i = 1; i < f.x.length; i++) if (Math.abs(f.x[i] - x) < Math.abs(f.x[best] - x)) best = i;
      if (best !== s.index || s.playing) ctx.setState({ index: best, playing: false });
    }
    refs.svg.addEventListener("pointerdown", function (ev) {
      dragging = true;
      if (refs.svg.setPointerCapture) refs.svg.setPointerCapture(ev.pointerId);
      pick(ev);
    });
    refs.svg.addEventListener("pointermove", function (ev) { if (dragging) pick(ev); });
    refs.svg.addEventListener("pointerup", function () { dragging = false; });
    refs.svg.addEventListener("pointercancel", function () { dragging = false; });
    refs.note = h("div", { id: id + "-kink", role: "note", style: "margin:0.6em 0 0;padding:0.4em 0.8em;font-size:0.75rem;border-left:0.25rem solid;" });
    refs.pre = h("code", {});
    refs.jaxprCall = h("code", {});
    refs.details = h("details", { id: id + "-jaxpr", style: "margin:0.6em 0 0;" },
      h("summary", {}, "The jaxpr of jax.grad(f): the program JAX runs to compute f′"),
      h("p", { style: "font-size:0.7rem;margin:0.4em 0;" }, "Printed at build time by ", refs.jaxprCall,
        ". Tracing sees only a float32 scalar, not its value, so this one program computes f′ at every x."),
      h("pre", {}, refs.pre));
    refs.details.addEventListener("toggle", function () {
      if (refs.details.open !== !!refs.state.showJaxpr) ctx.setState({ showJaxpr: refs.details.open });
    });

    refs.root = h("div", { class: "jax-grad-vis" },
      h("div", { style: row },
        h("span", {}, h("label", { for: id + "-fn", style: "margin-right:0.4em;" }, "Function"), refs.select),
        h("span", {}, refs.check, h("label", { for: id + "-second", style: "margin-left:0.3em;" }, "Show the f″ curve")),
        refs.play),
      h("div", { style: row },
        h("label", { for: id + "-x" }, "Move x"), refs.range, refs.xOut),
      h("p", { style: "margin:0 0 0.5em;font-size:0.7rem;" }, "f = lambda x: ", refs.code),
      h("div", { style: "display:flex;flex-wrap:wrap;gap:0.5em;margin:0 0 0.5em;" }, cards),
      refs.svg, refs.note, refs.details);
    view.textContent = "";
    view.appendChild(refs.root);
    if (window.ResizeObserver) {
      // Measured after layout, applied in the next frame (changing size inside the observer would loop).
      new ResizeObserver(function () {
        window.requestAnimationFrame(function () {
          var width = view.clientWidth, compact = width > 0 && width < 520;
          if (refs.state && compact !== !!refs.state.compact) ctx.setState({ compact: compact });
        });
      }).observe(view);
    }
    return refs;
  }

  /* ---- the picture ------------------------------------------------------- */

  function drawPicture(refs, f, state, ctx) {
    var h = ctx.h, c = ctx.colors, layer = refs.layer, W = refs.W, compact = !!state.compact;
    var small = compact ? 14 : 12, big = compact ? 14.5 : 13;  // a narrow view shrinks the viewBox: keep text >= 12 px
    var n = f.x.length, i = state.index, kink = f.kink;
    var x0 = f.x[0], x1 = f.x[n - 1];
    var sx = function (x) { return LEFT + (x - x0) / (x1 - x0) * (W - LEFT - RIGHT); };
    var top = range([f.f]);
    var bottom = range(state.showSecond ? [f.df, f.d2f, [0]] : [f.df, [0]]);
    var syTop = function (y) { return TOP.y1 - (y - top[0]) / (top[1] - top[0]) * (TOP.y1 - TOP.y0); };
    var syBot = function (y) { return BOTTOM.y1 - (y - bottom[0]) / (bottom[1] - bottom[0]) * (BOTTOM.y1 - BOTTOM.y0); };
    var text = function (x, y, s, attrs) {
      return h("svg:text", Object.assign({ x: x, y: y, "font-size": small, fill: c.muted }, attrs || {}), s);
    };
    var poly = function (xs, ys, sy, color, extra) {
      return h("svg:polyline", Object.assign({ fill: "none", stroke: color, "stroke-width": 2.5, "stroke-linejoin": "round",
        points: xs.map(function (x, k) { return sx(x).toFixed(2) + "," + sy(ys[k]).toFixed(2); }).join(" ") }, extra || {}));
    };
    /* Curves through baked points; at a kink the pieces are drawn apart and grad's own value as a dot. */
    var pieces = function (ys, sy, color, extra) {
      if (!kink) return [poly(f.x, ys, sy, color, extra)];
      var k = kink.index;
      return [poly(f.x.slice(0, k), ys.slice(0, k), sy, color, extra), poly(f.x.slice(k + 1), ys.slice(k + 1), sy, color, extra),
        h("svg:circle", { cx: sx(f.x[k]), cy: sy(ys[k]), r: 4.5, fill: color, stroke: c.bg, "stroke-width": 1.5 })];
    };
    var panel = function (p, lo, hi, sy) {
      var out = [h("svg:rect", { x: LEFT, y: p.y0, width: W - LEFT - RIGHT, height: p.y1 - p.y0, fill: "none", stroke: c.faint })];
      niceTicks(lo, hi, p.y1 - p.y0 > 150 ? 5 : 4).forEach(function (t) {
        out.push(h("svg:line", { x1: LEFT, x2: W - RIGHT, y1: sy(t), y2: sy(t), stroke: c.faint, "stroke-width": t === 0 ? 1.5 : 0.75 }));
        out.push(text(LEFT - 6, sy(t) + 4, tickLabel(t), { "text-anchor": "end" }));
      });
      xTicks.forEach(function (t) {
        out.push(h("svg:line", { x1: sx(t), x2: sx(t), y1: p.y0, y2: p.y1, stroke: c.faint, "stroke-width": t === 0 ? 1.5 : 0.75 }));
      });
      return out;
    };
    var xTicks = niceTicks(x0, x1, compact ? 4 : 6);
    var clip = ctx.id + "-clip";
    var cx = sx(f.x[i]);
    var span = (x1 - x0) * 0.2, xa = Math.max(x0, f.x[i] - span), xb = Math.min(x1, f.x[i] + span);
    var slope = f.df[i];
    var parts = [
      h("svg:defs", {}, h("svg:clipPath", { id: clip }, h("svg:rect", { x: LEFT, y: TOP.y0, width: W - LEFT - RIGHT, height: TOP.y1 - TOP.y0 }))),
      panel(TOP, top[0], top[1], syTop),
      panel(BOTTOM, bottom[0], bottom[1], syBot),
      xTicks.map(function (t) { return text(sx(t), TICK_Y, tickLabel(t), { "text-anchor": "middle" }); }),
      text(W - RIGHT, TICK_Y + 12, "x", { "text-anchor": "end", "font-style": "italic" }),
      h("svg:line", { x1: cx, x2: cx, y1: TOP.y0, y2: BOTTOM.y1, stroke: c.muted, "stroke-dasharray": "4 4" }),
      // legends
      text(LEFT, 18, "f(x) = " + f.label, { fill: c.series[0], "font-weight": 700, "font-size": big }),
      text(W - RIGHT, 18, (compact ? "slope " : "tangent at x: slope jax.grad(f)(x) = ") + ctx.format(slope, 4), { fill: c.series[1], "font-weight": 700, "font-size": big, "text-anchor": "end" }),
      text(LEFT, 280, "f′(x) = jax.grad(f)(x)", { fill: c.series[1], "font-weight": 700, "font-size": big }),
      state.showSecond ? text(W - RIGHT, 280, compact ? "f″(x)" : "f″(x) = jax.grad(jax.grad(f))(x)", { fill: c.series[2], "font-weight": 700, "font-size": big, "text-anchor": "end" }) : null,
      // top: f, the tangent, the point
      poly(f.x, f.f, syTop, c.series[0]),
      h("svg:line", { x1: sx(xa), x2: sx(xb), y1: syTop(f.f[i] + slope * (xa - f.x[i])), y2: syTop(f.f[i] + slope * (xb - f.x[i])),
        stroke: c.series[1], "stroke-width": 2.5, "stroke-linecap": "round", "clip-path": "url(#" + clip + ")" }),
      h("svg:circle", { cx: cx, cy: syTop(f.f[i]), r: 6, fill: c.series[0], stroke: c.bg, "stroke-width": 2 }),
      // bottom: f' (and f'') with the current point
      state.showSecond ? pieces(f.d2f, syBot, c.series[2], { "stroke-dasharray": "6 4", "stroke-width": 2 }) : null,
      pieces(f.df, syBot, c.series[1]),
      state.showSecond ? h("svg:circle", { cx: cx, cy: syBot(f.d2f[i]), r: 5, fill: c.bg, stroke: c.series[2], "stroke-width": 2.5 }) : null,
      h("svg:circle", { cx: cx, cy: syBot(f.df[i]), r: 6, fill: c.series[1], stroke: c.bg, "stroke-width": 2 })
    ];
    if (kink) {
      var kx = sx(kink.x), ky = syBot(kink.grad);
      var below = ky < (BOTTOM.y0 + BOTTOM.y1) / 2;  // keep the label inside the panel, off the dot
      parts.push(text(kx + 10, below ? ky + 20 : ky - 12, (compact ? "jax.grad: " : "jax.grad at the kink: ") + py(kink.grad),
        { fill: c.fg, "font-size": big }));
    }
    layer.textContent = "";
    (function add(list) {
      list.forEach(function (el) { if (Array.isArray(el)) add(el); else if (el) layer.appendChild(el); });
    })(parts);
  }

  /* ---- the player ---------------------------------------------------------- */

  function describe(data, state) {
    var f = fnOf(data, state.fn), i = state.index, fmt = format;
    var slope = f.df[i];
    var trend = slope > 0 ? "f is rising" : slope < 0 ? "f is falling" : "the tangent is flat";
    var s = f.label + " at x = " + py(f.x[i]) + ": f(x) = " + fmt(f.f[i], 4) +
      "; the tangent's slope, jax.grad(f)(x), is " + fmt(slope, 4) + " (" + trend + "); f″(x) = " + fmt(f.d2f[i], 4) + ".";
    if (f.kink && i === f.kink.index) {
      s += " This is the kink: the slope jumps from " + py(f.kink.left) + " to " + py(f.kink.right) +
        ", and jax.grad returns " + py(f.kink.grad) + ", " + sideText(f.kink) + ".";
    }
    return s;
  }

  ThinkingInJaxSims.register("grad-visualizer", {
    title: "The tangent that jax.grad draws",
    initialState: function (data) {
      var f = data.functions[0];
      return { fn: f.id, index: f.start, showSecond: false, showJaxpr: false, playing: false, compact: false };
    },
    render: function (view, data, state, ctx) {
      var refs = view.__gradVis;
      if (!refs || !view.contains(refs.root)) refs = view.__gradVis = build(view, data, ctx);
      refs.state = state;
      refs.W = state.compact ? NARROW : WIDE;
      refs.svg.setAttribute("viewBox", "0 0 " + refs.W + " " + H);
      format = ctx.format;
      var f = fnOf(data, state.fn), i = state.index, c = ctx.colors, n = f.x.length;

      // controls
      refs.select.value = f.id;
      refs.range.max = String(n - 1);
      refs.range.value = String(i);
      refs.range.setAttribute("aria-valuetext", "x = " + py(f.x[i]));
      refs.xOut.textContent = "x = " + py(f.x[i]);
      refs.check.checked = !!state.showSecond;
      var moving = state.playing && !ctx.reducedMotion;
      refs.play.textContent = moving ? "Pause" : "Play";
      refs.play.setAttribute("aria-label", moving ? "Pause the sweep along x" : "Play: sweep x along the grid");
      refs.play.style.cssText = "margin:0;padding:0.2em 0.9em;font-size:0.7rem;cursor:pointer;";
      refs.select.style.cssText = "font:inherit;padding:0.15em 0.3em;color:" + c.fg + ";background:" + c.bg + ";border:1px solid " + c.muted + ";border-radius:0.2rem;";
      refs.range.style.accentColor = c.primary;
      refs.code.textContent = f.code;

      // readouts: the baked numbers at this grid point
      [["f", f.f[i], c.series[0]], ["df", f.df[i], c.series[1]], ["d2f", f.d2f[i], c.series[2]]].forEach(function (r) {
        refs.out[r[0]].textContent = ctx.format(r[1], 4);
        refs.out[r[0]].setAttribute("data-value", String(r[1]));
        refs.cards[r[0]].style.borderLeftColor = r[2];
      });

      drawPicture(refs, f, state, ctx);
      refs.svgDesc.textContent = describe(data, state);

      // the kink, in words, with the baked numbers
      var k = f.kink;
      refs.note.hidden = !k;
      refs.note.textContent = "";
      if (k) {
        var here = i === k.index;
        refs.note.style.borderLeftColor = here ? c.accent : c.faint;
        refs.note.appendChild(ctx.h("strong", {}, here ? "You are at the kink, x = " + py(k.x) + ". " :
          "A kink at x = " + py(k.x) + ": press " + (k.index < i ? "←" : "→") + " " + Math.abs(k.index - i) +
          " times on the slider to reach it. "));
        refs.note.appendChild(document.createTextNode(
          "The slope jumps from " + py(k.left) + " to " + py(k.right) + ", so f′(0) does not exist — yet jax.grad(f)(0.0) returns " +
          py(k.grad) + ", " + sideText(k) + ". " + k.rule + " The second derivative there, jax.grad(jax.grad(f))(0.0), comes out as " +
          py(k.grad2) + ", though the true one is undefined at a jump in slope."));
      }

      // the jaxpr of grad(f)
      refs.pre.textContent = f.jaxpr;
      refs.jaxprCall.textContent = data.jaxpr_call;
      if (refs.details.open !== !!state.showJaxpr) refs.details.open = !!state.showJaxpr;

      // Play: a sweep one grid point per tick, stopped by Pause, by any other control, or at the end
      // (restarted on every render, so a timer the core stopped never leaves Play stuck)
      if (refs.stop) { refs.stop(); refs.stop = null; }
      if (state.playing && !ctx.reducedMotion) {
        refs.stop = ctx.every(STEP_MS, function () {
          var s = refs.state, g = fnOf(data, s.fn);
          if (!s.playing) return;
          ctx.setState({ index: Math.min(s.index + 1, g.x.length - 1), playing: s.index + 1 < g.x.length - 1 });
        });
      }
    },
    describe: describe,
    table: function (data, state) {
      var f = fnOf(data, state.fn);
      return {
        caption: f.label + ": f, jax.grad(f) and jax.grad(jax.grad(f)) at its " + f.x.length +
          " baked grid points (◀ marks the current x)",
        columns: ["x", "f(x)", "f′(x)", "f″(x)"],
        rows: f.x.map(function (x, k) {
          return [py(x) + (k === state.index ? " ◀" : ""), f.f[k], f.df[k], f.d2f[k]];
        })
      };
    }
  });
})();
