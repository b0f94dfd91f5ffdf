"""The in-browser runner: what it adds to a page's load, and how long a first run takes.

Serves a built site on 127.0.0.1 and drives Debian's Chromium (as the browser
tests do), all in one browser run so the figures compare:
- the bytes of the runner's script and styles on a chapter's initial load
  (CodeMirror and Pyodide load only when a reader edits or runs a cell);
- a plain page that only boots the same Pyodide in a module Worker (the floor);
- clicking Run on a chapter's first cell on a cold page, to its output;
- the same on a page pre-warmed (left idle until Python has started).
Figures, not a pass/fail; each is the median of --repeat runs.

    .venv/bin/python build_site.py build && .venv/bin/python bench/runner_startup.py [--site site] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import harness

CHAPTER = "/chapters/03-jit-and-tracing/"
PLAIN_BOOT = """async () => {
    const manifest = new URL("/assets/py/manifest.json", location.href);
    const where = await (await fetch(manifest)).json();
    const indexURL = new URL(where.pyodide, manifest).href;
    const source = `import { loadPyodide } from "${indexURL}pyodide.mjs";
        await loadPyodide({ indexURL: "${indexURL}" }); postMessage("ready");`;
    const start = performance.now();
    const worker = new Worker(URL.createObjectURL(new Blob([source], { type: "text/javascript" })), { type: "module" });
    await new Promise((resolve, reject) => {
        worker.onmessage = resolve;
        worker.onerror = (event) => reject(new Error(event.message));
    });
    worker.terminate();
    return performance.now() - start;
}"""


def first_run_ms(page, url: str, prewarmed: bool) -> float:
    """Milliseconds from clicking Run on cell 1 to its status saying it ran."""
    page.goto(url + CHAPTER)
    if prewarmed:
        page.wait_for_function(harness.PYTHON_READY, timeout=120_000)
    status = page.locator(".jax-cell").first.locator(".jax-cell__status")
    start = time.perf_counter()
    page.locator(".jax-cell").first.get_by_role("button", name="Run cell 1").click()
    status.filter(has_text="Ran").wait_for(timeout=120_000)
    return (time.perf_counter() - start) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    harness.add_site_argument(parser)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    site = harness.built_site(args.site)

    figures: dict[str, list[float]] = {"plain Pyodide boot": [], "cold page, Run to output": [],
                                       "pre-warmed page, Run to output": []}
    with harness.serve(site) as url, harness.chromium() as browser:
        for _ in range(args.repeat):
            for name in figures:
                context = browser.new_context()  # a fresh cache each time: the cold case a reader meets first
                page = context.new_page()
                page.set_default_timeout(120_000)
                if name == "plain Pyodide boot":
                    page.goto(url + "/")
                    figures[name].append(page.evaluate(PLAIN_BOOT))
                else:
                    figures[name].append(first_run_ms(page, url, prewarmed=name.startswith("pre-warmed")))
                context.close()
        context = browser.new_context()
        page = context.new_page()
        page.goto(url + CHAPTER)
        sizes = page.evaluate("performance.getEntriesByType('resource').concat(performance.getEntriesByType('navigation'))"
                              ".map(e => [e.name, e.encodedBodySize])")
        context.close()

    runner = [name for name, _ in sizes if "/assets/tij/js/runner." in name or "/assets/tij/css/runner." in name]
    raw = sum(size for name, size in sizes if name in runner)
    gzipped = sum(harness.gzip_size(harness.site_file(site, name[len(url):]).read_bytes()) for name in runner)
    total = sum(size for _, size in sizes)
    print(f"{CHAPTER} initial load: {total / 1e3:.0f} KB in {len(sizes)} requests; the runner's script and styles: "
          f"{raw / 1e3:.1f} KB ({gzipped / 1e3:.1f} KB gzipped); nothing else of it loads before a reader acts")
    for name, values in figures.items():
        print(f"{name:32s} median {statistics.median(values):7.0f} ms   runs: "
              + ", ".join(f"{v:.0f}" for v in values))
    median = {name: statistics.median(values) for name, values in figures.items()}
    print(f"summary: Run to first output {median['cold page, Run to output'] / 1000:.1f} s on a cold page, "
          f"{median['pre-warmed page, Run to output'] / 1000:.2f} s pre-warmed; a plain Pyodide boot takes "
          f"{median['plain Pyodide boot'] / 1000:.1f} s; the runner adds {gzipped / 1e3:.1f} KB gzip to a page's load")
    return 0


if __name__ == "__main__":
    sys.exit(main())
