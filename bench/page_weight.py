"""Page weight: the bytes a page loads before a reader does anything.

Opens the home page and every chapter of a built site in Chromium, each in a
fresh browser context (an empty cache, as a first visit), and lists every
response the page and its Workers received until the network has been idle
and SETTLE_MS more have passed: HTML, CSS, JavaScript, fonts, simulation
data, images and Material's search index. Raw bytes are the files served;
gzip bytes are what a host that compresses text would send (gzip -9 of
text files; fonts and images count as they are).

Lazily loaded parts are left out by the page itself, not by filtering: the
pages open with navigator.connection.saveData set, the runner's own opt-out
of its idle pre-warm (site_src/assets/js/runner.js starts Pyodide after 3 s
without input otherwise), and SETTLE_MS is longer than those 3 s, so a page
that still fetched Pyodide, our Python's zip or CodeMirror (editor.js)
would show it: such requests count and are flagged. One control load of the
heaviest chapter without saveData says what the pre-warm adds.

A bare Material for MkDocs page (one page, this site's theme settings, no
extras) is built and measured in the same run for comparison. Figures, not a
pass/fail; the budget is 300 KB gzip for the heaviest chapter.

    .venv/bin/python bench/page_weight.py [--site site]
"""

from __future__ import annotations

import argparse
import dataclasses
import subprocess
import sys
import tempfile
from pathlib import Path

import harness

BUDGET_KB = 300
SETTLE_MS = 3500  # longer than the runner's 3 s idle pre-warm, so a pre-warm that ran would be seen
LAZY = ("/assets/pyodide/", "/assets/py/", "/assets/tij/js/editor.js")  # fetched when a reader runs or edits a cell
KINDS = {  # kind -> whether a host gzips it
    "html": True, "css": True, "js": True, "sim data": True, "search": True, "font": False, "image": False, "other": True,
}


@dataclasses.dataclass
class Weight:
    page: str
    files: list[tuple[str, str, int, int]]  # (path, kind, raw bytes, gzip bytes)
    failed: list[str]

    @property
    def raw(self) -> int:
        return sum(f[2] for f in self.files)

    @property
    def gzip(self) -> int:
        return sum(f[3] for f in self.files)

    def by_kind(self, kind: str) -> int:
        return sum(f[3] for f in self.files if f[1] == kind)

    @property
    def lazy(self) -> list[str]:
        return [f[0] for f in self.files if f[0].startswith(LAZY)]


def kind_of(path: str) -> str:
    suffix = Path(path).suffix.lower()
    if "/sims/data/" in path:
        return "sim data"
    if path.endswith("search_index.json"):
        return "search"
    if suffix in ("", ".html") or path.endswith("/"):
        return "html"
    return {".css": "css", ".js": "js", ".mjs": "js", ".woff2": "font", ".woff": "font", ".ttf": "font",
            ".png": "image", ".svg": "image", ".jpg": "image", ".ico": "image", ".webp": "image"}.get(suffix, "other")


def measure(browser, base_url: str, site: Path, page_path: str, save_data: bool = True, until: str | None = None,
            settle_ms: int = SETTLE_MS) -> Weight:
    """Every response of one first visit to `page_path`, with the sizes of the
    files served; `until`, a script, waits for more (the control load's pre-warm)."""
    context = browser.new_context()
    if save_data:
        context.add_init_script(harness.SAVE_DATA)
    page = context.new_page()
    urls, failed = [], []
    page.on("requestfinished", lambda r: urls.append(r.url))
    page.on("requestfailed", lambda r: failed.append(f"{r.url} ({r.failure})"))
    page.goto(base_url + page_path, wait_until="load")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(settle_ms)
    if until:
        page.wait_for_function(until, timeout=120_000)
    context.close()
    files = []
    for url in dict.fromkeys(urls):  # each file once, as a browser cache would serve a repeat
        if not url.startswith(base_url):
            continue
        path = url[len(base_url):]
        file = harness.site_file(site, path)
        if file is None:
            failed.append(f"{path} (no such file in the site)")
            continue
        data = file.read_bytes()
        kind = kind_of(path)
        files.append((path, kind, len(data), harness.gzip_size(data) if KINDS[kind] else len(data)))
    return Weight(page_path, files, failed)


def heaviest_chapter(browser, base_url: str, site: Path) -> str:
    """The chapter that loads the most (gzip), without waiting to show that nothing lazy loads."""
    weights = [measure(browser, base_url, site, p, settle_ms=0) for p in harness.chapter_urls(site)]
    return max(weights, key=lambda w: w.gzip).page


def bare_material_site(tmp: Path) -> Path:
    """Build one page with Material for MkDocs alone: this site's theme settings,
    no custom_dir, extra CSS or JS, Markdown extensions or plugins besides search."""
    from mkdocs.utils.yaml import yaml_load
    import yaml

    ours = yaml_load((harness.ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    theme = {k: v for k, v in ours["theme"].items() if k != "custom_dir"}
    docs = tmp / "docs"
    docs.mkdir(parents=True)
    (docs / "index.md").write_text("# A bare page\n\nOne page of Material for MkDocs with this site's theme "
                                   "settings and nothing else.\n\n## A section\n\nSome text.\n", encoding="utf-8")
    config = tmp / "mkdocs.yml"
    config.write_text(yaml.safe_dump({"site_name": "Bare Material", "theme": theme, "plugins": ["search"]}),
                      encoding="utf-8")
    site = tmp / "site"
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--quiet", "-f", str(config), "-d", str(site)],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"the bare Material page did not build:\n{proc.stdout}\n{proc.stderr}")
    return site


def kb(n: int) -> str:
    return f"{n / 1000:.1f}"


def print_table(weights: list[Weight]) -> None:
    kinds = list(KINDS)
    print(f"{'page':<32} {'req':>4} {'raw KB':>8} {'gzip KB':>8}   gzip KB by kind: " + " / ".join(kinds))
    for w in weights:
        print(f"{w.page:<32} {len(w.files):>4} {kb(w.raw):>8} {kb(w.gzip):>8}   "
              + " / ".join(kb(w.by_kind(k)) for k in kinds))
        for problem in w.failed:
            print(f"    failed: {problem}")
        for path in w.lazy:
            print(f"    LAZY PART LOADED WITHOUT INTERACTION (counted): {path}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    harness.add_site_argument(parser)
    site = harness.built_site(parser.parse_args().site)
    with tempfile.TemporaryDirectory() as tmp:
        bare_site = bare_material_site(Path(tmp))
        with harness.chromium() as browser, harness.serve(site) as url, harness.serve(bare_site) as bare_url:
            weights = [measure(browser, url, site, p) for p in ["/", *harness.chapter_urls(site)]]
            bare = measure(browser, bare_url, bare_site, "/")
            heaviest = max(weights[1:], key=lambda w: w.gzip)
            warmed = measure(browser, url, site, heaviest.page, save_data=False, until=harness.PYTHON_READY)
    bare.page = "(bare Material page)"
    print(f"method: a first visit to each page (empty cache) with navigator.connection.saveData set, the runner's "
          f"opt-out of its idle pre-warm; every response until the network is idle and {SETTLE_MS / 1000:.1f} s more; "
          f"gzip -9 of text files; Pyodide, our Python's zip and CodeMirror would be flagged below if they loaded")
    print_table([*weights, bare])
    extra = [f for f in warmed.files if f[0].startswith(LAZY)]
    print(f"\nexcluded, for reference: left idle without saveData, {heaviest.page} pre-warms the runner after 3 s and "
          f"then also fetches {len(extra)} files, {kb(sum(f[2] for f in extra))} KB raw / "
          f"{kb(sum(f[3] for f in extra))} KB gzip (Pyodide and our Python's zip)")
    print("largest files of the heaviest chapter (gzip KB): "
          + ", ".join(f"{p} {kb(g)}" for p, _, _, g in sorted(heaviest.files, key=lambda f: -f[3])[:6]))
    within = "within" if heaviest.gzip <= BUDGET_KB * 1000 else "OVER"
    print(f"summary: heaviest chapter {heaviest.page} loads {kb(heaviest.gzip)} KB gzip ({kb(heaviest.raw)} KB raw, "
          f"{len(heaviest.files)} requests), {within} the {BUDGET_KB} KB budget; a bare Material page loads "
          f"{kb(bare.gzip)} KB gzip ({heaviest.gzip / bare.gzip:.1f}x); home page {kb(weights[0].gzip)} KB gzip")
    return 0


if __name__ == "__main__":
    sys.exit(main())
