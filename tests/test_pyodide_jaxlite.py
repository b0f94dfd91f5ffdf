"""jaxlite in real Pyodide, as the reader's browser runs it: the built site's
Pyodide and Python zip, loaded by the browser's own Worker
(site_src/assets/js/runner-worker.js), run under Node by
tests/pyodide_worker.mjs. Needs Node.js 20+ and `npm ci` in site_src/."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from sitebuild import conformance, pyodide_assets
from sitebuild.errors import BuildError
from tests.conftest import QuietHandler, served

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def runtime(built) -> dict:
    """Where the built site keeps Pyodide and our Python, as its manifest says."""
    try:
        command = conformance.worker_command()
    except BuildError as missing:
        pytest.fail(str(missing))
    folder = built.site / pyodide_assets.PY_DIR
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return {"pyodide": (folder / manifest["pyodide"]).resolve(), "zip": folder / manifest["zip"], "manifest": manifest,
            "command": command}


def run_worker(runtime: dict, codes: list, devices: int = 1) -> list[dict]:
    """Every message the Worker posts while it starts and runs `codes` as cells 1, 2, ...
    A dict in `codes` is sent as it is, with its id: e.g. a "call" message."""
    runs = [dict(code, id=i) if isinstance(code, dict) else {"id": i, "code": code, "index": i}
            for i, code in enumerate(codes)]
    request = {"pyodideURL": f"{runtime['pyodide']}/", "zipURL": str(runtime["zip"]), "devices": devices, "runs": runs}
    proc = subprocess.run(runtime["command"], input=json.dumps(request), capture_output=True, text=True,
                          cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return [json.loads(line) for line in proc.stdout.splitlines()]


def outputs(messages: list[dict], run_id: int) -> dict:
    """One run's streamed stdout and stderr, joined, and its "done" message."""
    done = next(m for m in messages if m["type"] == "done" and m["id"] == run_id)
    streamed = {s: "".join(m["text"] for m in messages if m["type"] == s and m["id"] == run_id) for s in ("stdout", "stderr")}
    return {**done, **streamed}


def test_run_cell_passes_output_on_as_written_and_cuts_it_at_the_limit_with_a_note():
    from sitebuild.kernel import run_cell

    seen = []
    code = "import sys\nprint('a')\nprint('b', file=sys.stderr)\nprint('x' * 30)\n'y' * 30"
    result = run_cell(code, 0, {}, lambda stream, text: seen.append((stream, text)), limit=20)

    def note(cut):
        return f"\n[... {cut} more characters not shown: the output was cut at 20 characters. Print less, or a slice such as x[:10], to see all of it.]\n"

    assert result["stdout"] == "a\n" + "x" * 18 + note(13)  # 2 + 31 characters printed
    assert result["stderr"] == "b\n"
    assert result["value"] == "'" + "y" * 19 + note(12)  # a repr of 32 characters
    assert seen == [("stdout", "a"), ("stdout", "\n"), ("stderr", "b"), ("stderr", "\n"), ("stdout", "x" * 18), ("stdout", note(13))]


def test_the_site_carries_pyodide_and_a_reproducible_content_named_python_zip(built, runtime):
    version = runtime["manifest"]["pyodide_version"]
    assert runtime["pyodide"] == (built.site / pyodide_assets.RUNTIME_DIR / version).resolve()
    assert sorted(p.name for p in runtime["pyodide"].iterdir()) == sorted(pyodide_assets.PYODIDE_FILES)
    data = runtime["zip"].read_bytes()
    assert runtime["zip"].name == f"tij-python-{hashlib.sha256(data).hexdigest()[:12]}.zip"
    assert pyodide_assets.python_zip() == data  # the same sources give the same bytes
    names = zipfile.ZipFile(runtime["zip"]).namelist()
    assert {"tij_runner.py", "jaxlite/__init__.py", "numpylite/__init__.py"} <= set(names)
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]


def test_no_page_loads_pyodide_or_the_python_zip_when_it_opens(built):
    page = built.page("chapters/04-grad")
    assert "pyodide" not in page and "tij-python" not in page


def test_jaxlite_in_pyodide_prints_grad_of_sin_as_real_jax_does(runtime):
    import jax
    import jax.numpy as jnp

    messages = run_worker(runtime, ["import jax\nimport jax.numpy as jnp\nprint(jax.grad(jnp.sin)(1.0))"])
    assert messages[0]["type"] == "ready"
    out = outputs(messages, 0)
    assert out["error"] is None
    assert out["stdout"] == str(jax.grad(jnp.sin)(1.0)) + "\n"  # print uses str(), as here


def test_cells_share_one_namespace_stream_output_and_report_errors_in_the_readers_code(runtime):
    messages = run_worker(runtime, [
        "import jax.numpy as jnp\nx = jnp.arange(3)",
        "for i in range(3):\n    print(i)\nx * 2",
        "def f(a):\n    return a.reshape(5)\nf(x)",
        "print('ab' * 20_000)",
        "1 +",
    ])
    assert [m["type"] for m in messages if m["type"] in ("ready", "done")] == ["ready"] + ["done"] * 5
    second = outputs(messages, 1)
    assert (second["stdout"], second["value"]) == ("0\n1\n2\n", "Array([0, 2, 4], dtype=int32)")
    error = outputs(messages, 2)["error"]
    assert error["type"] == "TypeError"
    frames = [line for line in error["traceback"].splitlines() if line.startswith("  File ")]
    assert frames == ['  File "<cell 3>", line 3, in <module>', '  File "<cell 3>", line 2, in f']  # no jaxlite frames
    long = outputs(messages, 3)["stdout"]
    assert long.startswith("ab" * 100) and "20,001 more characters not shown" in long and len(long) < 20_200
    assert outputs(messages, 4)["error"]["type"] == "SyntaxError"


def test_the_graph_tracer_traces_a_readers_function_in_pyodide_as_jaxlite_does_in_cpython(runtime):
    source = "jnp.cos(x) * x ** 2"
    messages = run_worker(runtime, [
        "x = 1",  # a cell's namespace is not the tracer's
        {"type": "call", "module": "sims.graph_tracer", "name": "trace_json", "argument": source},
        {"type": "call", "module": "sims.graph_tracer", "name": "trace_json", "argument": "jnp.sin(y)"},
        {"type": "call", "module": "sims.graph_tracer", "name": "no_such_function", "argument": ""},
        "print(x)",
    ])
    script = ("import sys; sys.path[:0] = ['site_src/py', '.']; import jaxlite; jaxlite.install_as_jax(); "
              f"from sims import graph_tracer; print(graph_tracer.trace_json({source!r}))")
    here = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert here.returncode == 0, here.stderr
    traced = outputs(messages, 1)
    assert traced["error"] is None and json.loads(traced["value"]) == json.loads(here.stdout)
    assert [n["primitive"] for n in json.loads(traced["value"])["preset"]["nodes"]] == ["input", "cos", "integer_pow", "mul"]
    assert json.loads(outputs(messages, 2)["value"]) == {"error": "NameError: name 'y' is not defined"}
    missing = outputs(messages, 3)
    assert missing["value"] is None
    assert missing["error"]["display"] == "AttributeError: sims.graph_tracer has no function no_such_function"
    assert outputs(messages, 4)["stdout"] == "1\n"  # Python goes on after the failed call


def test_a_worker_whose_python_cannot_load_reports_fatal(runtime, tmp_path):
    messages = run_worker({**runtime, "zip": tmp_path / "missing.zip"}, ["1"])
    assert [m["type"] for m in messages] == ["fatal"]
    assert messages[0]["message"].startswith("Python could not start in this page:")


@pytest.mark.parametrize("page", ["chapters/04-grad.md", "chapters/06-parallelism.md", "chapters/08-random-numbers.md"])
def test_a_pages_cells_in_pyodide_print_what_real_jax_printed(built, page):
    report = conformance.check_page(ROOT / "docs" / page, built.cache, conformance.JAXLITE_PATH, pyodide=True)
    assert report.jaxlite_error is None, report.jaxlite_error
    runnable = [c for c in report.cells if c.runnable]
    assert runnable
    failing = [c for c in runnable if not c.matches]
    assert not failing, "\n\n".join(conformance.describe(c) for c in failing)


WORKER_IN_PAGE = """async ({devices, code}) => {
  const manifest = new URL("/assets/py/manifest.json", location.href);
  const where = await (await fetch(manifest)).json();
  const worker = new Worker(new URL("/assets/tij/js/runner-worker.js", location.href), {type: "module"});
  const messages = [];
  return await new Promise((resolve) => {
    worker.onmessage = (event) => {
      messages.push(event.data);
      if (event.data.type === "done" || event.data.type === "fatal") resolve(messages);
    };
    worker.onerror = (event) => resolve([{type: "error", message: event.message}]);
    worker.postMessage({type: "init", pyodideURL: new URL(where.pyodide, manifest).href,
                        zipURL: new URL(where.zip, manifest).href, devices});
    worker.postMessage({type: "run", id: 1, code, index: 0});
  });
}"""


class OctetStreamWasm(QuietHandler):
    """A static server that labels .wasm and .mjs as plain bytes, as many servers and LMSs do."""
    extensions_map = {**QuietHandler.extensions_map, ".wasm": "application/octet-stream", ".mjs": "application/octet-stream"}


@pytest.mark.browser
def test_the_worker_starts_in_chromium_when_wasm_and_mjs_are_served_as_plain_bytes(built, browser):
    page = browser.new_page()
    errors, outside = [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(("http://127.0.0.1", "data:", "blob:")) else None)
    with served(built.site, OctetStreamWasm) as url:
        try:
            page.goto(f"{url}/chapters/04-grad/")
            page.set_default_timeout(120_000)
            messages = page.evaluate(WORKER_IN_PAGE, {"devices": 8, "code": "import jax\nprint(jax.device_count())\njax.grad(jax.numpy.sin)(1.0)"})
        finally:
            page.close()
    assert [m["type"] for m in messages if m["type"] in ("ready", "done", "fatal", "error")] == ["ready", "done"], messages
    out = outputs(messages, 1)
    assert (out["stdout"], out["value"], out["error"]) == ("8\n", "Array(0.5403023, dtype=float32, weak_type=True)", None)
    assert errors == [] and outside == []
