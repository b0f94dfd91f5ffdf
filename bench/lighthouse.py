"""Lighthouse: performance and accessibility scores of the landing page, the heaviest chapter and the largest.

Runs npm `lighthouse` (pinned in bench/package.json; `make bench` installs it
with `npm ci` in bench/) against the built site, served on 127.0.0.1 with
gzip as a host would, in Debian's Chromium (CHROME_PATH, --headless=new).
Each page is audited as Lighthouse's default mobile (simulated slow 4G and a
4x slower CPU) and as its desktop preset, --runs times each; the run with the
median performance score is shown (Lighthouse's own advice on a noisy
machine), with every run's score beside it: on this shared 2-core machine one
page's mobile score moves by several points from run to run. Prints the scores, the metrics,
and what costs points: every weighted audit that is not perfect, and the
largest savings Lighthouse suggests. The heaviest chapter is the one that
loads the most bytes (bench/page_weight.py's measure); the largest is the one
with the most HTML elements, the most for the browser to style and lay out
(a chapter full of formulas), audited too when it is another page. Figures,
not a pass/fail; the aim is 100 and 100.

    .venv/bin/python bench/lighthouse.py [--site site] [--chapter /chapters/NN-slug/] [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import harness
import page_weight

LIGHTHOUSE = harness.ROOT / "bench" / "node_modules" / "lighthouse" / "cli" / "index.js"
CATEGORIES = ("performance", "accessibility")
METRICS = ("first-contentful-paint", "largest-contentful-paint", "total-blocking-time", "cumulative-layout-shift",
           "speed-index")
PRESETS = {"mobile": [], "desktop": ["--preset=desktop"]}


def audit(url: str, preset: list[str], out: Path) -> dict:
    """One Lighthouse run; its JSON report."""
    flags = " ".join(["--headless=new", *harness.CHROMIUM_ARGS])
    command = ["node", str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={out}",
               f"--only-categories={','.join(CATEGORIES)}", f"--chrome-flags={flags}", *preset]
    proc = subprocess.run(command, env={**os.environ, "CHROME_PATH": harness.CHROMIUM},
                          capture_output=True, text=True, timeout=600)
    if proc.returncode != 0 or not out.exists():
        sys.exit(f"Lighthouse failed on {url}:\n{proc.stdout}\n{proc.stderr}")
    report = json.loads(out.read_text(encoding="utf-8"))
    if report.get("runtimeError"):
        sys.exit(f"Lighthouse could not audit {url}: {report['runtimeError']}")
    return report


def median_run(url: str, preset: list[str], out: Path, runs: int) -> tuple[dict, list[str]]:
    """The run with the median performance score of `runs` runs (one run varies a lot on a
    busy machine), and every run's performance score, lowest first."""
    reports = sorted((audit(url, preset, out) for _ in range(runs)), key=lambda r: r["categories"]["performance"]["score"] or 0)
    return reports[len(reports) // 2], [score(r, "performance") for r in reports]


def score(report: dict, category: str) -> str:
    value = report["categories"][category]["score"]
    return "n/a" if value is None else f"{value * 100:.0f}"


def costs(report: dict) -> list[str]:
    """What keeps the scores below 100: weighted audits that are not perfect,
    then the largest savings Lighthouse suggests (opportunities)."""
    audits, lines = report["audits"], []
    for category in CATEGORIES:
        for ref in report["categories"][category]["auditRefs"]:
            found = audits[ref["id"]]
            if ref["weight"] > 0 and found["score"] is not None and found["score"] < 1:
                shown = f" ({found['displayValue']})" if found.get("displayValue") else ""
                lines.append(f"{category}: {found['title']}{shown}, score {found['score']:.2f}, weight {ref['weight']}"
                             + "".join(f"\n        {item}" for item in failing_items(found)))
    if audits["total-blocking-time"]["score"] is not None and audits["total-blocking-time"]["score"] < 1:
        tasks = (audits["long-tasks"].get("details") or {}).get("items") or []
        lines.append("long tasks (simulated): " + ", ".join(f"{_file(t['url'])} {t['duration']:.0f} ms" for t in tasks[:6]))
    savings = sorted(((a.get("details") or {}).get("overallSavingsMs", 0), a["title"], a.get("displayValue", ""),
                      [_file(item.get("url", "")) for item in (a.get("details") or {}).get("items", [])[:3]])
                     for a in audits.values() if a.get("score") is not None and a["score"] < 1
                     and (a.get("details") or {}).get("type") == "opportunity")
    lines += [f"opportunity: {title} ({shown or f'{ms:.0f} ms'}): {', '.join(files)}"
              for ms, title, shown, files in reversed(savings[-5:]) if ms > 0]
    return lines


def largest_chapter(site: Path) -> tuple[str, int]:
    """The chapter whose HTML holds the most elements, and how many."""
    from html.parser import HTMLParser

    class Count(HTMLParser):
        elements = 0

        def handle_starttag(self, tag, attrs):
            self.elements += 1

    counts = []
    for page in harness.chapter_urls(site):
        counter = Count()
        counter.feed(harness.site_file(site, page).read_text(encoding="utf-8"))
        counts.append((counter.elements, page))
    elements, page = max(counts)
    return page, elements


def _file(url: str) -> str:
    """A URL shortened to its file name; a page keeps its path; "Unattributable" stays."""
    if "://" not in url:
        return url
    path = "/" + url.split("://", 1)[1].partition("/")[2]
    return path if path.endswith("/") else path.rsplit("/", 1)[-1]


def failing_items(found: dict, limit: int = 5) -> list[str]:
    """The elements an accessibility audit found (their selectors), at most `limit`."""
    items = (found.get("details") or {}).get("items") or []
    nodes = [item["node"].get("selector", "") for item in items if isinstance(item.get("node"), dict)]
    return nodes[:limit] + ([f"... and {len(nodes) - limit} more"] if len(nodes) > limit else [])


def print_report(page: str, preset: str, report: dict, performances: list[str]) -> None:
    audits = report["audits"]
    metrics = ", ".join(f"{audits[m]['title'].replace('First Contentful Paint', 'FCP').replace('Largest Contentful Paint', 'LCP')}"
                        f" {audits[m].get('displayValue', 'n/a')}" for m in METRICS)
    print(f"{page} ({preset}): performance {score(report, 'performance')} (runs: {', '.join(performances)}), accessibility "
          f"{score(report, 'accessibility')}; {metrics}")
    for line in costs(report):
        print(f"    {line}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    harness.add_site_argument(parser)
    parser.add_argument("--chapter", help="the chapter to audit (default: the heaviest, measured)")
    parser.add_argument("--runs", type=int, default=5, help="Lighthouse runs per page and preset; the median is shown (default 5)")
    args = parser.parse_args()
    site = harness.built_site(args.site)
    if not LIGHTHOUSE.exists():
        sys.exit(f"{LIGHTHOUSE.relative_to(harness.ROOT)} is missing: run `make bench` (it runs `npm ci` in bench/).")
    scores = []
    print(f"method: served on 127.0.0.1 with gzip; Chromium --headless=new; mobile (default: simulated slow 4G, "
          f"4x CPU slowdown) and desktop presets; the median of {args.runs} runs by performance score")
    with harness.serve(site, compress=True) as url, tempfile.TemporaryDirectory() as tmp:
        pages = ["/", args.chapter]
        if not args.chapter:
            with harness.chromium() as browser:
                pages[1] = page_weight.heaviest_chapter(browser, url, site)
            largest, elements = largest_chapter(site)
            print(f"heaviest chapter (bytes loaded): {pages[1]}; largest (HTML elements): {largest}, {elements} elements")
            if largest != pages[1]:
                pages.append(largest)
        for page in pages:
            for preset, flags in PRESETS.items():
                report, performances = median_run(url + page, flags, Path(tmp) / "report.json", args.runs)
                print_report(page, preset, report, performances)
                scores.append(f"{page} {preset} {score(report, 'performance')}/{score(report, 'accessibility')}")
    print(f"summary: Lighthouse {json.loads((LIGHTHOUSE.parents[1] / 'package.json').read_text())['version']} "
          f"performance/accessibility: " + ", ".join(scores))
    return 0


if __name__ == "__main__":
    sys.exit(main())
