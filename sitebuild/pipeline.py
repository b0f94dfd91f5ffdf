"""The build, step by step: bake -> execute -> quizzes -> stage -> mkdocs -> postprocess -> assets -> notebooks -> package.

Each step prints what it did and how long it took; a failing step raises
BuildError with a message for the author (build_site.py prints it and exits 1).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import time
from pathlib import Path

import nbformat

from sitebuild import assets, embed, execute, figures, instructors, labs, notebooks, package, pyodide_assets, quizzes, render_math
from sitebuild.errors import BuildError

ROOT = Path(__file__).resolve().parent.parent


@dataclasses.dataclass
class Options:
    config_file: Path = ROOT / "mkdocs.yml"
    docs_dir: Path = ROOT / "docs"
    site_dir: Path = ROOT / "site"
    dist_dir: Path = ROOT / "dist"
    cache_dir: Path = ROOT / ".cache"
    bake_from: Path | None = None  # reuse bakes made elsewhere (e.g. on a GPU machine)
    site_url: str | None = None  # where the site is hosted (https://...): the Common Cartridge links there


@dataclasses.dataclass
class Report:
    """What a build did; also written to <cache>/last-build.json for tools and tests."""
    steps: dict = dataclasses.field(default_factory=dict)
    pages_executed: int = 0
    pages_from_cache: int = 0
    cells_executed: int = 0
    cells_from_cache: int = 0


class Steps:
    def __init__(self, names: list[str], log=print):
        self.names, self.log, self.report = names, log, Report()

    def run(self, name: str, fn, *args):
        number = self.names.index(name) + 1
        self.log(f"[{number}/{len(self.names)}] {name}")
        start = time.perf_counter()
        summary = fn(*args)
        seconds = time.perf_counter() - start
        self.report.steps[name] = round(seconds, 3)
        self.log(f"      {summary} ({seconds:.1f} s)")


def bake_step(options: Options, log=print, only=None, force=False) -> str:
    from sims.bake import bake_all

    outcome = bake_all(options.cache_dir / "bakes", only=only, force=force, bake_from=options.bake_from,
                       log=lambda line: log("      " + line))
    counts = {what: sum(1 for v in outcome.values() if v == what) for what in ("baked", "cached", "imported")}
    return f"{len(outcome)} simulations and figures: {counts['baked']} baked, {counts['cached']} unchanged (cache), {counts['imported']} imported"


STEPS = ["bake", "execute", "quizzes", "stage", "mkdocs", "postprocess", "assets", "notebooks", "package"]


def build(options: Options, log=print) -> Report:
    execute.CACHE_DIR = options.cache_dir / "cells"
    steps = Steps(STEPS, log)
    results: dict[Path, execute.PageResult] = {}
    staged = options.cache_dir / "docs"

    def run_cells() -> str:
        pages = sorted(options.docs_dir.rglob("*.md")) + labs.lab_paths(options.docs_dir)
        for path, result in zip(pages, execute.execute_pages(pages, options.docs_dir, log=log)):
            results[path] = result
            r = steps.report
            if result.from_cache:
                r.pages_from_cache += 1
                r.cells_from_cache += len(result.cells)
            elif result.cells:
                r.pages_executed += 1
                r.cells_executed += len(result.cells)
        r = steps.report
        return (f"executed {r.cells_executed} cells on {r.pages_executed} pages; "
                f"{r.cells_from_cache} cells on {r.pages_from_cache} pages unchanged (from cache)")

    def check_quizzes() -> str:
        found = []
        for path, result in results.items():
            if path.suffix == ".md":
                found += quizzes.check_page(path.read_text(encoding="utf-8"), _show(path), result)
        progress = options.docs_dir / quizzes.PROGRESS_PAGE
        if progress.exists():
            quizzes.check_progress_page(progress.read_text(encoding="utf-8"), found, _show(progress))
        return f"{len(found)} quizzes with {sum(q.questions for q in found)} questions valid"

    def run_stage() -> str:
        count = labs.stage_docs(options.docs_dir, staged, {p: r for p, r in results.items() if p.suffix == ".ipynb"})
        embeds = embed.stage_embed_pages(staged)
        listed = instructors.stage_page(staged, options)
        return (f"docs staged in {_show(staged)} with {count} executed lab notebooks and {embeds} embed pages; "
                f"{listed} chapters and simulations listed for instructors")

    built = {}

    def run_mkdocs() -> str:
        built["config"] = mkdocs_build(options, staged)
        pages = sum(1 for _ in options.site_dir.rglob("index.html"))
        return f"{pages} pages written to {_show(options.site_dir)}"

    steps.run("bake", bake_step, options, log)
    steps.run("execute", run_cells)
    steps.run("quizzes", check_quizzes)
    steps.run("stage", run_stage)
    steps.run("mkdocs", run_mkdocs)
    steps.run("postprocess", postprocess, options.site_dir, options.cache_dir / "bakes")
    steps.run("assets", write_assets, options.site_dir, options.cache_dir / "bakes")
    steps.run("notebooks", write_notebooks, options, results, built["config"])
    steps.run("package", package.package, options, log)
    (options.cache_dir).mkdir(parents=True, exist_ok=True)
    (options.cache_dir / "last-build.json").write_text(json.dumps(dataclasses.asdict(steps.report), indent=1))
    return steps.report


def mkdocs_build(options: Options, docs_dir: Path, **overrides):
    """MkDocs on the staged docs; `overrides` replace settings of mkdocs.yml
    (the offline copy adds a plugin: sitebuild/offline.py)."""
    from mkdocs import exceptions
    from mkdocs.commands.build import build as build_site
    from mkdocs.config import load_config

    _show_mkdocs_warnings()
    execute.CACHE_DIR = options.cache_dir / "cells"  # the cells' outputs: from this build's cache, never run anew
    if options.site_url:  # --site-url: canonical links, the sitemap and the notebooks' links back use it
        overrides = {"site_url": options.site_url, **overrides}
    try:
        config = load_config(str(options.config_file), docs_dir=str(docs_dir), site_dir=str(options.site_dir), **overrides)
        build_site(config)
    except exceptions.MkDocsException as err:
        raise BuildError(f"MkDocs could not build the site: {err}") from None
    return config


def postprocess(site_dir: Path, bakes_dir: Path) -> str:
    """Finish the pages MkDocs wrote: math, live simulations, figures, lab
    pages without CDN loaders and with working links. The hosted site and
    the offline copy (sitebuild/offline.py) both go through it."""
    cleaned = labs.clean_rendered_labs(site_dir)
    linked = labs.link_rendered_labs(site_dir)
    formulas = render_math.render_site(site_dir)
    live = assets.mark_live_simulations(site_dir)
    drawn = figures.render_figures(site_dir, bakes_dir)
    named = assets.name_search_dialog(site_dir)
    return (f"{formulas} formulas rendered with KaTeX; CDN loaders removed from {cleaned} lab pages "
            f"and {linked} of their links to pages resolved; {live} simulation placeholders made live; {drawn} figures drawn; "
            f"search dialog named on {named} pages")


def write_assets(site_dir: Path, bakes_dir: Path) -> str:
    """Everything the pages load besides MkDocs' own files: our scripts and
    styles, vendored libraries, simulation data, Pyodide and our Python."""
    copied = assets.copy_assets(site_dir)
    sims = assets.write_sim_data(site_dir, bakes_dir)
    runtime = pyodide_assets.write_python_runtime(site_dir)
    return f"{copied} files copied; data of {sims} simulations written; {runtime}"


def _show_mkdocs_warnings() -> None:
    logger = logging.getLogger("mkdocs")
    if not any(getattr(h, "_tij", False) for h in logger.handlers):
        handler = logging.StreamHandler()
        handler.setLevel(logging.WARNING)
        handler.setFormatter(logging.Formatter("      mkdocs %(levelname)s: %(message)s"))
        handler._tij = True
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)


def write_notebooks(options: Options, results: dict, config) -> str:
    from mkdocs.utils import meta

    out_dir = options.site_dir / "notebooks"
    out_dir.mkdir(parents=True, exist_ok=True)
    written = 0
    for path, result in results.items():
        rel = path.relative_to(options.docs_dir)
        if rel.parts[0] != "chapters":
            continue
        text, _ = meta.get_data(path.read_text(encoding="utf-8"))
        page_url = (config.site_url or "") + rel.with_suffix("").as_posix() + "/"
        nb = notebooks.build_notebook(text, result, page_url)
        nbformat.write(nb, str(out_dir / (rel.stem + ".ipynb")))
        written += 1
    return f"{written} chapter notebooks written to {_show(out_dir)}"


def _show(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
