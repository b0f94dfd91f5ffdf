/* Thinking in JAX — "data-parallel": Chapter 6's data-parallel step on 1, 2, 4
 * or 8 simulated devices, and where the blocks of a sharded array live.
 *
 * Every number drawn here was baked with real JAX (sims/data_parallel.py):
 * each device's rows of the batch, its local loss and gradient (returned per
 * device from jax.shard_map with out_specs=P('data')), each device's copy of
 * the pmean-averaged gradient and of the updated parameters, the single-device
 * full-batch gradient, and, for five PartitionSpecs, the block of a 4 × 8
 * array that each device of a 2 × 4 mesh holds (devices_indices_map). This
 * player only selects and lays out baked values.
 * State: { n: index into data.runs, phase: 0..3, playing: bool, spec: index into data.sharding.specs }.
 */
(function () {
  "use strict";

  var SIM = "data-parallel";
  var INTERVAL_MS = 1100;
  var PHASES = ["split the batch", "local gradients", "average (pmean)", "update"];
  var SUB = ["₀", "₁", "₂"];

  // A baked value for reading: 4 significant digits (exponent form below 0.001 and from 10⁴ on), a real minus sign.
  function num(v) {
    var size = Math.abs(v);
    var s = v === 0 ? "0" : (size < 1e-3 || size >= 1e4) ? v.toExponential(3) : v.toPrecision(4);
    return s.replace(/^-/, "−");
  }
  function vec(v) { return v.map(num).join(", "); }
  function paramLabel(i) { return i < 3 ? "w" + SUB[i] : "b"; }

  function devColor(ctx, d) { return ctx.colors.series[d % 4]; }

  function hatchDefs(ctx, prefix) {
    var h = ctx.h, defs = h("svg:defs", {});
    for (var k = 0; k < 4; k++) {
      defs.appendChild(h("svg:pattern", { id: prefix + "-hatch-" + k, width: 7, height: 7, patternUnits: "userSpaceOnUse",
        patternTransform: "rotate(45)" },
        h("svg:rect", { width: 7, height: 7, fill: ctx.colors.series[k], "fill-opacity": 0.12 }),
        h("svg:line", { x1: 0, y1: 0, x2: 0, y2: 7, stroke: ctx.colors.series[k], "stroke-width": 3, "stroke-opacity": 0.55 })));
    }
    return defs;
  }
  // Devices 0–3 (mesh row 0) are filled plainly, devices 4–7 (mesh row 1) hatched, in the colour of their mesh column.
  function devFill(ctx, prefix, d) { return d >= 4 ? "url(#" + prefix + "-hatch-" + (d % 4) + ")" : devColor(ctx, d); }
  function devFillOpacity(d) { return d >= 4 ? 1 : 0.22; }

  function text(ctx, x, y, s, attrs) {
    var a = { x: x, y: y, "font-size": 12, fill: ctx.colors.fg, "text-anchor": "middle" };
    if (attrs) Object.keys(attrs).forEach(function (k) { a[k] = attrs[k]; });
    return ctx.h("svg:text", a, s);
  }

  function arrow(ctx, x1, y1, x2, y2, colour) {
    var h = ctx.h, g = h("svg:g", {});
    var ang = Math.atan2(y2 - y1, x2 - x1), L = 7;
    g.appendChild(h("svg:line", { x1: x1, y1: y1, x2: x2 - Math.cos(ang) * 3, y2: y2 - Math.sin(ang) * 3, stroke: colour, "stroke-width": 1.4 }));
    var p1 = (x2 - L * Math.cos(ang - 0.45)) + "," + (y2 - L * Math.sin(ang - 0.45));
    var p2 = (x2 - L * Math.cos(ang + 0.45)) + "," + (y2 - L * Math.sin(ang + 0.45));
    g.appendChild(h("svg:polygon", { points: x2 + "," + y2 + " " + p1 + " " + p2, fill: colour }));
    return g;
  }

  // Four bars (w₀, w₁, w₂, b) around a zero line; `scale`: pixels per unit.
  function bars(ctx, cx, zeroY, width, values, scale, colour, showNumbers, key) {
    var h = ctx.h, g = h("svg:g", { "data-bars": key || "" });
    var slot = width / 4, bw = Math.min(16, slot * 0.55);
    g.appendChild(h("svg:line", { x1: cx - width / 2, x2: cx + width / 2, y1: zeroY, y2: zeroY, stroke: ctx.colors.muted, "stroke-width": 1 }));
    values.forEach(function (v, i) {
      var x = cx - width / 2 + slot * (i + 0.5);
      var len = Math.max(1, Math.abs(v) * scale);
      g.appendChild(h("svg:rect", { x: x - bw / 2, y: v >= 0 ? zeroY - len : zeroY, width: bw, height: len, fill: colour, rx: 1.5 }));
      g.appendChild(text(ctx, x, zeroY + (v >= 0 ? 14 : -5), paramLabel(i), { fill: ctx.colors.muted }));
      if (showNumbers) g.appendChild(text(ctx, x, v >= 0 ? zeroY - len - 4 : zeroY + len + 13, num(v), { "font-size": 12 }));
    });
    return g;
  }

  /* ---- the skeleton: controls and readouts, built once so focus survives ---- */

  function radioGroup(ctx, name, legend, labels, onpick) {
    var h = ctx.h;
    var inputs = [];
    var field = h("fieldset", { style: "border:0;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:0.2em 0.8em;align-items:center;" },
      h("legend", { style: "float:left;padding:0 0.6em 0 0;font-size:0.72rem;font-weight:600;" }, legend),
      labels.map(function (label, i) {
        var input = h("input", { type: "radio", name: name, id: name + "-" + i, value: String(i),
          onchange: function (e) { if (e.target.checked) onpick(i); } });
        inputs.push(input);
        return h("label", { for: name + "-" + i, style: "font-size:0.72rem;cursor:pointer;white-space:nowrap;" }, input, " ", label);
      }));
    return { field: field, inputs: inputs };
  }

  function build(view, data, ctx) {
    var h = ctx.h, uid = ctx.id;
    var dp = { state: null, stop: null };
    var btnStyle = "margin:0;padding:0.25em 1em;font-size:0.7rem;cursor:pointer;min-width:4.5em;";

    dp.devices = radioGroup(ctx, uid + "-n", "Devices:", data.runs.map(function (r) { return String(r.devices); }),
      function (i) { ctx.setState({ n: i }); });
    dp.devices.inputs.forEach(function (input, i) {
      input.setAttribute("aria-label", data.runs[i].devices + (data.runs[i].devices === 1 ? " device" : " devices"));
    });
    dp.stepBtn = h("button", { type: "button", id: uid + "-step", class: "md-button", style: btnStyle,
      onclick: function () {
        var s = dp.state;
        if (s.phase < 3) ctx.setState({ phase: s.phase + 1, playing: false });
        else ctx.setState({ playing: false });
      } }, "Step");
    dp.playBtn = h("button", { type: "button", id: uid + "-play", class: "md-button md-button--primary", style: btnStyle,
      onclick: function () {
        var s = dp.state;
        if (ctx.reducedMotion) ctx.setState({ phase: 3, playing: false });   // no animation: jump to the end
        else if (s.playing) ctx.setState({ playing: false });
        else ctx.setState({ playing: true, phase: s.phase >= 3 ? 0 : s.phase });
      } }, "Play");
    dp.resetBtn = h("button", { type: "button", id: uid + "-reset", class: "md-button", style: btnStyle,
      onclick: function () { ctx.setState({ phase: 0, playing: false }); } }, "Reset");
    dp.phaseText = h("span", { "data-readout": "phase", style: "font-size:0.72rem;" });

    dp.svgBox = h("div", { style: "margin:0.5em 0 0.2em;" });

    function cell(label, key) {
      var value = h("span", { "data-readout": key, style: "font-variant-numeric:tabular-nums;font-weight:600;" });
      dp.readouts[key] = value;
      var lab = h("span", { class: "dp-label", style: "display:block;font-size:0.6rem;text-transform:uppercase;letter-spacing:0.04em;" }, label);
      return h("div", { style: "min-width:0;" }, lab, value);
    }
    dp.readouts = {};
    dp.readoutBox = h("div", { style: "display:grid;grid-template-columns:repeat(auto-fit,minmax(13em,1fr));gap:0.4em 1em;font-size:0.72rem;" },
      cell("Averaged gradient (pmean) ∂L/∂(w₀, w₁, w₂, b)", "avg-grad"),
      cell("Full batch on one device (check)", "full-grad"),
      cell("Updated parameters, on every device", "params"));
    dp.localList = h("div", { "data-readout": "local-grads", style: "font-size:0.68rem;margin-top:0.4em;font-variant-numeric:tabular-nums;" });
    dp.note = h("p", { "data-readout": "compiled", style: "margin:0.4em 0 0;font-size:0.62rem;" });

    dp.specs = radioGroup(ctx, uid + "-spec", "PartitionSpec:", data.sharding.specs.map(function (s) { return s.spec; }),
      function (i) { ctx.setState({ spec: i }); });
    dp.specs.field.querySelectorAll("label").forEach(function (l) { l.style.fontFamily = "var(--md-code-font-family, monospace)"; });
    dp.svgBox2 = h("div", { style: "margin:0.5em 0 0.2em;" });
    dp.specReadout = h("p", { "data-readout": "spec", style: "margin:0.2em 0 0;font-size:0.72rem;" });

    var root = h("div", { class: "dp" },
      h("div", { style: "display:flex;flex-wrap:wrap;gap:0.5em 1.4em;align-items:center;" },
        dp.devices.field,
        h("div", { style: "display:flex;gap:0.5em;flex-wrap:wrap;" }, dp.stepBtn, dp.playBtn, dp.resetBtn),
        dp.phaseText),
      dp.svgBox, dp.readoutBox, dp.localList, dp.note,
      h("hr", { style: "margin:0.9em 0 0.6em;" }),
      h("p", { style: "margin:0 0 0.3em;font-size:0.72rem;" },
        "Sharding: the 4 × 8 array x = arange(32) placed on the 2 × 4 mesh ('data', 'model') with NamedSharding(mesh, spec)."),
      dp.specs.field, dp.svgBox2, dp.specReadout);
    view.textContent = "";
    view.appendChild(root);

    dp.narrow = null;
    if (window.ResizeObserver) {
      new ResizeObserver(function () {
        if (dp.state && isNarrow(view) !== dp.narrow) ctx.setState({});
      }).observe(view);
    }
    return dp;
  }

  function isNarrow(view) { return view.clientWidth > 0 && view.clientWidth < 540; }

  /* ---- picture 1: the data-parallel step ---------------------------------- */

  function gradScale(data) {
    var m = 0;
    data.runs.forEach(function (r) {
      r.shards.forEach(function (s) { s.grad.forEach(function (v) { m = Math.max(m, Math.abs(v)); }); });
    });
    return m;
  }

  function stepPicture(data, state, ctx, narrow) {
    var h = ctx.h, c = ctx.colors;
    var run = data.runs[state.n], N = run.devices, phase = state.phase;
    var prefix = ctx.id + "-dp";
    var W = narrow ? 380 : 700;
    var perRow = narrow ? Math.min(N, 4) : N;
    var rowsOfBoxes = Math.ceil(N / perRow);
    var gap = 8, margin = 10;
    var boxW = Math.min(170, (W - 2 * margin - (perRow - 1) * gap) / perRow);
    var wide = boxW >= 110;
    var perStrip = narrow ? 8 : 16, stripY = 26, cellW = narrow ? 36 : 34, stripX = (W - perStrip * cellW) / 2 + 20;
    function cellX(i) { return stripX + (i % perStrip) * cellW; }
    function cellY(i) { return stripY + Math.floor(i / perStrip) * (cellW - 2); }
    var devTop = narrow ? 128 : 92, devH = wide ? 150 : 140;
    var devBlockH = rowsOfBoxes * devH + (rowsOfBoxes - 1) * gap;
    var meanTop = devTop + devBlockH + 40, meanH = 112;
    var updTop = meanTop + meanH + 40, updH = wide ? 100 : 84;
    var H = updTop + rowsOfBoxes * updH + (rowsOfBoxes - 1) * gap + 10;
    var maxG = gradScale(data), half = wide ? 44 : 36, scale = half / maxG;
    var pScale = ((updH - 22) / 2 - 16) / Math.max.apply(null, data.full_batch.params.map(Math.abs));

    function boxX(k) {
      var inRow = Math.min(perRow, N - Math.floor(k / perRow) * perRow);
      var rowW = inRow * boxW + (inRow - 1) * gap;
      return (W - rowW) / 2 + (k % perRow) * (boxW + gap);
    }
    function boxY(k, top, bh) { return top + Math.floor(k / perRow) * (bh + gap); }

    var svg = h("svg:svg", { viewBox: "0 0 " + W + " " + H, role: "img", "data-picture": "step",
      "aria-label": "The batch of " + data.batch_size + " examples split over " + N + (N === 1 ? " device" : " devices") +
        ", each device's gradient, their average from pmean, and the identical update on every device.",
      style: "font-family:inherit;" }, hatchDefs(ctx, prefix));

    // The batch: 16 examples, coloured by the device that holds them.
    svg.appendChild(text(ctx, stripX - 8, stripY + cellW / 2 + 4, "batch", { "text-anchor": "end", fill: c.muted }));
    svg.appendChild(text(ctx, W / 2 + 20, 14, narrow ? "16 examples, placed with P('data')" : "16 examples of X (16 × 3) and Y, placed with NamedSharding(mesh, P('data'))", { fill: c.muted }));
    run.shards.forEach(function (s) {
      for (var i = s.rows[0]; i < s.rows[1]; i++) {
        var x = cellX(i), cy = cellY(i);
        svg.appendChild(h("svg:rect", { x: x + 1, y: cy, width: cellW - 2, height: cellW - 6, rx: 3,
          fill: devFill(ctx, prefix, s.device), "fill-opacity": devFillOpacity(s.device), stroke: devColor(ctx, s.device), "stroke-width": 1.2 }));
        svg.appendChild(text(ctx, x + cellW / 2, cy + (cellW - 6) / 2 + 4, String(i)));
      }
    });

    // Device boxes.
    run.shards.forEach(function (s, k) {
      var x = boxX(k), y = boxY(k, devTop, devH), col = devColor(ctx, s.device);
      var g = h("svg:g", { "data-device": s.device });
      g.appendChild(h("svg:rect", { x: x, y: y, width: boxW, height: devH, rx: 6, fill: devFill(ctx, prefix, s.device),
        "fill-opacity": s.device >= 4 ? 0.5 : 0.08, stroke: col, "stroke-width": 1.6 }));
      g.appendChild(text(ctx, x + boxW / 2, y + 17, "device " + s.device, { "font-weight": 700 }));
      g.appendChild(text(ctx, x + boxW / 2, y + 33, wide ? "examples " + s.rows[0] + "–" + (s.rows[1] - 1) : "x[" + s.rows[0] + ":" + s.rows[1] + "]", { fill: c.muted }));
      // arrow from its part of the batch
      var last = s.rows[1] - 1, first = s.rows[0];
      var sameRow = Math.floor(first / perStrip) === Math.floor(last / perStrip);
      var mid = sameRow ? (cellX(first) + cellX(last) + cellW) / 2 : cellX(last) + cellW / 2;
      svg.appendChild(arrow(ctx, mid, cellY(15) + cellW - 4, x + boxW / 2, y - 2, c.muted));
      if (phase >= 1) {
        g.appendChild(text(ctx, x + boxW / 2, y + 50, "loss " + num(s.loss), { fill: c.fg }));
        g.appendChild(bars(ctx, x + boxW / 2, y + 58 + half, boxW - 16, s.grad, scale, col, false, "local-" + s.device));
        g.appendChild(text(ctx, x + boxW / 2, y + devH - 8, "local gradient", { fill: c.muted }));
      } else {
        g.appendChild(text(ctx, x + boxW / 2, y + devH / 2 + 10, wide ? "holds " + (s.rows[1] - s.rows[0]) + " examples" : (s.rows[1] - s.rows[0]) + " rows", { fill: c.muted }));
      }
      svg.appendChild(g);
    });

    // pmean box.
    var mw = narrow ? 340 : 420, mx = (W - mw) / 2;
    var active = phase >= 2;
    svg.appendChild(h("svg:rect", { x: mx, y: meanTop, width: mw, height: meanH, rx: 8, fill: c.primary, "fill-opacity": active ? 0.1 : 0.03,
      stroke: active ? c.primary : c.faint, "stroke-width": active ? 2 : 1.2, "stroke-dasharray": active ? "" : "5 4" }));
    svg.appendChild(text(ctx, W / 2, meanTop + 18, "jax.lax.pmean(grads, 'data'): the average of " + N + (N === 1 ? " gradient" : " gradients"),
      { "font-weight": 700, fill: active ? c.fg : c.muted }));
    if (active) {
      run.shards.forEach(function (s, k) {
        var bx = boxX(k) + boxW / 2, by = boxY(k, devTop, devH) + devH;
        svg.appendChild(arrow(ctx, bx, by + 2, W / 2 + (bx - W / 2) * 0.35, meanTop - 2, devColor(ctx, s.device)));
      });
      svg.appendChild(bars(ctx, W / 2, meanTop + 62, narrow ? 220 : 260, run.averaged_grad, scale, c.primary, true, "averaged"));
      svg.appendChild(text(ctx, W / 2, meanTop + meanH - 10, "one device, whole batch: " + vec(data.full_batch.grad), { fill: c.muted }));
    } else {
      svg.appendChild(text(ctx, W / 2, meanTop + 60, phase === 0 ? "waiting for the local gradients" : "next: all-reduce over devices " + run.all_reduces[0].replica_groups.replace(/^\{|\}$/g, ""), { fill: c.muted }));
    }

    // Updated parameters on every device.
    run.shards.forEach(function (s, k) {
      var x = boxX(k), y = boxY(k, updTop, updH), col = devColor(ctx, s.device);
      var on = phase >= 3;
      if (on) svg.appendChild(arrow(ctx, W / 2 + (x + boxW / 2 - W / 2) * 0.35, meanTop + meanH + 2, x + boxW / 2, y - 2, c.primary));
      var g = h("svg:g", { "data-updated": s.device });
      g.appendChild(h("svg:rect", { x: x, y: y, width: boxW, height: updH, rx: 6, fill: "none",
        stroke: on ? col : c.faint, "stroke-width": on ? 1.6 : 1.2, "stroke-dasharray": on ? "" : "5 4" }));
      g.appendChild(text(ctx, x + boxW / 2, y + 16, wide ? "device " + s.device + ": new params" : "device " + s.device, { "font-weight": 700, fill: on ? c.fg : c.muted }));
      if (on) {
        g.appendChild(bars(ctx, x + boxW / 2, y + 22 + (updH - 22) / 2, boxW - 16, s.params, pScale, col, false, "params-" + s.device));
      } else {
        g.appendChild(text(ctx, x + boxW / 2, y + updH / 2 + 8, "params − " + data.learning_rate + " × avg", { fill: c.muted, "font-size": 12 }));
      }
      svg.appendChild(g);
    });
    return svg;
  }

  /* ---- picture 2: the sharding grid ---------------------------------------- */

  function blocksOf(spec) {
    var blocks = [], byKey = {};
    spec.devices.forEach(function (d) {
      var key = d.rows.join(":") + "," + d.cols.join(":");
      if (!byKey[key]) { byKey[key] = { rows: d.rows, cols: d.cols, devices: [] }; blocks.push(byKey[key]); }
      byKey[key].devices.push(d);
    });
    return blocks;
  }

  function idList(devs) {
    var ids = devs.map(function (d) { return d.device; });
    return ids.length === 1 ? "device " + ids[0] : "devices " + ids.join(", ");
  }

  function shardingPicture(data, state, ctx, narrow) {
    var h = ctx.h, c = ctx.colors, sh = data.sharding;
    var spec = sh.specs[state.spec], prefix = ctx.id + "-sh";
    var R = sh.array_shape[0], C = sh.array_shape[1];
    var W = narrow ? 380 : 700;
    var cell = narrow ? 42 : 40, gx = narrow ? (W - C * cell) / 2 : 24, gy = 34;
    var meshX = narrow ? 20 : 384, meshY = narrow ? gy + R * cell + 56 : 34;
    var dw = narrow ? 82 : 74, dh = 86, dg = 6;
    var H = narrow ? meshY + 2 * dh + dg + 14 : Math.max(gy + R * cell + 40, meshY + 2 * dh + dg + 14);
    if (narrow) meshX = (W - (4 * dw + 3 * dg)) / 2;
    var svg = h("svg:svg", { viewBox: "0 0 " + W + " " + H, role: "img", "data-picture": "sharding",
      "aria-label": "The 4 × 8 array with the blocks of " + spec.spec + " outlined and labelled with the devices that hold them, and the 2 × 4 mesh showing each device's block.",
      style: "font-family:inherit;" }, hatchDefs(ctx, prefix));

    svg.appendChild(text(ctx, gx, gy - 12, "x (4 × 8): " + spec.type, { "text-anchor": "start", "font-weight": 700 }));
    // values
    for (var r = 0; r < R; r++) for (var k = 0; k < C; k++) {
      svg.appendChild(h("svg:rect", { x: gx + k * cell, y: gy + r * cell, width: cell, height: cell, fill: "none", stroke: c.faint, "stroke-width": 1 }));
    }
    var blocks = blocksOf(spec);
    blocks.forEach(function (b) {
      var x = gx + b.cols[0] * cell, y = gy + b.rows[0] * cell;
      var w = (b.cols[1] - b.cols[0]) * cell, hh = (b.rows[1] - b.rows[0]) * cell;
      var cols = {};
      b.devices.forEach(function (d) { cols[d.mesh_position[1]] = true; });
      var oneCol = Object.keys(cols).length === 1;
      var fill, op;
      if (b.devices.length === 1) { fill = devFill(ctx, prefix, b.devices[0].device); op = devFillOpacity(b.devices[0].device); }
      else if (oneCol) { fill = devColor(ctx, b.devices[0].device); op = 0.22; }
      else { fill = c.faint; op = 0.35; }
      svg.appendChild(h("svg:rect", { x: x + 2, y: y + 2, width: w - 4, height: hh - 4, rx: 4, fill: fill, "fill-opacity": op,
        stroke: b.devices.length === 1 || oneCol ? devColor(ctx, b.devices[0].device) : c.fg, "stroke-width": 2, "data-block": b.rows.join(":") + "," + b.cols.join(":") }));
    });
    for (r = 0; r < R; r++) for (k = 0; k < C; k++) {
      svg.appendChild(text(ctx, gx + (k + 0.5) * cell, gy + (r + 0.5) * cell + 4, String(sh.array[r][k]), { fill: c.muted }));
    }
    blocks.forEach(function (b) {
      var x = gx + (b.cols[0] + b.cols[1]) / 2 * cell, y = gy + (b.rows[0] + b.rows[1]) / 2 * cell;
      var ids = b.devices.map(function (d) { return d.device; });
      var label = ids.length === 1 ? "dev " + ids[0] : ids.join(",");
      var wpx = (b.cols[1] - b.cols[0]) * cell;
      if (ids.length === 8) label = "all 8 devices";
      else if (ids.length > 1 && wpx >= 200) label = "devices " + ids.join(", ");
      var tw = label.length * 7 + 10;
      svg.appendChild(h("svg:rect", { x: x - tw / 2, y: y - 10, width: tw, height: 18, rx: 9, fill: c.bg, "fill-opacity": 0.92, stroke: c.fg, "stroke-width": 1 }));
      svg.appendChild(text(ctx, x, y + 4, label, { "font-weight": 700 }));
    });

    // The mesh: each device with a small map of the block it holds.
    svg.appendChild(text(ctx, meshX + 2 * dw + 1.5 * dg, meshY - 12, "mesh 2 × 4:  'model' →   ('data' ↓)", { "font-weight": 700 }));
    spec.devices.forEach(function (d) {
      var x = meshX + d.mesh_position[1] * (dw + dg), y = meshY + d.mesh_position[0] * (dh + dg);
      var col = devColor(ctx, d.device);
      var g = h("svg:g", { "data-mesh-device": d.device });
      g.appendChild(h("svg:rect", { x: x, y: y, width: dw, height: dh, rx: 5, fill: "none", stroke: col, "stroke-width": 1.5 }));
      g.appendChild(text(ctx, x + dw / 2, y + 15, "device " + d.device, { "font-weight": 700 }));
      var m = 7, mx = x + (dw - C * m) / 2, my = y + 23;
      g.appendChild(h("svg:rect", { x: mx, y: my, width: C * m, height: R * m, fill: "none", stroke: c.muted, "stroke-width": 0.8 }));
      g.appendChild(h("svg:rect", { x: mx + d.cols[0] * m, y: my + d.rows[0] * m, width: (d.cols[1] - d.cols[0]) * m, height: (d.rows[1] - d.rows[0]) * m,
        fill: devFill(ctx, prefix, d.device), "fill-opacity": d.device >= 4 ? 1 : 0.6, stroke: col, "stroke-width": 1 }));
      g.appendChild(text(ctx, x + dw / 2, y + 68, "[" + d.rows[0] + ":" + d.rows[1] + ", " + d.cols[0] + ":" + d.cols[1] + "]", { "font-size": 12 }));
      g.appendChild(text(ctx, x + dw / 2, y + 81, "copy " + d.replica_id, { fill: c.muted, "font-size": 12 }));
      svg.appendChild(g);
    });
    return svg;
  }

  function specSummary(spec) {
    var blocks = blocksOf(spec);
    var copies = spec.devices.length / blocks.length;
    return spec.spec + " → " + spec.type + ": each device holds a (" + spec.shard_shape.join(", ") + ") block; " +
      blocks.length + (blocks.length === 1 ? " distinct block" : " distinct blocks") + ", " + copies +
      (copies === 1 ? " copy each." : " copies of each.");
  }

  /* ---- render ----------------------------------------------------------- */

  function render(view, data, state, ctx) {
    var dp = view.__dataParallel;
    if (!dp || !view.contains(dp.stepBtn)) dp = view.__dataParallel = build(view, data, ctx);
    dp.state = state;
    var c = ctx.colors, run = data.runs[state.n];

    var animate = state.playing && !ctx.reducedMotion;
    if (animate && !dp.stop) {
      dp.stop = ctx.every(INTERVAL_MS, function () {
        var s = dp.state;
        if (!s.playing) return;
        var next = Math.min(s.phase + 1, 3);
        ctx.setState({ phase: next, playing: next < 3 });
      });
    } else if (!animate && dp.stop) {
      dp.stop();
      dp.stop = null;
    }
    dp.playBtn.textContent = animate ? "Pause" : "Play";
    dp.playBtn.setAttribute("aria-label", animate ? "Pause" : (ctx.reducedMotion ? "Play (jumps to the update)" : "Play"));
    dp.stepBtn.setAttribute("aria-disabled", String(state.phase >= 3));
    dp.stepBtn.style.opacity = state.phase >= 3 ? "0.55" : "";
    dp.devices.inputs.forEach(function (input, i) { input.checked = i === state.n; });
    dp.specs.inputs.forEach(function (input, i) { input.checked = i === state.spec; });
    dp.phaseText.textContent = "Phase " + (state.phase + 1) + " of 4: " + PHASES[state.phase];
    dp.phaseText.style.color = c.muted;

    var narrow = isNarrow(view);
    dp.narrow = narrow;
    dp.svgBox.textContent = "";
    dp.svgBox.appendChild(stepPicture(data, state, ctx, narrow));
    dp.svgBox2.textContent = "";
    dp.svgBox2.appendChild(shardingPicture(data, state, ctx, narrow));

    dp.readouts["avg-grad"].textContent = state.phase >= 2 ? vec(run.averaged_grad) : "— (phase 3)";
    dp.readouts["full-grad"].textContent = vec(data.full_batch.grad);
    dp.readouts.params.textContent = state.phase >= 3 ? vec(run.params) : "— (phase 4)";
    Array.prototype.forEach.call(dp.readoutBox.querySelectorAll(".dp-label"), function (s) { s.style.color = c.muted; });
    dp.localList.textContent = "";
    if (state.phase >= 1) {
      run.shards.forEach(function (s) {
        dp.localList.appendChild(ctx.h("div", { "data-device-grad": s.device },
          ctx.h("span", { style: "display:inline-block;width:0.7em;height:0.7em;border-radius:2px;margin-right:0.4em;background:" + devColor(ctx, s.device) + ";" }),
          "device " + s.device + " (examples " + s.rows[0] + "–" + (s.rows[1] - 1) + "): loss " + num(s.loss) + ", gradient " + vec(s.grad)));
      });
    }
    dp.note.style.color = c.muted;
    dp.note.textContent = "Inside shard_map each device sees " + run.block_type + " of x (" + run.x_type + " outside); its gradient is " +
      run.local_grad_type + ", after pmean " + run.averaged_grad_type + ". XLA compiled " + run.all_reduces.length +
      " all-reduce over replica groups " + run.all_reduces[0].replica_groups + ". Largest difference from the one-device gradient: " +
      num(run.max_abs_diff_from_full_batch) + " (float32 rounding). The same step with jax.pmap(axis_name='devices') gives every device " +
      vec(run.pmap.params[0]) + ".";
    dp.specReadout.textContent = specSummary(data.sharding.specs[state.spec]);
  }

  ThinkingInJaxSims.register(SIM, {
    title: "Data parallelism: split the batch, average the gradients, and see where sharded blocks live",
    initialState: function (data) {
      var spec = 0;
      data.sharding.specs.forEach(function (s, i) { if (s.spec === "P('data', 'model')") spec = i; });
      return { n: 2, phase: 3, playing: false, spec: spec };
    },
    render: render,
    describe: function (data, state) {
      var run = data.runs[state.n], N = run.devices, per = data.batch_size / N;
      var text = N + (N === 1 ? " device holds all " + data.batch_size + " examples" : " devices each hold " + per + " of the " + data.batch_size + " examples") +
        "; phase " + (state.phase + 1) + " of 4, " + PHASES[state.phase] + ".";
      if (state.phase >= 2) text += " pmean gives every device the averaged gradient " + vec(run.averaged_grad) +
        " (one device on the whole batch: " + vec(data.full_batch.grad) + ").";
      if (state.phase >= 3) text += " Every device applies the same update: parameters " + vec(run.params) + ".";
      return text + " Sharding: " + specSummary(data.sharding.specs[state.spec]);
    },
    table: function (data, state) {
      var run = data.runs[state.n], spec = data.sharding.specs[state.spec];
      var rows = [];
      for (var d = 0; d < 8; d++) {
        var s = null;
        run.shards.forEach(function (x) { if (x.device === d) s = x; });
        var b = spec.devices[d];
        var block = "x[" + b.rows[0] + ":" + b.rows[1] + ", " + b.cols[0] + ":" + b.cols[1] + "]";
        rows.push(s ? [String(d), "X[" + s.rows[0] + ":" + s.rows[1] + "]", num(s.loss), vec(s.grad), vec(s.params), block]
                    : [String(d), "not used with " + run.devices, "—", "—", "—", block]);
      }
      rows.push(["pmean (all " + run.devices + ")", "X[0:" + data.batch_size + "]", num(run.mean_loss), vec(run.averaged_grad), vec(run.params), "—"]);
      rows.push(["1 device, full batch", "X[0:" + data.batch_size + "]", num(data.full_batch.loss), vec(data.full_batch.grad), vec(data.full_batch.params), "—"]);
      return {
        caption: "One data-parallel step on " + run.devices + (run.devices === 1 ? " device" : " devices") +
          " (gradients and parameters as w₀, w₁, w₂, b) and the block of x each device holds under " + spec.spec + " (baked with JAX).",
        columns: ["device", "batch shard", "local loss", "local gradient", "updated params", "block under " + spec.spec],
        rows: rows
      };
    }
  });
})();
