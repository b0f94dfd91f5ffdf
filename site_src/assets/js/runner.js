/* Thinking in JAX — runnable, editable code cells.
 *
 * Each code cell (`.jax-cell`, rendered by sitebuild/markdown_cells.py with
 * its real-JAX output baked at build) gets Edit, Run, Reset and Copy buttons.
 * - Edit loads the CodeMirror bundle (assets/tij/js/editor.js, built by
 *   esbuild) on first use. Edits are saved in localStorage per page and cell,
 *   keyed with a hash of the original code, so a changed cell starts afresh.
 * - Run sends the code to Python in a Web Worker (runner-worker.js: Pyodide
 *   running jaxlite as `jax`), started on first use or pre-warmed when the page
 *   is idle or the pointer rests on a Run button. The page's cells share one
 *   Python state, as in a notebook: running a cell first runs the earlier
 *   cells that have not run yet. Output streams in under its own label; the
 *   baked output stays, under its label.
 * - Stop, or the time limit, terminates the Worker and starts a fresh one: the
 *   only way to stop Python without SharedArrayBuffer, so the state is lost and
 *   the reader is told so.
 * - Copy puts the cell's code on the clipboard, as edited. (The build marks
 *   these cells no-copy: Material's own copy button would copy the original
 *   code, and adding one to every block restyles a long page many times.)
 * Cells marked browser-unavailable show why and keep their baked output.
 * Nothing here loads until a reader edits or runs a cell, or the page idles.
 *
 * Simulations reach the same Python through window.ThinkingInJaxPython.call
 * (the graph tracer traces a reader's own function with it): one Python per
 * page, used by one cell or call at a time.
 */
(function () {
  "use strict";

  var TIME_LIMIT_S = 10; // per cell
  var BOOT_LIMIT_S = 90; // Python's start in a slow browser
  var IDLE_MS = 3000; // pre-warm after this long without reader input
  var HOVER_MS = 300; // pre-warm when the pointer rests this long on Run
  var OUTPUT_LIMIT = 50000; // characters of streamed output shown per run
  var STORAGE_PREFIX = "thinking-in-jax:cell:v1:";
  var WORKER_TYPE = "module"; // runner-worker.js is an ES module worker (Pyodide 314 needs one)

  var here = (document.currentScript && document.currentScript.src) || location.href;
  var URLS = {
    worker: new URL("runner-worker.js", here).href,
    editor: new URL("editor.js", here).href,
    manifest: new URL("../../py/manifest.json", here).href // where Pyodide and our Python's zip are
  };
  var FROM_FILE = location.protocol === "file:";
  var FROM_FILE_MESSAGE = "Running code needs the page to come from a web server: browsers do not start Python " +
    "(WebAssembly) in pages opened as files. In a terminal, in the folder that holds the site, run " +
    "`python3 -m http.server`, then open http://localhost:8000/ and this page there.";
  var memory = {}; // edits, when localStorage is unavailable (private mode, sandboxed iframe)

  /* ---- small helpers ---- */

  function hash(text) { // FNV-1a, 32 bits: enough to notice that a cell's code changed
    var h = 0x811c9dc5;
    for (var i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    return h.toString(16);
  }

  function element(tag, className, text) {
    var el = document.createElement(tag);
    if (className) el.className = className;
    if (text) el.textContent = text;
    return el;
  }

  function button(label, cellNumber, className) {
    var b = element("button", "md-button jax-cell__button " + className, label);
    b.type = "button";
    b.appendChild(element("span", "jax-visually-hidden", " cell " + cellNumber));
    return b;
  }

  /** Put text on the clipboard; resolves, or rejects when the browser refuses. */
  function copyText(text) {
    var legacy = function () {
      // For pages where the Clipboard API is missing or blocked (an iframe without clipboard-write).
      var area = element("textarea", "jax-visually-hidden");
      var had = document.activeElement;
      area.value = text;
      area.setAttribute("readonly", "");
      document.body.appendChild(area);
      area.select();
      var copied = false;
      try { copied = document.execCommand("copy"); } catch (e) { copied = false; }
      area.remove();
      if (had && had.focus) had.focus();
      return copied ? Promise.resolve() : Promise.reject(new Error("the browser refused"));
    };
    if (navigator.clipboard && navigator.clipboard.writeText) return navigator.clipboard.writeText(text).catch(legacy);
    return legacy();
  }

  function stored(key) {
    try { return window.localStorage.getItem(key); } catch (e) { return memory[key] || null; }
  }

  function store(key, value) {
    try {
      if (value === null) window.localStorage.removeItem(key);
      else window.localStorage.setItem(key, value);
    } catch (e) {
      if (value === null) delete memory[key];
      else memory[key] = value;
    }
  }

  function saveData() {
    return !!(navigator.connection && navigator.connection.saveData);
  }

  /* ---- the editor bundle, loaded once on demand ---- */

  var editorLoading = null;

  function loadEditor() {
    if (!editorLoading) {
      editorLoading = new Promise(function (resolve, reject) {
        var s = document.createElement("script");
        s.src = URLS.editor;
        s.onload = function () { resolve(window.TijEditor); };
        s.onerror = function () { editorLoading = null; reject(new Error("the editor could not be loaded")); };
        document.head.appendChild(s);
      });
    }
    return editorLoading;
  }

  /* ---- Python in a Worker ---- */

  function Stopped(reason, message) {
    this.reason = reason; // "stop", "timeout" or "crash"
    this.message = message;
  }

  /** One Python interpreter, in a Worker. Functions in `onReset` are called
   * whenever it is thrown away (stopped, timed out or crashed), so cells know
   * their state is gone. */
  function Kernel(devices) {
    this.devices = devices;
    this.onReset = [];
    this.worker = null;
    this.booting = null;
    this.ready = false;
    this.current = null; // {id, resolve, reject, onStream, timer}
    this.nextId = 1;
    this.turns = Promise.resolve(); // work that uses the kernel, one after another
  }

  /** The page's one kernel, for its cells and its simulations; started only when used. */
  var pageKernel = null;

  function sharedKernel() {
    if (!pageKernel) {
      var devices = 1;
      Array.prototype.forEach.call(document.querySelectorAll(".jax-cell[data-devices]"), function (el) {
        devices = Math.max(devices, parseInt(el.getAttribute("data-devices"), 10) || 1);
      });
      pageKernel = new Kernel(devices);
    }
    return pageKernel;
  }

  /** Run `work` (which returns a promise) when the kernel is free; its result. */
  Kernel.prototype.exclusive = function (work) {
    var result = this.turns.then(work);
    this.turns = result.catch(function () {});
    return result;
  };

  Kernel.prototype.start = function () {
    if (this.booting) return this.booting;
    var self = this;
    var worker;
    var booting = this.booting = new Promise(function (resolve, reject) {
      self.bootDone = resolve;
      self.bootFailed = reject;
    });
    try {
      worker = new Worker(URLS.worker, { type: WORKER_TYPE });
    } catch (e) {
      this.crash("The browser refused to start a Web Worker (" + e.message + ").");
      return booting;
    }
    this.worker = worker;
    fetch(URLS.manifest).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.json();
    }).then(function (manifest) {
      if (self.worker !== worker) return;
      worker.postMessage({
        type: "init",
        pyodideURL: new URL(manifest.pyodide, URLS.manifest).href,
        zipURL: new URL(manifest.zip, URLS.manifest).href,
        devices: self.devices
      });
    }, function (err) {
      if (self.worker === worker) self.crash("The list of Python files could not be loaded (" + err.message + ").");
    });
    worker.onmessage = function (event) { if (self.worker === worker) self.receive(event.data); };
    worker.onerror = function (event) {
      event.preventDefault();
      if (self.worker === worker) self.crash("The Python worker stopped unexpectedly (" + (event.message || "no reason given") + ").");
    };
    this.bootTimer = setTimeout(function () {
      self.crash("Python took longer than " + BOOT_LIMIT_S + " s to start.");
    }, BOOT_LIMIT_S * 1000);
    return booting;
  };

  Kernel.prototype.receive = function (msg) {
    var run = this.current;
    if (msg.type === "ready") {
      clearTimeout(this.bootTimer);
      this.ready = true;
      this.bootDone(msg.seconds);
    } else if ((msg.type === "stdout" || msg.type === "stderr") && run && msg.id === run.id) {
      run.onStream(msg.type, msg.text);
    } else if (msg.type === "done" && run && msg.id === run.id) {
      clearTimeout(run.timer);
      this.current = null;
      run.resolve(msg);
    } else if (msg.type === "fatal") {
      this.crash(msg.message);
    }
  };

  /** Run one cell's code; resolves with the Worker's `done` message, rejects with Stopped. */
  Kernel.prototype.run = function (code, index, onStream) {
    return this.request({ type: "run", code: code, index: index }, "this cell", onStream);
  };

  /** Call module.name(argument) in the Worker (see runner-worker.js); as run. */
  Kernel.prototype.call = function (module, name, argument) {
    return this.request({ type: "call", module: module, name: name, argument: argument }, "this step");
  };

  Kernel.prototype.request = function (message, what, onStream) {
    var self = this;
    var id = this.nextId++;
    return new Promise(function (resolve, reject) {
      if (!self.worker) return reject(new Stopped("crash", "Python stopped before " + what + " could run."));
      var timer = setTimeout(function () {
        self.discard(new Stopped("timeout", "Stopped: " + what + " ran for more than " + TIME_LIMIT_S + " s."));
      }, TIME_LIMIT_S * 1000);
      self.current = { id: id, resolve: resolve, reject: reject, onStream: onStream || function () {}, timer: timer };
      self.worker.postMessage(Object.assign({ id: id }, message));
    });
  };

  Kernel.prototype.stop = function () {
    this.discard(new Stopped("stop", "Stopped."));
  };

  Kernel.prototype.crash = function (message) {
    this.discard(new Stopped("crash", /[.!?]$/.test(message) ? message : message + "."));
  };

  /** Terminate the Worker, fail whatever was waiting on it, and start a fresh one. */
  Kernel.prototype.discard = function (why) {
    var wasBooting = this.booting && !this.ready;
    if (this.worker) this.worker.terminate();
    clearTimeout(this.bootTimer);
    if (this.current) {
      clearTimeout(this.current.timer);
      this.current.reject(why);
    }
    if (wasBooting && this.bootFailed) this.bootFailed(why);
    this.worker = null;
    this.booting = null;
    this.ready = false;
    this.current = null;
    this.onReset.forEach(function (reset) { reset(); });
    // A crash while starting would likely repeat: start again only when asked.
    if (why.reason !== "crash" && !wasBooting) this.start().catch(function () {});
  };

  /* ---- one code cell ---- */

  function Cell(el, index) {
    this.el = el;
    // Its place among all the page's cells (data-cell), so `<cell N>` in tracebacks matches the build's.
    this.index = parseInt(el.getAttribute("data-cell") || String(index), 10);
    this.number = this.index + 1;
    this.unavailable = el.getAttribute("data-browser-unavailable");
    this.codeBlock = el.querySelector(".highlight");
    var code = this.codeBlock && (this.codeBlock.querySelector("td.code code") || this.codeBlock.querySelector("code"));
    this.original = code ? code.textContent.replace(/\n+$/, "") : "";
    this.key = STORAGE_PREFIX + location.pathname + ":" + this.index + ":" + hash(this.original);
    this.editor = null;
    this.ran = false; // in the current Python state
    this.output = null;
  }

  Cell.prototype.code = function () {
    if (this.editor) return this.editor.getText();
    var saved = stored(this.key);
    return saved === null ? this.original : saved;
  };

  Cell.prototype.build = function (page) {
    var self = this;
    var after = this.codeBlock;
    if (!after) return;
    if (this.unavailable !== null) {
      var note = element("p", "jax-cell__unavailable",
        "This cell runs only with real JAX, not in your browser: " + this.unavailable);
      after.parentNode.insertBefore(note, after.nextSibling);
      return;
    }
    var bar = element("div", "jax-cell__toolbar");
    bar.setAttribute("role", "group");
    bar.setAttribute("aria-label", "Cell " + this.number);
    this.buttons = {
      edit: button("Edit", this.number, "jax-cell__edit"),
      run: button("Run", this.number, "jax-cell__run"),
      stop: button("Stop", this.number, "jax-cell__stop"),
      reset: button("Reset", this.number, "jax-cell__reset"),
      copy: button("Copy", this.number, "jax-cell__copy")
    };
    this.buttons.stop.hidden = true;
    this.buttons.edit.title = "Edit this code (Shift+Enter runs it, Escape leaves the editor)";
    this.buttons.run.title = "Run this code in your browser (earlier cells run first)";
    this.buttons.reset.title = "Restore the original code";
    this.buttons.copy.title = "Copy this code, as edited, to the clipboard";
    this.status = element("span", "jax-cell__status");
    this.status.setAttribute("role", "status");
    [this.buttons.edit, this.buttons.run, this.buttons.stop, this.buttons.reset, this.buttons.copy, this.status].forEach(function (b) {
      bar.appendChild(b);
    });
    after.parentNode.insertBefore(bar, after.nextSibling);
    this.bar = bar;

    this.buttons.edit.addEventListener("click", function () { self.openEditor(true); });
    this.buttons.run.addEventListener("click", function () { page.run(self); });
    this.buttons.stop.addEventListener("click", function () { page.stop(); });
    this.buttons.reset.addEventListener("click", function () { self.reset(); });
    this.buttons.copy.addEventListener("click", function () {
      copyText(self.code()).then(function () {
        self.say("Copied the code to the clipboard.");
      }, function () {
        self.say("Could not copy: the browser does not allow it here. Select the code and press Ctrl+C (⌘C on a Mac).");
      });
    });
    var hover = null;
    this.buttons.run.addEventListener("pointerenter", function () { hover = setTimeout(page.prewarm, HOVER_MS); });
    this.buttons.run.addEventListener("pointerleave", function () { clearTimeout(hover); });
    if (stored(this.key) !== null) {
      this.el.classList.add("jax-cell--edited");
      this.openEditor(false);
    }
  };

  Cell.prototype.openEditor = function (focus) {
    var self = this;
    loadEditor().then(function (lib) {
      if (!self.editor) {
        var host = self.editorHost = element("div", "jax-cell__editor");
        self.codeBlock.parentNode.insertBefore(host, self.codeBlock);
        self.codeBlock.hidden = true;
        self.editor = lib.createEditor(host, self.code(), {
          label: "Code of cell " + self.number + ": Shift+Enter runs it, Escape leaves the editor",
          onRun: function () { self.buttons.run.click(); },
          onLeave: function () { self.buttons.run.focus(); },
          onChange: function (text) { self.save(text); }
        });
      }
      if (focus) self.editor.focus();
    }, function (err) {
      self.say("Editing is not available: " + err.message + ". Reload the page to try again.");
    });
  };

  Cell.prototype.save = function (text) {
    var edited = text !== this.original;
    store(this.key, edited ? text : null);
    this.el.classList.toggle("jax-cell--edited", edited);
  };

  Cell.prototype.reset = function () {
    store(this.key, null);
    this.el.classList.remove("jax-cell--edited");
    if (this.editor) {
      this.editor.view.destroy();
      this.editorHost.remove();
      this.editor = null;
      this.codeBlock.hidden = false;
    }
    if (this.output) this.output.remove();
    this.output = null;
    this.say("Restored the original code.");
  };

  Cell.prototype.say = function (text) {
    if (this.status) this.status.textContent = text;
  };

  Cell.prototype.setRunning = function (running) {
    this.el.classList.toggle("jax-cell--running", running);
    var stop = this.buttons.stop, hadFocus = document.activeElement === stop;
    stop.hidden = !running;
    if (!running && hadFocus) this.buttons.run.focus();
  };

  /** Clear the last run's output; the next one gets an area when it shows something. */
  Cell.prototype.beginOutput = function () {
    if (this.output) this.output.remove();
    this.output = null;
    this.shown = 0;
  };

  /** The output area of a run in the browser, above the baked output. */
  Cell.prototype.outputArea = function () {
    if (this.output) return this.output;
    var out = element("div", "jax-output jax-output--browser");
    out.setAttribute("role", "group");
    out.setAttribute("aria-label", "Output computed in your browser");
    out.appendChild(element("p", "jax-output__label", "Computed in your browser by jaxlite"));
    this.bar.parentNode.insertBefore(out, this.bar.nextSibling);
    this.output = out;
    return out;
  };

  Cell.prototype.append = function (kind, text) {
    if (!text) return;
    if (this.shown >= OUTPUT_LIMIT) return;
    if (this.shown + text.length > OUTPUT_LIMIT) {
      text = text.slice(0, OUTPUT_LIMIT - this.shown);
      this.shown = OUTPUT_LIMIT;
      this.append(kind, text);
      this.note("Output truncated: only the first " + OUTPUT_LIMIT + " characters are shown.");
      return;
    }
    this.shown += text.length;
    var area = this.outputArea(), last = area.lastElementChild;
    if (!last || !last.classList.contains("jax-output__" + kind) || kind === "value" || kind === "error") {
      last = element("pre", "jax-output__" + kind);
      last.appendChild(element("code"));
      area.appendChild(last);
    }
    last.firstChild.textContent += text;
  };

  Cell.prototype.note = function (text) {
    this.outputArea().appendChild(element("p", "jax-output__note", text));
  };

  Cell.prototype.finish = function (done) {
    if (this.output) { // the baked output ends without a newline: so does this one
      Array.prototype.forEach.call(this.output.querySelectorAll("pre > code"), function (code) {
        code.textContent = code.textContent.replace(/\n+$/, "");
      });
    }
    if (done.value !== null && done.value !== undefined) this.append("value", String(done.value));
    if (done.error) this.append("error", errorText(done.error));
    var took = typeof done.seconds === "number" ? " in " + done.seconds.toFixed(2) + " s" : "";
    var quiet = this.output ? "" : ", no output";
    this.say((done.error ? "Raised " + (done.error.type || "an error") : "Ran") + took + quiet + ".");
  };

  function errorText(error) {
    if (typeof error === "string") return error;
    if (error.traceback) return error.traceback.replace(/\n+$/, "");
    if (error.display) return error.display;
    return error.message ? error.type + ": " + error.message : error.type;
  }

  /* ---- the page: its cells and their shared Python ---- */

  function Page(elements) {
    var self = this;
    this.cells = elements.map(function (el, i) { return new Cell(el, i); });
    this.kernel = sharedKernel();
    this.kernel.onReset.push(function () {
      self.cells.forEach(function (c) { c.ran = false; });
    });
    this.queue = Promise.resolve();
    this.generation = 0; // bumped by Stop: runs queued before it are dropped
    this.prewarm = prewarm;
    this.cells.forEach(function (c) { c.build(self); });
  }

  Page.prototype.run = function (target) {
    if (FROM_FILE) {
      target.beginOutput();
      target.note(FROM_FILE_MESSAGE);
      target.say("Not run.");
      return;
    }
    var self = this, generation = this.generation;
    if (this.busy) target.say("Waiting for the running cell to finish…");
    this.busy = true;
    this.queue = this.queue.then(function () {
      if (generation === self.generation) {
        return self.kernel.exclusive(function () { return self.runWithEarlierCells(target); });
      }
      target.say("Not run: Python was stopped before this cell's turn.");
    }).catch(function (err) { // a bug in this script: say so, and keep later runs working
      target.say("The runner failed: " + err.message);
      console.error(err);
    }).finally(function () {
      if (self.queue === queued) self.busy = false;
    });
    var queued = this.queue;
  };

  Page.prototype.stop = function () {
    this.generation++;
    this.kernel.stop();
  };

  Page.prototype.runWithEarlierCells = async function (target) {
    var todo = this.cells.filter(function (c) {
      return c.index < target.index && c.unavailable === null && c.codeBlock && !c.ran;
    });
    todo.push(target);
    target.setRunning(true);
    try {
      for (var i = 0; i < todo.length; i++) {
        if (!(await this.runOne(todo[i], todo[i] === target ? null : target))) return;
      }
    } finally {
      target.setRunning(false);
    }
  };

  /** Run one cell; false if Python was stopped or crashed meanwhile. */
  Page.prototype.runOne = async function (cell, forCell) {
    cell.setRunning(true);
    cell.beginOutput();
    var doing = forCell ? "Running this earlier cell first, for cell " + forCell.number : "Running";
    if (forCell) forCell.say("Running earlier cell " + cell.number + " first…");
    try {
      if (!this.kernel.ready) {
        cell.say("Starting Python in your browser (the first run downloads about 12 MB)…");
        await this.kernel.start();
      }
      cell.say(doing + "…");
      var done = await this.kernel.run(cell.code(), cell.index, function (kind, text) { cell.append(kind, text); });
      cell.ran = true;
      cell.finish(done);
      return true;
    } catch (why) {
      if (!(why instanceof Stopped)) throw why;
      var lost = why.reason === "crash" ? " Run the cell again to start a fresh Python."
        : " The page's Python state was reset: running a cell now runs the earlier cells again first.";
      cell.note(why.message + lost);
      cell.say(why.reason === "crash" ? "Failed." : "Stopped.");
      if (forCell && forCell !== cell) forCell.say("Not run: cell " + cell.number + " did not finish.");
      return false;
    } finally {
      cell.setRunning(false);
    }
  };

  /* ---- Python for simulations ---- */

  /** Call module.name(argument) in the page's Python (a string in, a string
   * out), when no cell is running. onStatus, if given, hears "starting" (the
   * first use downloads Python) and "running". Resolves with the returned
   * string; rejects with an Error whose message is meant for the reader. */
  function callPython(module, name, argument, onStatus) {
    if (FROM_FILE) return Promise.reject(new Error(FROM_FILE_MESSAGE));
    var kernel = sharedKernel();
    var say = onStatus || function () {};
    return kernel.exclusive(async function () {
      if (!kernel.ready) {
        say("starting");
        await kernel.start();
      }
      say("running");
      var done = await kernel.call(module, name, argument);
      if (done.error) throw new Error("Python failed: " + done.error.display);
      return done.value;
    }).catch(function (why) {
      if (!(why instanceof Stopped)) throw why;
      throw new Error(why.message + (why.reason === "crash" ? " Try again to start a fresh Python."
        : " The page's Python was restarted: code cells that ran before will run again first."));
    });
  }

  /** Start Python ahead of its first use, unless the browser asks to save data. */
  function prewarm() {
    if (!FROM_FILE && !saveData()) sharedKernel().start().catch(function () {});
  }

  window.ThinkingInJaxPython = { call: callPython, prewarm: prewarm };

  /* ---- start ---- */

  function whenIdle(callback) {
    var timer = null;
    var events = ["scroll", "keydown", "pointerdown", "pointermove"];
    function restart() {
      clearTimeout(timer);
      timer = setTimeout(function () {
        events.forEach(function (e) { window.removeEventListener(e, restart, true); });
        (window.requestIdleCallback || setTimeout)(callback);
      }, IDLE_MS);
    }
    events.forEach(function (e) { window.addEventListener(e, restart, { capture: true, passive: true }); });
    restart();
  }

  function start() {
    var elements = Array.prototype.slice.call(document.querySelectorAll(".jax-cell"));
    if (!elements.length) return;
    var page = new Page(elements);
    window.ThinkingInJaxRunner = page; // for tests and the browser console
    if (page.cells.some(function (c) { return c.unavailable === null; })) whenIdle(page.prewarm);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
