/* pytree — a tree of arrays taken apart and put back together by real JAX.
 *
 * Baked data (sims/pytree.py): for each example tree, its structure as a
 * nested node tree (kind read from JAX's treedef), its leaves in JAX's flatten
 * order with key paths (jax.tree_util.keystr), str(treedef), the round trip
 * jax.tree.unflatten(treedef, leaves), and jax.tree.map(f, tree) leaf by leaf.
 * This player only lays these out and moves baked leaves between the tree and
 * the flat list; it computes no JAX result.
 * State: { example, mode, step, playing, collapsed, focus }; step = how many
 * leaves have moved in the current mode; collapsed = paths of closed nodes;
 * focus = path of the tree item that takes Tab.
 */
(function () {
  "use strict";

  var STEP_MS = 1100, FLY_MS = 600;
  var MODES = [
    { id: "flatten", label: "Flatten" },
    { id: "unflatten", label: "Unflatten" },
    { id: "map", label: "tree.map" }
  ];
  var MODE_NAMES = { flatten: "Flatten", unflatten: "Unflatten", map: "tree.map" };
  var MONO = "ui-monospace,SFMono-Regular,Menlo,Consolas,monospace";

  function exampleOf(data, state) { return data.examples[state.example] || data.examples[0]; }

  /* Preorder list of nodes with parent links (layout only). */
  function index(ex) {
    var list = [];
    (function walk(node, parent, depth) {
      var entry = { node: node, parent: parent, depth: depth, pos: list.length };
      list.push(entry);
      (node.children || []).forEach(function (c) { walk(c, entry, depth + 1); });
    })(ex.structure, null, 1);
    return list;
  }

  function isOpen(state, node) { return (state.collapsed || []).indexOf(node.path) < 0; }
  function hasKids(node) { return !!(node.children && node.children.length); }

  function visible(list, state) {
    return list.filter(function (e) {
      for (var p = e.parent; p; p = p.parent) if (!isOpen(state, p.node)) return false;
      return true;
    });
  }

  function nodeName(ex, node) { return node.path === "" ? ex.name : ex.name + node.path; }

  /* ---- the stable part: controls, stage, treedef and result ---------------- */

  function build(view, data, ctx) {
    var h = ctx.h, id = ctx.id;
    var refs = { timer: null, state: null, last: null };
    var row = "display:flex;flex-wrap:wrap;align-items:center;gap:0.4em 1em;margin:0 0 0.6em;";
    var small = "margin:0;padding:0.25em 0.9em;font-size:0.7rem;cursor:pointer;";

    refs.style = h("style", {});
    refs.select = h("select", { id: id + "-example", onchange: function () {
      ctx.setState({ example: Number(refs.select.value), step: 0, playing: false, collapsed: [], focus: "" });
    } }, data.examples.map(function (e, i) { return h("option", { value: String(i) }, e.label + " (" + e.name + ")"); }));

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

    function go(delta) {
      var s = refs.state, n = exampleOf(data, s).leaves.length;
      ctx.setState({ step: Math.max(0, Math.min(n, s.step + delta)), playing: false });
    }
    refs.back = h("button", { type: "button", class: "md-button", id: id + "-back", style: small, onclick: function () { go(-1); } }, "Step back");
    refs.step = h("button", { type: "button", class: "md-button", id: id + "-step", style: small, onclick: function () { go(1); } }, "Step");
    refs.play = h("button", { type: "button", class: "md-button md-button--primary", id: id + "-play", style: small,
      onclick: function () {
        var s = refs.state, n = exampleOf(data, s).leaves.length;
        if (s.playing) { ctx.setState({ playing: false }); return; }
        if (ctx.reducedMotion) { ctx.setState({ step: n, playing: false }); return; }
        ctx.setState({ step: s.step >= n ? 0 : s.step, playing: true });
      } }, "Play");
    refs.reset = h("button", { type: "button", class: "md-button", id: id + "-reset", style: small,
      onclick: function () { ctx.setState({ step: 0, playing: false }); } }, "Reset");
    refs.counter = h("span", { id: id + "-counter", style: "font-variant-numeric:tabular-nums;" });

    refs.source = h("pre", { id: id + "-source", style: "margin:0 0 0.6em;font-size:0.7rem;overflow-x:auto;" });
    refs.call = h("p", { style: "margin:0 0 0.4em;font-size:0.75rem;" });
    refs.treeBox = h("div", { style: "flex:1 1 17em;min-width:0;" });
    refs.listBox = h("div", { style: "flex:1 1 17em;min-width:0;" });
    refs.stage = h("div", { class: "pt-stage", style: "position:relative;display:flex;flex-wrap:wrap;gap:0.8em 1.4em;align-items:flex-start;" },
      refs.treeBox, refs.listBox);
    refs.treedef = h("pre", { id: id + "-treedef", style: "margin:0;font-size:0.75rem;white-space:pre-wrap;" });
    refs.result = h("div", { id: id + "-result" });

    view.textContent = "";
    view.appendChild(refs.style);
    view.appendChild(h("div", { style: row },
      h("label", { for: id + "-example", style: "font-weight:700;" }, "Tree"), refs.select, modes));
    view.appendChild(h("div", { style: row + "gap:0.4em 0.6em;" }, refs.back, refs.step, refs.play, refs.reset, refs.counter));
    view.appendChild(refs.source);
    view.appendChild(refs.call);
    view.appendChild(refs.stage);
    view.appendChild(h("p", { style: "margin:0.7em 0 0.2em;font-size:0.7rem;font-weight:700;" }, "The treedef, str(treedef): each * is one leaf, in flatten order"));
    view.appendChild(refs.treedef);
    view.appendChild(refs.result);
    return refs;
  }

  function tick(refs, data, ctx) {
    var s = refs.state, n = exampleOf(data, s).leaves.length;
    if (!s.playing) return;
    var next = Math.min(n, s.step + 1);
    ctx.setState({ step: next, playing: next < n });
  }

  /* ---- the tree widget (role=tree, arrow keys) ----------------------------- */

  function leafState(mode, step, k) {
    // what a tree leaf shows: "full" (original), "taken" (flattened out), "empty" (slot), "mapped"
    if (mode === "flatten") return k < step ? "taken" : "full";
    if (mode === "unflatten") return k < step ? "full" : "empty";
    return k < step ? "mapped" : "full";
  }

  function drawTree(refs, data, state, ctx) {
    var h = ctx.h, c = ctx.colors, ex = exampleOf(data, state);
    var list = index(ex);
    var focusPath = list.some(function (e) { return e.node.path === state.focus; }) ? state.focus : "";
    var vis = visible(list, state);
    if (!vis.some(function (e) { return e.node.path === focusPath; })) {
      // the focused item was hidden by a collapse: its visible ancestor takes over
      var e0 = list.filter(function (e) { return e.node.path === focusPath; })[0];
      for (var p = e0 && e0.parent; p; p = p.parent) if (vis.indexOf(p) >= 0) { focusPath = p.node.path; break; }
    }
    var itemId = function (e) { return ctx.id + "-n-" + e.pos; };

    function onKey(ev, e) {
      if (ev.target !== ev.currentTarget) return;  // a nested item's key press: it handles it
      var k = ev.key, i = vis.indexOf(e), target = null;
      if (k === "ArrowDown") target = vis[Math.min(vis.length - 1, i + 1)];
      else if (k === "ArrowUp") target = vis[Math.max(0, i - 1)];
      else if (k === "Home") target = vis[0];
      else if (k === "End") target = vis[vis.length - 1];
      else if (k === "ArrowRight") {
        if (hasKids(e.node) && !isOpen(state, e.node)) { toggle(e); ev.preventDefault(); return; }
        if (hasKids(e.node)) target = vis[i + 1];
      } else if (k === "ArrowLeft") {
        if (hasKids(e.node) && isOpen(state, e.node)) { toggle(e); ev.preventDefault(); return; }
        if (e.parent) target = e.parent;
      } else if (k === "Enter" || k === " ") {
        if (hasKids(e.node)) toggle(e);
        ev.preventDefault();
        return;
      } else return;
      ev.preventDefault();
      if (target) { refs.wantFocus = true; ctx.setState({ focus: target.node.path }); }
    }
    function toggle(e) {
      var closed = (state.collapsed || []).slice(), at = closed.indexOf(e.node.path);
      if (at >= 0) closed.splice(at, 1); else closed.push(e.node.path);
      refs.wantFocus = true;
      ctx.setState({ collapsed: closed, focus: e.node.path });
    }

    /* One row per visible node, its depth in aria-level: a flat tree, so each item's
     * name is its own row's text (a nested group would become part of it). */
    function item(e) {
      var node = e.node, kids = hasKids(node), open = kids && isOpen(state, node);
      var label = [];
      label.push(h("span", { "aria-hidden": "true", style: "display:inline-block;width:1em;color:" + c.muted + ";" },
        kids ? (open ? "▾" : "▸") : ""));
      label.push(h("span", { class: "pt-key", style: "font-family:" + MONO + ";font-weight:700;" },
        node.key === null ? ex.name : node.key));
      if (node.kind !== "leaf") {
        label.push(h("span", { style: "color:" + c.muted + ";margin-left:0.5em;" }, node.summary));
      } else {
        var k = node.leaf, ls = leafState(state.mode, state.step, k);
        var leaf = ex.leaves[k], res = ex.map.results[k];
        var badge = h("span", { class: "pt-badge", style: "display:inline-block;min-width:1.6em;text-align:center;margin-left:0.5em;padding:0 0.3em;border-radius:0.6em;font-size:0.65rem;" +
          "border:1px solid " + (ls === "full" ? c.muted : ls === "mapped" ? c.accent : c.primary) + ";color:" + (ls === "mapped" ? c.accent : ls === "full" ? c.muted : c.primary) + ";" },
          "#" + k);
        label.push(badge);
        if (ls === "taken" || ls === "empty") {
          label.push(h("span", { class: "pt-slot", style: "margin-left:0.5em;font-family:" + MONO + ";color:" + c.primary + ";font-weight:700;" }, "*"));
          label.push(h("span", { style: "margin-left:0.4em;color:" + c.muted + ";font-size:0.7rem;" },
            ls === "taken" ? "moved to the list" : "empty slot, waiting for leaf #" + k));
        } else {
          var show = ls === "mapped" ? res : leaf;
          label.push(h("span", { style: "margin-left:0.5em;font-family:" + MONO + ";color:" + (ls === "mapped" ? c.accent : c.fg) + ";" }, show.short));
          // The whole value, cut by the row's ellipsis on screen only: a screen reader hears all of it.
          label.push(h("span", { class: "pt-value", title: show.value, style: "margin-left:0.5em;font-family:" + MONO + ";font-size:0.7rem;color:" + (ls === "mapped" ? c.accent : c.muted) + ";" },
            show.value));
        }
      }
      var focusable = node.path === focusPath;
      var siblings = e.parent ? e.parent.node.children : [node];
      var rowEl = h("div", { class: "pt-row", "data-path": node.path, style: "padding:0.1em 0.3em;border-radius:0.2rem;" + (node.kind === "leaf" ? "white-space:nowrap;overflow:hidden;text-overflow:ellipsis;" : "") + "cursor:" + (kids ? "pointer" : "default") + ";",
        onclick: function (ev) { ev.stopPropagation(); if (kids) toggle(e); else { refs.wantFocus = true; ctx.setState({ focus: node.path }); } } }, label);
      var attrs = { role: "treeitem", id: itemId(e), class: "pt-item", tabindex: focusable ? "0" : "-1",
        "aria-level": e.depth, "aria-setsize": siblings.length, "aria-posinset": siblings.indexOf(node) + 1,
        "aria-selected": focusable ? "true" : "false",
        "data-path": node.path, "data-kind": node.kind, "data-leaf": node.kind === "leaf" ? node.leaf : null,
        "data-leaf-state": node.kind === "leaf" ? leafState(state.mode, state.step, node.leaf) : null,
        style: "list-style:none;margin:0 0 0 " + (1.5 * (e.depth - 1)) + "em;padding:0 0 0 " + (e.depth > 1 ? 0.4 : 0) + "em;" +
          (e.depth > 1 ? "border-left:1px dashed " + c.faint + ";" : ""),
        onkeydown: function (ev) { onKey(ev, e); } };
      if (kids) attrs["aria-expanded"] = open ? "true" : "false";
      return h("li", attrs, rowEl);
    }

    var tree = h("ul", { role: "tree", id: ctx.id + "-tree", "aria-label": "The tree " + ex.name + " (arrow keys move, Right and Left expand and collapse)",
      style: "margin:0;padding:0;font-size:0.75rem;" }, vis.map(item));
    return { el: tree, focusId: itemId(list.filter(function (e) { return e.node.path === focusPath; })[0] || list[0]) };
  }

  /* ---- the flat list of leaves ------------------------------------------- */

  function drawList(data, state, ctx) {
    var h = ctx.h, c = ctx.colors, ex = exampleOf(data, state), mode = state.mode;
    var rows = ex.leaves.map(function (leaf, k) {
      var res = ex.map.results[k];
      var on = mode === "unflatten" ? true : k < state.step;
      var gone = mode === "unflatten" && k < state.step;
      var border = mode === "map" && on ? c.accent : on && !gone ? c.primary : c.faint;
      var body, line = "font-family:" + MONO + ";font-size:0.7rem;white-space:nowrap;overflow:hidden;text-overflow:ellipsis;";
      if (!on) {
        body = [h("span", { style: "color:" + c.muted + ";" }, mode === "map" ? "f(leaf #" + k + ") not computed yet" : "empty slot")];
      } else {
        body = [
          h("code", { class: "pt-path", style: "font-weight:700;" }, leaf.path),
          h("span", { style: "margin-left:0.5em;font-family:" + MONO + ";" }, leaf.short),
          h("div", { class: "pt-leaf-value", style: line + "color:" + c.muted + ";", title: leaf.value }, leaf.value)
        ];
        if (mode === "map") {
          body.push(h("div", { class: "pt-leaf-result", style: line + "color:" + c.accent + ";", title: res.value },
            "→ " + res.value + (res.short !== leaf.short ? "  (" + res.short + ")" : "")));
        }
        if (gone) body.push(h("div", { style: "font-size:0.65rem;color:" + c.primary + ";" }, "put back into the tree"));
      }
      return h("li", { class: "pt-leaf", "data-leaf": k, "data-on": on && !gone ? "true" : "false",
        style: "display:flex;gap:0.5em;align-items:flex-start;margin:0 0 0.35em;padding:0.25em 0.45em;border-radius:0.25rem;" +
          "border:1px " + (on ? "solid " : "dashed ") + border + ";opacity:" + (gone ? 0.55 : 1) + ";" },
        h("span", { style: "font-variant-numeric:tabular-nums;font-weight:700;color:" + (on ? (mode === "map" ? c.accent : c.primary) : c.muted) + ";min-width:1.6em;" }, "#" + k),
        h("div", { style: "min-width:0;flex:1;" }, body));
    });
    var title = mode === "map" ? "jax.tree.map applies " + ex.map.source + " to each leaf, in flatten order"
      : mode === "unflatten" ? "The leaves, handed back to jax.tree.unflatten(treedef, leaves)"
      : "jax.tree.leaves(" + ex.name + "): the leaves in flatten order, with key paths";
    return [h("p", { style: "margin:0 0 0.3em;font-size:0.7rem;font-weight:700;" }, title),
      h("ol", { id: ctx.id + "-leaves", "aria-label": "Leaves in flatten order", style: "list-style:none;margin:0;padding:0;font-size:0.75rem;" }, rows)];
  }

  function drawTreedef(refs, data, state, ctx) {
    var h = ctx.h, c = ctx.colors, ex = exampleOf(data, state);
    var parts = ex.treedef.split("*"), out = [];
    parts.forEach(function (p, k) {
      out.push(p);
      if (k < parts.length - 1) {
        var lit = state.mode === "flatten" ? k < state.step : state.mode === "unflatten" ? k >= state.step : false;
        out.push(h("span", { class: "pt-star", "data-star": k, title: "leaf #" + k,
          style: lit ? "color:" + c.primary + ";font-weight:700;" : state.mode === "map" && k < state.step ? "color:" + c.accent + ";font-weight:700;" : "" }, "*"));
      }
    });
    refs.treedef.textContent = "";
    refs.treedef.appendChild(h("code", {}, out));
  }

  function drawResult(refs, data, state, ctx) {
    var h = ctx.h, ex = exampleOf(data, state), n = ex.leaves.length, c = ctx.colors;
    refs.result.textContent = "";
    if (state.step < n || state.mode === "flatten") {
      if (state.mode === "flatten" && state.step >= n) {
        refs.result.appendChild(h("p", { style: "margin:0.5em 0 0;font-size:0.75rem;" },
          "Done: " + n + " leaves and one treedef. The leaves hold the data; the treedef holds everything else — " +
          "the containers, their keys and order" + (ex.structure.static ? ", the static field " + ex.structure.static : "") +
          " (" + ex.num_nodes + " nodes in all, counting the leaves)."));
      }
      return;
    }
    var text = state.mode === "unflatten" ? ex.unflatten.repr : ex.map.repr;
    var head = state.mode === "unflatten"
      ? "jax.tree.unflatten(treedef, leaves) gives back " + (ex.unflatten.equal ? "a tree equal to " : "a tree different from ") + ex.name + ":"
      : ex.map.call + " keeps the structure (" + (ex.map.same_structure ? "same treedef" : "a different treedef") + "):";
    refs.result.appendChild(h("p", { style: "margin:0.6em 0 0.2em;font-size:0.7rem;font-weight:700;color:" + c.fg + ";" }, head));
    refs.result.appendChild(h("pre", { id: ctx.id + "-repr", style: "margin:0;font-size:0.7rem;white-space:pre-wrap;" }, h("code", {}, text)));
  }

  /* ---- moving a leaf between the tree and the list (decoration only) ------ */

  function fly(refs, data, state, ctx) {
    var last = refs.last;
    refs.last = { example: state.example, mode: state.mode, step: state.step };
    if (ctx.reducedMotion || !last || last.example !== state.example || last.mode !== state.mode || state.step !== last.step + 1) return;
    var k = state.step - 1, ex = exampleOf(data, state);
    var entry = index(ex).filter(function (e) { return e.node.kind === "leaf" && e.node.leaf === k; })[0];
    // a leaf inside a closed node is not drawn: it flies from (or to) its nearest drawn ancestor
    var treeEl = null;
    for (var e = entry; e && !treeEl; e = e.parent) treeEl = document.getElementById(ctx.id + "-n-" + e.pos);
    var listEl = refs.listBox.querySelector('.pt-leaf[data-leaf="' + k + '"]');
    if (!treeEl || !listEl) return;
    var rowEl = treeEl.querySelector(".pt-row") || treeEl;
    var from = state.mode === "flatten" ? rowEl : listEl, to = state.mode === "flatten" ? listEl : rowEl;
    var base = refs.stage.getBoundingClientRect(), a = from.getBoundingClientRect(), b = to.getBoundingClientRect();
    var color = state.mode === "map" ? ctx.colors.accent : ctx.colors.primary;
    var text = state.mode === "map" ? ex.map.results[k].short : ex.leaves[k].short;
    var ghost = ctx.h("span", { class: "pt-ghost", "aria-hidden": "true",
      style: "position:absolute;left:" + (a.left - base.left) + "px;top:" + (a.top - base.top) + "px;pointer-events:none;z-index:2;" +
        "padding:0.1em 0.5em;border-radius:0.8em;font-family:" + MONO + ";font-size:0.75rem;font-weight:700;" +
        "background:" + color + ";color:" + ctx.colors.bg + ";transition:transform " + FLY_MS + "ms ease-in-out, opacity 200ms;" },
      "#" + k + " " + text);
    refs.stage.appendChild(ghost);
    void ghost.offsetWidth;
    ghost.style.transform = "translate(" + (b.left - a.left) + "px," + (b.top - a.top) + "px)";
    window.setTimeout(function () { ghost.style.opacity = "0"; }, FLY_MS);
    window.setTimeout(function () { if (ghost.parentNode) ghost.parentNode.removeChild(ghost); }, FLY_MS + 250);
  }

  /* ---- the player ---------------------------------------------------------- */

  ThinkingInJaxSims.register("pytree", {
    title: "PyTree explorer: flatten, unflatten, tree.map",

    initialState: function () {
      return { example: 0, mode: "flatten", step: 0, playing: false, collapsed: [], focus: "" };
    },

    render: function (view, data, state, ctx) {
      var refs = view._pytree;
      if (!refs || !view.contains(refs.select)) refs = view._pytree = build(view, data, ctx);
      refs.state = state;
      var ex = exampleOf(data, state), n = ex.leaves.length;

      if (state.playing && ctx.reducedMotion) {
        if (refs.timer) { refs.timer(); refs.timer = null; }
        ctx.setState({ step: n, playing: false });
        return;
      }
      if (state.playing && !refs.timer) refs.timer = ctx.every(STEP_MS, function () { tick(refs, data, ctx); });
      if (!state.playing && refs.timer) { refs.timer(); refs.timer = null; }

      refs.style.textContent = "#" + ctx.id + "-tree [role=treeitem]:focus{outline:none}" +
        "#" + ctx.id + "-tree [role=treeitem]:focus-visible>.pt-row{outline:2px solid var(--md-accent-fg-color);outline-offset:1px}" +
        "#" + ctx.id + "-tree [role=treeitem]>.pt-row{border-left:0.2em solid transparent}" +
        "#" + ctx.id + "-tree [aria-selected=true]>.pt-row{border-left-color:" + ctx.colors.primary + "}";
      refs.select.value = String(state.example);
      MODES.forEach(function (m) { refs.radios[m.id].checked = m.id === state.mode; });
      refs.play.textContent = state.playing ? "Pause" : "Play";
      refs.play.setAttribute("aria-pressed", state.playing ? "true" : "false");
      refs.back.setAttribute("aria-disabled", state.step <= 0 ? "true" : "false");
      refs.step.setAttribute("aria-disabled", state.step >= n ? "true" : "false");
      refs.counter.textContent = state.step + " of " + n + " leaves moved";
      refs.source.textContent = ex.source;
      refs.call.textContent = "";
      refs.call.appendChild(ctx.h("code", {}, state.mode === "map" ? ex.map.call
        : state.mode === "unflatten" ? "jax.tree.unflatten(treedef, leaves)" : "leaves, treedef = jax.tree.flatten(" + ex.name + ")"));

      var hadFocus = document.activeElement && refs.treeBox.contains(document.activeElement);
      var tree = drawTree(refs, data, state, ctx);
      refs.treeBox.textContent = "";
      refs.treeBox.appendChild(ctx.h("p", { style: "margin:0 0 0.3em;font-size:0.7rem;font-weight:700;" }, "The tree " + ex.name + " (click or use the arrow keys)"));
      refs.treeBox.appendChild(tree.el);
      refs.listBox.textContent = "";
      drawList(data, state, ctx).forEach(function (el) { refs.listBox.appendChild(el); });
      drawTreedef(refs, data, state, ctx);
      drawResult(refs, data, state, ctx);
      if (refs.wantFocus || hadFocus) {
        var el = document.getElementById(tree.focusId);
        if (el) el.focus();
      }
      refs.wantFocus = false;
      fly(refs, data, state, ctx);
    },

    describe: function (data, state) {
      var ex = exampleOf(data, state), n = ex.leaves.length, mode = state.mode;
      var head = MODE_NAMES[mode] + " mode, " + ex.name + " (" + n + " leaves)";
      if (state.step === 0) {
        var what = mode === "flatten" ? "take the leaves out of the tree in flatten order"
          : mode === "unflatten" ? "put the leaves back into the treedef's slots"
          : "apply " + ex.map.source + " to each leaf";
        return head + ": nothing moved yet. Press Step or Play to " + what + ". The treedef is " + ex.treedef + ".";
      }
      var k = state.step - 1, leaf = ex.leaves[k], res = ex.map.results[k];
      var where = head + ", step " + state.step + " of " + n + ": ";
      if (mode === "flatten") {
        return where + "leaf #" + k + " at " + leaf.path + " (" + leaf.short + ") goes to position " + k + " of the list." +
          (state.step === n ? " Done: " + n + " leaves plus the treedef " + ex.treedef + "." : "");
      }
      if (mode === "unflatten") {
        return where + "leaf #" + k + " goes back to " + leaf.path + " (" + leaf.short + ")." +
          (state.step === n ? " The rebuilt tree " + (ex.unflatten.equal ? "equals" : "differs from") + " " + ex.name + "." : "");
      }
      return where + "f(leaf #" + k + ") at " + leaf.path + ": " + leaf.value + " → " + res.value + "." +
        (state.step === n ? " The result has " + (ex.map.same_structure ? "the same" : "a different") + " treedef." : "");
    },

    table: function (data, state) {
      var ex = exampleOf(data, state), map = state.mode === "map";
      var rows = ex.leaves.map(function (leaf, k) {
        var r = [String(k), leaf.path, leaf.shape ? "(" + leaf.shape.join(", ") + (leaf.shape.length === 1 ? "," : "") + ")" : "— (" + leaf.type + ")",
          leaf.dtype || "—", leaf.value];
        return map ? r.concat([ex.map.results[k].value]) : r;
      });
      return {
        caption: "The leaves of " + ex.name + " in JAX's flatten order; treedef " + ex.treedef,
        columns: ["index", "key path", "shape", "dtype", "value"].concat(map ? ["f(leaf), f = " + ex.map.source] : []),
        rows: rows
      };
    }
  });
})();
