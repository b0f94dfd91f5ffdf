"""Build time: a cold build (empty caches) and a rebuild with no change.

Prints each step's seconds for both builds (bake, execute, ..., package: the
offline zip, SCORM packages and cartridge) and a one-line summary that says
whether the rebuild re-baked or re-executed anything (it should not).
Figures, not a pass/fail: compare the two builds of one run, since machines
are noisy. --keep DIR keeps both builds (DIR/cold, DIR/rebuild) for the
other benchmarks to measure.

    .venv/bin/python bench/build_time.py [--keep DIR]
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from pathlib import Path

import harness


def timed_build(tmp: Path, cache: Path) -> tuple[float, harness.Build]:
    start = time.perf_counter()
    build = harness.run_build(tmp, cache)
    seconds = time.perf_counter() - start
    if build.returncode != 0:
        sys.exit(f"the build into {tmp} failed:\n{build.output}")
    return seconds, build


def baked(build: harness.Build) -> int:
    """How many simulations and figures the build baked (its bake step's line)."""
    found = re.search(r"(\d+) baked", build.output)
    if not found:
        sys.exit(f"the build's output no longer says how many simulations it baked:\n{build.output}")
    return int(found[1])


def report(cold_s: float, cold: harness.Build, warm_s: float, warm: harness.Build) -> None:
    print(f"{'step':<12} {'cold s':>8} {'rebuild s':>10}")
    for step, seconds in cold.report["steps"].items():
        print(f"{step:<12} {seconds:>8.2f} {warm.report['steps'].get(step, float('nan')):>10.2f}")
    print(f"{'total':<12} {cold_s:>8.2f} {warm_s:>10.2f}   (wall clock, including Python start-up)")
    print(f"baked: cold {baked(cold)}, rebuild {baked(warm)}; "
          f"cells executed: cold {cold.report['cells_executed']}, rebuild {warm.report['cells_executed']}")
    redone = baked(warm) + warm.report["cells_executed"]
    verdict = "re-baked and re-executed nothing" if redone == 0 else "REDID WORK (it should redo nothing)"
    print(f"summary: cold build {cold_s:.1f} s, no-change rebuild {warm_s:.1f} s ({warm_s / cold_s:.0%} of cold; "
          f"package step {warm.report['steps'].get('package', 0):.1f} s of it), rebuild {verdict}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keep", type=Path, help="keep both builds here (DIR/cold, DIR/rebuild) instead of deleting them")
    keep = parser.parse_args().keep
    if keep and keep.exists() and any(keep.iterdir()):
        sys.exit(f"{keep} is not empty: --keep needs a new or empty folder, or the first build would not be cold.")
    with tempfile.TemporaryDirectory() as tmp:
        out = keep.resolve() if keep else Path(tmp)
        cache = out / "cache"
        cold_s, cold = timed_build(out / "cold", cache)
        warm_s, warm = timed_build(out / "rebuild", cache)
        report(cold_s, cold, warm_s, warm)
    return 0


if __name__ == "__main__":
    sys.exit(main())
