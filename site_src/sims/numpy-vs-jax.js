/* numpy-vs-jax — one operation, run by NumPy and by jax.numpy, side by side.
 *
 * Baked data (sims/numpy_vs_jax.py): for each operation, the NumPy snippet and
 * its jax.numpy twin as executed at build time, and for each what really
 * happened: the repr and dtype of the value, or the exception's type and
 * message, and every warning (category and message); plus a "what differs"
 * line composed by the baker from those outcomes. This player only shows the
 * operation the reader picked: it computes nothing.
 * State: { op } (the id of the chosen operation).
 */
(function () {
  "use strict";

  var SIDES = [
    { key: "numpy", name: "NumPy", module: "import numpy as np", series: 3 },
    { key: "jax", name: "JAX", module: "import jax.numpy as jnp", series: 0 }
  ];

  function opIndex(data, id) {
    for (var i = 0; i < data.operations.length; i++) if (data.operations[i].id === id) return i;
    return 0;
  }

  /* What one side did, in a few words (for the status line and the table). */
  function outcomeText(side) {
    var s = side.ok ? side.repr : "raises " + side.exception.type + ": " + side.exception.message;
    if (side.warnings.length) {
      s += " — warns: " + side.warnings.map(function (w) { return w.category + ": " + w.message; }).join("; ");
    }
    return s;
  }

  function shortOutcome(side) {
    var s = side.ok ? side.repr : "raises " + side.exception.type;
    if (side.warnings.length) {
      var cats = side.warnings.map(function (w) { return w.category; });
      s += " + " + cats.length + " " + cats[0] + (cats.length > 1 ? "s" : "");
    }
    return s;
  }

  /* ---- the stable part of the view: the operation buttons and two columns ---- */

  function build(view, data, ctx) {
    var h = ctx.h, id = ctx.id;
    var refs = { buttons: [], cols: {} };

    function choose(i, focus) {
      var n = data.operations.length;
      i = (i + n) % n;
      ctx.setState({ op: data.operations[i].id });
      if (focus) refs.buttons[i].focus();
    }

    refs.group = h("div", { role: "radiogroup", id: id + "-ops", "aria-label": "Operation",
      style: "display:flex;flex-wrap:wrap;gap:0.35em;margin:0 0 0.8em;",
      onkeydown: function (ev) {
        var i = opIndex(data, refs.state.op), n = data.operations.length;
        var next = { ArrowRight: i + 1, ArrowDown: i + 1, ArrowLeft: i - 1, ArrowUp: i - 1, Home: 0, End: n - 1 }[ev.key];
        if (next === undefined) return;
        ev.preventDefault();
        choose(next, true);
      } });
    data.operations.forEach(function (op, i) {
      var b = h("button", { type: "button", role: "radio", id: id + "-op-" + op.id, "data-op": op.id,
        onclick: function () { choose(i, true); } }, op.label);
      refs.buttons.push(b);
      refs.group.appendChild(b);
    });

    refs.differs = h("p", { id: id + "-differs", "data-readout": "differs", style: "margin:0 0 0.2em;font-weight:700;" });
    refs.why = h("p", { id: id + "-why", "data-readout": "why", style: "margin:0 0 0.8em;font-size:0.72rem;" });

    var grid = h("div", { style: "display:grid;grid-template-columns:repeat(auto-fit,minmax(15em,1fr));gap:0.8em;" });
    SIDES.forEach(function (side) {
      var c = refs.cols[side.key] = {};
      c.code = h("code", { "data-readout": side.key + "-code" });
      c.result = h("div", { "data-readout": side.key + "-result", style: "margin:0.5em 0 0;" });
      c.dtype = h("output", { "data-readout": side.key + "-dtype", style: "font-family:var(--md-code-font-family,monospace);" });
      c.warnings = h("div", { "data-readout": side.key + "-warnings", style: "margin:0.5em 0 0;font-size:0.7rem;" });
      c.title = h("div", { style: "margin:0 0 0.15em;font-size:0.85rem;font-weight:700;" }, side.name);
      c.version = h("span", { style: "font-weight:400;font-size:0.7rem;margin-left:0.5em;" });
      c.title.appendChild(c.version);
      c.module = h("div", { style: "font-size:0.65rem;font-family:var(--md-code-font-family,monospace);" }, side.module);
      c.box = h("section", { "data-side": side.key, "aria-label": side.name,
        style: "min-width:0;padding:0.5em 0.7em 0.6em;border-top:0.3rem solid;border-radius:0.2rem;" },
        c.title, c.module,
        h("pre", { style: "margin:0.4em 0 0;font-size:0.7rem;white-space:pre-wrap;word-break:break-word;" }, c.code),
        c.result,
        h("div", { style: "margin:0.45em 0 0;font-size:0.7rem;" }, "dtype: ", c.dtype),
        c.warnings);
      grid.appendChild(c.box);
    });

    refs.root = h("div", { class: "jax-numpy-vs-jax" }, refs.group, refs.differs, refs.why, grid);
    view.textContent = "";
    view.appendChild(refs.root);
    return refs;
  }

  function renderSide(refs, side, out, ctx) {
    var h = ctx.h, c = ctx.colors, col = refs.cols[side.key];
    col.box.style.borderTopColor = c.series[side.series];
    col.box.style.background = "var(--md-code-bg-color, transparent)";
    col.title.style.color = c.series[side.series];
    col.module.style.color = c.muted;
    col.version.style.color = c.muted;
    col.code.textContent = out.code;
    col.code.style.cssText = "display:block;padding:0.45em 0.7em;border-radius:0.2rem;background:" + c.bg + ";color:" + c.fg +
      ";border:1px solid " + c.faint + ";";
    col.result.textContent = "";
    if (out.ok) {
      col.result.setAttribute("data-outcome", "value");
      col.result.appendChild(h("div", { style: "font-size:0.65rem;color:" + c.muted + ";" }, "returns"));
      col.result.appendChild(h("pre", { "data-readout": side.key + "-repr",
        style: "margin:0.1em 0 0;font-size:0.75rem;font-weight:700;white-space:pre-wrap;word-break:break-word;color:" + c.fg + ";" },
        h("code", {}, out.repr)));
    } else {
      col.result.setAttribute("data-outcome", "exception");
      col.result.appendChild(h("div", { role: "group", "aria-label": side.name + " raised an exception",
        style: "padding:0.3em 0.6em;border-left:0.25rem solid " + c.accent + ";" },
        h("div", { "data-readout": side.key + "-exception", style: "font-weight:700;font-size:0.75rem;color:" + c.accent + ";" },
          "✖ raises " + out.exception.type),
        h("div", { "data-readout": side.key + "-message", style: "font-size:0.7rem;word-break:break-word;color:" + c.fg + ";" },
          out.exception.message)));
    }
    col.dtype.textContent = out.dtype === null ? (out.ok ? "— (the value is a dtype)" : "— (no value)") : out.dtype;
    col.dtype.style.color = c.fg;
    col.warnings.textContent = "";
    if (!out.warnings.length) {
      col.warnings.appendChild(h("span", { style: "color:" + c.muted + ";" }, "no warnings"));
    } else {
      out.warnings.forEach(function (w) {
        col.warnings.appendChild(h("div", { "data-warning": w.category,
          style: "margin:0.25em 0 0;padding:0.2em 0.5em;border-left:0.25rem solid " + c.series[2] + ";word-break:break-word;" },
          h("strong", { style: "color:" + c.series[2] + ";" }, "⚠ " + w.category + ": "), w.message));
      });
    }
  }

  function describe(data, state) {
    var op = data.operations[opIndex(data, state.op)];
    return op.label + ". NumPy: " + shortOutcome(op.numpy) + ". JAX: " + shortOutcome(op.jax) + ". " + op.differs;
  }

  ThinkingInJaxSims.register("numpy-vs-jax", {
    title: "NumPy vs jax.numpy: the same line, two outcomes",
    initialState: function (data) { return { op: data.operations[0].id }; },
    render: function (view, data, state, ctx) {
      var refs = view.__npVsJax;
      if (!refs || !view.contains(refs.root)) refs = view.__npVsJax = build(view, data, ctx);
      refs.state = state;
      var c = ctx.colors, i = opIndex(data, state.op), op = data.operations[i];
      refs.buttons.forEach(function (b, k) {
        var on = k === i;
        b.setAttribute("aria-checked", String(on));
        b.tabIndex = on ? 0 : -1;
        b.style.cssText = "font:inherit;font-size:0.72rem;padding:0.25em 0.7em;cursor:pointer;border-radius:1em;border:1px solid " +
          (on ? c.primary : c.muted) + ";background:" + (on ? c.primary : c.bg) + ";color:" + (on ? c.bg : c.fg) + ";" +
          (on ? "font-weight:700;" : "");
      });
      refs.cols.numpy.version.textContent = data.numpy_version;
      refs.cols.jax.version.textContent = ctx.provenance ? ctx.provenance.jax : "";
      refs.differs.textContent = op.differs;
      refs.differs.style.color = c.fg;
      refs.why.textContent = op.why;
      refs.why.style.color = c.muted;
      SIDES.forEach(function (side) { renderSide(refs, side, op[side.key], ctx); });
    },
    describe: describe,
    table: function (data, state) {
      var current = opIndex(data, state.op);
      return {
        caption: "Every operation, as NumPy " + data.numpy_version + " and JAX ran it at build time (◀ marks the chosen one)",
        columns: ["operation", "NumPy result", "JAX result"],
        rows: data.operations.map(function (op, k) {
          return [op.label + (k === current ? " ◀" : ""), outcomeText(op.numpy), outcomeText(op.jax)];
        })
      };
    }
  });
})();
