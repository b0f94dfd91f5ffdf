#!/usr/bin/env python3
"""Thinking in JAX: the one build entry point.

    python build_site.py build     bake, execute cells, build site/ and dist/
    python build_site.py serve     build, serve on http://127.0.0.1:8000, rebuild on change
    python build_site.py bake      run the simulation bakers only
    python build_site.py package   write the packages in dist/ from a built site/

--site-url is the address where the site is hosted (e.g. https://you.github.io/thinking-in-jax/):
the Common Cartridge links there, and the instructors page's iframe snippets use it. `build`
without it skips the cartridge; `package` needs it (or site_url in mkdocs.yml).

The work is done in sitebuild/ (and sims/ for bakes); this file only parses
the command line and reports errors.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

from sitebuild import cartridge, course, pipeline  # noqa: E402
from sitebuild.errors import BuildError  # noqa: E402


def options_from(args) -> pipeline.Options:
    o = pipeline.Options()
    for name in ("docs_dir", "site_dir", "dist_dir", "cache_dir", "config_file", "bake_from"):
        value = getattr(args, name, None)
        if value:
            setattr(o, name, Path(value).resolve())
    o.site_url = getattr(args, "site_url", None)
    return o


def site_url_argument(text: str) -> str:
    """--site-url, checked and ending with "/"; argparse shows the message of a bad one."""
    try:
        return course.normalise_site_url(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def cmd_build(args) -> None:
    start = time.perf_counter()
    pipeline.build(options_from(args))
    print(f"Built in {time.perf_counter() - start:.1f} s. Open {Path(options_from(args).site_dir)}/index.html through a server: `python build_site.py serve`.")


def cmd_serve(args) -> None:
    from sitebuild.serve import serve
    serve(options_from(args), host=args.host, port=args.port)


def cmd_bake(args) -> None:
    print(pipeline.bake_step(options_from(args), only=args.only, force=args.force))


def cmd_package(args) -> None:
    from sitebuild import package
    options = options_from(args)
    if course.site_url(options) is None:
        raise BuildError("`package` writes the Common Cartridge too, which links to the hosted site: give its address "
                         f"with {cartridge.HOW_TO_GET_IT}. (`build` writes the other packages without it.)")
    print(package.package(options))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="build_site.py", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def paths(p):
        p.add_argument("--docs-dir", help="Markdown sources (default: docs/)")
        p.add_argument("--site-dir", help="where the site is written (default: site/)")
        p.add_argument("--dist-dir", help="where packages are written (default: dist/)")
        p.add_argument("--cache-dir", help="bake and cell-output cache (default: .cache/)")
        p.add_argument("--config-file", help="MkDocs configuration (default: mkdocs.yml)")
        p.add_argument("--bake-from", help="reuse simulation bakes made elsewhere, e.g. on a GPU machine (a folder of <id>.json)")
        return p

    def hosted(p):
        p.add_argument("--site-url", type=site_url_argument, metavar="URL",
                       help="the public address of the site (https://...); the Common Cartridge links there "
                            "(default: site_url in mkdocs.yml)")
        return p

    hosted(paths(sub.add_parser("build", help="build site/ and dist/"))).set_defaults(func=cmd_build)
    serve = hosted(paths(sub.add_parser("serve", help="build, serve and rebuild on change")))
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.set_defaults(func=cmd_serve)
    bake = paths(sub.add_parser("bake", help="run the simulation bakers"))
    bake.add_argument("--only", action="append", metavar="ID", help="bake only this simulation (repeatable)")
    bake.add_argument("--force", action="store_true", help="bake again even if unchanged")
    bake.set_defaults(func=cmd_bake)
    hosted(paths(sub.add_parser("package", help="package a built site"))).set_defaults(func=cmd_package)

    args = parser.parse_args(argv)
    try:
        args.func(args)
    except BuildError as err:
        print(f"\nBuild failed: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
