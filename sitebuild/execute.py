"""Execute the code cells of Markdown pages with real JAX, with a cache.

Each page runs in its own `sitebuild.kernel` process. Results are cached in
`CACHE_DIR/<page key>.json`; the key covers the page's cells, the device
count and the environment (JAX/jaxlib versions, Python version, the kernel's
code), so a rebuild with no change executes nothing.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import hashlib
import importlib.metadata
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

from sitebuild import cells as cellmod
from sitebuild import kernel
from sitebuild.errors import BuildError
from sitebuild.kernel import MARK, META

ROOT = Path(__file__).resolve().parent.parent
CACHE_DIR = ROOT / ".cache" / "cells"
PAGE_TIMEOUT_S = 600
DEVICE_FLAG = "--xla_force_host_platform_device_count={n}"


@dataclasses.dataclass
class PageResult:
    path: str
    cells: list[cellmod.Cell]
    outputs: list[dict]
    machine: dict  # backend, device kind and count the cells ran on
    environment: dict
    from_cache: bool


def environment() -> dict:
    """What, besides the cells, decides what they print."""
    kernel_code = Path(__file__).with_name("kernel.py").read_bytes() + kernel.RUNNER_PATH.read_bytes()
    return {
        "jax": _version("jax"),
        "jaxlib": _version("jaxlib"),
        "python": platform.python_version(),
        "kernel": hashlib.sha256(kernel_code).hexdigest()[:16],
        "platforms": os.environ.get("JAX_PLATFORMS", "cpu"),
    }


def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        raise BuildError(f"{dist} is not installed in this Python ({sys.executable}); run `make build`, which installs it") from None


def cache_path(key: str) -> Path:
    return CACHE_DIR / f"{key}.json"


def execute_page(text: str, path: str, env: dict | None = None) -> PageResult:
    """Outputs of every cell of one page (Markdown or lab notebook), from the
    cache or by running them."""
    env = env or environment()
    try:
        cells = cellmod.cells_of(text, path)
    except cellmod.CellSyntaxError as err:
        raise BuildError(f"{path}:{err.line}: {err}") from None
    key = cellmod.page_key(cells, env)
    if not cells:
        return PageResult(path, cells, [], {}, env, from_cache=False)
    cached = _read_cache(key)
    if cached is not None:
        return PageResult(path, cells, cached["outputs"], cached["machine"], env, from_cache=True)
    outputs, machine = _run_kernel(cells, path)
    _check(cells, outputs, path)
    _write_cache(key, {"path": path, "environment": env, "machine": machine, "outputs": outputs})
    return PageResult(path, cells, outputs, machine, env, from_cache=False)


def execute_pages(paths: list[Path], base: Path, workers: int | None = None, log=print) -> list[PageResult]:
    """Execute many pages, one kernel process each: single-device pages in
    parallel, then pages with simulated devices one at a time. XLA's CPU
    collectives wait for all simulated devices to meet (with a time-out), so a
    page of 8 simulated devices must not compete with other kernels for a
    small machine's cores."""
    env = environment()
    workers = workers or max(1, os.cpu_count() or 1)
    texts = {path: path.read_text(encoding="utf-8") for path in paths}

    def one(path: Path) -> PageResult:
        rel = os.path.relpath(path, Path.cwd()) if path.is_absolute() else str(path)
        result = execute_page(texts[path], rel, env)
        if result.cells and not result.from_cache:
            log(f"  ran {len(result.cells):3d} cells  {rel}")
        return result

    def multi_device(path: Path) -> bool:
        try:
            return cellmod.page_devices(cellmod.cells_of(texts[path], str(path))) > 1
        except cellmod.CellSyntaxError:
            return False  # reported with its line when the page runs

    alone = [p for p in paths if multi_device(p)]
    results: dict[Path, PageResult] = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        together = [p for p in paths if p not in alone]
        results.update(zip(together, pool.map(one, together)))
    for path in alone:
        results[path] = one(path)
    return [results[p] for p in paths]


def _read_cache(key: str) -> dict | None:
    path = cache_path(key)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {"outputs": data["outputs"], "machine": data["machine"]}
    except FileNotFoundError:
        return None
    except (ValueError, KeyError):
        path.unlink(missing_ok=True)  # a corrupt entry is simply re-executed
        return None


def _write_cache(key: str, data: dict) -> None:
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=CACHE_DIR, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=1)
    os.replace(tmp, cache_path(key))  # never leave a half-written entry


def _run_kernel(cells: list[cellmod.Cell], path: str) -> tuple[list[dict], dict]:
    """Run the cells; if the process itself dies (not a cell's exception), try
    once more: XLA's simulated-device collectives can time out on an
    overloaded machine, which says nothing about the page."""
    try:
        return _run_kernel_once(cells, path)
    except KernelDied as died:
        print(f"      {died.summary}; running the page once more", file=sys.stderr)
        return _run_kernel_once(cells, path)


class KernelDied(BuildError):
    def __init__(self, message: str, summary: str):
        super().__init__(message)
        self.summary = summary


def _run_kernel_once(cells: list[cellmod.Cell], path: str) -> tuple[list[dict], dict]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), JAX_PLATFORMS=os.environ.get("JAX_PLATFORMS", "cpu"))
    devices = cellmod.page_devices(cells)
    if devices > 1:
        env["XLA_FLAGS"] = (env.get("XLA_FLAGS", "") + " " + DEVICE_FLAG.format(n=devices)).strip()
    request = json.dumps([{"source": c.source, "raises": c.raises} for c in cells])
    proc = subprocess.Popen(
        [sys.executable, "-m", "sitebuild.kernel"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, encoding="utf-8", cwd=ROOT, env=env,
    )
    try:
        stdout, stderr = proc.communicate(request, timeout=PAGE_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        stdout, stderr = proc.communicate()
        done = _decode(stdout)
        cell = cells[min(len(done), len(cells) - 1)]
        raise BuildError(
            f"{cell.where(path)}: this cell was still running after {PAGE_TIMEOUT_S} s, so the build stopped it.\n"
            f"{_show_source(cell)}\nMake the cell faster (smaller shapes, fewer steps) or check it for an endless loop."
        ) from None
    outputs = _decode(stdout)
    if proc.returncode != 0 or (len(outputs) < len(cells) and not (outputs and outputs[-1]["error"])):
        cell = cells[min(len(outputs), len(cells) - 1)]
        raise KernelDied(
            f"{cell.where(path)}: the Python process running this page's cells died "
            f"(exit code {proc.returncode}) while running this cell.\n{_show_source(cell)}\n{stderr.strip()[-3000:]}",
            f"{path}: the Python process died (exit code {proc.returncode})",
        )
    meta = [json.loads(line[len(META):]) for line in stdout.split("\n") if line.startswith(META)]
    return outputs, (meta[0] if meta else {})


def _decode(stdout: str) -> list[dict]:
    return [json.loads(line[len(MARK):]) for line in stdout.split("\n") if line.startswith(MARK)]


def _check(cells: list[cellmod.Cell], outputs: list[dict], path: str) -> None:
    """Fail on an unexpected exception, or on a `raises` cell that did not raise as promised."""
    for cell, out in zip(cells, outputs):
        error = out["error"]
        if cell.quiz_question and error:
            raise BuildError(
                f"{cell.where(path)}: the code of quiz question {cell.quiz_question!r} raised {error['type']}.\n"
                f"{_show_source(cell)}\n{error['traceback'].rstrip()}\nPredict questions must run without an exception."
            )
        if cell.raises is None and error:
            raise BuildError(
                f"{cell.where(path)}: this cell raised {error['type']}.\n{_show_source(cell)}\n{error['traceback'].rstrip()}\n"
                f'Fix the code, or, if the error is the point, mark the cell ```python raises="{error["type"]}"```.'
            )
        if cell.raises is not None and not error:
            raise BuildError(
                f"{cell.where(path)}: this cell is marked raises=\"{cell.raises}\" but ran without an exception.\n"
                f"{_show_source(cell)}\nCheck what JAX really does, and fix the cell or remove the option."
            )
        if cell.raises is not None and cell.raises not in error["mro"]:
            raise BuildError(
                f"{cell.where(path)}: this cell is marked raises=\"{cell.raises}\" but raised {error['type']}.\n"
                f"{_show_source(cell)}\n{error['traceback'].rstrip()}\n"
                f'If this is the error you meant to show, write raises="{error["type"]}".'
            )


def _show_source(cell: cellmod.Cell) -> str:
    """The cell's code, numbered by page line where the page has lines for it."""
    first = 0 if cell.in_notebook or cell.quiz_question else cell.line
    numbered = [f"  {first + n:4d} | {line}" for n, line in enumerate(cell.source.splitlines(), start=1)]
    return "\n".join(numbered)
