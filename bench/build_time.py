"""Build time: a cold build (empty caches) and a rebuild with no change.

Prints each step's seconds for both builds and a one-line summary. Figures,
not a pass/fail: compare the two builds of one run, since machines are noisy.

    .venv/bin/python bench/build_time.py
"""

from __future__ import annotations

import json
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def build(tmp: Path, cache: Path, name: str) -> tuple[float, dict]:
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "build_site.py", "build", "--site-dir", str(tmp / name / "site"),
         "--dist-dir", str(tmp / name / "dist"), "--cache-dir", str(cache)],
        cwd=ROOT, capture_output=True, text=True,
    )
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"the {name} build failed:\n{proc.stdout}\n{proc.stderr}")
    return seconds, json.loads((cache / "last-build.json").read_text())


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        cold_s, cold = build(tmp, tmp / "cache", "cold")
        warm_s, warm = build(tmp, tmp / "cache", "rebuild")
    print(f"machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()}")
    print(f"{'step':<10} {'cold s':>8} {'rebuild s':>10}")
    for step in cold["steps"]:
        print(f"{step:<10} {cold['steps'][step]:>8.2f} {warm['steps'][step]:>10.2f}")
    print(f"{'total':<10} {cold_s:>8.2f} {warm_s:>10.2f}   (wall clock, including Python start-up)")
    print(f"cells executed: cold {cold['cells_executed']}, rebuild {warm['cells_executed']}")
    print(f"summary: cold build {cold_s:.1f} s, no-change rebuild {warm_s:.1f} s "
          f"({warm_s / cold_s:.0%} of cold), rebuild executed {warm['cells_executed']} cells")


if __name__ == "__main__":
    main()
