/* prng-tree — a tree of real PRNG keys: split, draw, and reuse.
 *
 * Baked data (sims/prng_tree.py): the full binary tree that jax.random.split
 * grows from jax.random.key(42), in pre-order; for every key its path
 * ("root/0/1"), its raw data (jax.random.key_data: two uint32 words), what
 * jax.random.normal(key, (3,)) and uniform(key, (3,)) draw from it, and what
 * split(key, 3) and fold_in(key, i) give. This player only reveals, marks and
 * lists baked keys and samples: it computes no random number.
 * State: { selected, split: {path: true}, draws: {path: count},
 *          log: [{path, use}], last: {action, path, ok} | null }.
 * A key's uses are its split (if split) plus its draws: 0 uses = available
 * (teal), 1 = consumed (orange), 2 or more = reused (red).
 */
(function () {
  "use strict";

  var BOX_W = 130, BOX_H = 40, PITCH_X = 140, PITCH_Y = 48, LEFT = 9, TOP = 10;
  var W = 2 * LEFT + 4 * PITCH_X + BOX_W;  // five levels (root + 4 splits) side by side: 702
  var MONO = "ui-monospace,SFMono-Regular,Menlo,Consolas,monospace";

  /* ---- the baked tree ------------------------------------------------------ */

  var indexed = null, byPath = null;
  function index(data) {
    if (indexed !== data) {
      byPath = {};
      data.nodes.forEach(function (n) { byPath[n.path] = n; });
      indexed = data;
    }
    return byPath;
  }
  function nodeOf(data, path) { return index(data)[path] || data.nodes[0]; }

  /* Visible keys, in pre-order: the root, and the children of every key that was split. */
  function visible(data, state) {
    var shown = {};
    return data.nodes.filter(function (n) {
      var on = n.parent === null || (shown[n.parent] && state.split[n.parent]);
      if (on) shown[n.path] = true;
      return on;
    });
  }

  function uses(state, path) { return (state.split[path] ? 1 : 0) + (state.draws[path] || 0); }
  function status(state, path) {
    var u = uses(state, path);
    return u === 0 ? "available" : u === 1 ? "consumed" : "reused";
  }
  function statusText(state, path) {
    var s = status(state, path);
    if (s === "available") return "available";
    var how = [];
    if (state.split[path]) how.push("split");
    if (state.draws[path]) how.push("drawn from " + state.draws[path] + "×");
    return s + " (" + how.join(", ") + ")";
  }

  function keyText(words) { return "[" + words[0] + ", " + words[1] + "]"; }
  function hex(w) { var s = w.toString(16); while (s.length < 8) s = "0" + s; return s; }
  function hexText(words) { return hex(words[0]) + " " + hex(words[1]); }
  function listText(values, digits) { return "[" + values.map(function (v) { return numberText(v, digits); }).join(", ") + "]"; }
  function shapeText(data) { return "(" + data.shape.join(", ") + (data.shape.length === 1 ? ",)" : ")"); }

  /* The Python expression that makes a key, e.g. split(split(key(42))[0])[1]. */
  function expression(data, path) {
    var expr = "key(" + data.seed + ")";
    path.split("/").slice(1).forEach(function (i) { expr = "split(" + expr + ")[" + i + "]"; });
    return expr;
  }

  function statusColor(ctx, s, red) {
    return s === "available" ? ctx.colors.primary : s === "consumed" ? ctx.colors.accent : red;
  }
  /* The site's theme-aware error red (teal, orange and red are the chapter's three colours). */
  function redOf(view, ctx) {
    var v = (getComputedStyle(view).getPropertyValue("--jax-error-fg") || "").trim();
    return v || ctx.colors.accent;
  }

  /* ---- actions ----------------------------------------------------------------- */

  function act(refs, data, ctx, action) {
    var s = refs.state, path = s.selected, node = nodeOf(data, path), u = uses(s, path);
    var patch = { last: { action: action, path: path, ok: false } };
    if (action === "split") {
      if (!node.children.length) patch.last.why = "deepest";
      else if (u > 0) patch.last.why = "used";
      else {
        var split = Object.assign({}, s.split); split[path] = true;
        patch.split = split; patch.last.ok = true;
      }
    } else if (action === "draw" || action === "reuse") {
      if (action === "draw" && u > 0) patch.last.why = "used";
      else if (action === "reuse" && u === 0) patch.last.why = "fresh";
      else {
        var draws = Object.assign({}, s.draws); draws[path] = (draws[path] || 0) + 1;
        patch.draws = draws; patch.last.ok = true;
        patch.log = s.log.concat([{ path: path, use: u + 1 }]);
      }
    }
    ctx.setState(patch);
  }

  function move(refs, data, ctx, key) {
    var s = refs.state, list = visible(data, s), i = 0, node = nodeOf(data, s.selected);
    list.forEach(function (n, k) { if (n.path === s.selected) i = k; });
    var to = null;
    if (key === "ArrowDown") to = list[Math.min(list.length - 1, i + 1)];
    else if (key === "ArrowUp") to = list[Math.max(0, i - 1)];
    else if (key === "Home") to = list[0];
    else if (key === "End") to = list[list.length - 1];
    else if (key === "ArrowLeft") to = node.parent ? nodeOf(data, node.parent) : node;
    else if (key === "ArrowRight") to = s.split[node.path] ? nodeOf(data, node.children[0]) : node;
    if (to) ctx.setState({ selected: to.path, last: null });
  }

  /* ---- the stable part of the view ------------------------------------------ */

  function build(view, data, ctx) {
    var h = ctx.h, id = ctx.id;
    var refs = { state: null };
    var small = "margin:0;padding:0.25em 0.9em;font-size:0.7rem;cursor:pointer;";
    var button = function (name, label, cls, fn) {
      return h("button", { type: "button", class: "md-button" + (cls ? " " + cls : ""), id: id + "-" + name, style: small,
        onclick: fn }, label);
    };
    refs.split = button("split", "Split", "md-button--primary", function () { act(refs, data, ctx, "split"); });
    refs.draw = button("draw", "Draw normal(key, " + shapeText(data) + ")", "", function () { act(refs, data, ctx, "draw"); });
    refs.reuse = button("reuse", "Reuse key", "", function () { act(refs, data, ctx, "reuse"); });
    refs.reset = button("reset", "Reset", "", function () {
      ctx.setState({ selected: data.nodes[0].path, split: {}, draws: {}, log: [], last: null });
    });
    refs.counter = h("span", { id: id + "-counter", style: "font-variant-numeric:tabular-nums;" });

    refs.svg = h("svg:svg", { id: id + "-tree", role: "tree", tabindex: 0, viewBox: "0 0 " + W + " 100",
      "aria-label": "Key tree: arrow keys move between keys, Enter splits, D draws, R reuses",
      style: "display:block;width:100%;min-width:560px;outline-offset:-2px;border-radius:4px;",
      onfocus: function () { refs.svg.style.outline = "2px solid " + ctx.colors.primary; },
      onblur: function () { refs.svg.style.outline = ""; },
      onkeydown: function (e) {
        var k = e.key;
        if (k === "ArrowUp" || k === "ArrowDown" || k === "ArrowLeft" || k === "ArrowRight" || k === "Home" || k === "End") {
          e.preventDefault(); move(refs, data, ctx, k);
        } else if (k === "Enter" || k === " ") { e.preventDefault(); act(refs, data, ctx, "split"); }
        else if (k === "d" || k === "D") { e.preventDefault(); act(refs, data, ctx, "draw"); }
        else if (k === "r" || k === "R") { e.preventDefault(); act(refs, data, ctx, "reuse"); }
      } });
    refs.svgBox = h("div", { style: "overflow-x:auto;" }, refs.svg);
    refs.legend = h("p", { style: "margin:0 0 0.4em;font-size:0.7rem;display:flex;flex-wrap:wrap;gap:0.3em 1.2em;align-items:center;" });
    refs.details = h("div", { id: id + "-details", style: "margin:0.6em 0 0;font-size:0.75rem;" });
    refs.logTitle = h("p", { style: "margin:0.6em 0 0.2em;font-weight:700;font-size:0.75rem;" }, "Draws so far");
    refs.log = h("ol", { id: id + "-log", style: "margin:0 0 0 1.6em;padding:0;font-size:0.72rem;font-variant-numeric:tabular-nums;" });

    view.textContent = "";
    view.appendChild(h("div", { style: "display:flex;flex-wrap:wrap;align-items:center;gap:0.4em 0.6em;margin:0 0 0.6em;" },
      refs.split, refs.draw, refs.reuse, refs.reset, refs.counter));
    view.appendChild(refs.legend);
    view.appendChild(refs.svgBox);
    view.appendChild(refs.details);
    view.appendChild(refs.logTitle);
    view.appendChild(refs.log);
    return refs;
  }

  /* ---- the tree ---------------------------------------------------------------- */

  function layout(list, state) {
    var pos = {}, row = 0;
    // Leaves take the next row; a split key sits level with the middle of its children.
    function place(i) {
      var n = list[i], kids = [], j = i + 1;
      if (state.split[n.path]) {
        while (j < list.length && list[j].parent === n.path) { kids.push(list[j]); j = place(j); }
      }
      var y = kids.length ? (pos[kids[0].path].y + pos[kids[kids.length - 1].path].y) / 2 : TOP + (row++) * PITCH_Y;
      pos[n.path] = { x: LEFT + n.depth * PITCH_X, y: y };
      return j;
    }
    place(0);
    return { pos: pos, height: TOP * 2 + row * PITCH_Y - (PITCH_Y - BOX_H) };
  }

  function drawTree(refs, data, state, ctx, red) {
    var h = ctx.h, c = ctx.colors, list = visible(data, state), L = layout(list, state);
    var edges = [], boxes = [];
    list.forEach(function (n) {
      var p = L.pos[n.path];
      if (n.parent !== null) {
        var q = L.pos[n.parent], sx = q.x + BOX_W, sy = q.y + BOX_H / 2, tx = p.x, ty = p.y + BOX_H / 2, mx = (sx + tx) / 2;
        edges.push(h("svg:path", { d: "M" + sx + "," + sy + " C" + mx + "," + sy + " " + mx + "," + ty + " " + tx + "," + ty,
          fill: "none", stroke: c.muted, "stroke-width": 1.4 }));
      }
      var s = status(state, n.path), col = statusColor(ctx, s, red), sel = n.path === state.selected;
      var tag = s === "available" ? "" : s === "reused" ? "⚠ ×" + uses(state, n.path)
        : state.split[n.path] ? "split" : "drawn";
      boxes.push(h("svg:g", { id: ctx.id + "-node-" + n.path.replace(/\//g, "-"), class: "pt-node", role: "treeitem",
        "data-path": n.path, "data-status": s, "aria-selected": sel ? "true" : "false", "aria-level": n.depth + 1,
        "aria-expanded": n.children.length ? (state.split[n.path] ? "true" : "false") : null,
        // The name starts with what the box shows (speech input users say what they see).
        "aria-label": n.path + (tag ? " " + tag : "") + " " + hexText(n.key_data) + ": key data " + keyText(n.key_data) +
          ", " + statusText(state, n.path),
        style: "cursor:pointer;",
        onclick: function () { ctx.setState({ selected: n.path, last: null }); refs.svg.focus(); } },
        sel ? h("svg:rect", { x: p.x - 3.5, y: p.y - 3.5, width: BOX_W + 7, height: BOX_H + 7, rx: 10, fill: "none",
          stroke: c.fg, "stroke-width": 2 }) : null,
        h("svg:rect", { x: p.x, y: p.y, width: BOX_W, height: BOX_H, rx: 7, fill: c.bg }),
        h("svg:rect", { x: p.x, y: p.y, width: BOX_W, height: BOX_H, rx: 7, fill: col,
          "fill-opacity": s === "available" ? 0.08 : s === "consumed" ? 0.2 : 1,
          stroke: s === "reused" ? c.fg : col, "stroke-width": 2, "stroke-dasharray": s === "reused" ? "5 3" : null }),
        // Spaces between the texts: read in a row, the box's words stay apart ("root split 0000…").
        h("svg:text", { x: p.x + 5, y: p.y + 16, "font-size": 12, "font-weight": 700, fill: s === "reused" ? c.bg : c.fg }, n.path), " ",
        tag ? h("svg:text", { x: p.x + BOX_W - 5, y: p.y + 16, "text-anchor": "end", "font-size": 12, "font-weight": 700,
          fill: s === "reused" ? c.bg : col }, tag) : null, " ",
        h("svg:text", { x: p.x + 5, y: p.y + 33, "font-size": 12, "font-family": MONO, fill: s === "reused" ? c.bg : c.fg,
          textLength: BOX_W - 10, lengthAdjust: "spacingAndGlyphs" }, hexText(n.key_data))));
    });
    var svg = refs.svg;
    svg.textContent = "";
    svg.setAttribute("viewBox", "0 0 " + W + " " + Math.ceil(L.height));
    svg.setAttribute("aria-activedescendant", ctx.id + "-node-" + state.selected.replace(/\//g, "-"));
    svg.setAttribute("data-visible", String(list.length));
    svg.appendChild(h("svg:g", {}, edges));
    svg.appendChild(h("svg:g", {}, boxes));
  }

  function legend(refs, ctx, red) {
    var h = ctx.h, c = ctx.colors;
    var chip = function (col, opacity, dash, label) {
      return h("span", { style: "display:inline-flex;align-items:center;gap:0.35em;" },
        h("svg:svg", { width: 22, height: 14, viewBox: "0 0 22 14", "aria-hidden": "true", style: "width:22px;height:14px;flex:none;" },
          h("svg:rect", { x: 1.5, y: 1.5, width: 19, height: 11, rx: 3, fill: col, "fill-opacity": opacity,
            stroke: dash ? c.fg : col, "stroke-width": 1.6, "stroke-dasharray": dash ? "3 2" : null })), label);
    };
    refs.legend.textContent = "";
    refs.legend.appendChild(chip(c.primary, 0.08, false, "available: never used"));
    refs.legend.appendChild(chip(c.accent, 0.2, false, "consumed: split or drawn from once"));
    refs.legend.appendChild(chip(red, 1, true, "reused: used again — a bug"));
    refs.legend.appendChild(h("span", { style: "color:" + c.muted + ";" }, "Each box: the key's path, then its key data in hex. In the tree: ↑ ↓ ← → move, Enter splits, D draws, R reuses."));
  }

  function details(refs, data, state, ctx, red) {
    var h = ctx.h, c = ctx.colors, n = nodeOf(data, state.selected), s = status(state, n.path);
    var code = function (t) { return h("code", {}, t); };
    var line = function () { return h("p", { style: "margin:0.15em 0;" }, Array.prototype.slice.call(arguments)); };
    var out = [
      line(h("strong", {}, n.path), " = ", code(expression(data, n.path))),
      line("jax.random.key_data → ", h("strong", { "data-readout": "key-data" }, keyText(n.key_data)),
        " · ", h("span", { "data-readout": "status", style: "color:" + statusColor(ctx, s, red) + ";font-weight:700;" }, statusText(state, n.path)))
    ];
    if (state.draws[n.path]) {
      out.push(line("normal(key, " + shapeText(data) + ") → ", h("strong", { "data-readout": "normal" }, listText(n.normal, 4)),
        state.draws[n.path] > 1 ? [" ", h("span", { style: "background:" + red + ";color:" + c.bg + ";border-radius:0.3em;padding:0 0.4em;font-weight:700;" },
          "⚠ same key, same numbers, " + state.draws[n.path] + " times")] : null));
      out.push(line(h("span", { style: "color:" + c.muted + ";" }, "uniform(key, " + shapeText(data) + ") from this key would give " +
        listText(n.uniform, 4) + ": the same random bits, another use of the key.")));
    }
    if (n.children.length) {
      var three = n.split3.map(keyText).join(", ");
      var note = [];
      if (n.split3_starts_with_split) note.push("its first two are this key's children from split(key)");
      if (n.fold_in_equals_split3) note.push("fold_in(key, i) gives the same three keys — so never split and fold_in one parent");
      out.push(line(h("span", { style: "color:" + c.muted + ";" }, "split(key, 3) would give " + three +
        (note.length ? ": " + note.join("; ") + "." : "."))));
    } else {
      out.push(line(h("span", { style: "color:" + c.muted + ";" }, "The deepest level baked: this key can be drawn from, not split here.")));
    }
    refs.details.textContent = "";
    out.forEach(function (el) { refs.details.appendChild(el); });
  }

  function drawLog(refs, data, state, ctx, red) {
    var h = ctx.h, c = ctx.colors;
    refs.log.textContent = "";
    refs.logTitle.hidden = state.log.length === 0;
    var first = {};
    state.log.forEach(function (e, k) {
      var n = nodeOf(data, e.path), reused = e.use > 1;
      if (first[e.path] === undefined) first[e.path] = k;
      var again = !reused ? "" : first[e.path] < k ? " same key, same numbers as #" + (first[e.path] + 1)
        : " this key was already spent on split";
      refs.log.appendChild(h("li", { "data-draw": k, "data-path": e.path, "data-reused": reused ? "true" : "false",
        style: "margin:0.1em 0;" + (reused ? "font-weight:700;" : "") },
        h("code", {}, "normal(" + e.path + ", " + shapeText(data) + ")"), " → ",
        h("span", { class: "pt-samples", style: "font-family:" + MONO + ";" }, listText(n.normal, 4)),
        reused ? " " : null,
        reused ? h("span", { style: "background:" + red + ";color:" + c.bg + ";border-radius:0.3em;padding:0 0.4em;" },
          "⚠ reused") : null,
        again));
    });
  }

  /* ---- the player -------------------------------------------------------------- */

  ThinkingInJaxSims.register("prng-tree", {
    title: "PRNG key tree: split, draw, reuse",

    initialState: function (data) {
      return { selected: data.nodes[0].path, split: {}, draws: {}, log: [], last: null };
    },

    render: function (view, data, state, ctx) {
      var refs = view._prngTree;
      if (!refs || !view.contains(refs.svg)) refs = view._prngTree = build(view, data, ctx);
      refs.state = state;
      var red = redOf(view, ctx), n = nodeOf(data, state.selected), u = uses(state, n.path);
      refs.split.setAttribute("aria-disabled", n.children.length && u === 0 ? "false" : "true");
      refs.draw.setAttribute("aria-disabled", u === 0 ? "false" : "true");
      refs.reuse.setAttribute("aria-disabled", u > 0 ? "false" : "true");
      var list = visible(data, state), counts = { available: 0, consumed: 0, reused: 0 };
      list.forEach(function (k) { counts[status(state, k.path)]++; });
      refs.counter.textContent = list.length + " of " + data.nodes.length + " keys: " + counts.available + " available, " +
        counts.consumed + " consumed, " + counts.reused + " reused";
      legend(refs, ctx, red);
      drawTree(refs, data, state, ctx, red);
      details(refs, data, state, ctx, red);
      drawLog(refs, data, state, ctx, red);
    },

    describe: function (data, state) {
      var n = nodeOf(data, state.selected), last = state.last, shape = shapeText(data);
      var where = "Selected " + n.path + ", key data " + keyText(n.key_data) + ", " + statusText(state, n.path) + ".";
      if (!last) {
        return state.log.length || Object.keys(state.split).length ? where
          : "One key, " + data.root_code + " (" + data.impl + "), key data " + keyText(data.nodes[0].key_data) +
            ". Press Split to make its two children, or draw normal(key, " + shape + ") from it.";
      }
      var k = nodeOf(data, last.path);
      if (!last.ok) {
        if (last.why === "deepest") return k.path + " is at the deepest level baked; draw from it instead. " + where;
        if (last.why === "fresh") return k.path + " has not been used yet, so there is nothing to reuse: press Draw first. " + where;
        return k.path + " is already " + statusText(state, k.path) + ": in JAX, every use needs a fresh key. Press Reuse to see what reusing it does. " + where;
      }
      if (last.action === "split") {
        return "split(" + k.path + ") gave " + k.children.map(function (p) { return p + " " + keyText(nodeOf(data, p).key_data); }).join(" and ") +
          "; " + k.path + " is now spent.";
      }
      var d = state.draws[k.path] || 0, drawn = "normal(" + k.path + ", " + shape + ") = " + listText(k.normal, 4);
      if (uses(state, k.path) === 1) return drawn + "; " + k.path + " is now consumed.";
      return "Reused " + k.path + ": " + drawn + " again — same key, same numbers" +
        (d > 1 ? " (drawn " + d + " times)." : " (its key was already spent on split).");
    },

    table: function (data, state) {
      return {
        caption: "The keys revealed so far, from " + data.root_code + ", with what was drawn from them",
        columns: ["path", "key data", "status", "normal(key, " + shapeText(data) + ")", "key data in hex, as drawn"],
        rows: visible(data, state).map(function (n) {
          return [n.path, keyText(n.key_data), statusText(state, n.path), state.draws[n.path] ? listText(n.normal, 4) : "—",
            hexText(n.key_data)];
        })
      };
    }
  });

  /* describe and table get no ctx: they write numbers with the core's ctx.format. */
  function numberText(value, digits) { return ThinkingInJaxSims.format(value, digits); }
})();
