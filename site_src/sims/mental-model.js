/* mental-model — wrap f in jit, grad and vmap, one layer at a time.
 *
 * Baked data (sims/mental_model.py): for every stack of up to three transforms
 * from {jit, grad, vmap} around the chapter's f (40 stacks, the bare f
 * included), the input the composed function needs, its output as JAX printed
 * it, and str(jax.make_jaxpr(composed)(input)); or JAX's real error when it
 * rejects the stack. This player only picks the entry for the stack the reader
 * built and draws it as nested boxes: it computes no JAX result.
 * State: { stack, compact } — stack lists the transforms innermost first
 * (["grad", "vmap"] is vmap(grad(f))); compact: the view is narrower than
 * 520 px, as on a phone, so the picture gets a narrower viewBox whose text
 * stays legible.
 */
(function () {
  "use strict";

  var WIDE = 640, NARROW = 400;
  var INSET_X = 22, INSET_Y = 30;   // each layer's margin around the one inside it
  var WHAT = { jit: "compile with XLA", grad: "derivative: needs a scalar output", vmap: "map over axis 0" };
  var WHAT_SHORT = { jit: "compile", grad: "derivative", vmap: "map axis 0" };  // for the narrow picture
  var SERIES = { jit: 0, grad: 1, vmap: 2 };

  function find(data, stack) {
    var key = stack.join(",");
    for (var i = 0; i < data.compositions.length; i++) {
      if (data.compositions[i].stack.join(",") === key) return data.compositions[i];
    }
    return data.compositions[0];
  }

  function outputText(entry) {
    return entry.ok ? entry.output_repr : entry.error.type + ": " + entry.error.message;
  }

  /* ---- the stable part of the view: buttons, call, svg, readouts, jaxpr --- */

  function build(view, data, ctx) {
    var h = ctx.h, id = ctx.id, refs = { wrap: {} };
    var row = "display:flex;flex-wrap:wrap;align-items:center;gap:0.4em 0.6em;margin:0 0 0.6em;";
    function push(name) {
      return function () {
        var s = refs.state;
        if (s.stack.length >= data.max_depth) return;  // aria-disabled: keeps focus, does nothing
        ctx.setState({ stack: s.stack.concat([name]) });
      };
    }
    var wrapButtons = data.transforms.map(function (name) {
      refs.wrap[name] = h("button", { type: "button", class: "md-button", id: id + "-" + name, "data-transform": name,
        onclick: push(name) }, name);
      return refs.wrap[name];
    });
    refs.unwrap = h("button", { type: "button", class: "md-button", id: id + "-unwrap", onclick: function () {
      var s = refs.state;
      if (s.stack.length) ctx.setState({ stack: s.stack.slice(0, -1) });
    } }, "Unwrap");
    refs.reset = h("button", { type: "button", class: "md-button", id: id + "-reset", onclick: function () {
      if (refs.state.stack.length) ctx.setState({ stack: [] });
    } }, "Reset");
    refs.depth = h("span", { style: "font-size:0.7rem;" });
    refs.call = h("code", { "data-readout": "call", style: "font-size:0.85rem;" });
    refs.svg = h("svg:svg", { role: "img", "aria-labelledby": id + "-svgdesc", style: "display:block;width:100%;height:auto;margin:0 0 0.5em;" });
    refs.svgDesc = h("svg:title", { id: id + "-svgdesc" });
    refs.layer = h("svg:g", {});
    refs.svg.appendChild(refs.svgDesc);
    refs.svg.appendChild(refs.layer);
    refs.input = h("output", { id: id + "-input", "data-readout": "input", style: "font-family:var(--md-code-font-family,monospace);" });
    refs.outLabel = h("span", { style: "font-weight:700;" });
    refs.output = h("output", { id: id + "-output", "data-readout": "output", style: "white-space:pre-wrap;font-family:var(--md-code-font-family,monospace);" });
    refs.outBox = h("div", { role: "status", style: "margin:0.4em 0 0.6em;padding:0.4em 0.8em;border-left:0.25rem solid;" },
      refs.outLabel, " ", refs.output);
    refs.hint = h("p", { style: "margin:0.3em 0 0;font-size:0.7rem;" });
    refs.outBox.appendChild(refs.hint);
    refs.jaxprHead = h("p", { style: "margin:0.4em 0 0.2em;font-size:0.7rem;" });
    refs.pre = h("code", { "data-readout": "jaxpr" });
    refs.preBox = h("pre", { style: "margin:0;" }, refs.pre);

    refs.root = h("div", { class: "jax-mental-model" },
      h("div", { role: "group", "aria-label": "Wrap the function in a transformation", style: row },
        h("span", { style: "font-size:0.75rem;" }, "Wrap in:"), wrapButtons,
        h("span", { style: "flex:0 0 0.6em;" }), refs.unwrap, refs.reset, refs.depth),
      h("p", { style: "margin:0 0 0.4em;" }, refs.call),
      refs.svg,
      h("p", { style: "margin:0;font-size:0.75rem;" }, h("span", { style: "font-weight:700;" }, "Input x = "), refs.input),
      refs.outBox,
      refs.jaxprHead, refs.preBox);
    view.textContent = "";
    view.appendChild(refs.root);
    if (window.ResizeObserver) {
      new ResizeObserver(function () {
        window.requestAnimationFrame(function () {
          var width = view.clientWidth, compact = width > 0 && width < 520;
          if (refs.state && compact !== !!refs.state.compact) ctx.setState({ compact: compact });
        });
      }).observe(view);
    }
    return refs;
  }

  /* ---- the picture: nested boxes, outermost transform outside ------------ */

  function drawPicture(refs, data, entry, state, ctx) {
    var h = ctx.h, c = ctx.colors, compact = !!state.compact, W = compact ? NARROW : WIDE;
    var stack = entry.stack, depth = stack.length, maxDepth = data.max_depth;
    var small = compact ? 15 : 12, big = compact ? 17 : 14;  // a narrow view shrinks the viewBox: keep text >= 12 px
    // the outer box keeps the same size whatever the depth; inner boxes shrink inwards
    // the svg keeps the height of three layers; the stack is centred in it, f always 70 high
    var area = 70 + 2 * INSET_Y * maxDepth, boxH = 70 + 2 * INSET_Y * depth;
    var top = (compact ? 30 : 12) + (area - boxH) / 2;
    var x0 = compact ? 8 : 150, x1 = compact ? W - 8 : W - 150;
    var H = (compact ? 30 : 12) + area + (compact ? 34 : 12);
    refs.svg.setAttribute("viewBox", "0 0 " + W + " " + H);
    var parts = [];
    var text = function (x, y, s, attrs) {
      return h("svg:text", Object.assign({ x: x, y: y, "font-size": small, fill: c.muted }, attrs || {}), s);
    };
    // boxes: layer k (0 = outermost) is stack[depth - 1 - k]
    var margin = INSET_Y, marginX = INSET_X;
    for (var k = 0; k < depth; k++) {
      var name = stack[depth - 1 - k], color = c.series[SERIES[name]];
      var bx = x0 + k * marginX, by = top + k * margin;
      parts.push(h("svg:rect", { x: bx, y: by, width: x1 - x0 - 2 * k * marginX, height: boxH - 2 * k * margin, rx: 10,
        fill: color, "fill-opacity": 0.07, stroke: color, "stroke-width": 2.5, "data-layer": name }));
      parts.push(h("svg:text", { x: bx + 10, y: by + 20, "font-size": big, fill: color, "font-weight": 700 }, "jax." + name,
        h("svg:tspan", { dx: 10, fill: c.muted, "font-weight": 400, "font-size": small }, (compact ? WHAT_SHORT : WHAT)[name])));
    }
    var fx = x0 + depth * marginX, fy = top + depth * margin, fw = x1 - x0 - 2 * depth * marginX, fh = boxH - 2 * depth * margin;
    parts.push(h("svg:rect", { x: fx, y: fy, width: fw, height: fh, rx: 8, fill: c.bg, stroke: c.fg, "stroke-width": 1.5, "data-layer": "f" }));
    parts.push(text(fx + fw / 2, fy + fh / 2 + 5, "f(x) = " + data.f_label, { fill: c.fg, "font-size": big, "text-anchor": "middle", "font-weight": 700 }));
    // input in, output (or error) out
    var midY = top + boxH / 2;  // the same for every depth
    var outColor = entry.ok ? c.fg : c.accent, outLabel = entry.ok ? entry.output_type : entry.error.type;
    var arrow = function (xa, xb, y, color) {
      return [h("svg:line", { x1: xa, x2: xb - 7, y1: y, y2: y, stroke: color, "stroke-width": 2 }),
        h("svg:path", { d: "M" + xb + "," + y + " l-9,-5 v10 z", fill: color })];
    };
    if (compact) {
      parts.push(text(x0, 20, "in: x : " + entry.input_type, { fill: c.fg, "font-size": big }));
      parts.push(text(x1, H - 10, (entry.ok ? "out: " : "raises ") + outLabel, { fill: outColor, "font-size": big, "font-weight": 700, "text-anchor": "end" }));
    } else {
      parts.push(text(8, midY - 10, "x : " + entry.input_type, { fill: c.fg, "font-size": big }));
      parts.push(text(8, midY + 26, "input", { fill: c.muted }));
      parts.push(arrow(8, x0 - 4, midY, c.fg));
      parts.push(text(W - 8, midY - 10, outLabel, { fill: outColor, "font-size": big, "font-weight": 700, "text-anchor": "end" }));
      parts.push(text(W - 8, midY + 26, entry.ok ? "output" : "JAX raises", { fill: entry.ok ? c.muted : c.accent, "text-anchor": "end" }));
      if (entry.ok) parts.push(arrow(x1 + 4, W - 8, midY, c.fg));
      else parts.push(h("svg:line", { x1: x1 + 4, x2: W - 8, y1: midY, y2: midY, stroke: c.accent, "stroke-width": 2, "stroke-dasharray": "5 4" }));
    }
    refs.layer.textContent = "";
    (function add(list) {
      list.forEach(function (el) { if (Array.isArray(el)) add(el); else if (el) refs.layer.appendChild(el); });
    })(parts);
  }

  /* ---- the player ---------------------------------------------------------- */

  function describe(data, state) {
    var e = find(data, state.stack);
    var who = e.stack.length ? e.code.replace(/\(x\)$/, "") : "The bare f";
    var s = who + " called on x = " + e.input_code + " (" + e.input_type + ")";
    if (e.ok) {
      return s + " returns " + e.output_repr.replace(/\s+/g, " ") + " (" + e.output_type + "); its jaxpr has " +
        e.eqn_count + " equation" + (e.eqn_count === 1 ? "" : "s") + " at the top level.";
    }
    return s + " raises " + e.error.type + ": " + e.error.message;
  }

  ThinkingInJaxSims.register("mental-model", {
    title: "Stacking jit, grad and vmap",
    initialState: function () { return { stack: [], compact: false }; },
    render: function (view, data, state, ctx) {
      var refs = view.__mentalModel;
      if (!refs || !view.contains(refs.root)) refs = view.__mentalModel = build(view, data, ctx);
      refs.state = state;
      var c = ctx.colors, e = find(data, state.stack), depth = e.stack.length, full = depth >= data.max_depth;

      // controls: aria-disabled rather than disabled, so a focused button keeps focus
      var style = function (color, off) {
        return "margin:0;padding:0.15em 0.9em;font-size:0.75rem;font-family:var(--md-code-font-family,monospace);" +
          "background:transparent;cursor:" + (off ? "not-allowed" : "pointer") + ";opacity:" + (off ? 0.45 : 1) + ";color:" + color +
          ";border-color:" + color + ";";
      };
      data.transforms.forEach(function (name) {
        var b = refs.wrap[name];
        b.setAttribute("aria-disabled", String(full));
        b.title = full ? "At most " + data.max_depth + " layers: Unwrap first" : "Wrap the current function in jax." + name;
        b.style.cssText = style(c.series[SERIES[name]], full);
      });
      refs.unwrap.setAttribute("aria-disabled", String(depth === 0));
      refs.unwrap.style.cssText = style(c.fg, depth === 0).replace(/font-family[^;]*;/, "");
      refs.reset.setAttribute("aria-disabled", String(depth === 0));
      refs.reset.style.cssText = style(c.fg, depth === 0).replace(/font-family[^;]*;/, "");
      refs.depth.textContent = depth + " of " + data.max_depth + " layers";
      refs.depth.style.color = c.muted;

      // the call, coloured layer by layer
      refs.call.textContent = "";
      var open = e.stack.slice().reverse();
      open.forEach(function (name) {
        refs.call.appendChild(ctx.h("span", { style: "color:" + c.series[SERIES[name]] + ";font-weight:700;" }, "jax." + name));
        refs.call.appendChild(document.createTextNode("("));
      });
      refs.call.appendChild(document.createTextNode("f" + new Array(depth + 1).join(")") + "(x)"));
      refs.call.setAttribute("data-call", e.call);

      drawPicture(refs, data, e, state, ctx);
      refs.svgDesc.textContent = describe(data, state);

      // input, output or error: JAX's own reprs and messages
      refs.input.textContent = e.input_code + "   # " + e.input_type;
      refs.outLabel.textContent = e.ok ? "Output:" : "JAX raises";
      refs.output.textContent = outputText(e);
      refs.outBox.style.borderLeftColor = e.ok ? c.primary : c.accent;
      refs.outLabel.style.color = e.ok ? c.fg : c.accent;
      refs.hint.textContent = e.ok ? "" :
        "A grad here receives a function whose output is an array, not one number. Unwrap and put vmap outside grad: vmap(grad(f)) maps the derivative over the batch.";
      refs.hint.style.display = e.ok ? "none" : "";
      refs.hint.style.color = c.muted;

      // the jaxpr
      refs.jaxprHead.textContent = e.ok ?
        "Its jaxpr, str(jax.make_jaxpr(" + e.code.replace(/\(x\)$/, "") + ")(x)), printed at build time:" :
        "No jaxpr: jax.make_jaxpr(" + e.code.replace(/\(x\)$/, "") + ")(x) raises the same " + e.error.type + " while tracing.";
      refs.jaxprHead.style.color = c.muted;
      refs.pre.textContent = e.ok ? e.jaxpr : "";
      refs.preBox.style.display = e.ok ? "" : "none";  // Material styles pre: the hidden attribute alone does not hide it
    },
    describe: describe,
    table: function (data, state) {
      var e = find(data, state.stack);
      var rows = [
        ["Stack (outermost first)", e.stack.length ? e.stack.slice().reverse().join(" ∘ ") + " ∘ f" : "none: the bare f"],
        ["Call", e.code],
        ["Input", e.input_code + " : " + e.input_type],
        e.ok ? ["Output", e.output_repr + " : " + e.output_type] : ["Error", e.error.type + ": " + e.error.message]
      ];
      if (e.ok) {
        e.jaxpr.split("\n").forEach(function (line, k) { rows.push(["jaxpr line " + (k + 1), line]); });
      }
      return { caption: "The current composition " + e.call + ": its input, its output or error, and its jaxpr line by line",
        columns: ["Part", "Value"], rows: rows };
    }
  });
})();
