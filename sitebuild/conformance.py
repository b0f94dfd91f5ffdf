"""Does jaxlite print what real JAX printed? The book's code cells, one by one.

Readers edit and run the book's code cells in the browser, on jaxlite. This
harness runs every page's python cells on jaxlite in a fresh process per page
(`sitebuild.jaxlite_kernel`, same isolation and capture as the build's real
kernel), skipping cells marked ```` ```python browser="reason" ````, and
compares each cell with the real-JAX output the build cached
(`sitebuild.execute`, which runs real JAX only if the cache lacks the page).

    python -m sitebuild.conformance                     # every page under docs/
    python -m sitebuild.conformance --page docs/chapters/04-grad.md -v
    python -m sitebuild.conformance --suggest           # what fails, and why
    python -m sitebuild.conformance --pyodide           # in real Pyodide (Node), as in the browser

What counts as a match, per cell (stderr is never compared):
- stdout, the displayed value and the error must be the same text, except
  that numbers may differ by float32 round-off (see `match_text`);
- an error matches if the exception class has the same name (real JAX's live
  in `jax.errors`, jaxlite's in `jaxlite.errors`) and the first line of
  `str(exc)` matches as text;
- a cell that takes more than SLOW_CELL_S seconds on jaxlite (CPython) fails.

Covered pages: every Markdown page under docs/ with python cells. Not
covered: lab notebooks (they run in Jupyter, on real JAX) and the code of
quiz questions (readers predict its output; they do not run it).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import difflib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sitebuild import cells as cellmod
from sitebuild import execute, pyodide_assets
from sitebuild.errors import BuildError
from sitebuild.kernel import MARK, META

ROOT = Path(__file__).resolve().parent.parent
DOCS_DIR = ROOT / "docs"
CACHE_DIR = ROOT / ".cache"  # the build's --cache-dir; real outputs are in its cells/
JAXLITE_PATH = ROOT / "site_src" / "py"

SLOW_CELL_S = 0.5       # the budget for one cell on jaxlite under CPython
MIN_RUNNABLE = 0.90     # share of all cells readers must be able to run in the browser
PAGE_TIMEOUT_S = 300

# Numbers: two printed floats match if they are within REL_TOL (relative) or
# ABS_TOL (absolute, for results near 0) of each other: 8 float32 epsilons,
# room for XLA's and jaxlite's differently rounded exp/log/tanh and sums in
# another order. A number printed with few digits (f"{loss:.4f}") may also
# differ by one unit in its last digit (both printed to that same digit),
# which round-off causes whenever the true value sits near a rounding boundary; only
# when that unit is at most PRINT_SLACK of the value (about 4 significant digits or more), so "0.2" vs
# "0.3" or "5." vs "6." never pass. Integers, inf and nan must be identical.
FLOAT32_EPS = 2.0 ** -23
REL_TOL = 8 * FLOAT32_EPS
ABS_TOL = 1e-6
PRINT_SLACK = 1e-3

EXACT, ROUNDOFF, DIFFERENT = "exact", "round-off", "different"

_NUMBER = re.compile(r"(?<![\w.])[-+]?(?:(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?|inf|nan)(?![\w.])")
_INTEGER = re.compile(r"[-+]?\d+")


# ---------------------------------------------------------------- comparison

def match_text(real: str | None, jaxlite: str | None) -> str:
    """EXACT, ROUNDOFF or DIFFERENT: does jaxlite's text say what real JAX's says?

    Text must be identical, except numbers (see REL_TOL). When some number
    is printed differently, whitespace next to a number is ignored: NumPy
    pads every element of an array to the widest one and wraps long arrays
    by width, so one extra digit moves padding and line breaks that say
    nothing else. When all numbers print alike, whitespace must match too."""
    if real == jaxlite:
        return EXACT
    if real is None or jaxlite is None:
        return DIFFERENT
    ours, theirs = _tokens(real), _tokens(jaxlite)
    numbers = [t for kind, t in ours if kind == "number"], [t for kind, t in theirs if kind == "number"]
    if len(numbers[0]) != len(numbers[1]) or numbers[0] == numbers[1]:
        return DIFFERENT  # the difference is not in the numbers
    ours, theirs = _without_number_padding(ours), _without_number_padding(theirs)
    if len(ours) != len(theirs):
        return DIFFERENT
    for (kind_a, a), (kind_b, b) in zip(ours, theirs):
        if kind_a != kind_b or not (a == b or (kind_a == "number" and numbers_match(a, b))):
            return DIFFERENT
    return ROUNDOFF


def numbers_match(a: str, b: str) -> bool:
    """Two printed numbers that float32 round-off could explain (see REL_TOL)."""
    if a == b:
        return True
    if _INTEGER.fullmatch(a) or _INTEGER.fullmatch(b):
        return False
    va, vb = float(a), float(b)
    if not (abs(va) < float("inf") and abs(vb) < float("inf")):  # inf, nan
        return False
    scale = max(abs(va), abs(vb))
    tolerance = max(REL_TOL * scale, ABS_TOL)
    # a fixed-precision print (f"{x:.4f}") may round either way: both sides then
    # show the same number of digits; a shortest repr ("1.125") is exact
    unit = _last_digit_unit(a)
    if unit == _last_digit_unit(b) and unit <= PRINT_SLACK * scale:
        tolerance += unit
    return abs(va - vb) <= tolerance


def _last_digit_unit(number: str) -> float:
    """What one unit in the last printed digit is worth: 0.01 for "3.14"."""
    mantissa, _, exponent = number.lower().partition("e")
    decimals = len(mantissa.partition(".")[2])
    return 10.0 ** (int(exponent or 0) - decimals)


def _tokens(text: str) -> list[tuple[str, str]]:
    """The text as ("number" | "space" | "text", piece) tokens."""
    tokens, at = [], 0
    for m in _NUMBER.finditer(text):
        tokens += _words(text[at:m.start()])
        tokens.append(("number", m.group()))
        at = m.end()
    return tokens + _words(text[at:])


def _words(text: str) -> list[tuple[str, str]]:
    return [("space" if piece.isspace() else "text", piece) for piece in re.split(r"(\s+)", text) if piece]


def _without_number_padding(tokens: list[tuple[str, str]]) -> list[tuple[str, str]]:
    def next_to_number(i: int) -> bool:
        return any(0 <= j < len(tokens) and tokens[j][0] == "number" for j in (i - 1, i + 1))

    return [t for i, t in enumerate(tokens) if not (t[0] == "space" and next_to_number(i))]


@dataclasses.dataclass
class Difference:
    what: str  # "stdout", "value" or "error"
    real: str | None
    jaxlite: str | None
    match: str  # ROUNDOFF or DIFFERENT


def compare_outputs(real: dict, jaxlite: dict) -> list[Difference]:
    """Every field in which jaxlite's cell output is not exactly real JAX's."""
    found = []
    for what, a, b in (
        ("stdout", real["stdout"], jaxlite["stdout"]),
        ("value", real["value"], jaxlite["value"]),
        ("error", error_summary(real["error"]), error_summary(jaxlite["error"])),
    ):
        match = _match_error(a, b) if what == "error" else match_text(a, b)
        if match != EXACT:
            found.append(Difference(what, a, b, match))
    return found


def error_summary(error: dict | None) -> str | None:
    """`ClassName: first line of str(exc)`: all of an error that is compared."""
    if error is None:
        return None
    first_line = error["message"].split("\n", 1)[0]
    return f"{error['type']}: {first_line}" if first_line else error["type"]


def _match_error(real: str | None, jaxlite: str | None) -> str:
    if real is None or jaxlite is None:
        return EXACT if real == jaxlite else DIFFERENT
    if real.partition(":")[0] != jaxlite.partition(":")[0]:
        return DIFFERENT  # another exception class, whatever the message says
    return match_text(real, jaxlite)


# ------------------------------------------------------------- running pages

@dataclasses.dataclass
class PageRun:
    """What jaxlite printed for one page's runnable cells."""
    outputs: list[dict]       # run_cell results plus "seconds", in cell order
    wall_s: float             # the whole process, start-up and jaxlite import included
    jaxlite_error: str | None = None   # jaxlite could not be installed as jax
    failure: str | None = None         # why the later cells have no output


def browser_cells(page_cells: list[cellmod.Cell]) -> list[tuple[int, cellmod.Cell]]:
    """(index among all the page's cells, cell) of each python cell, quiz code left out."""
    return [(i, c) for i, c in enumerate(page_cells) if c.quiz_question is None]


def run_on_jaxlite(cells: list[tuple[int, cellmod.Cell]], jaxlite_path: Path = JAXLITE_PATH,
                   devices: int = 1) -> PageRun:
    """Run cells, in order, in one fresh jaxlite process, with the page's
    number of simulated devices (jaxlite reads XLA_FLAGS as XLA does)."""
    request = json.dumps({
        "jaxlite_path": str(jaxlite_path),
        "cells": [{"source": c.source, "index": i} for i, c in cells],
    })
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("XLA_FLAGS", None)
    if devices > 1:
        env["XLA_FLAGS"] = execute.DEVICE_FLAG.format(n=devices)
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-S", "-m", "sitebuild.jaxlite_kernel"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, encoding="utf-8", cwd=ROOT, env=env,
    )
    failure = None
    try:
        stdout, stderr = proc.communicate(request, timeout=PAGE_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        stdout, stderr = proc.communicate()
        failure = f"not run: the page was still running on jaxlite after {PAGE_TIMEOUT_S} s and was stopped"
    wall_s = time.perf_counter() - start
    outputs = [json.loads(line[len(MARK):]) for line in stdout.split("\n") if line.startswith(MARK)]
    meta = [json.loads(line[len(META):]) for line in stdout.split("\n") if line.startswith(META)]
    jaxlite_error = meta[0]["jaxlite_error"] if meta else None
    if failure is None and jaxlite_error is None and len(outputs) < len(cells):
        failure = (f"not run: the Python process running jaxlite died (exit code {proc.returncode}) "
                   f"during an earlier cell\n{stderr.strip()[-2000:]}")
    return PageRun(outputs, wall_s, jaxlite_error, failure)


WORKER_DRIVER = ROOT / "tests" / "pyodide_worker.mjs"


def worker_command(pyodide_dir: Path = pyodide_assets.PYODIDE_PACKAGE) -> list[str]:
    """The command that runs the browser's Worker under Node (the driver
    hooks the Worker's import() of Pyodide, which needs Node's vm modules)."""
    node = shutil.which("node")
    if node is None or not (pyodide_dir / "pyodide.mjs").exists():
        raise BuildError("running cells in Pyodide needs Node.js 20 or newer (apt-get install nodejs) and the npm "
                         "pyodide package (`npm ci` in site_src/, which `make build` runs)")
    return [node, "--experimental-vm-modules", "--no-warnings", str(WORKER_DRIVER)]


def run_on_pyodide(cells: list[tuple[int, cellmod.Cell]], devices: int = 1,
                   pyodide_dir: Path = pyodide_assets.PYODIDE_PACKAGE, zip_path: Path | None = None) -> PageRun:
    """Run cells, in order, in real Pyodide under Node, through the browser's
    own Worker (site_src/assets/js/runner-worker.js, driven by
    tests/pyodide_worker.mjs), with jaxlite from the zip the build makes
    (a fresh one from site_src/py unless `zip_path` is given)."""
    command = worker_command(pyodide_dir)
    with tempfile.TemporaryDirectory() as tmp:
        if zip_path is None:
            zip_path = Path(tmp) / "tij-python.zip"
            zip_path.write_bytes(pyodide_assets.python_zip())
        request = json.dumps({
            "pyodideURL": str(pyodide_dir) + "/", "zipURL": str(zip_path), "devices": devices,
            "runs": [{"id": i, "code": c.source, "index": i} for i, c in cells],
        })
        start = time.perf_counter()
        try:
            proc = subprocess.run(command, input=request, capture_output=True, text=True,
                                  encoding="utf-8", cwd=ROOT, timeout=PAGE_TIMEOUT_S)
            stdout, stderr, failure = proc.stdout, proc.stderr, None
        except subprocess.TimeoutExpired as expired:
            stdout = expired.stdout.decode() if isinstance(expired.stdout, bytes) else (expired.stdout or "")
            stderr, failure = "", f"not run: the page was still running in Pyodide after {PAGE_TIMEOUT_S} s and was stopped"
    wall_s = time.perf_counter() - start
    messages = [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]
    fatal = next((m["message"] for m in messages if m["type"] == "fatal"), None)
    ready = any(m["type"] == "ready" for m in messages)
    outputs = []
    for index, _ in cells:
        done = next((m for m in messages if m["type"] == "done" and m["id"] == index), None)
        if done is None:
            break
        streamed = {name: "".join(m["text"] for m in messages if m["type"] == name and m["id"] == index)
                    for name in ("stdout", "stderr")}
        outputs.append({**streamed, "value": done["value"], "error": done["error"], "seconds": done["seconds"]})
    if failure is None and len(outputs) < len(cells):
        failure = f"not run: {fatal or 'the Pyodide worker stopped'}\n{stderr.strip()[-2000:]}"
    return PageRun(outputs, wall_s, None if ready else (fatal or failure), failure)


@contextlib.contextmanager
def _real_cache(cache_dir: Path):
    """Point sitebuild.execute at a build's cache (as build_site.py --cache-dir does)."""
    saved = execute.CACHE_DIR
    execute.CACHE_DIR = Path(cache_dir) / "cells"
    try:
        yield
    finally:
        execute.CACHE_DIR = saved


# ------------------------------------------------------------------- reports

@dataclasses.dataclass
class CellReport:
    page: str                 # the page as shown to authors (docs/chapters/...)
    cell: cellmod.Cell
    status: str               # EXACT, ROUNDOFF, DIFFERENT, or "unavailable"
    seconds: float | None = None
    differences: list[Difference] = dataclasses.field(default_factory=list)
    stderr: str = ""
    note: str = ""            # why there is no jaxlite output, if there is none

    @property
    def runnable(self) -> bool:
        return self.status != "unavailable"

    @property
    def matches(self) -> bool:
        return self.status in (EXACT, ROUNDOFF)

    @property
    def slow(self) -> bool:
        return self.seconds is not None and self.seconds > SLOW_CELL_S

    @property
    def where(self) -> str:
        return self.cell.where(self.page)


@dataclasses.dataclass
class PageReport:
    page: str
    title: str                # the page as listed: path under docs/
    cells: list[CellReport]
    wall_s: float = 0.0
    jaxlite_error: str | None = None

    def line(self) -> str:
        runnable = [c for c in self.cells if c.runnable]
        text = (f"{self.title:<36s} {sum(c.matches for c in runnable)}/{len(runnable)} match, "
                f"{len(self.cells) - len(runnable)} unavailable")
        slow = sum(c.slow for c in runnable)
        return text + (f", {slow} over {SLOW_CELL_S} s" if slow else "")


@dataclasses.dataclass
class Report:
    pages: list[PageReport]
    jaxlite_error: str | None = None

    @property
    def cells(self) -> list[CellReport]:
        return [c for page in self.pages for c in page.cells]

    @property
    def runnable(self) -> list[CellReport]:
        return [c for c in self.cells if c.runnable]

    @property
    def mismatches(self) -> list[CellReport]:
        return [c for c in self.runnable if not c.matches]

    @property
    def slow(self) -> list[CellReport]:
        return [c for c in self.runnable if c.slow]

    @property
    def runnable_share(self) -> float:
        return len(self.runnable) / len(self.cells) if self.cells else 1.0

    @property
    def ok(self) -> bool:
        return not self.mismatches and not self.slow and self.jaxlite_error is None

    def summary(self) -> str:
        runnable, total = len(self.runnable), len(self.cells)
        exact = sum(c.status == EXACT for c in self.runnable)
        roundoff = sum(c.status == ROUNDOFF for c in self.runnable)
        times = [c.seconds for c in self.runnable if c.seconds is not None]
        slowest = f"{max(times):.2f} s" if times else "n/a"
        line = (f"jaxlite conformance: {exact + roundoff}/{runnable} browser-runnable cells match real JAX "
                f"({exact} exact, {roundoff} within float32 round-off); {total - runnable} of {total} cells "
                f"browser-unavailable ({100 * self.runnable_share:.1f}% runnable, at least {MIN_RUNNABLE:.0%} required); "
                f"slowest cell {slowest}")
        return line + (f"; {len(self.slow)} cells over the {SLOW_CELL_S} s budget" if self.slow else "")


def run_conformance(pages: list[Path] | None = None, cache_dir: Path = CACHE_DIR,
                    jaxlite_path: Path = JAXLITE_PATH, log=None, pyodide: bool = False) -> Report:
    """Run pages (default: every page under docs/ with python cells) on jaxlite
    and compare each cell with real JAX's cached output."""
    pages = book_pages() if pages is None else [Path(p) for p in pages]
    report = Report([])
    for path in pages:
        page = check_page(path, cache_dir, jaxlite_path, skip_run=report.jaxlite_error is not None, pyodide=pyodide)
        if page is None:
            continue
        report.pages.append(page)
        report.jaxlite_error = report.jaxlite_error or page.jaxlite_error
        if log:
            log(page.line())
    return report


def book_pages(docs_dir: Path = DOCS_DIR) -> list[Path]:
    """Every Markdown page under docs/ (labs are notebooks, so they are left out)."""
    return sorted(docs_dir.rglob("*.md"))


def check_page(path: Path, cache_dir: Path, jaxlite_path: Path, skip_run: bool = False,
               pyodide: bool = False) -> PageReport | None:
    """One page's cells, compared; None if the page has no python cells.
    With `pyodide`, the cells run in real Pyodide (`run_on_pyodide`) instead
    of CPython."""
    shown = page_path(path)
    with _real_cache(cache_dir):
        real = execute.execute_page(path.read_text(encoding="utf-8"), shown)
    cells = browser_cells(real.cells)
    if not cells:
        return None
    runnable = [(i, c) for i, c in cells if c.browser_unavailable is None]
    devices = cellmod.page_devices(real.cells)
    if skip_run:
        run = PageRun([], 0.0)
    else:
        run = run_on_pyodide(runnable, devices) if pyodide else run_on_jaxlite(runnable, jaxlite_path, devices)
    if skip_run or run.jaxlite_error:
        run.failure = "not run: jaxlite could not be installed as jax"
    outputs = iter(run.outputs)
    reports = []
    for index, cell in cells:
        if cell.browser_unavailable is not None:
            reports.append(CellReport(shown, cell, "unavailable"))
            continue
        mine = next(outputs, None)
        if mine is None:
            reports.append(CellReport(shown, cell, DIFFERENT, note=run.failure or "not run"))
            continue
        differences = compare_outputs(real.outputs[index], mine)
        status = DIFFERENT if any(d.match == DIFFERENT for d in differences) else (ROUNDOFF if differences else EXACT)
        reports.append(CellReport(shown, cell, status, mine["seconds"], differences, mine["stderr"]))
    return PageReport(shown, page_title(path), reports, run.wall_s, run.jaxlite_error)


def page_path(path: Path) -> str:
    """A page's path as authors type it: relative to the repository if inside it."""
    path = path.resolve()
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def page_title(path: Path) -> str:
    path = path.resolve()
    return str(path.relative_to(DOCS_DIR)) if path.is_relative_to(DOCS_DIR) else page_path(path)


# ------------------------------------------------------------------- output

def describe(cell: CellReport, verbose: bool = False) -> str:
    """A failing (or, verbose, round-off) cell: where, its code, and how jaxlite differs."""
    took = f"  ({cell.seconds:.2f} s on jaxlite)" if cell.seconds is not None else ""
    what = "mismatch" if not cell.matches else ("too slow" if cell.slow else "within round-off")
    lines = [f"{cell.where}: {what}{took}", _numbered(cell.cell)]
    if cell.slow:
        lines.append(f"  took {cell.seconds:.2f} s on jaxlite; the budget is {SLOW_CELL_S} s per cell")
    if cell.note:
        lines.append("  " + cell.note.replace("\n", "\n  "))
    for difference in cell.differences:
        if difference.match == DIFFERENT or verbose:
            lines.append(_diff(difference))
    if verbose and cell.stderr:
        lines.append("  stderr on jaxlite (not compared):\n    " + cell.stderr.rstrip().replace("\n", "\n    "))
    return "\n".join(lines)


def _numbered(cell: cellmod.Cell) -> str:
    return "\n".join(f"  {cell.line + n:5d} | {line}" for n, line in enumerate(cell.source.splitlines(), start=1))


def _diff(difference: Difference) -> str:
    def lines(text):
        return text.rstrip("\n").splitlines() if text else ["(nothing)"]

    head = f"  {difference.what}" + (" (numbers within round-off)" if difference.match == ROUNDOFF else "")
    real, mine = lines(difference.real), lines(difference.jaxlite)
    if real == mine:  # only line ends or trailing space differ: show them
        return f"{head}:\n    real JAX: {difference.real!r}\n    jaxlite:  {difference.jaxlite!r}"
    diff = difflib.unified_diff(real, mine, "real JAX", "jaxlite", n=1, lineterm="")
    return head + ":\n" + "\n".join("    " + line for line in diff)


def suggestion(cell: CellReport) -> str:
    """One line: a failing cell and what went wrong, to decide whether to mark it."""
    error = next((d for d in cell.differences if d.what == "error"), None)
    if cell.note:
        why = cell.note.splitlines()[0]
    elif error and error.match == DIFFERENT:
        why = f"jaxlite raised {error.jaxlite or 'nothing'}" + (f"; real JAX raised {error.real}" if error.real else "")
    elif cell.slow and cell.matches:
        why = f"matches, but took {cell.seconds:.2f} s"
    else:
        why = "prints differently: " + ", ".join(d.what for d in cell.differences if d.match == DIFFERENT)
    first = next((line for line in cell.cell.source.splitlines() if line.strip()), "")
    return f"{cell.where}\n    {why[:200]}\n    code: {first[:100]}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sitebuild.conformance", description=__doc__.split("\n\n")[0])
    parser.add_argument("--page", action="append", type=Path, help="a Markdown page to check (repeatable; default: all of docs/)")
    parser.add_argument("--cache-dir", type=Path, default=CACHE_DIR, help="the build's cache folder, holding real outputs in cells/ (default: .cache)")
    parser.add_argument("--jaxlite-path", type=Path, default=JAXLITE_PATH, help="the folder holding the jaxlite package (default: site_src/py)")
    parser.add_argument("--pyodide", action="store_true", help="run the cells in real Pyodide under Node, through the browser's Worker, instead of CPython")
    parser.add_argument("--suggest", action="store_true", help="list failing cells with what went wrong, one by one, instead of diffs")
    parser.add_argument("-v", "--verbose", action="store_true", help="also show round-off differences, jaxlite's stderr and tracebacks")
    args = parser.parse_args(argv)
    try:
        report = run_conformance(args.page, args.cache_dir, args.jaxlite_path, log=print, pyodide=args.pyodide)
    except BuildError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if report.jaxlite_error:
        message = report.jaxlite_error if args.verbose else report.jaxlite_error.split("\n")[0]
        print(f"\nNo cell ran: jaxlite could not be installed as jax:\n  {message.rstrip()}\n"
              "Fix the import of jaxlite (site_src/py/jaxlite, jaxlite.install_as_jax) and run this again (-v shows the traceback).")
    else:
        for cell in report.runnable:
            failing = not cell.matches or cell.slow
            if failing or (args.verbose and not args.suggest and cell.status == ROUNDOFF):
                print("\n" + (suggestion(cell) if args.suggest else describe(cell, args.verbose)))
    print("\n" + report.summary())
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
