#!/usr/bin/env python3
"""Thinking in JAX: the one build entry point.

    python build_site.py build     bake, execute cells, build site/ and dist/
    python build_site.py serve     build, serve on http://127.0.0.1:8000, rebuild on change
    python build_site.py bake      run the simulation bakers only
    python build_site.py package   write the packages in dist/ from a built site/

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

from sitebuild import pipeline  # noqa: E402
from sitebuild.errors import BuildError  # noqa: E402


def options_from(args) -> pipeline.Options:
    o = pipeline.Options()
    for name in ("docs_dir", "site_dir", "dist_dir", "cache_dir", "config_file", "bake_from"):
        value = getattr(args, name, None)
        if value:
            setattr(o, name, Path(value).resolve())
    return o


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
    print(package.package(options_from(args)))


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

    paths(sub.add_parser("build", help="build site/ and dist/")).set_defaults(func=cmd_build)
    serve = paths(sub.add_parser("serve", help="build, serve and rebuild on change"))
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.set_defaults(func=cmd_serve)
    bake = paths(sub.add_parser("bake", help="run the simulation bakers"))
    bake.add_argument("--only", action="append", metavar="ID", help="bake only this simulation (repeatable)")
    bake.add_argument("--force", action="store_true", help="bake again even if unchanged")
    bake.set_defaults(func=cmd_bake)
    paths(sub.add_parser("package", help="package a built site")).set_defaults(func=cmd_package)

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
