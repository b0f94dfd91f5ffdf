// Run site_src/assets/js/runner-worker.js under Node, as a browser would run
// it in a Worker, and speak its protocol: the runner's Python side tested in
// real Pyodide without a browser (tests/test_pyodide_jaxlite.py,
// `python -m sitebuild.conformance --pyodide`).
//
//   node --experimental-vm-modules tests/pyodide_worker.mjs < request.json
//
// request: {"pyodideURL", "zipURL", "devices", "runs": [{"id", "code", "index"}]}
// (URLs may be file: URLs or paths; a run with its own "type", e.g. "call",
// is sent as it is). Prints every message the worker posts,
// one JSON object a line, and exits after the last run's "done" or a "fatal".

import fs from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import vm from "node:vm";

const workerPath = fileURLToPath(new URL("../site_src/assets/js/runner-worker.js", import.meta.url));
const request = JSON.parse(fs.readFileSync(0, "utf8"));
const toFileURL = (url) => (url.includes(":") ? url : pathToFileURL(url).href + (url.endsWith("/") ? "/" : ""));

// What a module Worker's global scope offers and Node lacks: self, location,
// fetch of the site's files (here file: URLs), postMessage.
globalThis.self = globalThis;
self.location = { href: pathToFileURL(workerPath).href };
// The worker imports pyodide.mjs with import(); under Node, loadPyodide takes
// its folder as a path, not a file: URL, so it gets a wrapper that converts it.
const importModuleDynamically = (specifier) => {
  if (!specifier.endsWith("/pyodide.mjs")) return import(specifier);
  const wrapper = `import { loadPyodide as load } from ${JSON.stringify(specifier)};
import { fileURLToPath } from "node:url";
export const loadPyodide = (options) => load({ ...options, indexURL: fileURLToPath(options.indexURL) });`;
  return import("data:text/javascript," + encodeURIComponent(wrapper));
};
const nodeFetch = globalThis.fetch;
globalThis.fetch = async (url, options) => {
  const parsed = new URL(url);
  if (parsed.protocol !== "file:") return nodeFetch(url, options);
  try {
    return new Response(fs.readFileSync(fileURLToPath(parsed)));
  } catch {
    return new Response("not found", { status: 404 });
  }
};

const lastId = request.runs.length ? request.runs[request.runs.length - 1].id : null;
self.postMessage = (message) => {
  fs.writeSync(1, JSON.stringify(message) + "\n");
  if (message.type === "fatal" || (message.type === "ready" && lastId === null) || (message.type === "done" && message.id === lastId)) {
    process.exit(0);
  }
};

vm.runInThisContext(fs.readFileSync(workerPath, "utf8"), { filename: workerPath, importModuleDynamically });
const send = (data) => self.onmessage({ data });
send({ type: "init", pyodideURL: toFileURL(request.pyodideURL), zipURL: toFileURL(request.zipURL), devices: request.devices });
for (const run of request.runs) send({ type: "run", ...run });
