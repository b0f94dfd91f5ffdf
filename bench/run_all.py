"""`make bench`: every benchmark, on one fresh build, and bench/RESULTS.md rewritten.

Builds the site twice into a temporary folder (bench/build_time.py: a cold
build and a no-change rebuild), measures the rebuilt site with the other
benchmarks, prints their output as it comes, and writes all of it to
bench/RESULTS.md with the machine, the date and the load on the machine at
the start and the end. A benchmark that fails is recorded as failed; the
others still run, and the exit status says so.

    .venv/bin/python bench/run_all.py [--note "what else ran on the machine"] [--output bench/RESULTS.md]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import harness

BENCH = Path(__file__).resolve().parent
# (title, script, whether it measures the built site)
BENCHMARKS = [
    ("Build time", "build_time.py", False),
    ("Page weight", "page_weight.py", True),
    ("Lighthouse", "lighthouse.py", True),
    ("Simulation responsiveness", "sim_responsiveness.py", True),
    ("Python start-up in the browser", "runner_startup.py", True),
    ("The book's cells on jaxlite (CPython)", "jaxlite_corpus.py", False),
]


def run(script: str, args: list[str]) -> tuple[int, str, float]:
    """Run one benchmark, echoing its output; (exit status, output, seconds)."""
    print(f"\n=== {script} {' '.join(args)}", flush=True)
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, str(BENCH / script), *args], cwd=harness.ROOT, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    lines = []
    for line in proc.stdout:
        print(line, end="", flush=True)
        lines.append(line)
    return proc.wait(), "".join(lines), time.perf_counter() - start


def summary_of(output: str) -> str:
    found = [line for line in output.splitlines() if line.startswith("summary: ")]
    return found[-1][len("summary: "):] if found else "(no summary line)"


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.1f} / {five:.1f} / {fifteen:.1f}"


def write_results(path: Path, machine: list[str], loads: tuple[str, str], note: str,
                  results: list[tuple[str, str, int, str, float]]) -> None:
    lines = [
        "# Benchmark results", "",
        "Written by `make bench` (bench/run_all.py); run it again rather than editing by hand. "
        "Figures, not pass/fail: each script's docstring says what it measures and how.", "",
        "## Machine", "",
        *[f"- {fact}" for fact in machine],
        f"- load average (1 / 5 / 15 min): {loads[0]} at the start, {loads[1]} at the end",
        *([f"- {note}"] if note else []),
        "- Absolute times move with whatever else the machine runs: compare figures taken in one run "
        "(ratios such as rebuild/cold or chapter/bare Material page) rather than across runs.", "",
        "## Summary", "",
        "| benchmark | result | run time |", "| --- | --- | --- |",
        *[f"| {title} | {summary_of(output) if status == 0 else f'FAILED (exit {status})'} | {seconds:.0f} s |"
          for title, _, status, output, seconds in results],
    ]
    for title, command, status, output, _ in results:
        lines += ["", f"## {title}", "", f"`{command}`" + ("" if status == 0 else f": FAILED (exit {status})"), "",
                  "```text", output.rstrip(), "```"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--note", default="", help="a line for RESULTS.md about the conditions (e.g. other work on the machine)")
    parser.add_argument("--output", type=Path, default=BENCH / "RESULTS.md")
    args = parser.parse_args()
    machine, start_load = harness.machine(), load()
    results = []
    with tempfile.TemporaryDirectory(prefix="tij-bench-") as tmp:
        site = ["--site", str(Path(tmp) / "rebuild" / "site")]
        for title, script, needs_site in BENCHMARKS:
            extra = site if needs_site else (["--keep", tmp] if script == "build_time.py" else [])
            status, output, seconds = run(script, extra)
            shown = f"python bench/{script}" + (" --site <the rebuilt site>" if needs_site else "")
            results.append((title, shown, status, output, seconds))
            if script == "build_time.py" and status != 0:
                print("the build failed: the benchmarks that measure the built site cannot run", file=sys.stderr)
                break
    write_results(args.output, machine, (start_load, load()), args.note, results)
    print(f"\nwrote {args.output}")
    return 1 if any(status != 0 for _, _, status, _, _ in results) else 0


if __name__ == "__main__":
    sys.exit(main())
