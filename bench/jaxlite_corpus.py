"""How long the book's browser-runnable cells take on jaxlite (CPython).

Runs every page's cells that are not marked browser="..." on jaxlite, one
fresh process per page as the conformance harness does, and prints the time
per page (cells only, and the whole process with start-up and the jaxlite
import), the slowest 5 cells against the 0.5 s budget, and a one-line
summary. Figures, not a pass/fail: Pyodide in a browser is slower than
CPython, so read them as a lower bound. Whether outputs match real JAX is
`python -m sitebuild.conformance`'s job.

    .venv/bin/python bench/jaxlite_corpus.py [--jaxlite-path site_src/py]
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sitebuild import cells as cellmod  # noqa: E402
from sitebuild import conformance  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description="Time the book's browser-runnable cells on jaxlite.")
    parser.add_argument("--jaxlite-path", type=Path, default=conformance.JAXLITE_PATH,
                        help="the folder holding the jaxlite package (default: site_src/py)")
    jaxlite_path = parser.parse_args().jaxlite_path
    timed = []  # (seconds, page:line, first line of code)
    print(f"machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()}")
    print(f"{'page':<36} {'cells':>5} {'cells s':>8} {'process s':>10}")
    start = time.perf_counter()
    for path in conformance.book_pages():
        shown = conformance.page_path(path)
        cells = [(i, c) for i, c in conformance.browser_cells(cellmod.cells_of(path.read_text(encoding="utf-8"), shown))
                 if c.browser_unavailable is None]
        if not cells:
            continue
        run = conformance.run_on_jaxlite(cells, jaxlite_path)
        if run.jaxlite_error:
            sys.exit(f"jaxlite could not be installed as jax:\n{run.jaxlite_error}")
        seconds = [out["seconds"] for out in run.outputs]
        for (_, cell), s in zip(cells, seconds):
            timed.append((s, cell.where(shown), cell.source.strip().splitlines()[0]))
        note = "" if len(seconds) == len(cells) else f"  ({len(cells) - len(seconds)} cells not run: {run.failure.splitlines()[0]})"
        print(f"{conformance.page_title(path):<36} {len(cells):>5} {sum(seconds):>8.2f} {run.wall_s:>10.2f}{note}")
    total = time.perf_counter() - start
    cell_total = sum(s for s, _, _ in timed)
    timed.sort(reverse=True)
    print(f"\nslowest cells (budget {conformance.SLOW_CELL_S} s):")
    for s, where, code in timed[:5]:
        print(f"  {s:7.3f} s  {where}  {code[:60]}")
    over = sum(s > conformance.SLOW_CELL_S for s, _, _ in timed)
    slowest = f"{timed[0][0]:.2f} s" if timed else "n/a"
    print(f"summary: {len(timed)} cells on jaxlite in {cell_total:.1f} s of cell time ({total:.1f} s wall clock with "
          f"one process per page); slowest cell {slowest}; {over} cells over the {conformance.SLOW_CELL_S} s budget")


if __name__ == "__main__":
    main()
