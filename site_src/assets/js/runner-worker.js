/* The Python behind a page's code cells: a module Web Worker (Pyodide 314
 * refuses classic ones: `new Worker(url, {type: "module"})`) running Pyodide
 * with jaxlite installed as `jax` (site_src/py, unpacked from a zip). The page
 * (runner.js) starts it when a reader first runs or edits a cell, and stops a
 * runaway cell by terminating it and starting another; nothing here needs
 * SharedArrayBuffer. Cells run through tij_runner.Page, the same run_cell
 * that produced the book's baked outputs.
 *
 * Protocol (runner.js speaks it; keep both in step):
 *   page -> worker
 *     {type: "init", pyodideURL, zipURL, devices}
 *         pyodideURL: the folder holding Pyodide's runtime (ending in "/"; a
 *           URL of its pyodide.mjs is accepted too); zipURL: our Python.
 *           Both come from assets/py/manifest.json, relative to it
 *           (sitebuild/pyodide_assets.py). devices: the page's simulated
 *           device count (cells.page_devices), 1 if absent.
 *     {type: "run", id, code, index}
 *         index: the cell's position among the page's cells (0-based), so a
 *         traceback says "<cell N>" as the baked output does. Runs sent
 *         before "ready" wait for it; cells run one at a time, in order, in
 *         one namespace per worker.
 *     {type: "call", id, module, name, argument}
 *         Call module.name(argument) (a string in, a string out) outside the
 *         cells' namespace, in turn with the runs: a simulation's live code,
 *         e.g. sims.graph_tracer.trace_json. Answered by "done" with value:
 *         the returned string.
 *   worker -> page
 *     {type: "ready", seconds}              Pyodide started, jaxlite installed
 *     {type: "stdout" | "stderr", id, text} output while the cell runs, in order
 *                                           (batched: at most every FLUSH_MS)
 *     {type: "done", id, value, error, seconds}
 *         value: repr of the cell's last expression, or null; error: null or
 *         {type, message, display, traceback, mro} (display: "Type: message"
 *         as Python prints it; traceback: trimmed to the reader's code).
 *         Each output is cut at 20,000 characters, with a note saying so.
 *     {type: "fatal", message}              start-up failed or Python crashed:
 *                                           terminate this worker, start another
 */
const PY_DIR = "/home/pyodide/tij"; // where the zip is unpacked; on sys.path
const FLUSH_MS = 50; // streamed output waits at most this long between messages
const FLUSH_CHARS = 8192; // ... or until this much has gathered

let pyodide = null;
let page = null; // tij_runner.Page: the page's namespace, jaxlite as jax
let currentId = null; // the run whose output is being streamed
let queue = Promise.resolve(); // init, then runs, one after another
const pending = []; // output not yet posted: [{type, id, text}], in order
let pendingChars = 0;
let lastFlush = 0;
let flushedWholeLines = true; // false while the page shows a line without its end

self.onmessage = (event) => {
  const message = event.data;
  if (message.type === "init") queue = queue.then(() => init(message));
  else if (message.type === "run") queue = queue.then(() => run(message));
  else if (message.type === "call") queue = queue.then(() => call(message));
};

/* Pyodide compiles its .wasm with WebAssembly.instantiateStreaming, which
 * refuses a response not labelled application/wasm, and does not fall back.
 * Many static servers and LMSs send .wasm as application/octet-stream, so
 * the label is put right here (the bytes still stream into the compiler). */
const fetchAsServed = self.fetch.bind(self);
self.fetch = async (resource, options) => {
  const response = await fetchAsServed(resource, options);
  const url = typeof resource === "string" ? resource : resource.url || String(resource);
  if (!/\.wasm$/.test(new URL(url, self.location.href).pathname) || response.headers.get("Content-Type") === "application/wasm") {
    return response;
  }
  const headers = new Headers(response.headers);
  headers.set("Content-Type", "application/wasm");
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
};

async function init({ pyodideURL, zipURL, devices }) {
  const start = performance.now();
  try {
    const indexURL = runtimeFolder(new URL(pyodideURL, self.location.href).href);
    // Pyodide's loader and its Emscripten module, imported here (not by Pyodide) so that both
    // load whatever MIME type the server gives .mjs files (see importModule).
    const [{ loadPyodide }, emscripten] = await Promise.all([
      importModule(indexURL + "pyodide.mjs"), importModule(indexURL + "pyodide.asm.mjs")]);
    const [runtime, zip] = await Promise.all([
      loadPyodide({ indexURL, createPyodideModule: emscripten.default }), fetchBytes(zipURL)]);
    pyodide = runtime;
    pyodide.setStdout({ batched: (line) => emit("stdout", line + "\n") });
    pyodide.setStderr({ batched: (line) => emit("stderr", line + "\n") });
    pyodide.unpackArchive(zip, "zip", { extractDir: PY_DIR });
    pyodide.runPython(`import sys; sys.path.insert(0, ${JSON.stringify(PY_DIR)})`);
    page = pyodide.pyimport("tij_runner").Page(devices || 1);
  } catch (err) {
    self.postMessage({ type: "fatal", message: `Python could not start in this page: ${describe(err)}` });
    return;
  }
  self.postMessage({ type: "ready", seconds: (performance.now() - start) / 1000 });
}

/** import() an ES module. A module import refuses a script not labelled as
 * JavaScript, and some servers and LMSs send .mjs as application/octet-stream:
 * then the text is fetched and imported from a blob: URL labelled correctly. */
async function importModule(url) {
  try {
    return await import(url);
  } catch (err) {
    const response = await fetchAsServed(url);
    if (!response.ok) throw err; // not a labelling problem: the file is missing
    const blobURL = URL.createObjectURL(new Blob([await response.text()], { type: "text/javascript" }));
    try {
      return await import(blobURL);
    } finally {
      URL.revokeObjectURL(blobURL);
    }
  }
}

/** The folder of Pyodide's runtime, given it or a file in it. */
function runtimeFolder(url) {
  return /\.m?js$/.test(url) ? url.slice(0, url.lastIndexOf("/") + 1) : url.replace(/\/?$/, "/");
}

async function fetchBytes(url) {
  const response = await fetch(new URL(url, self.location.href).href);
  if (!response.ok) throw new Error(`${url} could not be loaded (HTTP ${response.status})`);
  return new Uint8Array(await response.arrayBuffer());
}

function run({ id, code, index }) {
  answer(id, () => JSON.parse(page.run_json(code, index || 0, emit)));
}

function call({ id, module, name, argument }) {
  answer(id, () => {
    let fn;
    try {
      fn = pyodide.pyimport(module)[name];
    } catch (err) {
      return failed(err);
    }
    if (typeof fn !== "function") return { value: null, error: pythonError("AttributeError", `${module} has no function ${name}`) };
    try {
      return { value: fn(argument), error: null };
    } catch (err) {
      return failed(err);
    } finally {
      if (fn.destroy) fn.destroy();
    }
  });
}

/** A Python exception raised by a called function (a bug in it), as Python
 * prints it; anything else is Pyodide itself failing, thrown on. */
function failed(err) {
  if (!err || typeof err.type !== "string") throw err;
  const lines = String(err.message).trim().split("\n");
  const last = lines[lines.length - 1];
  const message = last.startsWith(err.type + ": ") ? last.slice(err.type.length + 2) : last;
  return { value: null, error: pythonError(err.type, message, err.message) };
}

function pythonError(type, message, traceback = "") {
  return { type, message, display: `${type}: ${message}`, traceback, mro: [type, "Exception", "BaseException", "object"] };
}

/** Post "done" for request id with what work() gives ({value, error}). */
function answer(id, work) {
  const start = performance.now();
  const seconds = () => (performance.now() - start) / 1000;
  if (page === null) {
    const error = crash("Python is not running in this page (it did not start).");
    self.postMessage({ type: "done", id, value: null, error, seconds: seconds() });
    return;
  }
  currentId = id;
  let result;
  try {
    result = work();
  } catch (err) {
    // run_cell reports every Python exception itself: this is Pyodide failing
    // (out of WebAssembly memory or stack), after which it cannot go on.
    flush();
    const message = `Python in this page stopped working (${describe(err)}). Its state is lost; run the cells again.`;
    self.postMessage({ type: "done", id, value: null, error: crash(message), seconds: seconds() });
    self.postMessage({ type: "fatal", message });
    page = null;
    return;
  } finally {
    currentId = null;
  }
  flush();
  self.postMessage({ type: "done", id, value: result.value, error: result.error, seconds: seconds() });
}

/** Output as the cell writes it, posted in batches (one message per print
 * would flood the page); anything written outside a run goes to the console. */
function emit(stream, text) {
  if (currentId === null) {
    (stream === "stderr" ? console.warn : console.log)(text);
    return;
  }
  const last = pending[pending.length - 1];
  if (last && last.type === stream) last.text += text;
  else pending.push({ type: stream, id: currentId, text });
  pendingChars += text.length;
  // A line the page shows in part is completed at once: the cell may compute
  // for long before it writes again (print writes "step", " ", "0", "\n").
  const completesShownLine = !flushedWholeLines && text.endsWith("\n");
  if (pendingChars >= FLUSH_CHARS || completesShownLine || performance.now() - lastFlush >= FLUSH_MS) flush();
}

function flush() {
  if (pending.length) flushedWholeLines = pending[pending.length - 1].text.endsWith("\n");
  for (const message of pending) self.postMessage(message);
  pending.length = 0;
  pendingChars = 0;
  lastFlush = performance.now();
}

function crash(message) {
  return pythonError("RuntimeError", message);
}

function describe(err) {
  return err && err.message ? err.message.split("\n")[0] : String(err);
}
